"""L1's length-controlled reward inside ``compute_score``, configured through ``reward_kwargs``.

``length_reward`` picks the reward of every row (``lead.reward.l1``: ``c`` the correctness, ``N`` the
row's target ``extra_info["l1_target"]``, ``L`` the response's true length in tokens)::

    none       score = the static shaping of lead.reward.shaping (the default: plain correctness)
    l1_exact   score = c - exact_alpha * |N - L|
    l1_max     score = c * clip(max_alpha * (N - L) + 0.5, 0, 1)
    l1_row     each row by its own kind, extra_info["l1_kind"] ("exact" or "max"): L1-Max's mixed data

``l1_exact_alpha`` / ``l1_max_alpha`` null take the paper's values (0.0003 and 0.001) scaled to
``l1_budget`` response tokens (:func:`lead.reward.l1.scaled_defaults`; unchanged at 4,096, the
release's budget). The targets and kinds come from ``scripts/data/prepare_l1.py``. A row whose
``l1_kind`` differs from the kind of ``l1_exact`` / ``l1_max`` is refused: its prompt asks for the
other objective. L1 replaces the static shaping, so it is refused together with a ``length_bonus``
or a ``correct_weight`` other than 1.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from lead.reward.l1 import KIND_KEY, L1_KINDS, TARGET_KEY, l1_reward, scaled_defaults
from lead.reward.shaping import CONFIG_KEY, LengthShaping

LENGTH_REWARDS = ("none", "l1_exact", "l1_max", "l1_row")
FIXED_KINDS = {"l1_exact": "exact", "l1_max": "max"}
BUILDER = "scripts/data/prepare_l1.py"


def _is_number(value: Any) -> bool:
    """A real number (numpy's too), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


@dataclass(frozen=True)
class L1Shaping:
    """Which L1 reward a run uses and its two alphas (``None``: scaled from ``l1_budget``); validated."""

    length_reward: str = "none"
    l1_exact_alpha: float | None = None
    l1_max_alpha: float | None = None
    l1_budget: float | None = None

    def __post_init__(self) -> None:
        if self.length_reward not in LENGTH_REWARDS:
            raise ValueError(
                f"{CONFIG_KEY}.length_reward={self.length_reward!r} is invalid: allowed values are "
                + ", ".join(LENGTH_REWARDS)
            )
        for name in ("l1_exact_alpha", "l1_max_alpha"):
            value = getattr(self, name)
            if value is not None and (not _is_number(value) or not math.isfinite(value) or value < 0):
                raise ValueError(
                    f"{CONFIG_KEY}.{name}={value!r} is invalid: allowed is a finite number >= 0, or null "
                    "for the paper's value scaled to l1_budget"
                )
        budget = self.l1_budget
        if budget is not None and (not _is_number(budget) or not math.isfinite(budget) or budget <= 0):
            raise ValueError(
                f"{CONFIG_KEY}.l1_budget={budget!r} is invalid: allowed is a number of tokens > 0, or null "
                "for the release's budget (4096)"
            )

    @classmethod
    def from_reward_kwargs(cls, reward_kwargs: Mapping[str, Any] | None) -> L1Shaping:
        """The L1 fields of ``reward_kwargs``; its other keys are ignored."""
        names = {field.name for field in fields(cls)}
        return cls(**{key: value for key, value in (reward_kwargs or {}).items() if key in names})

    @property
    def enabled(self) -> bool:
        """True when the score is an L1 reward."""
        return self.length_reward != "none"

    @property
    def exact_alpha(self) -> float:
        """L1-Exact's alpha per token: ``l1_exact_alpha``, else the default at ``l1_budget``."""
        return (
            scaled_defaults(self.l1_budget).exact_alpha
            if self.l1_exact_alpha is None
            else self.l1_exact_alpha
        )

    @property
    def max_alpha(self) -> float:
        """L1-Max's alpha per token: ``l1_max_alpha``, else the default at ``l1_budget``."""
        return scaled_defaults(self.l1_budget).max_alpha if self.l1_max_alpha is None else self.l1_max_alpha

    def resolved(self) -> dict[str, Any]:
        """``name -> value`` as a run uses them (alphas resolved)."""
        return {
            "length_reward": self.length_reward,
            "l1_exact_alpha": self.exact_alpha,
            "l1_max_alpha": self.max_alpha,
            "l1_budget": self.l1_budget,
        }

    def check_static_shaping(self, shaping: LengthShaping) -> None:
        """L1 replaces the static shaping: a length bonus or a correctness weight with it is refused."""
        if not self.enabled:
            return
        for name, allowed in (("length_bonus", 0.0), ("correct_weight", 1.0)):
            value = getattr(shaping, name)
            if value != allowed:
                raise ValueError(
                    f"{CONFIG_KEY}.{name}={value} is invalid with length_reward={self.length_reward}: L1's "
                    f"reward replaces the static length bonus; allowed is {allowed}"
                )

    def row_kind_and_target(self, extra_info: Any) -> tuple[str, int]:
        """The kind (``"exact"`` / ``"max"``) and target N of a row, from its ``extra_info``."""
        info = extra_info if isinstance(extra_info, Mapping) else {}
        target = info.get(TARGET_KEY)
        if not _is_number(target) or not float(target).is_integer() or target < 1:
            raise ValueError(
                f"extra_info[{TARGET_KEY!r}]={target!r} is invalid with {CONFIG_KEY}.length_reward="
                f"{self.length_reward}: allowed is an integer >= 1 (the row's target in tokens); build "
                f"the data with {BUILDER}"
            )
        kind = info.get(KIND_KEY)
        if self.length_reward == "l1_row":
            if kind not in L1_KINDS:
                raise ValueError(
                    f"extra_info[{KIND_KEY!r}]={kind!r} is invalid with {CONFIG_KEY}.length_reward=l1_row: "
                    f"allowed values are {', '.join(L1_KINDS)}; build the data with {BUILDER}"
                )
        elif kind is not None and kind != FIXED_KINDS[self.length_reward]:
            raise ValueError(
                f"extra_info[{KIND_KEY!r}]={kind!r} is invalid with {CONFIG_KEY}.length_reward="
                f"{self.length_reward}: the row's prompt asks for the other objective; allowed is "
                f"{FIXED_KINDS[self.length_reward]!r}, or length_reward=l1_row for mixed data"
            )
        return (kind if self.length_reward == "l1_row" else FIXED_KINDS[self.length_reward]), int(target)

    def score(self, kind: str, target: int, correct: bool, response_tokens: int) -> float:
        """The L1 reward of one response to a row of ``kind`` and ``target``
        (:meth:`row_kind_and_target`)."""
        alpha = self.exact_alpha if kind == "exact" else self.max_alpha
        return l1_reward(kind, correct, target, response_tokens, alpha)
