"""ShorterBetter (arXiv 2504.21370): correctness minus the distance to the group's shortest correct length.

Per prompt group ``q``, the sample optimal length ``SOL_q`` is the length of its shortest correct
response, or the mean length of the group when none is correct:

    r_i = a * c_i - b * |L_i - SOL_q|,     a = 2.0,  b = 0.001 per token at a 6,000-token budget

normalised in the group (**group**, GRPO: ``(r_i - mean_q r) / (std_q r + 1e-6)``). ``b`` is a
per-token slope, so its default scales as ``0.001 * 6000 / B`` at a budget ``B``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lead.core.frame import Responses
from lead.core.grouping import segment_extreme, segment_mean_var
from lead.core.method import Method, Scored
from lead.core.options import MethodOptions, option


@dataclass(frozen=True)
class ShorterBetterOptions(MethodOptions):
    """ShorterBetter's options; the paper's values at its 6,000-token budget are the defaults."""

    METHOD: ClassVar[str] = "shorter_better"
    TITLE: ClassVar[str] = "ShorterBetter"
    PAPER_BUDGET: ClassVar[float] = 6000

    correct_reward: float = option(2.0, "a: reward of a correct response", low=0)
    length_penalty: float = option(
        0.001, "b: penalty per token of distance to SOL (0.001 at 6000 tokens)", low=0, scale="per_token"
    )


def sample_optimal_lengths(responses: Responses) -> tuple[torch.Tensor, torch.Tensor]:
    """``(SOL (G,), solved (G,) bool)``: shortest correct length per group, the group's mean length
    where no response is correct."""
    groups, lengths, correct = responses.groups, responses.lengths, responses.correct
    shortest_correct = segment_extreme(
        lengths.masked_select(correct), groups.ids.masked_select(correct), groups.num_groups, "amin"
    )
    mean_length = segment_mean_var(lengths, groups.ids, groups.num_groups, unbiased=False)[0]
    solved = ~torch.isnan(shortest_correct)
    return torch.where(solved, shortest_correct, mean_length), solved


def shorter_better_rewards(
    responses: Responses, options: ShorterBetterOptions, state: Any, step: int
) -> Scored:
    """``r_i = a * c_i - b * |L_i - SOL_q|`` ``(N,)``."""
    optimal, solved = sample_optimal_lengths(responses)
    gaps = (responses.lengths - responses.groups.gather(optimal)).abs()
    rewards = options.correct_reward * responses.correct.to(torch.float64) - options.length_penalty * gaps
    reward_mean, gap_mean, optimal_mean, unsolved_fraction = torch.stack(
        [rewards.mean(), gaps.mean(), optimal.mean(), (~solved).to(torch.float64).mean()]
    ).tolist()
    metrics = {
        "shorter_better/reward_mean": reward_mean,
        "shorter_better/length_gap_mean": gap_mean,
        "shorter_better/sol_mean": optimal_mean,
        "shorter_better/unsolved_group_fraction": unsolved_fraction,
    }
    return Scored(rewards, metrics)


METHOD = Method(
    name="shorter_better",
    options=ShorterBetterOptions,
    score=shorter_better_rewards,
    normalization="group",
    rewards="correctness minus the distance to the group's shortest correct length (SOL)",
)
