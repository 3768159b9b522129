"""DLER (arXiv 2510.15110): correctness with a truncation penalty, batch-normalised.

``r_i = c_i`` if response ``i`` is within its length limit, ``m * c_i`` if it is cut (``m = 0`` in
the paper; the released code multiplies by 0.1). A response is cut when it reaches the generation
budget ``B`` or is longer than the limit ``l_q`` of its group:

    t_i = [L_i >= B] or [L_i > l_q],    l_q = limit            (default: limit = B)
                                        l_q = f * limit        difficulty-aware, when p_q >= 0.5

Advantages use the **batch** normalisation (REINFORCE++ baseline, verl's
``reinforce_plus_plus_baseline``), plus the released code's constant bonus on correct responses:

    A_i = whiten_tokens(r_i - mean_q r) + bonus * c_i      (bonus = 0 by default, 0.1 in the code)

The bonus is added after whitening, as the code adds it to the advantages in the actor; it follows
the grader (``c_i``), so a correct response that was cut gets it too.

Difficulty-aware DLER is described in the paper only (no code): groups the model already solves at
least half the time (``p_q >= 0.5``, the accuracy before the penalty) get the tighter limit, 2000
tokens while the main limit is 4000, i.e. ``f = 0.5`` of the limit at any budget; harder groups
keep the main limit. The paper runs it as a continuation of a DLER run (~150 steps): start it from
a DLER checkpoint.

Trainer settings of the paper, not part of the estimator: dynamic sampling (groups whose
correctness is all 0 or all 1 are dropped before this runs), clip 0.2 / 0.28, lr 1e-6, n = 16.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lead.core.frame import Responses
from lead.core.grouping import segment_sum
from lead.core.method import Method, Scored
from lead.core.normalization import normalize
from lead.core.options import MethodOptions, option

EASY_ACCURACY = 0.5
"""Groups with at least this accuracy get the difficulty-aware limit."""


@dataclass(frozen=True)
class DLEROptions(MethodOptions):
    """DLER's options; the paper's main run is the default (``B = 4000``)."""

    METHOD: ClassVar[str] = "dler"
    TITLE: ClassVar[str] = "DLER"
    PAPER_BUDGET: ClassVar[float] = 4000

    budget: float = option(
        4000, "generation budget B: a response of B tokens hit the cap", low=0, low_open=True, scale="budget"
    )
    limit: float | None = option(
        None,
        "responses longer than this count as truncated; None = the budget",
        low=0,
        low_open=True,
        optional=True,
    )
    truncation_multiplier: float = option(
        0.0, "m: a truncated response's reward is m * c; 0 (paper) or 0.1 (released code)", low=0, high=1
    )
    correct_advantage_bonus: float = option(
        0.0, "added to correct responses' advantages after whitening; 0.1 in the released code", low=0
    )
    easy_limit_fraction: float | None = option(
        None,
        "difficulty-aware: groups with accuracy >= 0.5 are cut at this fraction of the limit (paper 0.5); "
        "None = off",
        low=0,
        high=1,
        low_open=True,
        optional=True,
    )

    def check(self) -> None:
        if self.limit is not None and self.limit > self.budget:
            raise ValueError(
                f"DLEROptions.limit={self.limit!r} is invalid: allowed is None or 0 < limit <= budget "
                f"(budget={self.budget!r})"
            )


def length_limits(
    responses: Responses, options: DLEROptions
) -> tuple[torch.Tensor | float, torch.Tensor | None]:
    """``(limits, easy)``: the length limit ``l_q`` of each response, ``(N,)`` (a plain number when it
    is the same for all), and, when difficulty-aware, which groups are easy, ``(G,)`` bool."""
    limit = options.budget if options.limit is None else options.limit
    if options.easy_limit_fraction is None:
        return limit, None
    groups = responses.groups
    accuracy = (
        segment_sum(responses.correct.to(torch.float64), groups.ids, groups.num_groups) / groups.sizes()
    )
    easy = accuracy >= EASY_ACCURACY
    tight = torch.full_like(accuracy, limit * options.easy_limit_fraction)
    return groups.gather(torch.where(easy, tight, limit)), easy


def dler_advantages(responses: Responses, options: DLEROptions, state: Any, step: int) -> Scored:
    """``A_i = whiten_tokens(r_i - mean_q r) + bonus * c_i`` with ``r_i = c_i * (m if t_i else 1)``.

    All ``(N,)``; ``t_i = [L_i >= B] or [L_i > l_q]`` (see the module docstring).
    """
    lengths, correct = responses.lengths, responses.correct
    limits, easy = length_limits(responses, options)
    truncated = responses.truncated(options.budget) | (lengths > limits)
    correctness = correct.to(torch.float64)
    rewards = torch.where(truncated, correctness * options.truncation_multiplier, correctness)
    advantages = normalize("batch", rewards, responses.groups, lengths)
    advantages = advantages + options.correct_advantage_bonus * correctness
    reward_mean, truncated_fraction, truncated_correct_fraction = torch.stack(
        [rewards.mean(), truncated.to(torch.float64).mean(), (truncated & correct).to(torch.float64).mean()]
    ).tolist()
    metrics = {
        "dler/reward_mean": reward_mean,
        "dler/truncated_fraction": truncated_fraction,
        "dler/truncated_correct_fraction": truncated_correct_fraction,
    }
    if easy is not None:
        metrics["dler/easy_group_fraction"] = easy.to(torch.float64).mean().item()
    return Scored(advantages, metrics)


METHOD = Method(
    name="dler",
    options=DLEROptions,
    score=dler_advantages,
    normalization="none",  # the batch normalisation is applied in dler_advantages, before the bonus
    rewards="correctness, zeroed (or scaled by m) when the response is truncated at the length limit",
)
