"""``laser``: base term plus a bonus within a fixed target length, group-normalised; against a loop
oracle written from METHODS_SPEC, against verl's ``grpo`` on the same rewards, and by hand."""

from __future__ import annotations

import laser_oracle
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from methods_support import assert_rows_close, method_batches, oracle_common, per_row_advantages, tensors
from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage

from lead.methods import METHODS, make_estimator

BUDGET = 16


def oracle(rows: list, budget: float, target: float, bonus: float) -> tuple[list[float], dict, dict]:
    """Per-row advantages, the rewards by position and the step's metrics."""
    rewards, metrics = laser_oracle.bonus_rewards(rows, budget, lambda position: target, bonus)
    advantages = oracle_common.per_row(oracle_common.normalized("group", rewards, rows), rows)
    return advantages, rewards, metrics


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=method_batches(BUDGET),
    target=st.one_of(st.none(), st.integers(1, BUDGET)),
    bonus=st.sampled_from([None, 0.0, 0.25, 1.5]),
)
def test_matches_oracle(rows, target, bonus):
    chosen = {"target_length": target, "bonus": bonus}
    options = {key: value for key, value in chosen.items() if value is not None}
    estimator = make_estimator("laser", budget=BUDGET, **options)
    target_used = BUDGET / 4 if target is None else target  # L_T = B / 4 by default
    bonus_used = 0.5 if bonus is None else bonus
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = estimator(rewards, mask, index)
    expected, _, expected_metrics = oracle(rows, BUDGET, target_used, bonus_used)
    assert_rows_close(per_row_advantages(advantages, mask), expected)
    for key, value in expected_metrics.items():
        assert metrics[f"laser/{key}"] == pytest.approx(value), key
    assert metrics["laser/target_length"] == target_used


@settings(max_examples=60, deadline=None)
@given(rows=method_batches(BUDGET))
def test_equals_verl_grpo_on_the_laser_rewards(rows):
    """verl's ``grpo`` on the oracle's LASER rewards (at each row's last token) gives our advantages."""
    _, rewards, _ = oracle(rows, BUDGET, BUDGET / 4, 0.5)
    shaped = [oracle_common.Row(row.label, rewards.get(p, 0.0), row.length) for p, row in enumerate(rows)]
    scores, mask, index, _ = tensors(rows)
    ours, _ = make_estimator("laser", budget=BUDGET)(scores, mask, index)
    token_rewards, _, _, _ = tensors(shaped)
    keep = mask.sum(-1) > 0
    theirs, _ = compute_grpo_outcome_advantage(
        token_rewards[keep], mask[keep], np.array(index, dtype=object)[keep.numpy()]
    )
    torch.testing.assert_close(ours[keep], theirs, rtol=0, atol=1e-5)


def test_hand_computed_group():
    # budget 16, L_T = 4, a = 0.5; one group of four:
    #   correct, 3 tokens   -> C = +1, within 4   -> r = 1.5
    #   correct, 9 tokens   -> C = +1, over 4     -> r = 1.0
    #   wrong, 2 tokens     -> C = -0.5           -> r = -0.5
    #   "correct", 16 tokens (truncated)          -> r = -1.0
    # mean = 1.0 / 4 = 0.25; squared deviations 1.5625 + 0.5625 + 0.5625 + 1.5625 = 4.25;
    # unbiased std = sqrt(4.25 / 3)
    rows = [
        oracle_common.Row("q", 1.0, 3),
        oracle_common.Row("q", 1.0, 9),
        oracle_common.Row("q", 0.0, 2),
        oracle_common.Row("q", 1.0, 16),
    ]
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = make_estimator("laser", budget=BUDGET)(rewards, mask, index)
    spread = (4.25 / 3) ** 0.5 + 1e-6
    expected = [1.25 / spread, 0.75 / spread, -0.75 / spread, -1.25 / spread]
    assert per_row_advantages(advantages, mask) == pytest.approx(expected, rel=1e-6)
    assert metrics["laser/reward_mean"] == 0.25
    assert metrics["laser/truncated_rate"] == 0.25
    assert metrics["laser/bonus_rate"] == 0.25
    assert metrics["laser/bonus_rate_correct"] == 0.5  # one of the two finished correct responses


def test_defaults_scale_with_the_budget():
    paper = make_estimator("laser").options
    assert (paper.budget, paper.target_length, paper.bonus) == (16384, 4096, 0.5)
    for budget, target in ((128, 32.0), (4000, 1000.0)):
        options = make_estimator("laser", budget=budget).options
        assert (options.budget, options.target_length, options.bonus) == (budget, target, 0.5)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"target_length": 17}, r"target_length=17 is invalid: allowed is 0 < target_length <= budget"),
        ({"target_length": 0}, r"LaserOptions.target_length=0 is invalid: allowed is target_length > 0"),
        ({"bonus": -0.5}, r"LaserOptions.bonus=-0.5 is invalid: allowed is bonus >= 0"),
        ({"bonus": float("nan")}, r"LaserOptions.bonus=nan is invalid: allowed is a finite real number"),
        ({"budget": 0}, r"budget=0 is invalid: allowed is budget > 0"),
    ],
)
def test_bad_options_name_the_field_and_the_allowed_values(options, message):
    with pytest.raises(ValueError, match=message):
        METHODS["laser"].options.for_budget(BUDGET, **options)  # options may set the budget itself
