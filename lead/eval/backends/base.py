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
    """One sample to generate: the tokenised prompt (chat template applied) and its seed."""

    prompt_ids: list[int]
    seed: int


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
    """Generates completions; yields ``(request index, completion)`` as each one finishes."""

    name: str

    def generate(
        self, requests: Sequence[GenerationRequest], sampling: SamplingConfig
    ) -> Iterator[tuple[int, Completion]]: ...
