"""``arora_zanette``: against a loop oracle of the spec, verl's ``rloo_vectorized``, and by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from methods_support import assert_rows_close, method_batches, oracle_common, per_row_advantages, tensors
from verl.trainer.ppo.core_algos import compute_rloo_vectorized_outcome_advantage

from lead.core.frame import frame_batch
from lead.methods import METHODS, make_estimator
from lead.methods.arora_zanette import AroraZanetteOptions, length_discounted_correctness

BUDGET = 8
Row = oracle_common.Row


def oracle_rewards(rows: list, budget: int, alpha: float) -> dict[int, float]:
    """Per valid position: ``1 - alpha * sigmoid((L - mu) / (sd + 1e-7))`` if correct and finished, else 0."""
    rewards = {}
    for positions in oracle_common.groups_of(rows).values():
        finished_correct = [rows[p].length for p in positions if rows[p].correct and rows[p].length < budget]
        if finished_correct:
            mean = sum(finished_correct) / len(finished_correct)
            std = math.sqrt(sum((length - mean) ** 2 for length in finished_correct) / len(finished_correct))
        for p in positions:
            row = rows[p]
            if row.correct and row.length < budget:
                z = (row.length - mean) / (std + 1e-7)
                rewards[p] = 1.0 - alpha / (1.0 + math.exp(-z))
            else:
                rewards[p] = 0.0
    return rewards


def oracle(rows: list, budget: int, alpha: float) -> list[float]:
    rewards = oracle_rewards(rows, budget, alpha)
    return oracle_common.per_row(oracle_common.normalized("rloo_whiten", rewards, rows), rows)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET), alpha=st.sampled_from([0.1, 0.05, 0.4, 1.0, 0.0]))
def test_matches_oracle(rows, alpha):
    rewards, mask, index, _ = tensors(rows)
    estimator = make_estimator("arora_zanette", budget=BUDGET, alpha=alpha)
    advantages, metrics = estimator(rewards, mask, index)
    assert_rows_close(per_row_advantages(advantages, mask), oracle(rows, BUDGET, alpha))
    valid = [row for row in rows if row.length > 0]
    expected_truncated = sum(row.length >= BUDGET for row in valid) / len(valid)
    assert metrics["arora_zanette/truncated_rate"] == pytest.approx(expected_truncated)
    expected_mean = sum(oracle_rewards(rows, BUDGET, alpha).values()) / len(valid)
    assert metrics["arora_zanette/reward_mean"] == pytest.approx(expected_mean)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET))
def test_rloo_part_equals_verl_and_whitening_the_oracle(rows):
    """verl's ``rloo_vectorized`` on the shaped rewards, whitened by the oracle, is our output."""
    rewards, mask, index, _ = tensors(rows)
    ours = per_row_advantages(make_estimator("arora_zanette", budget=BUDGET)(rewards, mask, index)[0], mask)
    valid = oracle_common.valid_positions(rows)
    shaped = oracle_rewards(rows, BUDGET, alpha=0.1)
    shaped_rows = [Row(rows[p].label, shaped[p], rows[p].length) for p in valid]
    verl_rewards, verl_mask, verl_index, _ = tensors(shaped_rows)
    verl_advantages, _ = compute_rloo_vectorized_outcome_advantage(
        verl_rewards.double(), verl_mask.double(), np.array(verl_index, dtype=object)
    )
    leave_one_out = dict(zip(valid, per_row_advantages(verl_advantages, verl_mask), strict=True))
    whitened = oracle_common.token_whitened(leave_one_out, rows, population=True)
    assert_rows_close(ours, oracle_common.per_row(whitened, rows))


def scored_rewards(rows: list, **options) -> list[float]:
    rewards, mask, index, _ = tensors(rows)
    responses = frame_batch(rewards, mask, index).responses
    return length_discounted_correctness(responses, AroraZanetteOptions(**options), None, 1).values.tolist()


def test_hand_computed_rewards():
    # finished correct lengths 2, 4, 6: mean 4, population std sqrt((4 + 0 + 4) / 3) = sqrt(8/3)
    # z = -+sqrt(3/2) = -+1.224745 (the 1e-7 changes the 7th digit), sigmoid 0.227103 / 0.5 / 0.772897
    # r = 1 - 0.1 * sigmoid: 0.977290, 0.95, 0.922710; wrong (length 3) and truncated (8 = B) get 0
    rows = [Row("a", 1.0, 2), Row("a", 1.0, 4), Row("a", 1.0, 6), Row("a", 0.0, 3), Row("a", 1.0, 8)]
    rewards = scored_rewards(rows, alpha=0.1, budget=8)
    assert rewards == pytest.approx([0.977290, 0.95, 0.922710, 0.0, 0.0], abs=1e-6)
    # equal lengths: std 0, z = 0, r = 1 - 0.1 / 2; a group of one likewise
    assert scored_rewards([Row("b", 1.0, 5), Row("b", 1.0, 5), Row("c", 1.0, 3)]) == [0.95, 0.95, 0.95]


def test_hand_computed_advantages():
    # lengths 1 and 3 correct, mean 2, std 1: z = -+1 / (1 + 1e-7), r = 1 - 0.1 * sigmoid(z)
    r1, r3 = 1 - 0.1 / (1 + math.exp(1 / (1 + 1e-7))), 1 - 0.1 / (1 + math.exp(-1 / (1 + 1e-7)))
    # with a wrong response of length 2 (r = 0): leave-one-out A_i = r_i - (sum - r_i) / 2
    total = r1 + r3
    loo = [r1 - r3 / 2, r3 - r1 / 2, -total / 2]  # 0.509659, 0.440341, -0.95
    # whitening over the 1 + 3 + 2 = 6 tokens, population variance
    tokens = [loo[0]] + [loo[1]] * 3 + [loo[2]] * 2
    mean = sum(tokens) / 6
    scale = math.sqrt(sum((t - mean) ** 2 for t in tokens) / 6)
    rows = [Row("q", 1.0, 1), Row("q", 1.0, 3), Row("q", 0.0, 2)]
    rewards, mask, index, _ = tensors(rows)
    advantages = per_row_advantages(make_estimator("arora_zanette", budget=8)(rewards, mask, index)[0], mask)
    assert advantages == pytest.approx([(value - mean) / scale for value in loo], abs=1e-6)  # float32 output


def test_budget_sets_the_truncation_length_only():
    assert make_estimator("arora_zanette").options == AroraZanetteOptions(alpha=0.1, budget=32000)
    scaled = make_estimator("arora_zanette", budget=128).options
    assert (scaled.alpha, scaled.budget) == (0.1, 128)
    # a correct response of exactly the budget is truncated: its reward is 0
    assert scored_rewards([Row("a", 1.0, 128), Row("a", 1.0, 127)], budget=128) == [0.0, 0.95]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"alpha": -0.1}, r"AroraZanetteOptions.alpha=-0.1 is invalid: allowed is 0 <= alpha <= 1"),
        ({"alpha": 1.5}, r"AroraZanetteOptions.alpha=1.5 is invalid: allowed is 0 <= alpha <= 1"),
        ({"alpha": "0.1"}, r"AroraZanetteOptions.alpha='0.1' is invalid: allowed is a finite real number"),
        ({"budget": 0}, r"AroraZanetteOptions.budget=0 is invalid: allowed is budget > 0"),
        ({"budget": float("inf")}, r"budget=inf is invalid: allowed is a finite real number"),
    ],
)
def test_bad_options_name_field_value_and_allowed_values(options, message):
    with pytest.raises(ValueError, match=message):
        METHODS["arora_zanette"].options.for_budget(BUDGET, **options)  # options may set the budget itself


def test_metrics_on_a_known_batch():
    rows = [Row("a", 1.0, 2), Row("a", 1.0, 4), Row("a", 0.0, 3), Row("a", 1.0, 8), Row("b", 0.0, 8)]
    rewards, mask, index, _ = tensors(rows)
    _, metrics = make_estimator("arora_zanette", budget=8)(rewards, mask, index)
    # two finished correct responses (z = -+1): penalties 0.1 * sigmoid(-+1) average to 0.05
    assert metrics["arora_zanette/correct_finished_rate"] == pytest.approx(2 / 5)
    assert metrics["arora_zanette/truncated_rate"] == pytest.approx(2 / 5)
    assert metrics["arora_zanette/length_penalty_mean_correct"] == pytest.approx(0.05)
    assert metrics["arora_zanette/reward_mean"] == pytest.approx((2 - 0.1) / 5)
