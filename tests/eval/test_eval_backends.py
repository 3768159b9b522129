"""Generation backends: transformers sampling on a real tiny model, vLLM request building without a GPU."""

import importlib.util
from types import SimpleNamespace

import pytest

from lead.eval.backends import resolve_backend_name
from lead.eval.backends.base import GenerationRequest
from lead.eval.backends.transformers import TransformersBackend
from lead.eval.backends.vllm import build_vllm_inputs, completion_from_output, vllm_available
from lead.eval.chat import encode_chat, load_tokenizer, stop_token_ids
from lead.eval.problems import load_problems, sample_seed
from lead.eval.protocol import SamplingConfig, resolve_benchmarks
from lead.eval.runner import build_requests

HAS_VLLM = importlib.util.find_spec("vllm") is not None


@pytest.fixture(scope="module")
def random_backend(random_model_dir):
    tokenizer = load_tokenizer(str(random_model_dir))
    stops = stop_token_ids(tokenizer, str(random_model_dir))
    return TransformersBackend(str(random_model_dir), tokenizer, stops, batch_size=4, device="cpu")


def requests_for(tokenizer, texts, seeds, max_new_tokens=12):
    return [
        GenerationRequest(encode_chat(tokenizer, [{"role": "user", "content": t}]), s, max_new_tokens)
        for t, s in zip(texts, seeds, strict=True)
    ]


def test_chat_prompt_uses_the_models_template(tiny_model_dir):
    tokenizer = load_tokenizer(str(tiny_model_dir))
    ids = encode_chat(tokenizer, [{"role": "user", "content": "1+1?"}])
    assert tokenizer.decode(ids) == "<|user|>1+1?<|assistant|>"
    assert stop_token_ids(tokenizer, str(tiny_model_dir)) == [tokenizer.eos_token_id]


def test_samples_depend_on_their_seed_only(random_backend):
    sampling = SamplingConfig(max_new_tokens=12)
    texts = ["What is 2+2?", "A much longer question about a triangle?", "x?", "Compute 7*6.", "Hi"]
    requests = requests_for(random_backend.tokenizer, texts, seeds=[11, 12, 13, 14, 15])
    batched = dict(random_backend.generate(requests, sampling))
    alone = {i: dict(random_backend.generate([r], sampling))[0] for i, r in enumerate(requests)}
    assert batched == alone
    reseeded = dict(
        random_backend.generate(requests_for(random_backend.tokenizer, texts, [21, 22, 23, 24, 25]), sampling)
    )
    assert [reseeded[i].text for i in range(5)] != [batched[i].text for i in range(5)]


def test_length_limit_truncates(random_backend):
    requests = requests_for(random_backend.tokenizer, ["q1", "q2", "q3"], seeds=[1, 2, 3], max_new_tokens=3)
    outputs = dict(random_backend.generate(requests, SamplingConfig()))
    assert sorted(outputs) == [0, 1, 2]
    assert any(c.truncated for c in outputs.values())
    for completion in outputs.values():
        assert completion.finish_reason in ("stop", "length")
        assert completion.num_tokens == 3 if completion.truncated else completion.num_tokens <= 3


def test_greedy_decoding_follows_the_model(tiny_model_dir):
    tokenizer = load_tokenizer(str(tiny_model_dir))
    backend = TransformersBackend(str(tiny_model_dir), tokenizer, [tokenizer.eos_token_id], device="cpu")
    ((index, completion),) = list(
        backend.generate(requests_for(tokenizer, ["2+2?"], [0], 32), SamplingConfig(temperature=0))
    )
    assert (index, completion.text, completion.num_tokens, completion.finish_reason) == (
        0,
        "\\boxed{4}",
        10,
        "stop",
    )


def test_vllm_requests_carry_protocol_sampling_seeds_and_stop(tiny_model_dir, benchmark_file):
    tokenizer = load_tokenizer(str(tiny_model_dir))
    stops = stop_token_ids(tokenizer, str(tiny_model_dir))
    spec = resolve_benchmarks([str(benchmark_file)], n=3)[0]
    problems = load_problems(spec, "train")
    pending = [(p, k) for p in problems for k in range(spec.n)]
    sampling = SamplingConfig(max_new_tokens=64, seed=7)
    prompts, params = build_vllm_inputs(build_requests(pending, tokenizer, sampling), sampling, stops)
    assert len(prompts) == len(params) == len(problems) * 3
    for (problem, k), prompt, kwargs in zip(pending, prompts, params, strict=True):
        assert prompt == {"prompt_token_ids": encode_chat(tokenizer, problem.messages)}
        assert kwargs == {
            "n": 1,
            "temperature": 0.8,
            "top_p": 0.9,
            "max_tokens": 64,
            "seed": sample_seed(7, "toy", problem.problem_id, k),
            "stop_token_ids": [tokenizer.eos_token_id],
            "skip_special_tokens": True,
        }
    assert len({kwargs["seed"] for kwargs in params}) == len(params)


@pytest.mark.skipif(not HAS_VLLM, reason="vllm is not installed (it needs a CUDA build of torch)")
def test_vllm_accepts_the_sampling_kwargs():
    from vllm import SamplingParams

    request = GenerationRequest([1, 2, 3], seed=5, max_new_tokens=8)
    _, (kwargs,) = build_vllm_inputs([request], SamplingConfig(), [0])
    params = SamplingParams(**kwargs)
    assert (params.n, params.seed, params.max_tokens, params.top_p) == (1, 5, 8, 0.9)


def test_vllm_outputs_become_completions():
    def output(reason):
        return SimpleNamespace(
            outputs=[SimpleNamespace(text="abc", token_ids=[5, 6, 7], finish_reason=reason)]
        )

    assert completion_from_output(output("length")).truncated
    stopped = completion_from_output(output("stop"))
    assert (stopped.text, stopped.num_tokens, stopped.truncated) == ("abc", 3, False)


@pytest.mark.skipif(vllm_available(), reason="vLLM with a GPU is present: auto picks it")
def test_auto_backend_falls_back_to_transformers():
    assert resolve_backend_name("auto") == "transformers"


def test_unknown_backend_is_rejected():
    with pytest.raises(ValueError, match="auto, vllm, transformers"):
        resolve_backend_name("onnx")
