"""Prompt groups: factorising group ids once, and per-group (segment) reductions.

Every per-group statistic of the core goes through these vectorised reductions; nothing loops
over responses or groups in Python. Shapes: ``N`` valid responses, ``G`` groups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch


def factorize_index(index: Sequence[Any] | np.ndarray | torch.Tensor, batch_size: int) -> torch.Tensor:
    """Map arbitrary group labels (str, int, UUID, ...) to integer codes, shape ``(B,)``, int64.

    Equal labels get equal codes. Labels that cannot be ordered against each other (e.g. a mix of
    ints and strings) are compared through their ``str`` form.
    """
    if isinstance(index, torch.Tensor):
        if index.dim() != 1 or index.shape[0] != batch_size:
            raise ValueError(
                f"index has shape {tuple(index.shape)}: allowed is one group id per row, i.e. ({batch_size},)"
            )
        return torch.unique(index, return_inverse=True)[1].to(torch.long)
    labels = _as_label_array(index)
    if labels.ndim != 1 or labels.shape[0] != batch_size:
        raise ValueError(
            f"index has shape {labels.shape}: allowed is one group id per row, i.e. ({batch_size},)"
        )
    if labels.dtype == object:
        items = labels.tolist()
        if set(map(type, items)) == {str}:
            return _factorize_strings(items)
    try:
        codes = np.unique(labels, return_inverse=True)[1]
    except TypeError:
        codes = np.unique(labels.astype(str), return_inverse=True)[1]
    return torch.from_numpy(codes.astype(np.int64, copy=False).reshape(-1))


def _factorize_strings(items: list[str]) -> torch.Tensor:
    """Codes ``(B,)`` int64 of string labels, numbered in sorted order (as ``np.unique`` numbers them).

    Hashes each label once instead of sorting every one of them by Python comparisons, which is
    what ``np.unique`` does for object arrays (verl's uids); sorting only the distinct labels.
    """
    code_of = {label: code for code, label in enumerate(sorted(set(items)))}
    codes = np.fromiter(map(code_of.__getitem__, items), dtype=np.int64, count=len(items))
    return torch.from_numpy(codes)


def _as_label_array(index: Sequence[Any] | np.ndarray) -> np.ndarray:
    """One-dimensional numpy view of the labels; composite labels (e.g. tuples) become objects."""
    if isinstance(index, np.ndarray):
        return index
    if not hasattr(index, "__len__"):
        raise ValueError(
            f"index of type {type(index).__name__} is invalid: allowed is a sequence of group ids"
        )
    try:
        labels = np.asarray(index)
    except ValueError:
        labels = None
    if labels is None or labels.ndim != 1:
        labels = np.empty(len(index), dtype=object)
        labels[:] = list(index)
    return labels


@dataclass(frozen=True)
class Groups:
    """Group membership of the valid responses of a batch.

    Attributes:
        ids: ``(N,)`` int64, the group of each valid response, codes ``0 .. G-1``.
        num_groups: ``G``; every group has at least one member.
    """

    ids: torch.Tensor
    num_groups: int

    @classmethod
    def from_codes(cls, codes: torch.Tensor) -> Groups:
        """Build groups from non-negative ``(N,)`` integer codes, renumbered to ``0 .. G-1`` in code order."""
        present = torch.bincount(codes) > 0
        renumbered = torch.cumsum(present, 0) - 1
        return cls(ids=renumbered.index_select(0, codes), num_groups=int(present.sum()))

    def gather(self, per_group: torch.Tensor) -> torch.Tensor:
        """Per-group values ``(..., G)`` as per-response values ``(..., N)``: each response its group's."""
        return per_group.index_select(-1, self.ids)

    def sizes(self) -> torch.Tensor:
        """Members per group, ``(G,)`` float64."""
        return segment_count(self.ids, self.num_groups)


def segment_sum(values: torch.Tensor, ids: torch.Tensor, num_groups: int) -> torch.Tensor:
    """Sum of ``values`` ``(..., n)`` per group id ``(n,)``; returns ``(..., G)``, 0 for empty groups."""
    return values.new_zeros(*values.shape[:-1], num_groups).index_add_(-1, ids, values)


def segment_count(ids: torch.Tensor, num_groups: int) -> torch.Tensor:
    """Number of members per group, ``(G,)`` float64."""
    return torch.bincount(ids, minlength=num_groups).to(torch.float64)


def segment_mean_var(
    values: torch.Tensor,
    ids: torch.Tensor,
    num_groups: int,
    *,
    unbiased: bool,
    members: torch.Tensor | None = None,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per-group mean, variance and member count of ``values`` ``(..., n)``; outputs ``(..., G)``.

    ``members`` (bool, shape of ``values``) restricts each row of statistics to a subset; by default
    every value counts. The variance is computed from centred values (two passes), so equal values
    give exactly 0. ``unbiased`` divides by ``count - 1`` (groups of one get variance 0), otherwise
    by ``count``. Empty groups get mean 0 and variance 0.
    """
    weights = torch.ones_like(values) if members is None else members.to(values.dtype)
    counts = segment_sum(weights, ids, num_groups)
    means = segment_sum(values * weights, ids, num_groups) / counts.clamp_min(1.0)
    centred = values - means.index_select(-1, ids)
    squares = segment_sum(weights * centred.square(), ids, num_groups)
    denominators = (counts - 1.0 if unbiased else counts).clamp_min(1.0)
    return means, squares / denominators, counts


def segment_extreme(values: torch.Tensor, ids: torch.Tensor, num_groups: int, reduce: str) -> torch.Tensor:
    """Per-group ``"amin"`` or ``"amax"`` of ``values`` ``(n,)``; ``(G,)``, NaN for empty groups."""
    initial = torch.full((num_groups,), float("nan"), dtype=values.dtype, device=values.device)
    return initial.scatter_reduce(0, ids, values, reduce=reduce, include_self=False)


def segment_median(values: torch.Tensor, ids: torch.Tensor, num_groups: int) -> torch.Tensor:
    """Per-group median of ``values`` ``(n,)`` (mean of the two middle values for an even count).

    Returns ``(G,)``; NaN for empty groups.
    """
    counts = torch.bincount(ids, minlength=num_groups)
    missing = torch.full((num_groups,), float("nan"), dtype=values.dtype, device=values.device)
    if values.numel() == 0:
        return missing
    by_value = torch.argsort(values, stable=True)
    order = by_value.index_select(0, torch.argsort(ids.index_select(0, by_value), stable=True))
    sorted_values = values.index_select(0, order)
    starts = torch.cumsum(counts, 0) - counts
    last = values.numel() - 1
    low = (starts + (counts - 1).clamp(min=0).div(2, rounding_mode="floor")).clamp(max=last)
    high = (starts + counts.div(2, rounding_mode="floor")).clamp(max=last)
    medians = (sorted_values.index_select(0, low) + sorted_values.index_select(0, high)) / 2
    return torch.where(counts > 0, medians, missing)
