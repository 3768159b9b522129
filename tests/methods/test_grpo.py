"""``grpo``: correctness only, group-normalised; against the oracle and verl's own ``grpo``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from methods_support import assert_rows_close, method_batches, oracle_common, per_row_advantages, tensors
from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage

from lead.methods import make_estimator

BUDGET = 8


def oracle(rows: list) -> list[float]:
    rewards = {p: float(rows[p].correct) for p in oracle_common.valid_positions(rows)}
    return oracle_common.per_row(oracle_common.normalized("group", rewards, rows), rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET))
def test_matches_oracle(rows):
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = make_estimator("grpo", budget=BUDGET)(rewards, mask, index)
    assert_rows_close(per_row_advantages(advantages, mask), oracle(rows))
    assert metrics["grpo/step"] == 1.0


@settings(max_examples=60, deadline=None)
@given(rows=method_batches(BUDGET))
def test_equals_verl_grpo_on_real_rows(rows):
    rewards, mask, index, _ = tensors(rows)
    keep = mask.sum(-1) > 0
    ours, _ = make_estimator("grpo")(rewards, mask, index)
    theirs, _ = compute_grpo_outcome_advantage(
        rewards[keep], mask[keep], np.array(index, dtype=object)[keep.numpy()]
    )
    torch.testing.assert_close(ours[keep], theirs, rtol=0, atol=1e-6)


def test_hand_computed_group():
    # group a: correct, wrong, correct -> mean 2/3, unbiased std sqrt(1/3); group b alone: 1 / (1 + 1e-6)
    rows = [oracle_common.Row("a", 1.0, 2), oracle_common.Row("a", 0.0, 3), oracle_common.Row("a", 1.0, 1)]
    rows.append(oracle_common.Row("b", 1.0, 2))
    rewards, mask, index, _ = tensors(rows)
    values = per_row_advantages(make_estimator("grpo")(rewards, mask, index)[0], mask)
    spread = (1 / 3) ** 0.5 + 1e-6
    assert values == pytest.approx([(1 / 3) / spread, (-2 / 3) / spread, (1 / 3) / spread, 1 / (1 + 1e-6)])
