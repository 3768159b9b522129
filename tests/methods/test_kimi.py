"""``kimi``: the Kimi k1.5 per-group length term, warm-up and both normalisations; against a loop
oracle written from the spec, and equal to verl's ``grpo`` (with and without the std) on its rewards."""

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


def oracle_rewards(rows: list, weight: float) -> dict[int, float]:
    """``c + w * len`` of each valid position, from the spec, with per-group min/max lengths."""
    rewards = {}
    for positions in oracle_common.groups_of(rows).values():
        lengths = [rows[p].length for p in positions]
        shortest, spread = min(lengths), max(lengths) - min(lengths)
        for p in positions:
            lam = 0.5 - (rows[p].length - shortest) / spread if spread else 0.0
            term = lam if rows[p].correct else min(0.0, lam)
            rewards[p] = (1.0 if rows[p].correct else 0.0) + weight * term
    return rewards


def oracle(rows: list, weight: float, normalization: str) -> list[float]:
    return oracle_common.per_row(
        oracle_common.normalized(normalization, oracle_rewards(rows, weight), rows), rows
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(method_batches(BUDGET), min_size=1, max_size=4),
    weight=st.sampled_from([1.0, 0.5, 0.0, 2.0]),
    warmup=st.integers(0, 4),
    normalization=st.sampled_from(["mean", "group"]),
)
def test_matches_oracle_over_consecutive_steps(steps, weight, warmup, normalization):
    """Each step against the oracle, with ``w = 0`` during the first ``warmup`` steps."""
    estimator = make_estimator(
        "kimi", budget=BUDGET, length_weight=weight, warmup_steps=warmup, normalization=normalization
    )
    for step, rows in enumerate(steps, start=1):
        rewards, mask, index, _ = tensors(rows)
        advantages, metrics = estimator(rewards, mask, index)
        used = 0.0 if step <= warmup else weight
        assert_rows_close(per_row_advantages(advantages, mask), oracle(rows, used, normalization))
        assert metrics["kimi/length_weight"] == used and metrics["kimi/step"] == step


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET), normalization=st.sampled_from(["mean", "group"]))
def test_matches_oracle_at_the_defaults(rows, normalization):
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = make_estimator("kimi", normalization=normalization)(rewards, mask, index)
    assert_rows_close(per_row_advantages(advantages, mask), oracle(rows, 1.0, normalization))
    expected = oracle_rewards(rows, 1.0)
    assert metrics["kimi/reward_mean"] == pytest.approx(sum(expected.values()) / len(expected))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET), normalization=st.sampled_from(["mean", "group"]))
def test_equals_verl_grpo_on_the_shaped_rewards(rows, normalization):
    """``mean`` is verl's ``grpo`` with ``norm_adv_by_std_in_grpo=False``, ``group`` the default."""
    rows = [row for row in rows if row.length > 0]
    rewards, mask, index, _ = tensors(rows)
    shaped = oracle_rewards(rows, 1.0)
    shaped_rewards = torch.zeros_like(rewards)
    for position, row in enumerate(rows):
        shaped_rewards[position, row.length - 1] = shaped[position]
    theirs, _ = compute_grpo_outcome_advantage(
        shaped_rewards, mask, np.array(index, dtype=object), norm_adv_by_std_in_grpo=normalization == "group"
    )
    ours, _ = make_estimator("kimi", normalization=normalization)(rewards, mask, index)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def test_hand_computed_groups():
    # group a: lengths 2, 4, 6 (min 2, max 6), correct / wrong / correct
    #   lam = 0.5 - [0, 2, 4] / 4 = [0.5, 0, -0.5]; len = [0.5, min(0, 0) = 0, -0.5]
    #   r = [1.5, 0, 0.5], mean 2/3: A = [5/6, -2/3, -1/6]
    # group b: lengths 1, 3, wrong / correct: lam = [0.5, -0.5]; len = [min(0, 0.5) = 0, -0.5]
    #   r = [0, 0.5], mean 0.25: A = [-0.25, 0.25]
    # group c: lengths 3, 3 (all equal): lam = 0, r = [1, 0], A = [0.5, -0.5]; group d alone: A = r = 1
    rows = [Row("a", 1.0, 2), Row("a", 0.0, 4), Row("a", 1.0, 6), Row("b", 0.0, 1), Row("b", 1.0, 3)]
    rows += [Row("c", 1.0, 3), Row("c", 0.0, 3), Row("d", 1.0, 5)]
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = make_estimator("kimi")(rewards, mask, index)
    expected = [5 / 6, -2 / 3, -1 / 6, -0.25, 0.25, 0.5, -0.5, 1.0]
    assert per_row_advantages(advantages, mask) == pytest.approx(expected, rel=1e-6)
    # length terms [0.5, 0, -0.5, 0, -0.5, 0, 0, 0] (the lone response is the shortest and longest)
    assert metrics["kimi/length_term_mean"] == pytest.approx(-0.5 / 8)


def test_warmup_steps_use_correctness_only():
    # lengths 1 and 3, both correct: r = [1, 1] during warm-up (A = 0), then [1.5, 0.5] (A = +-0.5)
    rows = [Row("a", 1.0, 1), Row("a", 1.0, 3)]
    rewards, mask, index, _ = tensors(rows)
    estimator = make_estimator("kimi", warmup_steps=2)
    values = [per_row_advantages(estimator(rewards, mask, index)[0], mask) for _ in range(3)]
    assert values == [[0.0, 0.0], [0.0, 0.0], [0.5, -0.5]]


def test_defaults_are_budget_free():
    assert make_estimator("kimi").options == make_estimator("kimi", budget=128).options
    options = make_estimator("kimi", budget=4000).options
    assert (options.length_weight, options.warmup_steps, options.normalization) == (1.0, 0, "mean")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"length_weight": -1}, r"KimiOptions.length_weight=-1 is invalid: allowed is length_weight >= 0"),
        ({"warmup_steps": 1.5}, r"KimiOptions.warmup_steps=1.5 is invalid: allowed is an integer with "),
        ({"warmup_steps": -1}, r"KimiOptions.warmup_steps=-1 is invalid"),
        (
            {"normalization": "batch"},
            r"KimiOptions.normalization='batch' is invalid: allowed values are mean, group",
        ),
    ],
)
def test_bad_options_name_field_value_and_allowed_values(options, message):
    with pytest.raises(ValueError, match=message):
        make_estimator("kimi", **options)
