"""A character-level chat tokenizer saved to disk: every character is one token (unknown ones too).

Its chat template renders ``<|user|>content<|assistant|>``, so a one-message prompt is exactly
``len(content) + 2`` tokens: an oracle for token counts that needs no tokenizer.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
from transformers import PreTrainedTokenizerFast

SPECIALS = ["<pad>", "<eos>", "<unk>", "<|user|>", "<|assistant|>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
TEMPLATE_TOKENS = 2
"""<|user|> and <|assistant|>."""


def build_char_tokenizer(chat_template: str | None = CHAT_TEMPLATE) -> PreTrainedTokenizerFast:
    vocab = {token: index for index, token in enumerate(SPECIALS + sorted(set(string.printable)))}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Split(Regex("(?m)."), behavior="isolated")  # newlines too
    backend.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend,
        pad_token="<pad>",
        eos_token="<eos>",
        unk_token="<unk>",
        additional_special_tokens=SPECIALS[3:],
    )
    tokenizer.chat_template = chat_template
    return tokenizer


@pytest.fixture(scope="session")
def char_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("char_tokenizer")
    build_char_tokenizer().save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def templateless_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("templateless_tokenizer")
    build_char_tokenizer(chat_template=None).save_pretrained(path)
    return path


@pytest.fixture(scope="session")
def char_prompt_tokens():
    """The oracle: tokens of a one-message prompt with ``content`` under the character tokenizer."""
    return lambda content: len(content) + TEMPLATE_TOKENS
