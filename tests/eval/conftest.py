"""Fixtures for the evaluation tests: a tiny character-level chat model, benchmark parquet files and
a stand-in for the ``vllm`` package.

One model is a 2-layer Llama whose weights make it answer every prompt with ``\\boxed{4}``, so
graded samples are a real mix of correct and wrong answers; another has random weights; a third
answers like the first within a context of ``SMALL_CONTEXT`` tokens.
"""

from __future__ import annotations

import itertools
import json
import string
import sys
import types
import weakref
from dataclasses import dataclass, field
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


def tiny_llama(tokenizer: PreTrainedTokenizerFast, context_length: int = 256) -> LlamaForCausalLM:
    """A randomly initialised 2-layer Llama over ``tokenizer``'s vocabulary."""
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=context_length,
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


def write_benchmark(
    path: Path, name: str, problems: list[tuple[str, str, str]] = PROBLEMS, extra: list[dict] | None = None
) -> Path:
    """A benchmark parquet file in the project's RL schema (eval variant); ``extra`` adds fields to
    each row's ``extra_info``."""
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
                **(extra[i] if extra else {}),
            },
        }
        for i, (problem_id, problem, answer) in enumerate(problems)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)
    return path


SMALL_CONTEXT = 94
"""Context of ``small_context_model_dir``: the chat prompt of "What is 2+2?" (84 tokens) plus 10."""


@pytest.fixture(scope="session")
def small_context_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``\\boxed{4}`` model with a context of ``SMALL_CONTEXT`` tokens."""
    folder = tmp_path_factory.mktemp("small_context_model")
    tokenizer = build_tokenizer()
    model = tiny_llama(tokenizer, context_length=SMALL_CONTEXT)
    set_answer_weights(model, tokenizer)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def random_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A saved tiny chat model with random weights: its samples depend on the seed."""
    folder = tmp_path_factory.mktemp("random_model")
    tokenizer = build_tokenizer()
    tiny_llama(tokenizer).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture
def benchmark_writer():
    """``write_benchmark`` for tests that need benchmarks of their own problems."""
    return write_benchmark


@pytest.fixture
def benchmark_file(tmp_path: Path) -> Path:
    return write_benchmark(tmp_path / "data" / "toy.parquet", "toy")


@dataclass
class EngineLog:
    """What the stand-in vLLM saw: events in order, and per engine creation how many earlier engines
    were still running (not shut down) and still referenced (not garbage-collected)."""

    fail_generation: bool = False
    events: list[str] = field(default_factory=list)
    running_at_creation: list[int] = field(default_factory=list)
    referenced_at_creation: list[int] = field(default_factory=list)
    engine_kwargs: list[dict] = field(default_factory=list)
    prompts: list[dict] = field(default_factory=list)
    sampling_kwargs: list[dict] = field(default_factory=list)
    engines: list[weakref.ref] = field(default_factory=list)
    running: set[int] = field(default_factory=set)


def standin_vllm_module(log: EngineLog, *, complete: bool = True) -> dict[str, types.ModuleType]:
    """Modules standing in for ``vllm`` and ``vllm.distributed.parallel_state``.

    ``LLM`` behaves like vLLM's offline engine where the backend touches it: ``max_model_len`` is
    the option or the model config's ``max_position_embeddings``; ``generate`` rejects the whole call
    when one prompt is longer than that, and otherwise answers ``\\boxed{4}`` plus EOS (10 tokens),
    cut at ``max_tokens`` or where the context is full. With ``complete=False`` the engine has no
    engine core and there is no ``vllm.distributed``, as in a version that lacks them.
    """
    answer_ids = list(range(len(ANSWER) + 1))

    class SamplingParams:
        def __init__(self, **kwargs):
            if kwargs["max_tokens"] < 1:
                raise ValueError(f"max_tokens must be at least 1, got {kwargs['max_tokens']}.")
            self.kwargs = kwargs

    class EngineCore:
        def __init__(self, number: int):
            self.number = number

        def shutdown(self):
            log.events.append(f"shutdown {self.number}")
            log.running.discard(self.number)

    class LLM:
        def __init__(self, **kwargs):
            number = len(log.engines) + 1
            log.running_at_creation.append(len(log.running))
            log.referenced_at_creation.append(sum(ref() is not None for ref in log.engines))
            log.engines.append(weakref.ref(self))
            log.running.add(number)
            log.engine_kwargs.append(kwargs)
            log.events.append(f"create {number}")
            config = json.loads((Path(kwargs["model"]) / "config.json").read_text())
            self.number = number
            self.max_model_len = kwargs["max_model_len"] or config["max_position_embeddings"]
            engine = types.SimpleNamespace(
                model_config=types.SimpleNamespace(max_model_len=self.max_model_len)
            )
            if complete:
                engine.engine_core = EngineCore(number)
            self.llm_engine = engine

        def generate(self, prompts, params, use_tqdm=True):
            log.events.append(f"generate {self.number}")
            if log.fail_generation:
                raise RuntimeError("stand-in engine failure")
            for prompt in prompts:
                if len(prompt["prompt_token_ids"]) > self.max_model_len:
                    raise ValueError(
                        f"The decoder prompt (length {len(prompt['prompt_token_ids'])}) is longer than the "
                        f"maximum model length of {self.max_model_len}."
                    )
            outputs = []
            for prompt, param in zip(prompts, params, strict=True):
                log.prompts.append(prompt)
                log.sampling_kwargs.append(param.kwargs)
                room = self.max_model_len - len(prompt["prompt_token_ids"])
                count = min(len(answer_ids), param.kwargs["max_tokens"], max(room, 1))
                sample = types.SimpleNamespace(
                    text=ANSWER[:count],
                    token_ids=answer_ids[:count],
                    finish_reason="stop" if count == len(answer_ids) else "length",
                )
                outputs.append(types.SimpleNamespace(outputs=[sample]))
            return outputs

    vllm = types.ModuleType("vllm")
    vllm.LLM, vllm.SamplingParams = LLM, SamplingParams
    modules = {"vllm": vllm}
    if complete:
        distributed = types.ModuleType("vllm.distributed")
        parallel_state = types.ModuleType("vllm.distributed.parallel_state")
        parallel_state.destroy_model_parallel = lambda: log.events.append("destroy_model_parallel")
        parallel_state.destroy_distributed_environment = lambda: log.events.append(
            "destroy_distributed_environment"
        )
        distributed.parallel_state = parallel_state
        vllm.distributed = distributed
        modules |= {"vllm.distributed": distributed, "vllm.distributed.parallel_state": parallel_state}
    else:
        modules |= {"vllm.distributed": None, "vllm.distributed.parallel_state": None}
    return modules


@pytest.fixture
def standin_vllm(monkeypatch: pytest.MonkeyPatch):
    """Install the stand-in ``vllm`` for one test; returns ``install(complete=True) -> EngineLog``."""

    def install(complete: bool = True) -> EngineLog:
        log = EngineLog()
        for name, module in standin_vllm_module(log, complete=complete).items():
            monkeypatch.setitem(sys.modules, name, module)
        return log

    return install
