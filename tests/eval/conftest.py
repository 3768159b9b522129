"""Fixtures for the evaluation tests: a tiny character-level chat model and benchmark parquet files.

One model is a 2-layer Llama whose weights make it answer every prompt with ``\\boxed{4}``, so
graded samples are a real mix of correct and wrong answers; another has random weights.
"""

from __future__ import annotations

import itertools
import string
from pathlib import Path

import pandas as pd
import pytest
import torch
from tokenizers import Regex, Tokenizer, decoders, models, pre_tokenizers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

SPECIALS = ["<pad>", "<eos>", "<|user|>", "<|assistant|>"]
CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|>{{ m['content'] }}{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)
ANSWER = "\\boxed{4}"
TRAIN_SUFFIX = " Let's think step by step and output the final answer within \\boxed{}."
PROBLEMS = [
    ("p0", "What is 2+2?", "4"),
    ("p1", "What is 3+4?", "7"),
    ("p2", "What is 8/2?", "4"),
    ("p3", "What is 3*3?", "9"),
]


def build_tokenizer() -> PreTrainedTokenizerFast:
    """Character-level tokenizer over printable ASCII with chat special tokens."""
    chars = sorted(set(string.printable) - set("\x0b\x0c"))
    vocab = {token: i for i, token in enumerate(SPECIALS + chars)}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="<pad>"))
    backend.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    backend.decoder = decoders.Fuse()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", eos_token="<eos>", additional_special_tokens=SPECIALS[2:]
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def set_answer_weights(model: LlamaForCausalLM, tokenizer: PreTrainedTokenizerFast) -> None:
    """Make the model reply ``\\boxed{4}<eos>`` to any chat prompt.

    Attention and MLP outputs are zeroed, so the next token depends on the current one only; the
    embeddings and output head then encode the chain <|assistant|> -> \\ -> b -> ... -> } -> <eos>.
    """
    chain = ["<|assistant|>", *ANSWER, "<eos>"]
    ids = [tokenizer.convert_tokens_to_ids(token) for token in chain]
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        model.model.embed_tokens.weight.zero_()
        model.lm_head.weight.zero_()
        for position, (current, following) in enumerate(itertools.pairwise(ids)):
            model.model.embed_tokens.weight[current, position] = 1.0
            model.lm_head.weight[following, position] = 5.0


def tiny_llama(tokenizer: PreTrainedTokenizerFast) -> LlamaForCausalLM:
    """A randomly initialised 2-layer Llama over ``tokenizer``'s vocabulary."""
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=None,
    )
    return LlamaForCausalLM(config)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny chat model that answers ``\\boxed{4}`` (config, weights, tokenizer with chat template)."""
    folder = tmp_path_factory.mktemp("tiny_model")
    tokenizer = build_tokenizer()
    model = tiny_llama(tokenizer)
    set_answer_weights(model, tokenizer)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def write_benchmark(path: Path, name: str, problems: list[tuple[str, str, str]] = PROBLEMS) -> Path:
    """A benchmark parquet file in the project's RL schema (eval variant)."""
    rows = [
        {
            "data_source": name,
            "prompt": [{"role": "user", "content": problem + TRAIN_SUFFIX}],
            "ability": "math",
            "reward_model": {"ground_truth": answer, "style": "rule"},
            "extra_info": {
                "index": i,
                "split": "test",
                "benchmark": name,
                "problem_id": problem_id,
                "problem": problem,
            },
        }
        for i, (problem_id, problem, answer) in enumerate(problems)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)
    return path


@pytest.fixture(scope="session")
def random_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny chat model with random weights: its samples depend on the seed."""
    folder = tmp_path_factory.mktemp("random_model")
    tokenizer = build_tokenizer()
    tiny_llama(tokenizer).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def benchmark_file(tmp_path: Path) -> Path:
    return write_benchmark(tmp_path / "data" / "toy.parquet", "toy")
