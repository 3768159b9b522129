"""What the study runs: configurations fixed from the task, the budget scaling recorded, the static
length-bonus baseline's advantages, and lead-demo's default methods."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lead.core.frame import frame_batch
from lead.demo.configurations import (
    ADAPTIVE_NEIGHBOURS,
    RATIOS,
    TaskFacts,
    demo_configurations,
    option_problems,
    resolved_options,
    select,
    study_configurations,
    unavailable,
)
from lead.demo.settings import StudySettings
from lead.demo.static_bonus import StaticBonusOptions, static_bonus_estimator, static_bonus_rewards
from lead.demo.task import MAX_DIGITS, MIN_DIGITS, shortest_correct_length
from lead.methods import METHODS

TASK = TaskFacts(budget=128, min_digits=MIN_DIGITS, max_digits=MAX_DIGITS)


def test_the_default_task_spans_a_fourfold_range_that_fits_the_budget() -> None:
    shortest = TASK.shortest_by_difficulty
    assert shortest == {2: 9, 3: 15, 4: 21, 5: 27, 6: 33, 7: 39}
    assert shortest[MAX_DIGITS] >= 4 * shortest[MIN_DIGITS]
    assert StudySettings().max_completion_length == TASK.budget


def test_the_study_covers_every_required_configuration_once() -> None:
    configurations = study_configurations(TASK)
    names = [c.name for c in configurations]
    assert len(names) == len(set(names)) == 2 + len(ADAPTIVE_NEIGHBOURS) + 2 * len(RATIOS) + 6
    defaults = [c.key for c in configurations if c.group == "default"]
    assert defaults == ["grpo", "lead", "laser_d", "kimi", "arora_zanette", "shorter_better", "hapo"]
    assert [c.value for c in configurations if c.key == "grpo_static"] == [0.25, 1.0, 4.0]
    lead_static = {c.value: dict(c.options) for c in configurations if c.key == "lead_static"}
    assert lead_static[4.0]["static_lambda_corr"] == pytest.approx(0.2)
    # limits: below the hardest problems' shortest solution (39), just above it, well above it
    assert TASK.limits == (29, 49, 78)
    assert [dict(c.options)["limit"] for c in configurations if c.key == "dler"] == [29, 49, 78]
    assert [dict(c.options)["target_length"] for c in configurations if c.key == "laser"] == [29, 49, 78]
    assert all(c.value is None for c in configurations if c.group == "default")


def test_every_lead_configuration_uses_the_task_floor_and_records_scaled_options() -> None:
    leads = [c for c in study_configurations(TASK) if c.method == "lead"]
    assert len(leads) == 1 + len(RATIOS)
    for configuration in leads:
        options = resolved_options(configuration, TASK.budget)
        assert options["lstar_min"] == TASK.lead_floor == shortest_correct_length(MIN_DIGITS) == 9
        assert options["bmax"] == 128
        assert options["short_guard"] == pytest.approx(500 * 128 / 8000)  # scaled default, unused by max_sym
    grpo_static = next(c for c in study_configurations(TASK) if c.key == "grpo_static")
    assert resolved_options(grpo_static, TASK.budget)["threshold"] == 64  # 2000 of 4000, scaled to 128


def test_demo_default_is_grpo_lead_and_dler_just_above_the_hardest_need() -> None:
    demo = demo_configurations(TASK)
    assert [c.key for c in demo] == ["grpo", "lead", "dler"]
    limit = dict(demo[2].options)["limit"]
    assert shortest_correct_length(MAX_DIGITS) < limit < TASK.budget
    assert select(study_configurations(TASK), ["dler"])[1] == demo[2]


def test_unregistered_methods_are_reported_not_built() -> None:
    keys = ["laser_d", "kimi", "arora_zanette", "shorter_better", "hapo", "dler", "laser"]
    assert unavailable(study_configurations(TASK)) == [key for key in keys if key not in METHODS]
    assert option_problems(study_configurations(TASK)) == []


def test_static_bonus_rewards_and_advantages_by_hand() -> None:
    estimator = static_bonus_estimator(128, ratio=1.0)
    assert estimator.options.threshold == 64
    # one group of four: (correct, length) = (1, 20), (1, 100), (0, 30), (0, 128)
    lengths = [20, 100, 30, 128]
    correct = [1.0, 1.0, 0.0, 0.0]
    mask = torch.zeros(4, 128)
    rewards = torch.zeros(4, 128)
    for row, (n, c) in enumerate(zip(lengths, correct, strict=True)):
        mask[row, :n] = 1
        rewards[row, n - 1] = c
    advantages, metrics = estimator(rewards, mask, ["q"] * 4)
    shaped = torch.tensor([0.5 + 0.5, 0.5, 0.5, 0.0])  # 0.5 c + 0.5 [L <= 64], bonus even when wrong
    expected = (shaped - shaped.mean()) / (shaped.std() + 1e-6)
    assert advantages[:, 0].tolist() == pytest.approx(expected.tolist(), abs=1e-6)
    assert metrics["grpo_static/bonus_rate"] == pytest.approx(0.5)


BONUS_BUDGET = 16


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 3), st.booleans(), st.integers(1, BONUS_BUDGET)), min_size=1, max_size=24
    ),
    ratio=st.sampled_from([0.0, 0.25, 1.0, 4.0]) | st.floats(0, 100),
    threshold=st.integers(1, BONUS_BUDGET + 2),
    bonus_requires_correct=st.booleans(),
)
def test_static_bonus_rewards_match_the_reward_functions_rule_response_by_response(
    rows, ratio, threshold, bonus_requires_correct
) -> None:
    # rows: (group, correct, length); the oracle is LengthShaping's scalar rule, one response at a time
    mask = torch.zeros(len(rows), BONUS_BUDGET)
    rewards = torch.zeros(len(rows), BONUS_BUDGET, dtype=torch.float64)
    for row, (_, correct, length) in enumerate(rows):
        mask[row, :length] = 1
        rewards[row, length - 1] = float(correct)
    responses = frame_batch(rewards, mask, [group for group, _, _ in rows]).responses
    options = StaticBonusOptions.for_budget(
        BONUS_BUDGET, ratio=ratio, threshold=threshold, bonus_requires_correct=bonus_requires_correct
    )
    scored = static_bonus_rewards(responses, options, None, 1)
    shaping = options.shaping()
    expected = [shaping.score(correct, length) for _, correct, length in rows]
    assert scored.values.dtype == torch.float64
    assert scored.values.tolist() == pytest.approx(expected, abs=1e-12)
    earned = [shaping.bonus(correct, length) > 0 for _, correct, length in rows]
    assert scored.metrics["grpo_static/bonus_rate"] == pytest.approx(sum(earned) / len(rows))


def test_every_study_key_has_a_title_and_a_colour() -> None:
    from lead.demo.configurations import TITLES
    from lead.demo.plots import COLORS

    keys = {c.key for c in study_configurations(TASK)}
    assert keys == set(TITLES) == set(COLORS)
