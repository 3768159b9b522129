"""Prompt lengths in tokens, counted the way verl 0.9.1 counts them for ``data.max_prompt_length``.

verl renders each row's ``prompt`` messages with the tokenizer's chat template and the generation
prompt (``apply_chat_template(..., add_generation_prompt=True, tokenize=True)``). With
``data.filter_overlong_prompts=True`` (the project's training scripts) rows longer than
``max_prompt_length`` are dropped before training; without it the agent loop keeps only the last
``max_prompt_length`` tokens, losing the chat header and the start of the problem.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RECIPE_MAX_PROMPT_LENGTH = 1024
"""``data.max_prompt_length`` of the paper's recipe."""


@dataclass(frozen=True)
class OverlongPrompts:
    """How many prompts of a file exceed a token limit, and the longest one."""

    limit: int
    count: int
    longest: int


def load_tokenizer(path: str) -> Any:
    """A Hugging Face tokenizer with a chat template; ValueError naming ``path`` otherwise."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(path)
    except Exception as error:  # transformers raises OSError, ValueError, ... for a bad folder
        raise ValueError(
            f"tokenizer {path!r} is invalid: none could be loaded from it ({type(error).__name__}); "
            "allowed is a local folder or hub id of a Hugging Face tokenizer"
        ) from error
    if not tokenizer.chat_template:
        raise ValueError(
            f"tokenizer {path!r} is invalid: it has no chat template, and verl applies the chat template "
            "to every prompt; allowed is a tokenizer with a chat template (the training model's)"
        )
    return tokenizer


def prompt_tokens(messages: Sequence[Mapping[str, str]], tokenizer: Any) -> int:
    """Tokens of one row's prompt as verl counts them (chat template and generation prompt included)."""
    ids = tokenizer.apply_chat_template(
        [dict(message) for message in messages], add_generation_prompt=True, tokenize=True, return_dict=False
    )
    return len(ids)


def overlong_prompts(
    prompts: Iterable[Sequence[Mapping[str, str]]], tokenizer: Any, limit: int = RECIPE_MAX_PROMPT_LENGTH
) -> OverlongPrompts:
    """Count the prompts longer than ``limit`` tokens."""
    lengths = [prompt_tokens(messages, tokenizer) for messages in prompts]
    return OverlongPrompts(limit=limit, count=sum(length > limit for length in lengths), longest=max(lengths))
