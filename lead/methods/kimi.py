"""Kimi k1.5 length penalty (arXiv 2501.12599, section 2.3.3): shorter than the group's midrange is better.

Per prompt group ``q``, from the lengths in tokens of its responses:

    lam_i = 0.5 - (L_i - min_q L) / (max_q L - min_q L)       (lam_i = 0 when all lengths are equal)
    len_i = lam_i if c_i else min(0, lam_i)
    r_i   = c_i + w * len_i

so the shortest correct response gets +0.5, the longest -0.5, and a wrong response is only ever
penalised. The paper gives no value for ``w``: the default 1 adds the term as it is (a choice of
this implementation). ``w`` is 0 during the first ``warmup_steps`` steps (the paper warms up with
correctness only, without saying for how long). Advantages: **mean** normalisation,
``A_i = r_i - mean_q r`` (the paper's baseline, no std; a group of one has baseline 0), or
**group** (GRPO) as an option.

Lengths are tokens and min/max are taken per group (a common reimplementation uses characters and
batch-wide extremes: not this). Nothing depends on the budget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lead.core.frame import Responses
from lead.core.grouping import segment_extreme
from lead.core.method import Method, Scored
from lead.core.options import MethodOptions, option

NORMALIZATIONS = ("mean", "group")


@dataclass(frozen=True)
class KimiOptions(MethodOptions):
    """The Kimi k1.5 length penalty's options."""

    METHOD: ClassVar[str] = "kimi"
    TITLE: ClassVar[str] = "Kimi k1.5 length penalty"

    length_weight: float = option(1.0, "w: weight of the length term (the paper gives none)", low=0)
    warmup_steps: int = option(0, "first steps with w = 0 (correctness only)", kind="integer", low=0)
    normalization: str = option(
        "mean", "mean (paper: r - group mean) or group (GRPO)", kind="choice", choices=NORMALIZATIONS
    )


def length_terms(responses: Responses) -> torch.Tensor:
    """``len_i`` ``(N,)``: ``lam_i`` if correct, ``min(0, lam_i)`` if wrong (see the module docstring)."""
    groups, lengths = responses.groups, responses.lengths
    shortest = groups.gather(segment_extreme(lengths, groups.ids, groups.num_groups, "amin"))
    longest = groups.gather(segment_extreme(lengths, groups.ids, groups.num_groups, "amax"))
    spread = longest - shortest  # whole tokens: 0 or at least 1
    lam = torch.where(spread > 0, 0.5 - (lengths - shortest) / spread.clamp_min(1.0), 0.0)
    return torch.where(responses.correct, lam, lam.clamp(max=0.0))


def kimi_rewards(responses: Responses, options: KimiOptions, state: Any, step: int) -> Scored:
    """``r_i = c_i + w * len_i`` ``(N,)``, with ``w = 0`` while ``step <= warmup_steps``."""
    weight = 0.0 if step <= options.warmup_steps else options.length_weight
    terms = length_terms(responses)
    rewards = responses.correct.to(torch.float64) + weight * terms
    reward_mean, term_mean = torch.stack([rewards.mean(), terms.mean()]).tolist()
    metrics = {
        "kimi/reward_mean": reward_mean,
        "kimi/length_term_mean": term_mean,
        "kimi/length_weight": weight,
    }
    return Scored(rewards, metrics)


def chosen_normalization(options: KimiOptions) -> str:
    return options.normalization


METHOD = Method(
    name="kimi",
    options=KimiOptions,
    score=kimi_rewards,
    normalization=chosen_normalization,
    rewards="correctness plus a per-group length term: +0.5 for the shortest, -0.5 for the longest",
)
