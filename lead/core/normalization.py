"""Stage 3: decoupled group normalisation (GRPO's outcome advantage, applied to one reward)."""

from __future__ import annotations

import torch

from lead.core.grouping import Groups, segment_mean_var

GROUP_STD_EPSILON = 1e-6


def group_normalize(values: torch.Tensor, groups: Groups) -> torch.Tensor:
    """``(x_i - mean_g) / (std_g + 1e-6)`` per response; ``values`` ``(..., N)``, each row a reward.

    ``std_g`` is the unbiased standard deviation of the group. A group of one response uses mean 0
    and std 1, so its value passes through (divided by ``1 + 1e-6``), as in verl's GRPO.
    """
    means, variances, counts = segment_mean_var(values, groups.ids, groups.num_groups, unbiased=True)
    single = counts <= 1
    means = means.masked_fill(single, 0.0)
    stds = variances.sqrt().masked_fill(single, 1.0)
    return (values - means.index_select(-1, groups.ids)) / (
        stds.index_select(-1, groups.ids) + GROUP_STD_EPSILON
    )
