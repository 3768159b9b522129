"""Static length bonus of the GRPO baselines, applied on top of the grader's correctness.

With ``acc`` the correctness (1.0 / 0.0) and ``length`` the response's length in ``length_unit``::

    score = correct_weight * acc
            + length_bonus * [length <= length_threshold and (acc or not bonus_requires_correct)]

The defaults (1.0, 0.0) give the pure correctness score LEAD requires. The paper's GRPO baseline
uses ``length_bonus=1.0`` with the bonus conditioned on correctness, threshold 2000; its Table 2
sweep uses ``correct_weight=1/(1+r)``, ``length_bonus=r/(1+r)`` with ``bonus_requires_correct=False``.
In verl the values are set in ``reward.custom_reward_function.reward_kwargs``.

Length units (``length_unit``):

- ``tokens`` (default): the response's tokens.
- ``release_chars``: what the authors' release called tokens, ``len(text) / 4`` (float division),
  where ``text`` is the whole sequence, the prompt (chat template included) plus the response,
  decoded with the tokenizer's ``decode`` defaults (special tokens kept). Its reward manager decoded
  the whole sequence, so the bonus also depends on the prompt's length. With true token counts and a
  threshold equal to the generation cap (the GRPO baseline: 2000 and 2000) every response is within
  the threshold, the bonus is a constant for correct answers and GRPO's group normalisation removes
  it; in this unit the bonus separates responses inside the cap, as it did in the published runs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

CONFIG_KEY = "reward.custom_reward_function.reward_kwargs"
"""Where verl's config holds these values (named in every validation error)."""

LENGTH_UNITS = ("tokens", "release_chars")
RELEASE_CHARS_PER_TOKEN = 4
"""The release's estimate: one "token" per 4 characters of the decoded prompt plus response."""


def _is_finite_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def release_length(sequence_chars: int) -> float:
    """The release's "token" count of a response: ``sequence_chars / 4``, a float.

    ``sequence_chars`` is the length of the decoded prompt plus response (special tokens kept).
    """
    return sequence_chars / RELEASE_CHARS_PER_TOKEN


@dataclass(frozen=True)
class LengthShaping:
    """Weights of the correctness score and of the static length bonus; validated on construction."""

    correct_weight: float = 1.0
    length_bonus: float = 0.0
    length_threshold: int = 2000
    bonus_requires_correct: bool = True
    length_unit: str = "tokens"

    def __post_init__(self) -> None:
        for name in ("correct_weight", "length_bonus"):
            value = getattr(self, name)
            if not _is_finite_number(value) or value < 0:
                raise ValueError(f"{CONFIG_KEY}.{name}={value!r} is invalid: allowed is a finite number >= 0")
        threshold = self.length_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold <= 0:
            raise ValueError(
                f"{CONFIG_KEY}.length_threshold={threshold!r} is invalid: allowed is an integer > 0 "
                "(a length in length_unit)"
            )
        if not isinstance(self.bonus_requires_correct, bool):
            raise ValueError(
                f"{CONFIG_KEY}.bonus_requires_correct={self.bonus_requires_correct!r} is invalid: "
                "allowed is true or false"
            )
        if self.length_unit not in LENGTH_UNITS:
            raise ValueError(
                f"{CONFIG_KEY}.length_unit={self.length_unit!r} is invalid: allowed values are "
                + ", ".join(LENGTH_UNITS)
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

    @property
    def needs_sequence_chars(self) -> bool:
        """True when the score needs the characters of the decoded prompt plus response."""
        return self.needs_length and self.length_unit == "release_chars"

    def bonus(self, correct: bool, length: float | None) -> float:
        """The length bonus one response earns (0.0 when the bonus is off or ``length`` is None).

        ``length`` is in ``length_unit``: tokens, or :func:`release_length`.
        """
        if not self.needs_length or length is None or length > self.length_threshold:
            return 0.0
        if self.bonus_requires_correct and not correct:
            return 0.0
        return float(self.length_bonus)

    def score(self, correct: bool, length: float | None) -> float:
        """The shaped score of one response."""
        return self.correct_weight * float(correct) + self.bonus(correct, length)
