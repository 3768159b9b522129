"""Tokenizer side of generation: chat-template rendering and stop tokens, shared by all backends."""

from __future__ import annotations

from transformers import AutoTokenizer, GenerationConfig, PreTrainedTokenizerBase


def load_tokenizer(model: str) -> PreTrainedTokenizerBase:
    """The model's tokenizer (local folder or hub id); it must define a chat template."""
    tokenizer = AutoTokenizer.from_pretrained(model)
    if not tokenizer.chat_template:
        raise ValueError(f"model {model!r}: its tokenizer has no chat template; the protocol needs one")
    return tokenizer


def encode_chat(tokenizer: PreTrainedTokenizerBase, messages: list[dict]) -> list[int]:
    """Token ids of the chat-formatted prompt, ending with the assistant's generation prompt.

    The template renders special tokens such as BOS itself, so none are added on top.
    """
    text = tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return list(tokenizer(text, add_special_tokens=False)["input_ids"])


def stop_token_ids(tokenizer: PreTrainedTokenizerBase, model: str) -> list[int]:
    """End-of-sequence ids: the model's generation config ones plus the tokenizer's EOS."""
    ids: list[int] = []
    try:
        configured = GenerationConfig.from_pretrained(model).eos_token_id
    except OSError:
        configured = None
    if isinstance(configured, int):
        ids.append(configured)
    elif configured is not None:
        ids.extend(configured)
    if tokenizer.eos_token_id is not None:
        ids.append(tokenizer.eos_token_id)
    if not ids:
        raise ValueError(
            f"model {model!r}: neither its generation config nor its tokenizer defines an EOS token"
        )
    return sorted(set(ids))
