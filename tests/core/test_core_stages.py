"""Each stage of the algorithm on batches small enough to check on paper."""

from __future__ import annotations

import math
import uuid

import numpy as np
import pytest
import torch

from lead import LEADEstimator
from lead.core.combine import combine_advantages
from lead.core.efficiency import efficiency_rewards
from lead.core.frame import broadcast_to_tokens, cast_mask_buffer
from lead.core.grouping import Groups, factorize_index, segment_extreme, segment_median
from lead.core.normalization import group_normalize, whiten
from lead.core.psi import WeightController, pooled_moments, psi_statistics
from lead.core.target_length import solvable_groups, target_lengths


def f64(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def groups_of(codes: list[int]) -> Groups:
    return Groups.from_codes(torch.tensor(codes))


# Three groups. a: correct 3, 5, 10 and wrong 7; b: wrong 2 and 4 (unsolved); c: correct 6 and 8.
LENGTHS = f64([3, 5, 10, 7, 2, 4, 6, 8])
CORRECT = torch.tensor([True, True, True, False, False, False, True, True])
GROUPS = groups_of([0, 0, 0, 0, 1, 1, 2, 2])


@pytest.mark.parametrize(
    ("aggregator", "expected"),
    [
        ("mean_correct", [6.0, 9.0, 7.0]),  # (3+5+10)/3; unsolved -> bmax; (6+8)/2
        ("min_correct", [4.0, 9.0, 6.0]),  # 3 clamped up to lstar_min 4
        ("median_correct", [5.0, 9.0, 7.0]),  # odd count: middle; even count: mean of the two middle
        ("mean_all", [6.25, 4.0, 7.0]),  # (3+5+10+7)/4; (2+4)/2 = 3 clamped up to 4; correctness-blind
    ],
)
def test_target_lengths_per_aggregator(aggregator, expected):
    targets = target_lengths(LENGTHS, CORRECT, GROUPS, aggregator=aggregator, bmax=9, lstar_min=4)
    assert targets.tolist() == expected


def test_target_length_clamps_to_bmax_and_marks_solvable_groups():
    targets = target_lengths(LENGTHS, CORRECT, GROUPS, aggregator="mean_correct", bmax=5.5, lstar_min=1)
    assert targets.tolist() == [5.5, 5.5, 5.5]
    assert solvable_groups(CORRECT, GROUPS).tolist() == [True, False, True]


def test_median_of_even_count_averages_the_two_middle_values():
    values = f64([9, 1, 4, 7, 2, 2])
    ids = torch.tensor([0, 0, 0, 0, 1, 2])
    assert segment_median(values, ids, 4).tolist()[:3] == [5.5, 2.0, 2.0]
    assert math.isnan(segment_median(values, ids, 4)[3])
    assert math.isnan(segment_extreme(values, ids, 4, "amin")[3])


# One group with target L = 4 and lengths 2, 4, 6, 9, correctness alternating.
EFF_LENGTHS = f64([2, 4, 6, 9])
EFF_CORRECT = torch.tensor([True, False, True, False])
EFF_TARGETS = f64([4, 4, 4, 4])


@pytest.mark.parametrize(
    ("mode", "short_guard", "expected"),
    [
        # max(-1, 1 - |l - 4| / 4): 1 - 2/4, 1, 1 - 2/4, 1 - 5/4 -> -0.25
        ("max_sym", 500, [0.5, 1.0, 0.5, -0.25]),
        # clamp(1 - l / 4, -1, 0): 0.5 -> 0, 0, -0.5, -1.25 -> -1
        ("upper_only", 500, [0.0, 0.0, -0.5, -1.0]),
        # correct: max(0, 1 - l/4) (0.5, 0); wrong: clamp(1 - l/4, -1, 0) (0, -1)
        ("max_asym", 2, [0.5, 0.0, 0.0, -1.0]),
        # the guard: the correct response of length 2 < 3 earns 0
        ("max_asym", 3, [0.0, 0.0, 0.0, -1.0]),
    ],
)
def test_efficiency_reward_per_mode(mode, short_guard, expected):
    rewards = efficiency_rewards(EFF_LENGTHS, EFF_CORRECT, EFF_TARGETS, mode=mode, short_guard=short_guard)
    assert rewards.tolist() == expected


def test_unsolved_group_in_max_sym_rewards_length_over_bmax():
    lengths = f64([100, 2000, 7999])
    wrong = torch.zeros(3, dtype=torch.bool)
    targets = target_lengths(
        lengths, wrong, groups_of([0, 0, 0]), aggregator="mean_correct", bmax=8000, lstar_min=1000
    )
    rewards = efficiency_rewards(lengths, wrong, targets[[0, 0, 0]], mode="max_sym", short_guard=500)
    torch.testing.assert_close(rewards, lengths / 8000, rtol=0, atol=1e-15)


def test_group_normalisation_unbiased_std_and_group_of_one():
    # group 0: 1, 0 -> mean 0.5, unbiased std sqrt(0.5); group 1: 3, 3 -> std 0; group 2 alone: 0.7
    values = f64([1.0, 0.0, 3.0, 3.0, 0.7])
    normalised = group_normalize(values, groups_of([5, 5, 9, 9, 2]))
    half = 0.5 / (math.sqrt(0.5) + 1e-6)
    assert normalised.tolist() == pytest.approx([half, -half, 0.0, 0.0, 0.7 / (1 + 1e-6)], abs=1e-15)
    stacked = group_normalize(torch.stack([values, 2 * values]), groups_of([5, 5, 9, 9, 2]))
    torch.testing.assert_close(
        stacked, torch.stack([normalised, group_normalize(2 * values, groups_of([5, 5, 9, 9, 2]))])
    )


def test_pooled_moments_weigh_groups_equally_per_reward_and_member_set():
    # reward 0 over all: group 0 has 1, 0 (mean 0.5, population variance 0.25), group 1 has 1, 1, 1, 1
    # reward 1 over members: group 0 only 0.2 and 0.6 (mean 0.4, variance 0.04), group 1 none
    values = torch.stack([f64([1, 0, 1, 1, 1, 1]), f64([0.2, 0.6, 9, 9, 9, 9])])
    members = torch.tensor([[True] * 6, [True, True, False, False, False, False]])
    mu, sigma = pooled_moments(values, groups_of([0, 0, 1, 1, 1, 1]), members)
    assert mu == pytest.approx([0.75, 0.4], abs=1e-15)
    # mean variance 0.125 + variance of the means 0.0625; a single member group: its own variance
    assert sigma == pytest.approx([math.sqrt(0.1875 + 1e-8), math.sqrt(0.04 + 1e-8)], abs=1e-15)
    nobody = torch.zeros(1, 6, dtype=torch.bool)
    assert pooled_moments(values[:1], groups_of([0, 0, 1, 1, 1, 1]), nobody) == ([0.0], [0.0])


def test_psi_statistics_by_hand():
    stats = psi_statistics(0.75, 0.5, -0.5, 0.25, alpha=2.0, epsilon=0.0 + 1e-8)
    cv_c, cv_e = 0.5 / (0.75 + 1e-8), 0.25 / (0.5 + 1e-8)
    cvn_c, cvn_e = cv_c / (cv_c + cv_e + 1e-8), cv_e / (cv_c + cv_e + 1e-8)
    p_c, p_e = 0.25**2, (1 - 0.5 / 2) ** 2  # (1 - 0.75)^2 ; (1 - (-0.5 + 1) / 2)^2
    d_c, d_e = cvn_c * p_c, cvn_e * p_e
    assert stats.cv_corr == pytest.approx(cv_c, rel=1e-14)
    assert stats.cv_eff_norm == pytest.approx(cvn_e, rel=1e-14)
    assert (stats.potential_corr, stats.potential_eff) == pytest.approx((0.0625, 0.5625), rel=1e-14)
    assert stats.d_corr == pytest.approx(d_c, rel=1e-14)
    assert stats.target_w_corr == pytest.approx(d_c / (d_c + d_e + 1e-8), rel=1e-14)
    assert stats.target_w_eff == pytest.approx(d_e / (d_c + d_e + 1e-8), rel=1e-14)


def test_psi_with_nothing_correct_puts_all_target_weight_on_correctness():
    stats = psi_statistics(0.0, math.sqrt(1e-8), 0.0, 0.0, alpha=1.0, epsilon=1e-8)
    assert stats.cv_corr == pytest.approx(1e4)
    assert (stats.cv_eff, stats.d_eff, stats.potential_eff) == (0.0, 0.0, 0.5)
    assert stats.target_w_corr == pytest.approx(1.0, abs=1e-7)


def test_controller_ema_first_step_floor_and_state():
    controller = WeightController(beta=0.9, lambda_min=0.3)
    first = controller.update(1.0, 0.0)  # 0.9 * 0.5 + 0.1 * (1, 0)
    assert (first.corr, first.eff) == pytest.approx((0.55, 0.45))
    second = controller.update(0.0, 1.0)  # 0.9 * (0.55, 0.45) + 0.1 * (0, 1)
    assert (second.corr, second.eff) == pytest.approx((0.495, 0.505))
    for _ in range(8):
        used = controller.update(0.0, 1.0)
    ema_corr = 0.495 * 0.9**8
    assert controller.ema_w_corr == pytest.approx(ema_corr)  # 0.2131..., below the floor
    assert (used.corr, used.eff) == pytest.approx((0.3, 0.7))  # floor on the weights used only
    assert controller.state_dict() == pytest.approx(
        {"ema_w_corr": ema_corr, "ema_w_eff": 1 - ema_corr, "initialized": True}
    )


def test_static_controller_uses_and_records_the_fixed_pair():
    controller = WeightController(beta=0.95, lambda_min=0.3, static_lambda_corr=0.2)
    used = controller.update(0.9, 0.1)
    assert (used.corr, used.eff) == pytest.approx((0.2, 0.8))  # no floor on static weights
    assert controller.state_dict() == pytest.approx(
        {"ema_w_corr": 0.2, "ema_w_eff": 0.8, "initialized": True}
    )


@pytest.mark.parametrize(
    "state",
    [
        {"ema_w_corr": 0.5, "ema_w_eff": 0.5, "initialized": True},
        {"ema_w_corr": "0.5", "ema_w_eff": 0.5, "initialized": True, "step": 1},
        {"ema_w_corr": 0.5, "ema_w_eff": float("nan"), "initialized": True, "step": 1},
        {"ema_w_corr": 0.5, "ema_w_eff": 0.5, "initialized": 1, "step": 1},
        {"ema_w_corr": 0.5, "ema_w_eff": 0.5, "initialized": True, "step": -1},
        [0.5, 0.5],
    ],
)
def test_estimator_rejects_malformed_state(state):
    with pytest.raises(ValueError, match=r"(?i)lead state"):
        LEADEstimator().load_state_dict(state)


def test_combination_and_whitening_by_hand():
    combined = combine_advantages(f64([1.0, -1.0]), f64([0.0, 2.0]), 0.75, 0.25)
    assert combined.tolist() == [0.75, -0.25]
    values, lengths = f64([1.0, -1.0]), f64([3, 1])
    # tokens 1, 1, 1, -1: mean 0.5, unbiased variance (3 * 0.25 + 2.25) / 3 = 1
    assert whiten(values, lengths, "token").tolist() == pytest.approx(
        [0.5 / math.sqrt(1 + 1e-8), -1.5 / math.sqrt(1 + 1e-8)], abs=1e-15
    )
    # responses 1, -1: mean 0, unbiased variance 2
    assert whiten(values, lengths, "sequence").tolist() == pytest.approx(
        [1 / math.sqrt(2 + 1e-8), -1 / math.sqrt(2 + 1e-8)], abs=1e-15
    )
    assert whiten(values, lengths, "none").tolist() == [1.0, -1.0]


def test_whitening_a_single_token_or_response_gives_zero():
    assert whiten(f64([3.0]), f64([1]), "token").tolist() == [0.0]
    assert whiten(f64([3.0]), f64([5]), "sequence").tolist() == [0.0]
    assert whiten(f64([3.0]), f64([5]), "token").tolist() == [0.0]  # one response, 5 equal tokens


def test_broadcast_multiplies_by_mask_in_the_requested_dtype():
    mask = torch.tensor([[1, 1, 0], [0, 0, 0]])
    expected = [[2.5, 2.5, 0.0], [0.0, 0.0, 0.0]]
    for mask_variant in (mask, mask.bool(), mask.float(), mask.double()):
        buffer = cast_mask_buffer(mask_variant, torch.float32)
        out = broadcast_to_tokens(f64([2.5, 7.0]), mask_variant, torch.float32, buffer)
        assert out.dtype == torch.float32 and out.tolist() == expected
        assert (buffer is None) == (mask_variant.dtype in (torch.float32, torch.bool))
    assert mask.tolist() == [[1, 1, 0], [0, 0, 0]]


@pytest.mark.parametrize(
    "index",
    [
        ["b", "a", "b", "c"],
        [7, 3, 7, 11],
        np.array(["x", "y", "x", "z"], dtype=object),
        [uuid.UUID(int=5), uuid.UUID(int=1), uuid.UUID(int=5), uuid.UUID(int=9)],
        torch.tensor([2, 0, 2, 1]),
        [("p", 1), ("p", 0), ("p", 1), ("q", 0)],
        [1, "1x", 1, None],
    ],
)
def test_factorize_index_equal_labels_equal_codes(index):
    codes = factorize_index(index, 4).tolist()
    assert codes[0] == codes[2]
    assert len({codes[0], codes[1], codes[3]}) == 3


@pytest.mark.parametrize(
    "labels",
    [["uid-b", "uid-a", "uid-b", "uid-c", "uid-a"], ["x", "X", "", "\u00e9", "x"], ["a", 1, "a", 2.5, 1]],
)
def test_factorize_index_object_arrays_number_labels_in_sorted_order(labels):
    index = np.array(labels, dtype=object)
    expected = np.unique(index.astype(str), return_inverse=True)[1].tolist()
    assert factorize_index(index, len(labels)).tolist() == expected


def test_factorize_index_rejects_wrong_length():
    with pytest.raises(ValueError, match=r"index has shape \(3,\): allowed is one group id per row"):
        factorize_index(["a", "b", "c"], 4)
    with pytest.raises(ValueError, match="index of type"):
        factorize_index(iter(["a"]), 1)
