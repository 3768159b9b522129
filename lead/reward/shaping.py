"""Static length bonus of the GRPO baselines, applied on top of the grader's correctness.

With ``acc`` the correctness (1.0 / 0.0) and ``tokens`` the response length in tokens::

    score = correct_weight * acc
            + length_bonus * [tokens <= length_threshold and (acc or not bonus_requires_correct)]

The defaults (1.0, 0.0) give the pure correctness score LEAD requires. The paper's GRPO baseline
uses ``length_bonus=1.0`` with the bonus conditioned on correctness, threshold 2000; its Table 2
sweep uses ``correct_weight=1/(1+r)``, ``length_bonus=r/(1+r)`` with ``bonus_requires_correct=False``.
In verl the values are set in ``reward.custom_reward_function.reward_kwargs``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

CONFIG_KEY = "reward.custom_reward_function.reward_kwargs"
"""Where verl's config holds these values (named in every validation error)."""


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True)
class LengthShaping:
    """Weights of the correctness score and of the static length bonus; validated on construction."""

    correct_weight: float = 1.0
    length_bonus: float = 0.0
    length_threshold: int = 2000
    bonus_requires_correct: bool = True

    def __post_init__(self) -> None:
        for name in ("correct_weight", "length_bonus"):
            value = getattr(self, name)
            if not _is_finite_number(value) or value < 0:
                raise ValueError(f"{CONFIG_KEY}.{name}={value!r} is invalid: allowed is a finite number >= 0")
        threshold = self.length_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold <= 0:
            raise ValueError(
                f"{CONFIG_KEY}.length_threshold={threshold!r} is invalid: allowed is an integer > 0 (tokens)"
            )
        if not isinstance(self.bonus_requires_correct, bool):
            raise ValueError(
                f"{CONFIG_KEY}.bonus_requires_correct={self.bonus_requires_correct!r} is invalid: "
                "allowed is true or false"
            )

    @classmethod
    def from_reward_kwargs(cls, reward_kwargs: Mapping[str, Any] | None) -> LengthShaping:
        """The shaping fields of ``reward_kwargs``; its other keys (timeout, ...) are ignored."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in (reward_kwargs or {}).items() if key in names})

    @property
    def needs_length(self) -> bool:
        """True when the score depends on the response length."""
        return self.length_bonus > 0

    def bonus(self, correct: bool, tokens: int | None) -> float:
        """The length bonus one response earns (0.0 when the bonus is off or ``tokens`` is None)."""
        if not self.needs_length or tokens is None or tokens > self.length_threshold:
            return 0.0
        if self.bonus_requires_correct and not correct:
            return 0.0
        return float(self.length_bonus)

    def score(self, correct: bool, tokens: int | None) -> float:
        """The shaped score of one response."""
        return self.correct_weight * float(correct) + self.bonus(correct, tokens)
