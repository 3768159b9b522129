"""GRPO with the paper's static length bonus (its Table 2 baseline), as an estimator for the study.

With ``lambda_c = 1 / (1 + r)`` and ``lambda_e = r / (1 + r)`` for an efficiency:correctness ratio
``r``, a response's reward is the shaped score of :class:`lead.reward.shaping.LengthShaping`::

    r_i = lambda_c * c_i + lambda_e * [L_i <= threshold]

(the Table 2 sweep gives the bonus whether or not the response is correct), normalised in its group
like GRPO. The threshold is the paper's 2000 tokens at its 4000-token budget, scaled to the study's
budget (``threshold = B / 2``). The verl runs get the same reward from the reward function
(``reward_kwargs``); the study needs it inside the estimator, because the TRL trainer reads one 0/1
correctness reward.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from lead.core.frame import Responses
from lead.core.method import Estimator, Method, Scored
from lead.core.options import MethodOptions, option
from lead.reward.shaping import LengthShaping

NAME = "grpo_static"


@dataclass(frozen=True)
class StaticBonusOptions(MethodOptions):
    """The efficiency:correctness ratio and the bonus's length threshold."""

    METHOD: ClassVar[str] = NAME
    TITLE: ClassVar[str] = "GRPO + static length bonus"
    PAPER_BUDGET: ClassVar[float] = 4000

    budget: float = option(4000, "generation budget B", low=0, low_open=True, scale="budget")
    ratio: float = option(1.0, "r: lambda_c = 1/(1+r), lambda_e = r/(1+r)", low=0)
    threshold: int = option(2000, "bonus for L <= threshold", kind="integer", low=1, scale="length")
    bonus_requires_correct: bool = option(False, "bonus only for correct responses", kind="bool")

    def shaping(self) -> LengthShaping:
        """The reward shaping these options stand for."""
        return LengthShaping(
            correct_weight=1.0 / (1.0 + self.ratio),
            length_bonus=self.ratio / (1.0 + self.ratio),
            length_threshold=self.threshold,
            bonus_requires_correct=self.bonus_requires_correct,
        )


def static_bonus_rewards(responses: Responses, options: StaticBonusOptions, state: Any, step: int) -> Scored:
    """``(N,)`` shaped rewards ``lambda_c * c_i + lambda_e * e_i``, with ``e_i`` the ``(N,)`` bonus
    indicator ``[L_i <= threshold and (c_i or not bonus_requires_correct)]`` (0 when ``lambda_e = 0``).

    The metric ``bonus_rate`` is the fraction of responses with ``e_i = 1``.
    """
    shaping = options.shaping()
    correct = responses.correct
    earns = (
        (responses.lengths <= shaping.length_threshold)
        & (correct | (not shaping.bonus_requires_correct))
        & shaping.needs_length
    )
    dtype = responses.scores.dtype
    values = shaping.correct_weight * correct.to(dtype) + shaping.length_bonus * earns.to(dtype)
    return Scored(values, {f"{NAME}/bonus_rate": earns.to(dtype).mean().item()})


STATIC_BONUS = Method(
    name=NAME,
    options=StaticBonusOptions,
    score=static_bonus_rewards,
    normalization="group",
    rewards="correctness plus a bonus for responses within a fixed length threshold, static weights",
)


def static_bonus_estimator(budget: float, **options: Any) -> Estimator:
    """The estimator at ``budget`` (threshold scaled to it unless given)."""
    return Estimator(STATIC_BONUS, StaticBonusOptions.for_budget(budget, **options))
