"""Generation with vLLM (GPU): every pending sample in one batched ``LLM.generate`` call.

Each sample is its own request with ``n=1`` and its own seed, so a resumed run produces exactly the
samples an uninterrupted one would; vLLM's prefix cache shares the prompt between the samples of a
problem. ``vllm`` is imported only when the backend is built.

One engine holds most of the GPU memory (``gpu_memory_utilization``), so ``close`` shuts it down
before the next checkpoint's engine starts: the engine core first (``LLM.shutdown`` where vLLM has
it, else ``llm_engine.engine_core.shutdown``), then vLLM's model-parallel and distributed state,
then the garbage collector and CUDA's cache. A piece this vLLM version lacks is skipped.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from lead.eval.backends.base import FINISH_LENGTH, FINISH_STOP, Completion, GenerationRequest
from lead.eval.backends.memory import free_cached_memory
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
        "max_tokens": request.max_new_tokens,
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


def engine_context_length(llm: Any) -> int | None:
    """``max_model_len`` of a built ``vllm.LLM`` (the option, or what vLLM derived from the model)."""
    value = getattr(getattr(getattr(llm, "llm_engine", None), "model_config", None), "max_model_len", None)
    return int(value) if value is not None else None


def _attempt(step: str, action: Callable[[], object]) -> None:
    """Run one release step; a failure is reported and the remaining steps still run."""
    try:
        action()
    except Exception as error:  # a release step must never stop the evaluation
        warnings.warn(f"releasing the vLLM engine: {step} failed ({error})", RuntimeWarning, stacklevel=3)


def shutdown_engine(llm: Any) -> None:
    """Stop the engine core of ``llm`` (its worker processes and their GPU memory)."""
    shutdown = getattr(llm, "shutdown", None)
    if shutdown is None:
        shutdown = getattr(getattr(getattr(llm, "llm_engine", None), "engine_core", None), "shutdown", None)
    if callable(shutdown):
        _attempt("engine shutdown", shutdown)


def destroy_distributed_state() -> None:
    """Tear down vLLM's model-parallel groups and distributed environment in this process."""
    try:
        from vllm.distributed import parallel_state
    except ImportError:
        return
    for name in ("destroy_model_parallel", "destroy_distributed_environment"):
        function = getattr(parallel_state, name, None)
        if callable(function):
            _attempt(name, function)


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
        self.context_length = engine_context_length(self.llm) or max_model_len
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

    def close(self) -> None:
        """Shut the engine down and free its GPU memory; calling it again does nothing."""
        if self.llm is None:
            return
        shutdown_engine(self.llm)
        self.llm = None
        destroy_distributed_state()
        free_cached_memory()
