"""``laser_d``: LASER's bonus with a target per difficulty bucket, chosen from the coverage of recent
responses every ``refresh_interval`` steps; against a stateful loop oracle written from METHODS_SPEC
over several steps (across refreshes, state included), against verl's ``grpo``, and by hand."""

from __future__ import annotations

import json
import math
import random
from fractions import Fraction

import laser_oracle
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from methods_support import Row, assert_rows_close, method_batches, oracle_common, per_row_advantages, tensors
from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage

from lead.methods import METHODS, make_estimator

BUDGET = 16
BUCKETS = ("easy", "medium", "hard")


class OracleLaserD:
    """LASER-D step by step with lists and fractions: the window is the list of ``(bucket, length)``
    of every response since the last refresh."""

    def __init__(
        self,
        budget=BUDGET,
        target=BUDGET / 4,
        spacing=BUDGET / 16,
        bonus=0.5,
        interval=20,
        rounding="ceil",
        coverage_rule="reward",
        group_size=None,
    ):
        self.budget, self.bonus, self.interval = budget, bonus, interval
        self.rounding, self.coverage_rule, self.group_size = rounding, coverage_rule, group_size
        self.candidates = []
        k = 0
        while target + k * spacing < budget:
            self.candidates.append(target + k * spacing)
            k += 1
        self.candidates.append(budget)
        self.targets = dict.fromkeys(BUCKETS)  # None: no candidate qualified
        self.coverage = dict.fromkeys(BUCKETS, 0.0)
        self.window = []
        self.largest = 0
        self.step = 0

    @staticmethod
    def bucket(successes: int, size: int, rule: str) -> str:
        p = Fraction(successes, size)
        if rule == "reward":
            return "easy" if p >= Fraction(2, 3) else "medium" if p >= Fraction(1, 3) else "hard"
        return "hard" if p <= Fraction(1, 3) else "medium" if p <= Fraction(2, 3) else "easy"

    def quota(self, bucket: str, group_size: int) -> int:
        share = {"easy": Fraction(2 * group_size, 3), "medium": Fraction(group_size, 3)}.get(bucket)
        if share is None:
            return 1
        return math.ceil(share) if self.rounding == "ceil" else math.floor(share)

    def refresh(self) -> None:
        group_size = self.group_size or self.largest
        for bucket in BUCKETS:
            lengths = [length for b, length in self.window if b == bucket]
            self.targets[bucket], self.coverage[bucket] = None, 0.0
            for candidate in self.candidates:
                coverage = Fraction(sum(1 for length in lengths if length <= candidate), max(1, len(lengths)))
                self.coverage[bucket] = float(coverage)
                if lengths and coverage * self.quota(bucket, group_size) >= 1:
                    self.targets[bucket] = candidate
                    break
        self.window, self.largest = [], 0

    def __call__(self, rows: list) -> tuple[list[float], dict, dict]:
        """One step: per-row advantages, the rewards by position and the metrics it should report."""
        self.step += 1
        groups = oracle_common.groups_of(rows)
        bucket_of, coverage_bucket_of = {}, {}
        for positions in groups.values():
            wins = sum(1 for p in positions if laser_oracle.base_term(rows[p], self.budget) == 1.0)
            for p in positions:
                bucket_of[p] = self.bucket(wins, len(positions), "reward")
                coverage_bucket_of[p] = self.bucket(wins, len(positions), self.coverage_rule)
        self.window += [(coverage_bucket_of[p], rows[p].length) for p in sorted(coverage_bucket_of)]
        self.largest = max(self.largest, *(len(positions) for positions in groups.values()))
        if (self.step - 1) % self.interval == 0:
            self.refresh()
        longest = max(row.length for row in rows)
        used = {b: longest if t is None else min(t, longest) for b, t in self.targets.items()}
        rewards, metrics = laser_oracle.bonus_rewards(
            rows, self.budget, lambda p: used[bucket_of[p]], self.bonus
        )
        for bucket in BUCKETS:
            metrics[f"target_{bucket}"] = used[bucket]
            metrics[f"coverage_{bucket}"] = self.coverage[bucket]
            first_of_each = [positions[0] for positions in groups.values()]
            metrics[f"num_prompts_{bucket}"] = sum(1 for p in first_of_each if bucket_of[p] == bucket)
        advantages = oracle_common.per_row(oracle_common.normalized("group", rewards, rows), rows)
        return advantages, rewards, metrics

    def window_counts(self) -> tuple[list[list[int]], list[int]]:
        """The window as the estimator stores it: per bucket, responses with L <= each candidate."""
        covered = [
            [sum(1 for b, length in self.window if b == bucket and length <= c) for c in self.candidates]
            for bucket in BUCKETS
        ]
        return covered, [sum(1 for b, _ in self.window if b == bucket) for bucket in BUCKETS]


def assert_same_step(estimator, oracle: OracleLaserD, rows: list) -> None:
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = estimator(rewards, mask, index)
    expected, _, expected_metrics = oracle(rows)
    assert_rows_close(per_row_advantages(advantages, mask), expected)
    for key, value in expected_metrics.items():
        assert metrics[f"laser_d/{key}"] == pytest.approx(value), (oracle.step, key)
    state = estimator.state_dict()
    covered, totals = oracle.window_counts()
    assert state["targets"] == [oracle.targets[bucket] for bucket in BUCKETS], oracle.step
    assert (state["window_covered"], state["window_totals"]) == (covered, totals), oracle.step
    assert state["window_largest_group"] == oracle.largest
    assert state["candidates"] == oracle.candidates


option_sets = st.fixed_dictionaries(
    {
        "refresh_interval": st.integers(1, 4),
        "quota_rounding": st.sampled_from(["ceil", "floor"]),
        "coverage_buckets": st.sampled_from(["reward", "monitor"]),
        "group_size": st.one_of(st.none(), st.integers(1, 8)),
        "target_length": st.sampled_from([None, 1, 4, 7]),
        "candidate_step": st.sampled_from([None, 1, 3, 5]),
    }
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(method_batches(BUDGET), min_size=1, max_size=8), options=option_sets)
def test_matches_oracle_over_steps_and_refreshes(steps, options):
    options = {key: value for key, value in options.items() if value is not None or key == "group_size"}
    estimator = make_estimator("laser_d", budget=BUDGET, **options)
    oracle = OracleLaserD(
        target=options.get("target_length", BUDGET / 4),
        spacing=options.get("candidate_step", BUDGET / 16),
        interval=options["refresh_interval"],
        rounding=options["quota_rounding"],
        coverage_rule=options["coverage_buckets"],
        group_size=options["group_size"],
    )
    for rows in steps:
        assert_same_step(estimator, oracle, rows)


def random_batch(generator: random.Random, prompts: int, group: int, budget: int) -> list:
    """A batch of ``prompts`` groups of ``group``, skills from hard to easy, lengths up to ``budget``."""
    rows = []
    for prompt in range(prompts):
        skill, scale = generator.random(), generator.uniform(0.2, 1.2)
        for _ in range(group):
            length = min(budget, max(1, round(generator.expovariate(1.0) * scale * budget / 2)))
            rows.append(Row(f"{prompt}-{generator.random()}", float(generator.random() < skill), length))
    return rows


def test_paper_defaults_over_a_refresh_at_step_21():
    # interval 20, the paper's candidates scaled to 64 tokens (16 to 64 by 4), G = 8 (n_d = 6 / 3 / 1)
    generator = random.Random(11)
    estimator, oracle = make_estimator("laser_d", budget=64), OracleLaserD(budget=64, target=16, spacing=4)
    refreshed = []
    for _ in range(23):
        assert_same_step(estimator, oracle, random_batch(generator, prompts=12, group=8, budget=64))
        refreshed.append(estimator.state_dict()["refreshed_at"])
    assert refreshed == [1] * 20 + [21] * 3


def test_state_through_json_across_a_refresh():
    generator = random.Random(5)
    batches = [random_batch(generator, prompts=6, group=6, budget=BUDGET) for _ in range(9)]
    uninterrupted = make_estimator("laser_d", budget=BUDGET, refresh_interval=4)
    expected = [uninterrupted(*tensors(rows, width=BUDGET)[:3])[0] for rows in batches]
    first = make_estimator("laser_d", budget=BUDGET, refresh_interval=4)
    for rows in batches[:3]:  # stop between the refreshes at steps 1 and 5, the window half full
        first(*tensors(rows, width=BUDGET)[:3])
    saved = json.loads(json.dumps(first.state_dict()))
    assert sum(saved["window_totals"]) == 2 * 36
    second = make_estimator("laser_d", budget=BUDGET, refresh_interval=4)
    second.load_state_dict(saved)
    assert second.state_dict() == first.state_dict()
    for step, rows in enumerate(batches[3:], start=4):
        assert torch.equal(second(*tensors(rows, width=BUDGET)[:3])[0], expected[step - 1]), step


@settings(max_examples=60, deadline=None)
@given(steps=st.lists(method_batches(BUDGET), min_size=1, max_size=3))
def test_equals_verl_grpo_on_the_oracle_rewards(steps):
    """verl's ``grpo`` on the oracle's LASER-D rewards (at each row's last token) gives our advantages."""
    estimator, oracle = make_estimator("laser_d", budget=BUDGET, refresh_interval=2), OracleLaserD(interval=2)
    for rows in steps:
        _, rewards, _ = oracle(rows)
        scores, mask, index, _ = tensors(rows)
        ours, _ = estimator(scores, mask, index)
        shaped = [Row(row.label, rewards.get(p, 0.0), row.length) for p, row in enumerate(rows)]
        keep = mask.sum(-1) > 0
        theirs, _ = compute_grpo_outcome_advantage(
            tensors(shaped)[0][keep], mask[keep], np.array(index, dtype=object)[keep.numpy()]
        )
        torch.testing.assert_close(ours[keep], theirs, rtol=0, atol=1e-5)


def test_hand_computed_two_steps():
    # budget 16: candidates 4, 5, ..., 16; G = 3, so n_d = ceil(2) = 2, ceil(1) = 1, 1.
    # step 1, group a: correct 3, correct 5, wrong 10 -> 2 of 3 -> easy
    #         group b: correct 12, wrong 16 (truncated), wrong 8 -> 1 of 3 -> medium
    # easy: cov(l) * 2 >= 1 needs 2 of {3, 5, 10} <= l -> T = 5
    # medium: cov(l) * 1 >= 1 needs all of {12, 16, 8} <= l -> T = 16; hard: empty -> longest, 16
    # rewards a: 1.5, 1.5, -0.5 (mean 5/6, unbiased std sqrt(4/3)); b: 1.5, -1, -0.5 (mean 0, std sqrt(1.75))
    rows = [Row("a", 1.0, 3), Row("a", 1.0, 5), Row("a", 0.0, 10)]
    rows += [Row("b", 1.0, 12), Row("b", 0.0, 16), Row("b", 0.0, 8)]
    estimator = make_estimator("laser_d", budget=BUDGET)
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = estimator(rewards, mask, index)
    a_std, b_std = (4 / 3) ** 0.5 + 1e-6, 1.75**0.5 + 1e-6
    expected = [(2 / 3) / a_std, (2 / 3) / a_std, (-4 / 3) / a_std, 1.5 / b_std, -1 / b_std, -0.5 / b_std]
    assert per_row_advantages(advantages, mask) == pytest.approx(expected, rel=1e-6)
    assert [metrics[f"laser_d/target_{b}"] for b in BUCKETS] == [5.0, 16.0, 16.0]
    assert [metrics[f"laser_d/num_prompts_{b}"] for b in BUCKETS] == [1.0, 1.0, 0.0]
    assert [metrics[f"laser_d/coverage_{b}"] for b in BUCKETS] == [2 / 3, 1.0, 0.0]
    assert estimator.state_dict()["targets"] == [5.0, 16.0, None]
    # step 2 (no refresh): group c: correct 6, 4, 2 -> easy, T = min(5, longest 6) = 5
    # rewards 1.0, 1.5, 1.5: mean 4/3, unbiased std sqrt(1/12); the other targets are capped at 6
    rows = [Row("c", 1.0, 6), Row("c", 1.0, 4), Row("c", 1.0, 2)]
    rewards, mask, index, _ = tensors(rows, width=BUDGET)
    advantages, metrics = estimator(rewards, mask, index)
    c_std = (1 / 12) ** 0.5 + 1e-6
    expected = [(-1 / 3) / c_std, (1 / 6) / c_std, (1 / 6) / c_std]
    assert per_row_advantages(advantages, mask) == pytest.approx(expected, rel=1e-6)
    assert [metrics[f"laser_d/target_{b}"] for b in BUCKETS] == [5.0, 6.0, 6.0]
    assert metrics["laser_d/steps_since_refresh"] == 1.0
    # the window now holds step 2: of {6, 4, 2}, 2 are <= 4 and <= 5, all 3 from 6 on
    state = estimator.state_dict()
    assert state["window_covered"][0] == [2, 2] + [3] * 11 and state["window_totals"] == [3, 0, 0]


def test_refreshing_every_step_uses_that_step_alone():
    # step 2's easy group {6, 4, 2} with n_easy = 2 needs 2 lengths <= l: T = 4
    estimator = make_estimator("laser_d", budget=BUDGET, refresh_interval=1)
    estimator(*tensors([Row("a", 1.0, 12), Row("a", 1.0, 14), Row("a", 0.0, 9)])[:3])
    _, metrics = estimator(*tensors([Row("c", 1.0, 6), Row("c", 1.0, 4), Row("c", 1.0, 2)])[:3])
    assert metrics["laser_d/target_easy"] == 4.0 and metrics["laser_d/steps_since_refresh"] == 0.0


def test_quota_rounding_ceil_is_the_paper_and_floor_the_code():
    # a medium group of 4 (2 correct), lengths 4, 6, 8, 10; G = 4, so n_medium = ceil(4/3) = 2 or
    # floor(4/3) = 1. ceil: cov(l) * 2 >= 1 needs 2 of 4 lengths <= l -> T = 6;
    # floor: cov(l) * 1 >= 1 needs all 4 -> T = 10.
    rows = [Row("m", float(i < 2), length) for i, length in enumerate((4, 6, 8, 10))]
    targets = {}
    for rounding in ("ceil", "floor"):
        estimator = make_estimator("laser_d", budget=BUDGET, quota_rounding=rounding)
        targets[rounding] = estimator(*tensors(rows)[:3])[1]["laser_d/target_medium"]
    assert targets == {"ceil": 6.0, "floor": 10.0}


def test_coverage_buckets_reward_or_monitor_differ_at_a_third():
    # one group of 3 with 1 correct: the reward's medium (p >= 1/3), the monitor's hard (p <= 1/3)
    rows = [Row("q", 1.0, 5), Row("q", 0.0, 7), Row("q", 0.0, 9)]
    counts = {}
    for rule in ("reward", "monitor"):
        estimator = make_estimator("laser_d", budget=BUDGET, coverage_buckets=rule)
        metrics = estimator(*tensors(rows)[:3])[1]
        counts[rule] = [metrics[f"laser_d/refresh_responses_{b}"] for b in BUCKETS]
        assert metrics["laser_d/num_prompts_medium"] == 1.0  # the reward's buckets either way
    assert counts == {"reward": [0.0, 3.0, 0.0], "monitor": [0.0, 0.0, 3.0]}


def test_a_set_group_size_replaces_the_largest_group():
    # a group of 3 that is all correct, lengths 4, 8, 12: G = 3 -> n_easy = 2 -> T = 8;
    # group_size = 8 -> n_easy = 6: needs 3 / 6 -> 1 length <= l -> T = 4
    rows = [Row("q", 1.0, length) for length in (4, 8, 12)]
    inferred = make_estimator("laser_d", budget=BUDGET)(*tensors(rows)[:3])[1]
    fixed = make_estimator("laser_d", budget=BUDGET, group_size=8)(*tensors(rows)[:3])[1]
    assert (inferred["laser_d/target_easy"], fixed["laser_d/target_easy"]) == (8.0, 4.0)
    assert (inferred["laser_d/refresh_group_size"], fixed["laser_d/refresh_group_size"]) == (3.0, 8.0)


def test_defaults_scale_with_the_budget():
    paper = make_estimator("laser_d").state.candidates.tolist()
    assert paper == [4096.0 + 1024 * k for k in range(13)]
    for budget, first, step in ((128, 32.0, 8.0), (4000, 1000.0, 250.0)):
        options = make_estimator("laser_d", budget=budget).options
        scaled = (options.budget, options.target_length, options.candidate_step)
        assert scaled == (budget, first, step)
        assert options.candidates() == [first + step * k for k in range(13)]
        assert (options.bonus, options.refresh_interval, options.quota_rounding) == (0.5, 20, "ceil")
    uneven = make_estimator("laser_d", budget=20, candidate_step=7).options  # L_T = 5; B is always last
    assert uneven.candidates() == [5.0, 12.0, 19.0, 20.0]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"target_length": 17}, r"target_length=17 is invalid: allowed is 0 < target_length <= budget"),
        ({"candidate_step": 0}, r"candidate_step=0 is invalid: allowed is candidate_step > 0"),
        ({"refresh_interval": 0}, r"refresh_interval=0 is invalid: allowed is an integer with refresh_int"),
        ({"refresh_interval": 2.5}, r"refresh_interval=2.5 is invalid: allowed is an integer"),
        ({"quota_rounding": "round"}, r"quota_rounding='round' is invalid: allowed values are ceil, floor"),
        ({"coverage_buckets": "x"}, r"coverage_buckets='x' is invalid: allowed values are reward, monitor"),
        ({"group_size": 0}, r"group_size=0 is invalid: allowed is None or an integer with group_size >= 1"),
    ],
)
def test_bad_options_name_the_field_and_the_allowed_values(options, message):
    with pytest.raises(ValueError, match=message):
        METHODS["laser_d"].options.for_budget(BUDGET, **options)  # options may set the budget itself


def test_bad_states_are_refused():
    estimator = make_estimator("laser_d", budget=BUDGET)
    estimator(*tensors([Row("q", 1.0, 3), Row("q", 0.0, 5)])[:3])
    state = estimator.state_dict()
    other = make_estimator("laser_d", budget=32)
    with pytest.raises(ValueError, match=r"laser_d state candidates=\[4.0, .*\] are invalid: allowed are"):
        other.load_state_dict(state)
    with pytest.raises(ValueError, match=r"laser_d state has keys .*: allowed are"):
        estimator.load_state_dict({key: value for key, value in state.items() if key != "coverage"})
    for key, value in (("window_totals", [1, -1, 0]), ("window_covered", [[0] * 13] * 2)):
        with pytest.raises(ValueError, match=rf"laser_d state {key}=.* is invalid: allowed are non-negative"):
            estimator.load_state_dict({**state, key: value})
    with pytest.raises(ValueError, match=r"laser_d state refreshed_at=-1 is invalid: allowed is an integer"):
        estimator.load_state_dict({**state, "refreshed_at": -1})


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_batches_give_the_cpu_results_and_a_cpu_state():
    generator = random.Random(2)
    batches = [random_batch(generator, prompts=4, group=4, budget=BUDGET) for _ in range(3)]
    on_cpu = make_estimator("laser_d", budget=BUDGET, refresh_interval=2)
    on_gpu = make_estimator("laser_d", budget=BUDGET, refresh_interval=2)
    for rows in batches:
        rewards, mask, index, _ = tensors(rows, width=BUDGET)
        expected, _ = on_cpu(rewards, mask, index)
        actual, _ = on_gpu(rewards.cuda(), mask.long().cuda(), index)
        assert actual.device.type == "cuda"
        torch.testing.assert_close(actual.cpu(), expected)
    assert on_gpu.state_dict() == on_cpu.state_dict()
