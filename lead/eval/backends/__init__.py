"""Generation backends: vLLM (GPU) and transformers (CPU or GPU), chosen by name or ``auto``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from lead.eval.backends.base import Backend, Completion, GenerationRequest
from lead.eval.backends.vllm import vllm_available

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerBase

BACKENDS = ("auto", "vllm", "transformers")


@dataclass(frozen=True)
class BackendOptions:
    """Engine settings; each backend reads the ones it understands."""

    batch_size: int = 8
    device: str = "auto"
    dtype: str = "auto"
    tensor_parallel_size: int = 1
    gpu_memory_utilization: float = 0.9
    max_model_len: int | None = None
    requests_per_call: int | None = None

    def __post_init__(self) -> None:
        if self.max_model_len is not None and self.max_model_len < 1:
            raise ValueError(f"max_model_len must be >= 1 or unset (the model's), got {self.max_model_len}")

    def to_dict(self) -> dict:
        return asdict(self)


def resolve_backend_name(name: str) -> str:
    """``auto`` becomes ``vllm`` when vLLM and a GPU are available, else ``transformers``."""
    if name not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}; got {name!r}")
    if name == "auto":
        return "vllm" if vllm_available() else "transformers"
    return name


def make_backend(
    name: str,
    model: str,
    tokenizer: PreTrainedTokenizerBase,
    stop_ids: Sequence[int],
    options: BackendOptions,
    seed: int,
) -> Backend:
    """Build the named backend (``auto`` resolved first) for ``model``."""
    name = resolve_backend_name(name)
    if name == "vllm":
        from lead.eval.backends.vllm import VLLMBackend

        return VLLMBackend(
            model,
            stop_ids,
            tensor_parallel_size=options.tensor_parallel_size,
            gpu_memory_utilization=options.gpu_memory_utilization,
            max_model_len=options.max_model_len,
            dtype=options.dtype,
            seed=seed,
            requests_per_call=options.requests_per_call,
        )
    from lead.eval.backends.transformers import TransformersBackend

    return TransformersBackend(
        model,
        tokenizer,
        stop_ids,
        batch_size=options.batch_size,
        device=options.device,
        dtype=options.dtype,
        max_model_len=options.max_model_len,
    )


__all__ = [
    "BACKENDS",
    "Backend",
    "BackendOptions",
    "Completion",
    "GenerationRequest",
    "make_backend",
    "resolve_backend_name",
]
