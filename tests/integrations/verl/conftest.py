"""Fixtures of the verl integration tests: real ``DataProto`` batches and composed configs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from verl import DataProto

from lead.integrations.verl.dry_run import compose_config

# Short budgets so that tiny test batches exercise every branch of LEAD.
SMALL_LEAD = ("algorithm.adv_estimator=lead", "algorithm.lead_bmax=12", "algorithm.lead_lstar_min=1")


def _make_batch(
    seed: int, groups: int = 3, group_size: int = 4, width: int = 12, pad_rows: int = 0
) -> DataProto:
    """A batch as verl hands it to ``compute_advantage``.

    (B, T) ``token_level_rewards`` (0/1 correctness at the last valid token), ``response_mask``, and
    ``uid`` in the non-tensor batch. ``pad_rows`` v1-style padding rows are appended: uid ``pad...``,
    all-zero mask and reward.
    """
    generator = torch.Generator().manual_seed(seed)
    rows = groups * group_size
    lengths = torch.randint(1, width + 1, (rows,), generator=generator)
    correct = torch.rand(rows, generator=generator) < 0.5
    mask = (torch.arange(width).unsqueeze(0) < lengths.unsqueeze(1)).float()
    rewards = torch.zeros(rows, width)
    rewards[torch.arange(rows), lengths - 1] = correct.float()
    uids = [f"prompt-{seed}-{row // group_size}" for row in range(rows)]
    if pad_rows:
        mask = torch.cat([mask, torch.zeros(pad_rows, width)])
        rewards = torch.cat([rewards, torch.zeros(pad_rows, width)])
        uids += ["pad0f3c9a"] * pad_rows
    return DataProto.from_dict(
        tensors={"token_level_rewards": rewards, "response_mask": mask},
        non_tensors={"uid": np.array(uids, dtype=object)},
    )


def _lead_config(*overrides: str):
    """The composed config of ``python -m lead.main_ppo`` with ``SMALL_LEAD`` and ``overrides``."""
    return compose_config([*SMALL_LEAD, *overrides])


@pytest.fixture(scope="session")
def make_batch():
    """Factory of batches: ``make_batch(seed, groups=3, group_size=4, width=12, pad_rows=0)``."""
    return _make_batch


@pytest.fixture(scope="session")
def lead_config():
    """Factory of composed configs: ``lead_config(*overrides)``."""
    return _lead_config


@pytest.fixture(scope="session")
def small_lead_overrides():
    """The overrides behind ``lead_config`` (for configs composed in another process)."""
    return list(SMALL_LEAD)
