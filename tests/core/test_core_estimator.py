"""The estimator end to end: hand-computed batches, input checks, padding, index types, resume."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import uuid

import numpy as np
import pytest
import torch

from lead import LEADConfig, LEADEstimator

# Group a: correct 2, wrong 8, correct 6 (target (2 + 6) / 2 = 4); group b: correct 3 and 6
# (target 4.5); one padding row. bmax 10 and lstar_min 1 leave the targets unclamped.
SCORES = [1.0, 0.0, 1.0, 1.0, 1.0, 0.0]
LENGTHS = [2, 8, 6, 3, 6, 0]
INDEX = ["a", "a", "a", "b", "b", "pad-0"]
SMALL = {"bmax": 10, "lstar_min": 1}

S3 = math.sqrt(1 / 3) + 1e-6  # unbiased std of (1, 0, 1), (0, -1, 0), ... plus the 1e-6
S18 = math.sqrt(1 / 18) + 1e-6  # unbiased std of (0, -1/3) and (1/3, 0)
CORR_A = [(1 / 3) / S3, (-2 / 3) / S3, (1 / 3) / S3]  # correctness (1, 0, 1) normalised; group b: 0
# efficiency rewards per mode (group a, group b) and their normalised values
EFFICIENCY_CASES = {
    # max(-1, 1 - |l - L| / L): a (0.5, 0, 0.5) -> mean 1/3, std sqrt(1/12); b (2/3, 2/3) -> 0
    "max_sym": (
        {},
        [
            (1 / 6) / (math.sqrt(1 / 12) + 1e-6),
            (-1 / 3) / (math.sqrt(1 / 12) + 1e-6),
            (1 / 6) / (math.sqrt(1 / 12) + 1e-6),
        ],
        [0.0, 0.0],
    ),
    # clamp(1 - l / L, -1, 0): a (0, -1, -0.5) -> mean -0.5, std 0.5; b (0, -1/3)
    "upper_only": ({}, [0.5 / 0.500001, -0.5 / 0.500001, 0.0], [(1 / 6) / S18, -(1 / 6) / S18]),
    # guard 3: a correct 2 -> 0, wrong 8 -> -1, correct 6 -> 0; b correct 3 -> 1/3, correct 6 -> 0
    "max_asym": (
        {"short_guard": 3},
        [(1 / 3) / S3, (-2 / 3) / S3, (1 / 3) / S3],
        [(1 / 6) / S18, -(1 / 6) / S18],
    ),
}


@pytest.mark.parametrize("mode", sorted(EFFICIENCY_CASES))
def test_hand_computed_advantages_per_mode(mode, batch_from):
    extra, eff_a, eff_b = EFFICIENCY_CASES[mode]
    config = LEADConfig(lstar_mode=mode, static_lambda_corr=0.25, whiten="none", **SMALL, **extra)
    rewards, mask = batch_from(SCORES, LENGTHS, width=8)
    advantages, metrics = LEADEstimator(config)(rewards, mask, INDEX)
    per_response = [0.25 * c + 0.75 * e for c, e in zip([*CORR_A, 0.0, 0.0], eff_a + eff_b, strict=True)]
    expected = torch.tensor([[value] * 8 for value in [*per_response, 0.0]]) * mask
    torch.testing.assert_close(advantages, expected, rtol=0, atol=1e-6)
    assert (metrics["lead/w_corr"], metrics["lead/w_eff"]) == (0.25, 0.75)


def test_hand_computed_adaptive_step_metrics_and_whitening(batch_from):
    rewards, mask = batch_from(SCORES, LENGTHS, width=8)
    advantages, metrics = LEADEstimator(LEADConfig(**SMALL))(rewards, mask, INDEX)
    # correctness: group means 2/3 and 1, population variances 2/9 and 0
    mu_c, sigma_c = 5 / 6, math.sqrt(1 / 9 + 1 / 36 + 1e-8)
    # efficiency over correct responses: a (0.5, 0.5), b (2/3, 2/3)
    mu_e, sigma_e = 7 / 12, math.sqrt(1 / 144 + 1e-8)
    cv_c, cv_e = sigma_c / (mu_c + 1e-8), sigma_e / (mu_e + 1e-8)
    d_c = cv_c / (cv_c + cv_e + 1e-8) * (1 - mu_c)
    d_e = cv_e / (cv_c + cv_e + 1e-8) * (1 - (mu_e + 1) / 2)
    target_c = d_c / (d_c + d_e + 1e-8)
    ema_c = 0.95 * 0.5 + 0.05 * target_c
    expected = {
        "lead/step": 1.0,
        "lead/mu_corr": mu_c,
        "lead/sigma_corr": sigma_c,
        "lead/mu_eff": mu_e,
        "lead/sigma_eff": sigma_e,
        "lead/cv_corr": cv_c,
        "lead/cv_eff": cv_e,
        "lead/potential_corr": 1 / 6,
        "lead/potential_eff": 5 / 24,
        "lead/D_corr": d_c,
        "lead/D_eff": d_e,
        "lead/target_w_corr": target_c,
        "lead/ema_w_corr": ema_c,
        "lead/w_corr": max(ema_c, 0.3),
        "lead/w_eff": 1 - max(ema_c, 0.3),
        "lead/lstar_mean": 4.25,
        "lead/lstar_mean_solvable": 4.25,
        "lead/lstar_median_solvable": 4.25,
        "lead/lstar_min_solvable": 4.0,
        "lead/lstar_max_solvable": 4.5,
        "lead/num_solvable_prompts": 2.0,
        "lead/num_unsolved_prompts": 0.0,
        "lead/accuracy_batch": 0.8,
        "lead/r_eff_mean": (0.5 + 0 + 0.5 + 2 / 3 + 2 / 3) / 5,
        "lead/r_eff_mean_correct": (0.5 + 0.5 + 2 / 3 + 2 / 3) / 4,
        "lead/r_eff_min_correct": 0.5,
        "lead/r_eff_max_correct": 2 / 3,
        "lead/resp_len_mean": 5.0,
        "lead/resp_len_mean_correct": 4.25,
        "lead/num_valid_responses": 5.0,
        "lead/num_ignored_rows": 1.0,
    }
    for name, value in expected.items():
        assert metrics[name] == pytest.approx(value, rel=1e-12, abs=1e-12), name
    # token whitening: zero mean and unit unbiased variance over the 25 valid tokens
    tokens = advantages[mask.bool()].double()
    assert tokens.numel() == 25
    assert float(tokens.mean()) == pytest.approx(0.0, abs=1e-6)
    assert float(tokens.var(unbiased=True)) == pytest.approx(1.0, abs=1e-6)
    assert advantages[5].abs().sum() == 0


def test_all_wrong_batch_gives_zero_correctness_signal_and_full_budget(batch_from):
    rewards, mask = batch_from([0.0] * 4, [100, 300, 200, 400])
    advantages, metrics = LEADEstimator()(rewards, mask, ["q", "q", "r", "r"])
    assert metrics["lead/num_solvable_prompts"] == 0.0
    assert metrics["lead/lstar_mean"] == 8000.0
    assert (metrics["lead/mu_eff"], metrics["lead/sigma_eff"], metrics["lead/lstar_mean_solvable"]) == (
        0,
        0,
        0,
    )
    assert metrics["lead/r_eff_mean"] == pytest.approx(250 / 8000)  # r = l / bmax when unsolved
    # longer responses get the higher efficiency reward within each group (pressure toward the budget)
    assert advantages[1, 0] > advantages[0, 0] and advantages[3, 0] > advantages[2, 0]


def test_equal_lengths_and_scores_give_all_zero_advantages(batch_from):
    rewards, mask = batch_from([1.0] * 6, [5] * 6)
    advantages, _ = LEADEstimator(LEADConfig(**SMALL))(rewards, mask, [0, 0, 0, 1, 1, 1])
    assert advantages.abs().max() < 1e-6


def test_padding_rows_change_nothing_and_get_zero(batch_from):
    scores, lengths, index = [1.0, 0.0, 1.0, 0.0, 1.0], [3, 7, 4, 2, 6], ["a", "a", "b", "b", "b"]
    rewards, mask = batch_from(scores, lengths, width=8)
    reference, reference_metrics = LEADEstimator(LEADConfig(**SMALL))(rewards, mask, index)
    padded_rewards, padded_mask = batch_from(
        [0.0, *scores[:2], 0.0, *scores[2:]], [0, *lengths[:2], 0, *lengths[2:]], width=8
    )
    padded, padded_metrics = LEADEstimator(LEADConfig(**SMALL))(
        padded_rewards, padded_mask, ["pad-1", *index[:2], "b", *index[2:]]
    )
    torch.testing.assert_close(padded[[1, 2, 4, 5, 6]], reference, rtol=0, atol=1e-7)
    assert padded[[0, 3]].abs().sum() == 0
    assert padded_metrics.pop("lead/num_ignored_rows") == 2.0
    assert reference_metrics.pop("lead/num_ignored_rows") == 0.0
    assert padded_metrics == pytest.approx(reference_metrics, abs=1e-12)


def test_row_permutation_permutes_the_advantages(batch_from):
    scores, lengths = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0], [3, 7, 4, 2, 6, 5, 1]
    index = ["a", "a", "b", "b", "b", "c", "a"]
    rewards, mask = batch_from(scores, lengths)
    reference, _ = LEADEstimator(LEADConfig(**SMALL))(rewards, mask, index)
    order = [4, 0, 6, 2, 5, 1, 3]
    permuted, _ = LEADEstimator(LEADConfig(**SMALL))(rewards[order], mask[order], [index[i] for i in order])
    torch.testing.assert_close(permuted, reference[order], rtol=0, atol=1e-7)


@pytest.mark.parametrize(
    "index",
    [
        ["p", "p", "q", "q", "r"],
        [10, 10, 4, 4, 99],
        np.array(["u1", "u1", "u2", "u2", "u3"], dtype=object),
        [uuid.UUID(int=3), uuid.UUID(int=3), uuid.UUID(int=1), uuid.UUID(int=1), uuid.UUID(int=2)],
        torch.tensor([2, 2, 0, 0, 1]),
    ],
)
def test_every_index_type_gives_the_same_result(index, batch_from):
    rewards, mask = batch_from([1.0, 0.0, 0.0, 1.0, 1.0], [3, 5, 2, 6, 4])
    expected, _ = LEADEstimator(LEADConfig(**SMALL))(rewards, mask, ["g0", "g0", "g1", "g1", "g2"])
    actual, _ = LEADEstimator(LEADConfig(**SMALL))(rewards, mask, index)
    torch.testing.assert_close(actual, expected, rtol=0, atol=0)


def test_output_dtypes_follow_the_rewards(batch_from):
    rewards, mask = batch_from([1.0, 0.0, 1.0], [2, 3, 1])
    estimator = LEADEstimator(LEADConfig(**SMALL))
    index = ["a", "a", "a"]
    assert estimator(rewards, mask.bool(), index)[0].dtype == torch.float32
    assert estimator(rewards.double(), mask.long(), index)[0].dtype == torch.float64
    as_int, _ = estimator(rewards.long(), mask.long(), index)
    assert as_int.dtype == torch.float32 and as_int.shape == (3, 3)


@pytest.mark.parametrize("mask_dtype", [torch.float32, torch.float64, torch.int64, torch.int32, torch.bool])
def test_inputs_are_left_untouched_for_every_mask_dtype(mask_dtype, batch_from):
    rewards, mask = batch_from([1.0, 0.0, 1.0, 0.0], [2, 3, 1, 3])
    mask = mask.to(mask_dtype)
    rewards_before, mask_before = rewards.clone(), mask.clone()
    advantages, _ = LEADEstimator(LEADConfig(**SMALL))(rewards, mask, ["a", "a", "b", "b"])
    assert torch.equal(rewards, rewards_before) and torch.equal(mask, mask_before)
    assert advantages.dtype == torch.float32 and bool((advantages[~mask.bool()] == 0).all())


def test_resume_from_state_dict_continues_the_same_sequence():
    generator = torch.Generator().manual_seed(3)

    def random_batch() -> tuple[torch.Tensor, torch.Tensor, list[int]]:
        lengths = torch.randint(0, 40, (24,), generator=generator)
        mask = (torch.arange(40)[None, :] < lengths[:, None]).float()
        rewards = torch.zeros(24, 40)
        rewards[:, -1] = (torch.rand(24, generator=generator) < 0.4).float()
        return rewards, mask, [row // 4 for row in range(24)]

    batches = [random_batch() for _ in range(7)]
    config = LEADConfig(bmax=40, lstar_min=5)
    uninterrupted = LEADEstimator(config)
    expected = [uninterrupted(*batch) for batch in batches]

    first = LEADEstimator(config)
    for batch in batches[:4]:
        first(*batch)
    saved = json.loads(json.dumps(first.state_dict()))
    assert saved["step"] == 4 and saved["initialized"] is True
    resumed = LEADEstimator(config)
    resumed.load_state_dict(saved)
    for batch, (expected_advantages, expected_metrics) in zip(batches[4:], expected[4:], strict=True):
        advantages, metrics = resumed(*batch)
        assert torch.equal(advantages, expected_advantages)
        assert metrics == expected_metrics
    assert resumed.state_dict() == uninterrupted.state_dict()


@pytest.mark.parametrize(
    ("rewards", "mask", "index", "message"),
    [
        (torch.zeros(3, 4), torch.ones(3, 5), ["a"] * 3, r"response_mask has shape \(3, 5\)"),
        (torch.zeros(3), torch.ones(3), ["a"] * 3, r"token_level_rewards is \(3,\): allowed is a 2-D"),
        ([[0.0]], torch.ones(1, 1), ["a"], "token_level_rewards is list"),
        (torch.zeros(3, 4), torch.ones(3, 4), ["a"] * 2, r"index has shape \(2,\)"),
        (torch.zeros(2, 4), torch.zeros(2, 4), ["a", "b"], "no row with a valid token"),
        (
            torch.full((2, 2), 0.5).masked_fill(torch.eye(2).bool(), float("nan")),
            torch.ones(2, 2),
            ["a"] * 2,
            "token_level_rewards row 0 sums to nan: allowed are finite rewards",
        ),
        (torch.tensor([[0.0, 1.0], [float("inf"), 0.0]]), torch.ones(2, 2), ["a"] * 2, "row 1 sums to inf"),
        (
            torch.zeros(2, 2),
            torch.tensor([[1.0, 0.5], [1.0, 1.0]]),
            ["a"] * 2,
            "response_mask row 0 sums to 1.5: allowed are 0/1 mask values",
        ),
        (torch.zeros(2, 2), torch.tensor([[1, 1], [-1, 0]]), ["a"] * 2, "response_mask row 1 sums to -1.0"),
    ],
)
def test_bad_input_raises_a_clear_value_error(rewards, mask, index, message):
    with pytest.raises(ValueError, match=message):
        LEADEstimator()(rewards, mask, index)


def test_module_smoke_command_prints_a_metrics_table():
    result = subprocess.run(
        [sys.executable, "-m", "lead.core", "--steps", "2"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "lead/w_corr" in result.stdout and "lead/lstar_mean" in result.stdout
    header = next(line for line in result.stdout.splitlines() if line.startswith("metric"))
    assert header.split() == ["metric", "step", "1", "step", "2"]


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_inputs_give_the_cpu_result_on_the_same_device(batch_from):
    rewards, mask = batch_from([1.0, 0.0, 1.0, 1.0, 0.0], [3, 7, 4, 2, 0], width=8)
    index = ["a", "a", "b", "b", "pad"]
    expected, expected_metrics = LEADEstimator(LEADConfig(**SMALL))(rewards, mask.long(), index)
    actual, metrics = LEADEstimator(LEADConfig(**SMALL))(rewards.cuda(), mask.long().cuda(), index)
    assert actual.device.type == "cuda"
    torch.testing.assert_close(actual.cpu(), expected, rtol=0, atol=1e-6)
    assert metrics == pytest.approx(expected_metrics, abs=1e-9)
