"""``shorter_better``: distance to the group's shortest correct length, group-normalised; against a
loop oracle written from the spec, and equal to verl's ``grpo`` on its rewards."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from methods_support import assert_rows_close, method_batches, oracle_common, per_row_advantages, tensors
from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage

from lead.methods import make_estimator

BUDGET = 8
Row = oracle_common.Row


def oracle_rewards(rows: list, a: float, b: float) -> dict[int, float]:
    """``a * c - b * |L - SOL|`` of each valid position, from the spec."""
    rewards = {}
    for positions in oracle_common.groups_of(rows).values():
        correct_lengths = [rows[p].length for p in positions if rows[p].correct]
        if correct_lengths:
            optimal = min(correct_lengths)
        else:
            optimal = sum(rows[p].length for p in positions) / len(positions)
        for p in positions:
            rewards[p] = a * (1.0 if rows[p].correct else 0.0) - b * abs(rows[p].length - optimal)
    return rewards


def oracle(rows: list, a: float, b: float) -> list[float]:
    return oracle_common.per_row(oracle_common.normalized("group", oracle_rewards(rows, a, b), rows), rows)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rows=method_batches(BUDGET),
    a=st.sampled_from([2.0, 1.0, 0.0]),
    b=st.one_of(st.none(), st.sampled_from([0.0, 0.05, 0.3])),
)
def test_matches_oracle(rows, a, b):
    """``b=None``: the default at the test budget, ``0.001 * 6000 / 8 = 0.75`` per token."""
    options = {"correct_reward": a} if b is None else {"correct_reward": a, "length_penalty": b}
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = make_estimator("shorter_better", budget=BUDGET, **options)(rewards, mask, index)
    slope = 0.75 if b is None else b
    assert_rows_close(per_row_advantages(advantages, mask), oracle(rows, a, slope))
    expected = oracle_rewards(rows, a, slope)
    assert metrics["shorter_better/reward_mean"] == pytest.approx(sum(expected.values()) / len(expected))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET))
def test_equals_verl_grpo_on_the_shaped_rewards(rows):
    rows = [row for row in rows if row.length > 0]
    rewards, mask, index, _ = tensors(rows)
    shaped = oracle_rewards(rows, 2.0, 0.75)
    shaped_rewards = torch.zeros_like(rewards)
    for position, row in enumerate(rows):
        shaped_rewards[position, row.length - 1] = shaped[position]
    theirs, _ = compute_grpo_outcome_advantage(shaped_rewards, mask, np.array(index, dtype=object))
    ours, _ = make_estimator("shorter_better", budget=BUDGET)(rewards, mask, index)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_hand_computed_groups_at_the_paper_budget():
    # b = 0.001 at 6000 tokens.
    # group a: lengths 100 (wrong), 300, 500 (correct): SOL = 300
    #   r = [0 - 0.2, 2 - 0, 2 - 0.2] = [-0.2, 2, 1.8]; mean 1.2, unbiased std sqrt((1.96 + 0.64 + 0.36) / 2)
    # group b: nothing correct, lengths 100, 200, 600: SOL = mean = 300
    #   r = [-0.2, -0.1, -0.3]; mean -0.2, std 0.1: A = [0, 1, -1] / (1 + 1e-5)
    rows = [Row("a", 0.0, 100), Row("a", 1.0, 300), Row("a", 1.0, 500)]
    rows += [Row("b", 0.0, 100), Row("b", 0.0, 200), Row("b", 0.0, 600)]
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = make_estimator("shorter_better", budget=6000)(rewards, mask, index)
    spread = ((1.96 + 0.64 + 0.36) / 2) ** 0.5 + 1e-6
    expected = [-1.4 / spread, 0.8 / spread, 0.6 / spread, 0.0, 0.1 / 0.100001, -0.1 / 0.100001]
    assert per_row_advantages(advantages, mask) == pytest.approx(expected, rel=1e-5, abs=1e-6)
    assert metrics["shorter_better/sol_mean"] == 300.0
    assert metrics["shorter_better/unsolved_group_fraction"] == 0.5
    # gaps [200, 0, 200, 200, 100, 300]
    assert metrics["shorter_better/length_gap_mean"] == pytest.approx(1000 / 6)


def test_per_token_slope_scales_with_the_budget():
    assert make_estimator("shorter_better").options.length_penalty == 0.001
    assert make_estimator("shorter_better", budget=6000).options.length_penalty == pytest.approx(0.001)
    assert make_estimator("shorter_better", budget=128).options.length_penalty == pytest.approx(0.046875)
    assert make_estimator("shorter_better", budget=4000).options.length_penalty == pytest.approx(0.0015)
    assert make_estimator("shorter_better", budget=128).options.correct_reward == 2.0
    assert make_estimator("shorter_better", budget=128, length_penalty=0.01).options.length_penalty == 0.01


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"correct_reward": -2},
            r"ShorterBetterOptions.correct_reward=-2 is invalid: allowed is correct_reward >= 0",
        ),
        ({"length_penalty": -0.001}, r"ShorterBetterOptions.length_penalty=-0.001 is invalid: allowed is "),
        ({"length_penalty": float("inf")}, r"length_penalty=inf is invalid: allowed is a finite real number"),
    ],
)
def test_bad_options_name_field_value_and_allowed_values(options, message):
    with pytest.raises(ValueError, match=message):
        make_estimator("shorter_better", **options)
