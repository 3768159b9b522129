"""Shared helpers for the core tests: building (B, T) batches from per-response values."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
import torch

BatchBuilder = Callable[..., tuple[torch.Tensor, torch.Tensor]]


def build_batch(
    scores: Sequence[float], lengths: Sequence[int], width: int | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Rewards and mask, both ``(B, width)``: row i has ``lengths[i]`` leading valid tokens and its
    score at the last valid token (rows of length 0 carry no reward)."""
    width = width if width is not None else max(max(lengths), 1)
    mask = torch.zeros(len(lengths), width)
    rewards = torch.zeros(len(lengths), width)
    for row, (score, length) in enumerate(zip(scores, lengths, strict=True)):
        mask[row, :length] = 1.0
        if length:
            rewards[row, length - 1] = score
    return rewards, mask


@pytest.fixture
def batch_from() -> BatchBuilder:
    return build_batch
