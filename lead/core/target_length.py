"""Stage 1: the target length ``L*_q`` of each prompt group."""

from __future__ import annotations

import torch

from lead.core.config import AGGREGATORS
from lead.core.grouping import Groups, segment_count, segment_extreme, segment_mean_var, segment_median


def solvable_groups(correct: torch.Tensor, groups: Groups) -> torch.Tensor:
    """``(G,)`` bool: groups with at least one correct response. ``correct`` is ``(N,)`` bool."""
    return segment_count(groups.ids.masked_select(correct), groups.num_groups) > 0


def target_lengths(
    lengths: torch.Tensor,
    correct: torch.Tensor,
    groups: Groups,
    *,
    aggregator: str,
    bmax: float,
    lstar_min: float,
    solvable: torch.Tensor | None = None,
) -> torch.Tensor:
    """Target length per group, ``(G,)`` float64.

    Args:
        lengths: ``(N,)`` float64 response lengths in tokens.
        correct: ``(N,)`` bool correctness.
        groups: group membership of the ``N`` responses.
        aggregator: ``"mean_correct"``, ``"min_correct"`` or ``"median_correct"`` aggregate the
            lengths of the group's correct responses (a group without any gets ``bmax``: no length
            pressure); ``"mean_all"`` averages all of the group's lengths, right or wrong.
        bmax: the token budget, upper clamp.
        lstar_min: lower clamp.
        solvable: ``solvable_groups(correct, groups)`` when the caller already has it.

    The raw target is clamped to ``[lstar_min, bmax]``.
    """
    num_groups = groups.num_groups
    if aggregator == "mean_all":
        raw = segment_mean_var(lengths, groups.ids, num_groups, unbiased=False)[0]
        return raw.clamp(min=lstar_min, max=bmax)
    if aggregator == "mean_correct":
        raw = segment_mean_var(lengths, groups.ids, num_groups, unbiased=False, members=correct)[0]
    elif aggregator == "min_correct":
        raw = segment_extreme(
            lengths.masked_select(correct), groups.ids.masked_select(correct), num_groups, "amin"
        )
    elif aggregator == "median_correct":
        raw = segment_median(lengths.masked_select(correct), groups.ids.masked_select(correct), num_groups)
    else:
        raise ValueError(f"aggregator={aggregator!r} is invalid: allowed values are {', '.join(AGGREGATORS)}")
    if solvable is None:
        solvable = solvable_groups(correct, groups)
    raw = torch.where(solvable, raw, torch.full_like(raw, bmax))
    return raw.clamp(min=lstar_min, max=bmax)
