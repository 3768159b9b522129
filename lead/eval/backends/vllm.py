"""Generation with vLLM (GPU): every pending sample in one batched ``LLM.generate`` call.

Each sample is its own request with ``n=1`` and its own seed, so a resumed run produces exactly the
samples an uninterrupted one would; vLLM's prefix cache shares the prompt between the samples of a
problem. ``vllm`` is imported only when the backend is built.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from lead.eval.backends.base import FINISH_LENGTH, FINISH_STOP, Completion, GenerationRequest
from lead.eval.protocol import SamplingConfig


def vllm_available() -> bool:
    """True when vLLM is installed and a CUDA GPU is visible."""
    try:
        import vllm  # noqa: F401
    except ImportError:
        return False
    import torch

    return torch.cuda.is_available()


def sampling_params_kwargs(
    request: GenerationRequest, sampling: SamplingConfig, stop_ids: Sequence[int]
) -> dict:
    """Keyword arguments of ``vllm.SamplingParams`` for one sample."""
    return {
        "n": 1,
        "temperature": sampling.temperature,
        "top_p": sampling.top_p,
        "max_tokens": sampling.max_new_tokens,
        "seed": request.seed,
        "stop_token_ids": list(stop_ids),
        "skip_special_tokens": True,
    }


def build_vllm_inputs(
    requests: Sequence[GenerationRequest], sampling: SamplingConfig, stop_ids: Sequence[int]
) -> tuple[list[dict], list[dict]]:
    """Token prompts and per-request sampling kwargs, aligned with ``requests``."""
    prompts = [{"prompt_token_ids": list(r.prompt_ids)} for r in requests]
    params = [sampling_params_kwargs(r, sampling, stop_ids) for r in requests]
    return prompts, params


def completion_from_output(output: Any) -> Completion:
    """Convert a ``vllm.RequestOutput`` holding one sample into a ``Completion``."""
    sample = output.outputs[0]
    reason = FINISH_LENGTH if sample.finish_reason == "length" else FINISH_STOP
    return Completion(text=sample.text, num_tokens=len(sample.token_ids), finish_reason=reason)


class VLLMBackend:
    """vLLM offline engine with optional tensor parallelism."""

    name = "vllm"

    def __init__(
        self,
        model: str,
        stop_ids: Sequence[int],
        tensor_parallel_size: int = 1,
        gpu_memory_utilization: float = 0.9,
        max_model_len: int | None = None,
        dtype: str = "auto",
        seed: int = 0,
        requests_per_call: int | None = None,
    ) -> None:
        from vllm import LLM

        self.llm = LLM(
            model=model,
            tensor_parallel_size=tensor_parallel_size,
            gpu_memory_utilization=gpu_memory_utilization,
            max_model_len=max_model_len,
            dtype=dtype,
            seed=seed,
        )
        self.stop_ids = list(stop_ids)
        self.requests_per_call = requests_per_call

    def generate(
        self, requests: Sequence[GenerationRequest], sampling: SamplingConfig
    ) -> Iterator[tuple[int, Completion]]:
        """One ``LLM.generate`` call for all requests (or per ``requests_per_call`` chunk)."""
        from vllm import SamplingParams

        chunk = self.requests_per_call or max(len(requests), 1)
        for start in range(0, len(requests), chunk):
            prompts, params = build_vllm_inputs(requests[start : start + chunk], sampling, self.stop_ids)
            outputs = self.llm.generate(prompts, [SamplingParams(**p) for p in params], use_tqdm=True)
            for offset, output in enumerate(outputs):
                yield start + offset, completion_from_output(output)
