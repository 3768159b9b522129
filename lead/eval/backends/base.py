"""The interface every generation backend implements."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from lead.eval.protocol import SamplingConfig

FINISH_STOP = "stop"
FINISH_LENGTH = "length"


@dataclass(frozen=True)
class GenerationRequest:
    """One sample to generate: the tokenised prompt (chat template applied), its seed and the most
    new tokens it may generate."""

    prompt_ids: list[int]
    seed: int
    max_new_tokens: int

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")


@dataclass(frozen=True)
class Completion:
    """A generated response: decoded text, generated token count and why generation ended."""

    text: str
    num_tokens: int
    finish_reason: str

    @property
    def truncated(self) -> bool:
        return self.finish_reason == FINISH_LENGTH


class Backend(Protocol):
    """Generates completions; yields ``(request index, completion)`` as each one finishes.

    ``context_length`` is the most tokens one sequence (prompt plus response) may hold, None when
    the engine does not tell. ``close`` releases the model and its memory; the backend is unusable
    afterwards.
    """

    name: str
    context_length: int | None

    def generate(
        self, requests: Sequence[GenerationRequest], sampling: SamplingConfig
    ) -> Iterator[tuple[int, Completion]]: ...

    def close(self) -> None: ...
