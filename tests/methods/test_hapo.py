"""``hapo``: a stateful loop oracle over consecutive steps (advantages and history), JSON resume,
problem ids of both types, hand-computed steps and bad inputs."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from methods_support import assert_rows_close, method_batches, oracle_common, per_row_advantages, tensors

from lead.core.frame import frame_batch
from lead.methods import make_estimator
from lead.methods.hapo import HAPOOptions, HAPOState, history_length_rewards

BUDGET = 8
Row = oracle_common.Row


class HapoOracle:
    """HAPO from the spec: a dict of shortest correct lengths, per-row loops."""

    def __init__(self, weight: float = 1.0, floor: float = -0.7) -> None:
        self.weight, self.floor = weight, floor
        self.history: dict = {}

    def rewards(self, rows: list, ids: list) -> dict[int, float]:
        rewards = {}
        for p in oracle_common.valid_positions(rows):
            row, shortest = rows[p], self.history.get(ids[p])
            if shortest is None:
                term = 0.0
            else:
                u = math.cos(math.pi / 2 * min(row.length / shortest, 2.0))
                term = max(self.floor, u) if row.correct else min(0.0, u)
            rewards[p] = float(row.correct) + self.weight * term
        return rewards

    def step(self, rows: list, ids: list) -> list[float]:
        rewards = self.rewards(rows, ids)
        for p in oracle_common.valid_positions(rows):
            if rows[p].correct:
                self.history[ids[p]] = min(self.history.get(ids[p], math.inf), rows[p].length)
        return oracle_common.per_row(oracle_common.normalized("group", rewards, rows), rows)


ID_STYLES = {
    "text": lambda problem: f"problem-{problem}",
    "integer": lambda problem: problem,
    # problems 2k and 2k+1 are k and "k": equal text, different problems
    "mixed": lambda problem: problem // 2 if problem % 2 == 0 else str(problem // 2),
}


def history_of(estimator) -> dict:
    state = estimator.state_dict()
    return dict(zip(state["problem_ids"], state["shortest_correct_lengths"], strict=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    batches=st.lists(method_batches(BUDGET, problems=6), min_size=2, max_size=5),
    style=st.sampled_from(sorted(ID_STYLES)),
    resume_after=st.integers(0, 4),
    weight=st.sampled_from([1.0, 0.5]),
    floor=st.sampled_from([-0.7, -1.0, 0.0]),
)
def test_consecutive_steps_match_the_oracle(batches, style, resume_after, weight, floor):
    oracle = HapoOracle(weight, floor)
    estimator = make_estimator("hapo", length_weight=weight, correct_floor=floor)
    for step, rows in enumerate(batches, start=1):
        rewards, mask, index, _ = tensors(rows)
        ids = [ID_STYLES[style](row.problem) for row in rows]
        expected_hits = sum(ids[p] in oracle.history for p in oracle_common.valid_positions(rows))
        expected_size = len(oracle.history)
        advantages, metrics = estimator(rewards, mask, index, problem_ids=ids)
        assert_rows_close(per_row_advantages(advantages, mask), oracle.step(rows, ids))
        assert (metrics["hapo/history_hits"], metrics["hapo/history_size"]) == (expected_hits, expected_size)
        assert history_of(estimator) == oracle.history
        if step == resume_after:
            resumed = make_estimator("hapo", length_weight=weight, correct_floor=floor)
            resumed.load_state_dict(json.loads(json.dumps(estimator.state_dict())))
            assert resumed.state_dict() == estimator.state_dict()
            estimator = resumed


def run(estimator, rows: list, ids: list) -> tuple[list[float], dict]:
    rewards, mask, index, _ = tensors(rows)
    advantages, metrics = estimator(rewards, mask, index, problem_ids=ids)
    return per_row_advantages(advantages, mask), metrics


def scored(state: HAPOState, rows: list, ids: list):
    rewards, mask, index, _ = tensors(rows)
    responses = frame_batch(rewards, mask, index, ids).responses
    return history_length_rewards(responses, HAPOOptions(), state, 1)


def test_hand_computed_two_steps():
    estimator = make_estimator("hapo")
    # step 1: no history, so the length term is 0 and r = c: 1, 1, 0; then h_p = min(4, 6) = 4
    first = [Row("u1", 1.0, 4), Row("u1", 1.0, 6), Row("u1", 0.0, 2)]
    _, metrics = run(estimator, first, ["p"] * 3)
    assert (metrics["hapo/history_size"], metrics["hapo/history_hits"]) == (0.0, 0.0)
    assert metrics["hapo/reward_mean"] == pytest.approx(2 / 3)
    assert history_of(estimator) == {"p": 4.0}
    # step 2, h_p = 4:
    #   correct L=2: cos(pi/2 * 0.5) = cos(pi/4) = 0.707107          -> r = 1.707107
    #   correct L=8: cos(pi/2 * 2) = cos(pi) = -1, floored to -0.7  -> r = 0.3
    #   wrong   L=3: cos(3 pi / 8) = 0.382683, min(0, .) = 0        -> r = 0
    #   wrong   L=6: cos(pi/2 * 1.5) = cos(3 pi / 4) = -0.707107    -> r = -0.707107
    second = [Row("u2", 1.0, 2), Row("u2", 1.0, 8), Row("u2", 0.0, 3), Row("u2", 0.0, 6)]
    state = HAPOState(HAPOOptions())
    state.load_state_dict(estimator.state.state_dict())
    assert scored(state, second, ["p"] * 4).values.tolist() == pytest.approx(
        [1.707107, 0.3, 0.0, -0.707107], abs=1e-6
    )
    advantages, metrics = run(estimator, second, ["p"] * 4)
    # group normalisation: mean 1.3 / 4 = 0.325, unbiased std of the four rewards
    rewards = [1 + math.sqrt(0.5), 0.3, 0.0, -math.sqrt(0.5)]
    std = math.sqrt(sum((r - 0.325) ** 2 for r in rewards) / 3)
    assert advantages == pytest.approx([(r - 0.325) / (std + 1e-6) for r in rewards], abs=1e-6)
    assert (metrics["hapo/history_size"], metrics["hapo/history_hits"]) == (1.0, 4.0)
    assert metrics["hapo/history_length_mean"] == 4.0
    assert history_of(estimator) == {"p": 2.0}  # min(4, shortest correct this step = 2)


def test_a_problem_in_two_groups_shares_its_history_and_updates_from_both():
    estimator = make_estimator("hapo")
    run(estimator, [Row("a", 1.0, 6), Row("b", 1.0, 5)], [7, 7])
    assert history_of(estimator) == {7: 5.0}
    # both groups read h = 5; the new minimum is 3, found in the second group
    values = scored(estimator.state, [Row("a", 1.0, 5), Row("b", 1.0, 3)], [7, 7]).values.tolist()
    assert values == pytest.approx([1.0 + math.cos(math.pi / 2), 1.0 + math.cos(math.pi / 2 * 0.6)])
    run(estimator, [Row("a", 1.0, 5), Row("b", 1.0, 3)], [7, 7])
    assert history_of(estimator) == {7: 3.0}


def test_text_and_integer_ids_are_different_problems_and_numpy_integers_are_integers():
    estimator = make_estimator("hapo")
    run(estimator, [Row("a", 1.0, 4), Row("b", 1.0, 2)], ["5", np.int64(5)])
    assert history_of(estimator) == {"5": 4.0, 5: 2.0}
    state = json.loads(json.dumps(estimator.state_dict()))
    assert state == {"step": 1, "problem_ids": [5, "5"], "shortest_correct_lengths": [2.0, 4.0]}
    # a new, unseen problem gets no length term while known ones do
    values = scored(estimator.state, [Row("c", 1.0, 4), Row("d", 1.0, 4)], [5, "new"]).values.tolist()
    assert values == pytest.approx([1.0 + max(-0.7, math.cos(math.pi)), 1.0])


@pytest.mark.parametrize(
    ("bad_id", "message"),
    [
        (1.5, r"problem_ids entry 1.5 \(float\) is invalid: allowed are str or int ids"),
        (True, r"problem_ids entry True \(bool\) is invalid: allowed are str or int ids"),
        (("a", 1), r"problem_ids entry \('a', 1\) \(tuple\) is invalid: allowed are str or int ids"),
        (None, r"problem_ids row 1 is None"),
    ],
)
def test_bad_problem_ids_are_refused(bad_id, message):
    rewards, mask, index, _ = tensors([Row("a", 1.0, 2), Row("a", 0.0, 3)])
    with pytest.raises(ValueError, match=message):
        make_estimator("hapo")(rewards, mask, index, problem_ids=["ok", bad_id])


def test_problem_ids_are_required():
    rewards, mask, index, _ = tensors([Row("a", 1.0, 2)])
    with pytest.raises(ValueError, match=r"problem_ids=None is invalid for method 'hapo'"):
        make_estimator("hapo")(rewards, mask, index)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"step": 1, "problem_ids": [1]}, r"hapo state keys \['problem_ids'\] are invalid"),
        (
            {"step": 1, "problem_ids": [1, 2], "shortest_correct_lengths": [3.0]},
            r"two lists of equal length",
        ),
        (
            {"step": 1, "problem_ids": [1], "shortest_correct_lengths": [0.0]},
            r"shortest_correct_lengths\[0\]=0.0 is invalid: allowed is a finite number of tokens > 0",
        ),
        (
            {"step": 1, "problem_ids": [1.0], "shortest_correct_lengths": [3.0]},
            r"hapo state problem_ids entry 1.0 \(float\) is invalid: allowed are str or int ids",
        ),
        (
            {"step": 1, "problem_ids": ["x", 2, "x"], "shortest_correct_lengths": [3.0, 2.0, 1.0]},
            r"hapo state problem_ids has 'x' twice: allowed is each problem once",
        ),
    ],
)
def test_bad_states_are_refused(state, message):
    with pytest.raises(ValueError, match=message):
        make_estimator("hapo").load_state_dict(state)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"length_weight": -1}, r"HAPOOptions.length_weight=-1 is invalid: allowed is length_weight >= 0"),
        (
            {"correct_floor": 0.5},
            r"HAPOOptions.correct_floor=0.5 is invalid: allowed is -1 <= correct_floor <= 0",
        ),
        ({"correct_floor": float("nan")}, r"correct_floor=nan is invalid: allowed is a finite real number"),
    ],
)
def test_bad_options_name_field_value_and_allowed_values(options, message):
    with pytest.raises(ValueError, match=message):
        make_estimator("hapo", budget=BUDGET, **options)


def test_options_do_not_depend_on_the_budget():
    assert make_estimator("hapo", budget=128).options == make_estimator("hapo").options == HAPOOptions()
