"""Normalisations of per-response rewards into advantages, and batch whitening.

Every function takes rewards ``(..., N)`` of the valid responses and their :class:`Groups`, and
returns advantages of the same shape. ``n_q`` is the size of response i's group q.

- ``group`` (GRPO): ``(r_i - mean_q) / (std_q + 1e-6)``, unbiased std; a group of one uses mean 0
  and std 1 (verl's ``grpo``). LEAD applies it to each of its two rewards.
- ``mean``: ``r_i - mean_q``, no std; a group of one has baseline 0 (Kimi's baseline).
- ``rloo``: ``r_i - mean_{j in q, j != i} r_j``; a group of one gets 0 (verl's ``rloo_vectorized``).
- ``rloo_whiten``: ``rloo``, then token whitening with the population variance
  ``(A - m) / sqrt(max(var, 1e-8))`` (Arora and Zanette's trainer).
- ``batch`` (REINFORCE++ baseline): ``mean``, then token whitening with the unbiased variance
  ``(A - m) / sqrt(var + 1e-8)`` (verl's ``reinforce_plus_plus_baseline``).

"Token whitening" weights each response by its length, exactly as the masked statistics over all
valid tokens of the batch would.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from lead.core.grouping import Groups, segment_mean_var, segment_sum

GROUP_STD_EPSILON = 1e-6
WHITEN_VARIANCE_EPSILON = 1e-8
WHITEN_MODES = ("token", "sequence", "none")


def group_normalize(values: torch.Tensor, groups: Groups) -> torch.Tensor:
    """``(x_i - mean_g) / (std_g + 1e-6)`` per response; ``values`` ``(..., N)``, each row a reward.

    ``std_g`` is the unbiased standard deviation of the group. A group of one response uses mean 0
    and std 1, so its value passes through (divided by ``1 + 1e-6``), as in verl's GRPO.
    """
    means, variances, counts = segment_mean_var(values, groups.ids, groups.num_groups, unbiased=True)
    single = counts <= 1
    means = means.masked_fill(single, 0.0)
    stds = variances.sqrt().masked_fill(single, 1.0)
    return (values - groups.gather(means)) / (groups.gather(stds) + GROUP_STD_EPSILON)


def mean_baseline(values: torch.Tensor, groups: Groups) -> torch.Tensor:
    """``r_i - mean_q r`` per response, ``(..., N)``; a group of one has baseline 0."""
    means, _, counts = segment_mean_var(values, groups.ids, groups.num_groups, unbiased=False)
    return values - groups.gather(means.masked_fill(counts <= 1, 0.0))


def leave_one_out(values: torch.Tensor, groups: Groups) -> torch.Tensor:
    """``r_i - (sum_q r - r_i) / (n_q - 1)`` per response, ``(..., N)``; a group of one gets 0."""
    sums = segment_sum(values, groups.ids, groups.num_groups)
    sizes = groups.sizes().to(values.dtype)
    others = groups.gather(sizes) - 1.0
    baseline = (groups.gather(sums) - values) / others.clamp_min(1.0)
    return torch.where(others > 0, values - baseline, torch.zeros_like(values))


def whiten(
    values: torch.Tensor, lengths: torch.Tensor, mode: str = "token", *, population: bool = False
) -> torch.Tensor:
    """Whiten per-response advantages ``(N,)``, as if each were broadcast over its valid tokens.

    ``"token"``: mean and variance over all valid tokens of the batch, computed from the ``(N,)``
    values weighted by their lengths ``(N,)`` (identical to the masked token-level statistics of a
    0/1 mask). ``"sequence"``: each response counts once. ``"none"``: unchanged.
    By default the variance is unbiased and the result ``(A - mean) / sqrt(var + 1e-8)`` (verl's
    ``masked_whiten``); with ``population=True`` it is ``(A - mean) / sqrt(max(var_pop, 1e-8))``.
    With a single valid token (``"token"``) or response (``"sequence"``) the unbiased variance is
    undefined and every value equals the mean: the advantages are all 0.
    """
    if mode == "none":
        return values
    if mode == "token":
        weights = lengths
    elif mode == "sequence":
        weights = torch.ones_like(values)
    else:
        raise ValueError(f"whiten={mode!r} is invalid: allowed values are {', '.join(WHITEN_MODES)}")
    total_weight = weights.sum()
    if population:
        centred = values - (weights * values).sum() / total_weight
        variance = (weights * centred.square()).sum() / total_weight
        return centred / torch.sqrt(variance.clamp_min(WHITEN_VARIANCE_EPSILON))
    if float(total_weight) <= 1.0:
        return torch.zeros_like(values)
    centred = values - (weights * values).sum() / total_weight
    variance = (weights * centred.square()).sum() / (total_weight - 1.0)
    return centred / torch.sqrt(variance + WHITEN_VARIANCE_EPSILON)


Normalization = Callable[[torch.Tensor, Groups, torch.Tensor], torch.Tensor]


def _group(values: torch.Tensor, groups: Groups, lengths: torch.Tensor) -> torch.Tensor:
    return group_normalize(values, groups)


def _mean(values: torch.Tensor, groups: Groups, lengths: torch.Tensor) -> torch.Tensor:
    return mean_baseline(values, groups)


def _rloo(values: torch.Tensor, groups: Groups, lengths: torch.Tensor) -> torch.Tensor:
    return leave_one_out(values, groups)


def _rloo_whiten(values: torch.Tensor, groups: Groups, lengths: torch.Tensor) -> torch.Tensor:
    return whiten(leave_one_out(values, groups), lengths, "token", population=True)


def _batch(values: torch.Tensor, groups: Groups, lengths: torch.Tensor) -> torch.Tensor:
    return whiten(mean_baseline(values, groups), lengths, "token")


NORMALIZATIONS: dict[str, Normalization] = {
    "group": _group,
    "mean": _mean,
    "rloo": _rloo,
    "rloo_whiten": _rloo_whiten,
    "batch": _batch,
}
"""Name -> ``normalize(rewards (N,), groups, lengths (N,)) -> advantages (N,)``."""


def normalize(name: str, rewards: torch.Tensor, groups: Groups, lengths: torch.Tensor) -> torch.Tensor:
    """Advantages ``(N,)`` of ``rewards`` ``(N,)`` under the normalisation ``name``."""
    if name not in NORMALIZATIONS:
        raise ValueError(f"normalization={name!r} is invalid: allowed values are {', '.join(NORMALIZATIONS)}")
    return NORMALIZATIONS[name](rewards, groups, lengths)
