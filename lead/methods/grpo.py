"""GRPO with correctness only: ``r_i = c_i``, normalised in its group.

``A_i = (c_i - mean_q c) / (std_q c + 1e-6)`` (unbiased std; a group of one: mean 0, std 1), the
same as verl's ``grpo`` estimator on 0/1 rewards. Here for the TRL trainer and the CPU demo, where
it is the baseline every length method is compared with; in verl use verl's own ``grpo``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lead.core.frame import Responses
from lead.core.method import Method, Scored
from lead.core.options import MethodOptions


@dataclass(frozen=True)
class GRPOOptions(MethodOptions):
    """GRPO has no options of its own."""

    METHOD: ClassVar[str] = "grpo"
    TITLE: ClassVar[str] = "GRPO"


def correctness(responses: Responses, options: GRPOOptions, state: Any, step: int) -> Scored:
    """``r_i = c_i`` (1.0 correct, 0.0 wrong)."""
    return Scored(responses.correct.to(responses.scores.dtype))


METHOD = Method(
    name="grpo",
    options=GRPOOptions,
    score=correctness,
    normalization="group",
    rewards="correctness only",
)
