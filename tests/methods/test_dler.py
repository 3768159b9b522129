"""``dler``: truncation penalty, batch normalisation, the code's bonus and the difficulty-aware limit;
against a loop oracle written from the spec, and equal to verl's ``reinforce_plus_plus_baseline``."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from methods_support import assert_rows_close, method_batches, oracle_common, per_row_advantages, tensors
from verl.trainer.ppo.core_algos import compute_reinforce_plus_plus_baseline_outcome_advantage

from lead.methods import make_estimator

BUDGET = 8
Row = oracle_common.Row


def oracle_rewards(rows: list, budget: float, options: dict) -> dict[int, float]:
    """DLER's reward of each valid position, from the spec: ``c``, or ``m * c`` when cut."""
    main_limit = budget if options.get("limit") is None else options["limit"]
    fraction = options.get("easy_limit_fraction")
    multiplier = options.get("truncation_multiplier", 0.0)
    rewards = {}
    for positions in oracle_common.groups_of(rows).values():
        accuracy = sum(1 for p in positions if rows[p].correct) / len(positions)
        limit = main_limit * fraction if fraction is not None and accuracy >= 0.5 else main_limit
        for p in positions:
            length = rows[p].length
            cut = length >= budget or length > limit
            correctness = 1.0 if rows[p].correct else 0.0
            rewards[p] = multiplier * correctness if cut else correctness
    return rewards


def oracle(rows: list, budget: float, options: dict) -> list[float]:
    advantages = oracle_common.normalized("batch", oracle_rewards(rows, budget, options), rows)
    bonus = options.get("correct_advantage_bonus", 0.0)
    return oracle_common.per_row(
        {p: a + (bonus if rows[p].correct else 0.0) for p, a in advantages.items()}, rows
    )


@st.composite
def batches_with_options(draw: st.DrawFn) -> tuple[list, dict]:
    """A batch and DLER options; the limit is often one of the batch's lengths (the boundary case)."""
    rows = draw(method_batches(BUDGET))
    lengths = sorted({row.length for row in rows if row.length > 0})
    limits = st.one_of(st.none(), st.sampled_from(lengths), st.integers(1, BUDGET), st.just(2.5))
    options = st.fixed_dictionaries(
        {},
        optional={
            "truncation_multiplier": st.sampled_from([0.0, 0.1, 0.5, 1.0]),
            "limit": limits,
            "correct_advantage_bonus": st.sampled_from([0.0, 0.1]),
            "easy_limit_fraction": st.one_of(st.none(), st.sampled_from([0.5, 0.25, 0.3, 1.0])),
        },
    )
    return rows, draw(options)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches_with_options())
def test_matches_oracle(batch):
    rows, options = batch
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = make_estimator("dler", budget=BUDGET, **options)(rewards, mask, index)
    assert_rows_close(per_row_advantages(advantages, mask), oracle(rows, BUDGET, options))
    valid = oracle_common.valid_positions(rows)
    expected_rewards = oracle_rewards(rows, BUDGET, options)
    assert metrics["dler/reward_mean"] == pytest.approx(sum(expected_rewards.values()) / len(valid))
    assert ("dler/easy_group_fraction" in metrics) == (options.get("easy_limit_fraction") is not None)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches_with_options())
def test_equals_verl_reinforce_plus_plus_baseline_on_the_shaped_rewards(batch):
    """verl's estimator on DLER's rewards, plus the released code's bonus on correct responses."""
    rows, options = batch
    rows = [row for row in rows if row.length > 0]
    rewards, mask, index, _ = tensors(rows)
    if mask.sum() <= 1:
        return  # verl's masked whitening needs two tokens
    shaped = oracle_rewards(rows, BUDGET, options)
    shaped_rewards = torch.zeros_like(rewards)
    for position, row in enumerate(rows):
        shaped_rewards[position, row.length - 1] = shaped[position]
    theirs, _ = compute_reinforce_plus_plus_baseline_outcome_advantage(
        shaped_rewards, mask, np.array(index, dtype=object)
    )
    correct = torch.tensor([float(row.correct) for row in rows]).unsqueeze(-1)
    theirs = theirs + options.get("correct_advantage_bonus", 0.0) * correct * mask
    ours, _ = make_estimator("dler", budget=BUDGET, **options)(rewards, mask, index)
    torch.testing.assert_close(ours, theirs, rtol=1e-5, atol=1e-5)


def hand_rows() -> list:
    # budget 4: group a = correct at 2 tokens, correct at 4 (= the budget: truncated);
    # group b = wrong at 1 token, correct at 3
    return [Row("a", 1.0, 2), Row("a", 1.0, 4), Row("b", 0.0, 1), Row("b", 1.0, 3)]


def test_hand_computed_truncation_penalty_and_batch_whitening():
    # m = 0: r = [1, 0, 0, 1]; minus group means (0.5, 0.5): [0.5, -0.5, -0.5, 0.5]
    # token weights [2, 4, 1, 3] (10 tokens): weighted mean (1 - 2 - 0.5 + 1.5) / 10 = 0
    # unbiased variance 10 * 0.25 / 9 = 2.5 / 9, so A = +-0.5 / sqrt(2.5 / 9 + 1e-8) = +-0.948683
    rewards, mask, index, _ = tensors(hand_rows())
    advantages, metrics = make_estimator("dler", budget=4)(rewards, mask, index)
    scale = 0.5 / (2.5 / 9 + 1e-8) ** 0.5
    assert per_row_advantages(advantages, mask) == pytest.approx([scale, -scale, -scale, scale], rel=1e-6)
    assert metrics["dler/reward_mean"] == 0.5
    assert metrics["dler/truncated_fraction"] == 0.25
    assert metrics["dler/truncated_correct_fraction"] == 0.25


def test_hand_computed_released_code_multiplier_and_bonus():
    # m = 0.1: r = [1, 0.1, 0, 1]; group a's mean 0.55: [0.45, -0.45]; group b: [-0.5, 0.5]
    # token weights [2, 4, 1, 3]: mean (0.9 - 1.8 - 0.5 + 1.5) / 10 = 0.01
    # centred [0.44, -0.46, -0.51, 0.49]; squares x weights: 0.3872 + 0.8464 + 0.2601 + 0.7203 = 2.214
    # variance 2.214 / 9 = 0.246; then +0.1 on the three correct responses (the truncated one too)
    rewards, mask, index, _ = tensors(hand_rows())
    estimator = make_estimator("dler", budget=4, truncation_multiplier=0.1, correct_advantage_bonus=0.1)
    values = per_row_advantages(estimator(rewards, mask, index)[0], mask)
    spread = (2.214 / 9 + 1e-8) ** 0.5
    expected = [0.44 / spread + 0.1, -0.46 / spread + 0.1, -0.51 / spread, 0.49 / spread + 0.1]
    assert values == pytest.approx(expected, rel=1e-6)


def test_limit_below_the_budget_cuts_longer_responses_only():
    # budget 8, limit 3: correct at 3 tokens kept (r 1), correct at 4 cut (r 0); group of two
    # r - mean = [0.5, -0.5]; token weights [3, 4]: mean (1.5 - 2) / 7 = -1/14, centred [8/14, -6/14]
    # unbiased variance (3 * 64 + 4 * 36) / 196 / 6 = 2/7
    rows = [Row("a", 1.0, 3), Row("a", 1.0, 4)]
    rewards, mask, index, _ = tensors(rows)
    values = per_row_advantages(make_estimator("dler", budget=8, limit=3)(rewards, mask, index)[0], mask)
    spread = (2 / 7 + 1e-8) ** 0.5
    assert values == pytest.approx([(8 / 14) / spread, (-6 / 14) / spread], rel=1e-6)
    # with the limit at the budget nothing is cut: equal rewards, zero advantages
    values = per_row_advantages(make_estimator("dler", budget=8)(rewards, mask, index)[0], mask)
    assert values == [0.0, 0.0]


def test_difficulty_aware_limit_applies_to_easy_groups_only():
    # budget 8, fraction 0.5: easy groups (accuracy >= 0.5) are cut above 4 tokens, hard ones at 8
    # easy group e (2 of 3 correct): 4 tokens kept (r 1), 5 tokens cut (r 0), wrong (r 0)
    # hard group h (1 of 3 correct): correct at 6 tokens kept (r 1)
    rows = [Row("e", 1.0, 4), Row("e", 1.0, 5), Row("e", 0.0, 2)]
    rows += [Row("h", 1.0, 6), Row("h", 0.0, 2), Row("h", 0.0, 3)]
    rewards, mask, index, _ = tensors(rows)
    options = {"easy_limit_fraction": 0.5}
    advantages, metrics = make_estimator("dler", budget=8, **options)(rewards, mask, index)
    assert oracle_rewards(rows, 8, options) == {0: 1.0, 1: 0.0, 2: 0.0, 3: 1.0, 4: 0.0, 5: 0.0}
    assert_rows_close(per_row_advantages(advantages, mask), oracle(rows, 8, options))
    assert metrics["dler/easy_group_fraction"] == 0.5
    assert metrics["dler/truncated_fraction"] == pytest.approx(1 / 6)


def test_defaults_are_the_paper_and_scale_with_the_budget():
    options = make_estimator("dler").options
    assert (options.budget, options.limit, options.truncation_multiplier) == (4000, None, 0.0)
    assert (options.correct_advantage_bonus, options.easy_limit_fraction) == (0.0, None)
    assert make_estimator("dler", budget=128).options.budget == 128
    assert make_estimator("dler", budget=128, limit=100).options.limit == 100


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"truncation_multiplier": 1.5}, r"truncation_multiplier=1.5 is invalid: allowed is 0 <= "),
        (
            {"truncation_multiplier": float("nan")},
            r"truncation_multiplier=nan is invalid: allowed is a finite",
        ),
        ({"correct_advantage_bonus": -0.1}, r"correct_advantage_bonus=-0.1 is invalid: allowed is "),
        ({"limit": 0}, r"DLEROptions.limit=0 is invalid: allowed is None or limit > 0"),
        (
            {"limit": 9},
            r"DLEROptions.limit=9 is invalid: allowed is None or 0 < limit <= budget \(budget=8\)",
        ),
        (
            {"easy_limit_fraction": 0.0},
            r"easy_limit_fraction=0.0 is invalid: allowed is None or a number in \(0, 1\]",
        ),
        ({"easy_limit_fraction": 2}, r"easy_limit_fraction=2 is invalid"),
    ],
)
def test_bad_options_name_field_value_and_allowed_values(options, message):
    with pytest.raises(ValueError, match=message):
        make_estimator("dler", budget=8, **options)
