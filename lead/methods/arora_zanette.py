"""Arora and Zanette, "Training Language Models to Reason Efficiently" (arXiv 2502.04463).

A correct response that finished is rewarded a little less the longer it is than the other finished
correct responses of its group; wrong and truncated responses get nothing::

    r_i = 1 - alpha * sigmoid((L_i - mu_q) / (sd_q + 1e-7))   if c_i = 1 and L_i < B
    r_i = 0                                                    otherwise

``mu_q`` and ``sd_q`` are the mean and population standard deviation of the lengths of group q's
correct, finished responses. Advantages: leave-one-out baseline, then token whitening with the
population variance (``rloo_whiten``, their trainer).

The authors' reward server measures lengths without the end token, which shifts every finished
response by one token and so cancels in the standardised length, and calls a response truncated when
it has no end token; here, as for every method, a response is truncated when ``L_i >= B``. It keys
groups by question text; here a group is a prompt uid (the two differ only when one batch holds the
same question twice). Their 0.001 KL term in the reward is a trainer setting, not part of this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lead.core.frame import Responses
from lead.core.grouping import segment_mean_var
from lead.core.method import Method, Scored
from lead.core.options import MethodOptions, option

STD_EPSILON = 1e-7


@dataclass(frozen=True)
class AroraZanetteOptions(MethodOptions):
    """Options of the Arora-Zanette length penalty; paper defaults at their 32,000-token budget."""

    METHOD: ClassVar[str] = "arora_zanette"
    TITLE: ClassVar[str] = "Arora-Zanette"
    PAPER_BUDGET: ClassVar[float] = 32000

    alpha: float = option(
        0.1, "largest length penalty of a correct response (paper: 0.1; sweep 0.05 to 0.4)", low=0, high=1
    )
    budget: float = option(
        32000,
        "generation budget B: responses of B tokens are truncated and get 0",
        low=0,
        low_open=True,
        scale="budget",
    )


def length_discounted_correctness(
    responses: Responses, options: AroraZanetteOptions, state: Any, step: int
) -> Scored:
    """``(N,)`` rewards ``1 - alpha * sigmoid(z_i)`` for correct finished responses, else 0.

    ``z_i = (L_i - mu_q) / (sd_q + 1e-7)`` with the group's statistics over its correct, finished
    responses (a group without one gives no statistic, and none of its responses needs it).
    """
    lengths, groups = responses.lengths, responses.groups
    truncated = responses.truncated(options.budget)
    rewarded = responses.correct & ~truncated
    means, variances, _ = segment_mean_var(
        lengths, groups.ids, groups.num_groups, unbiased=False, members=rewarded
    )
    standardized = (lengths - groups.gather(means)) / (groups.gather(variances.sqrt()) + STD_EPSILON)
    penalties = options.alpha * torch.sigmoid(standardized)
    rewards = torch.where(rewarded, 1.0 - penalties, torch.zeros_like(lengths))
    num_rewarded = rewarded.sum()
    reward_mean, truncated_rate, rewarded_rate, penalty_mean = torch.stack(
        [
            rewards.mean(),
            truncated.to(lengths.dtype).mean(),
            rewarded.to(lengths.dtype).mean(),
            torch.where(rewarded, penalties, 0.0).sum() / num_rewarded.clamp_min(1),
        ]
    ).tolist()
    metrics = {
        "arora_zanette/reward_mean": reward_mean,
        "arora_zanette/truncated_rate": truncated_rate,
        "arora_zanette/correct_finished_rate": rewarded_rate,
        "arora_zanette/length_penalty_mean_correct": penalty_mean,
    }
    return Scored(rewards, metrics)


METHOD = Method(
    name="arora_zanette",
    options=AroraZanetteOptions,
    score=length_discounted_correctness,
    normalization="rloo_whiten",
    rewards="correct finished responses, less by alpha * sigmoid of their length z-score within the group",
)
