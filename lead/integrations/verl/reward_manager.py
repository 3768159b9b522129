"""verl's naive reward manager plus a static length bonus and per-sample response lengths.

Selected in the project config (``reward.reward_manager.source=importlib``,
``name=LEADRewardManager``). Per sample, with ``s`` the grader's score (1.0 correct, 0.0 wrong) and
``l`` the response length in tokens:

    reward = correct_weight * s + length_weight * bonus,
    bonus = 1 if l <= length_threshold (and s > 0.5 when length_requires_correct) else 0.

The defaults (1.0, 0.0) give the pure correctness score LEAD requires. The GRPO baselines of the
paper use a bonus: Table 1 ``(1.0, 1.0)`` conditioned on correctness, threshold 2000; the Table 2
sweep ``(1/(1+r), r/(1+r))`` unconditioned (the release estimated tokens as characters / 4; here the
true token count is used). Every sample's extra info also carries ``response_length`` and
``length_bonus``, so verl's validation logs ``val-aux/<data_source>/response_length/mean@N`` next to
``val-core/<data_source>/acc/mean@N``: curves of length against accuracy per benchmark.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from verl import DataProto
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager


@dataclass(frozen=True)
class LengthBonus:
    """Weights of the correctness score and of the static length bonus (``reward.reward_kwargs``)."""

    correct_weight: float = 1.0
    length_weight: float = 0.0
    length_threshold: int = 2000
    length_requires_correct: bool = True

    def __post_init__(self) -> None:
        for name in ("correct_weight", "length_weight"):
            value = getattr(self, name)
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            if not is_number or not math.isfinite(value) or value < 0:
                raise ValueError(
                    f"reward.reward_kwargs.{name}={value!r} is invalid: allowed is a finite number >= 0"
                )
        threshold = self.length_threshold
        if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold <= 0:
            raise ValueError(
                f"reward.reward_kwargs.length_threshold={threshold!r} is invalid: "
                "allowed is an integer > 0 (tokens)"
            )
        if not isinstance(self.length_requires_correct, bool):
            raise ValueError(
                f"reward.reward_kwargs.length_requires_correct={self.length_requires_correct!r} is invalid: "
                "allowed is true or false"
            )

    @classmethod
    def from_reward_kwargs(cls, reward_kwargs: Mapping[str, Any] | None) -> LengthBonus:
        """Read the fields from ``reward.reward_kwargs``; other keys there belong to other managers."""
        reward_kwargs = reward_kwargs or {}
        names = cls.__dataclass_fields__
        return cls(**{key: value for key, value in reward_kwargs.items() if key in names})

    @property
    def is_correctness_only(self) -> bool:
        """True when the reward is exactly the grader's correctness score."""
        return self.correct_weight == 1.0 and self.length_weight == 0.0

    def bonus(self, score: float, length: int) -> float:
        """1.0 if the response earns the length bonus, else 0.0."""
        within = length <= self.length_threshold
        if self.length_requires_correct:
            within = within and score > 0.5
        return 1.0 if within else 0.0

    def reward(self, score: float, length: int) -> float:
        """The shaped reward of one response."""
        return self.correct_weight * score + self.length_weight * self.bonus(score, length)


def response_length(data: DataProto) -> int:
    """Valid response tokens of the last sample of ``data`` (the one verl's reward managers score)."""
    item = data[-1]
    width = item.batch["responses"].shape[-1]
    return int(item.batch["attention_mask"][-width:].sum())


class LEADRewardManager(NaiveRewardManager):
    """Naive reward manager with :class:`LengthBonus` shaping and response lengths in the extra info."""

    def __init__(
        self,
        config: Any,
        tokenizer: Any,
        compute_score: Any,
        reward_router_address: str | None = None,
        reward_model_tokenizer: Any = None,
    ) -> None:
        super().__init__(
            config,
            tokenizer,
            compute_score,
            reward_router_address=reward_router_address,
            reward_model_tokenizer=reward_model_tokenizer,
        )
        self.length_bonus = LengthBonus.from_reward_kwargs(config.reward.get("reward_kwargs"))

    async def run_single(self, data: DataProto) -> dict:
        """Score one sample: ``{"reward_score": float, "reward_extra_info": dict}``."""
        result = await super().run_single(data)
        score = float(result["reward_score"])
        length = response_length(data)
        extra_info = dict(result["reward_extra_info"])
        extra_info["response_length"] = length
        extra_info["length_bonus"] = self.length_bonus.bonus(score, length)
        return {"reward_score": self.length_bonus.reward(score, length), "reward_extra_info": extra_info}
