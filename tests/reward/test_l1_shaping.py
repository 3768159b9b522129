"""L1's rewards inside compute_score (reward_kwargs.length_reward): by hand, against the spec, bad input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lead.reward import compute_score
from lead.reward.l1_shaping import L1Shaping

RIGHT, WRONG = "So the answer is \\boxed{12}.", "So the answer is \\boxed{13}."


def row(target: object, kind: object = None, tokens: object = None) -> dict:
    info = {"index": 0, "split": "train", "l1_target": target}
    if kind is not None:
        info["l1_kind"] = kind
    if tokens is not None:
        info["response_length"] = tokens
    return info


def score(response: str, info: dict, **kwargs) -> dict:
    return compute_score("deepscaler", response, "12", info, **kwargs)


def test_exact_by_hand():
    result = score(RIGHT, row(1000, "exact", 1200), length_reward="l1_exact")
    assert result["score"] == pytest.approx(1 - 0.0003 * 200)
    assert (result["acc"], result["l1_target"], result["length_bonus"]) == (1.0, 1000, 0.0)
    assert score(WRONG, row(1000, "exact", 400), length_reward="l1_exact")["score"] == pytest.approx(-0.18)


def test_max_by_hand():
    assert score(RIGHT, row(1000, "max", 1200), length_reward="l1_max")["score"] == pytest.approx(0.3)
    assert score(RIGHT, row(1000, "max", 400), length_reward="l1_max")["score"] == 1.0
    assert score(WRONG, row(1000, "max", 400), length_reward="l1_max")["score"] == 0.0


def test_each_row_by_its_own_kind():
    exact = score(RIGHT, row(1000, "exact", 1200), length_reward="l1_row")
    maximum = score(RIGHT, row(1000, "max", 1200), length_reward="l1_row")
    assert (exact["score"], maximum["score"]) == (pytest.approx(0.94), pytest.approx(0.3))


def test_the_length_is_the_callers_token_count_keyword_first():
    info = row(1000, "exact", 1200)
    assert score(RIGHT, info, length_reward="l1_exact", response_length=1000)["score"] == 1.0


def test_alphas_given_or_scaled_to_the_budget():
    info = row(1000, "exact", 1200)
    assert score(RIGHT, info, length_reward="l1_exact", l1_exact_alpha=0.001)["score"] == pytest.approx(0.8)
    # 4096 / 8192: the default alphas halve, as prepare_l1.py --budget 8192 doubles the targets
    assert score(RIGHT, info, length_reward="l1_exact", l1_budget=8192)["score"] == pytest.approx(
        1 - 0.00015 * 200
    )
    assert score(RIGHT, info, length_reward="l1_exact", l1_budget=4096)["score"] == pytest.approx(0.94)
    maximum = row(1000, "max", 1200)
    assert score(RIGHT, maximum, length_reward="l1_max", l1_max_alpha=0.002)["score"] == pytest.approx(0.1)
    assert score(RIGHT, maximum, length_reward="l1_max", l1_budget=2048)["score"] == pytest.approx(0.1)


def test_off_by_default_and_the_keys_only_gain_the_target_with_l1():
    plain = score(RIGHT, row(1000, "exact", 1200))
    assert plain["score"] == 1.0 and "l1_target" not in plain
    assert set(score(RIGHT, row(1000, "exact", 5), length_reward="l1_exact")) == {*plain, "l1_target"}


def spec_reward(kind: str, correct: bool, target: int, length: int) -> float:
    """The spec's two formulas, written out (alpha 0.0003 exact, 0.001 max)."""
    c = 1.0 if correct else 0.0
    if kind == "exact":
        return c - 0.0003 * abs(target - length)
    return c * min(1.0, max(0.0, 0.001 * (target - length) + 0.5))


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["exact", "max"]),
    correct=st.booleans(),
    target=st.integers(1, 8000),
    length=st.integers(0, 9000),
    mode=st.sampled_from(["fixed", "row"]),
)
def test_equal_to_the_spec(kind, correct, target, length, mode):
    reward = f"l1_{kind}" if mode == "fixed" else "l1_row"
    result = score(RIGHT if correct else WRONG, row(target, kind, length), length_reward=reward)
    assert result["score"] == pytest.approx(spec_reward(kind, correct, target, length), abs=1e-12)


@pytest.mark.parametrize(
    ("info", "kwargs", "message"),
    [
        (
            {"index": 0, "response_length": 5},
            {"length_reward": "l1_exact"},
            r"extra_info\['l1_target'\]=None is invalid with reward.custom_reward_function.reward_kwargs"
            r".length_reward=l1_exact: allowed is an integer >= 1 \(the row's target in tokens\); "
            r"build the data with scripts/data/prepare_l1.py",
        ),
        (row(0, "max", 5), {"length_reward": "l1_max"}, r"extra_info\['l1_target'\]=0 is invalid"),
        (row(12.5, "max", 5), {"length_reward": "l1_max"}, r"extra_info\['l1_target'\]=12.5 is invalid"),
        (
            row(100, None, 5),
            {"length_reward": "l1_row"},
            r"extra_info\['l1_kind'\]=None is invalid with .*length_reward=l1_row: "
            r"allowed values are exact, max; build the data with scripts/data/prepare_l1.py",
        ),
        (
            row(100, "max", 5),
            {"length_reward": "l1_exact"},
            r"extra_info\['l1_kind'\]='max' is invalid with .*length_reward=l1_exact: the row's prompt "
            r"asks for the other objective; allowed is 'exact', or length_reward=l1_row for mixed data",
        ),
        (
            row(100, "exact"),
            {"length_reward": "l1_exact"},
            r"length_reward=l1_exact needs the response length in tokens: "
            r"allowed is the project's reward manager",
        ),
        (
            row(100, "exact", 5),
            {"length_reward": "l1"},
            r"reward_kwargs.length_reward='l1' is invalid: allowed values are none, l1_exact, l1_max, l1_row",
        ),
        (
            row(100, "exact", 5),
            {"length_reward": "l1_exact", "l1_exact_alpha": -1},
            r"reward_kwargs.l1_exact_alpha=-1 is invalid: allowed is a finite number >= 0, or null",
        ),
        (
            row(100, "exact", 5),
            {"length_reward": "l1_max", "l1_max_alpha": float("inf")},
            r"reward_kwargs.l1_max_alpha=inf is invalid",
        ),
        (
            row(100, "exact", 5),
            {"length_reward": "l1_exact", "l1_budget": 0},
            r"reward_kwargs.l1_budget=0 is invalid: allowed is a number of tokens > 0",
        ),
        (
            row(100, "exact", 5),
            {"length_reward": "l1_exact", "length_bonus": 0.5},
            r"reward_kwargs.length_bonus=0.5 is invalid with length_reward=l1_exact: "
            r"L1's reward replaces the static length bonus; allowed is 0.0",
        ),
        (
            row(100, "exact", 5),
            {"length_reward": "l1_row", "correct_weight": 0.5},
            r"reward_kwargs.correct_weight=0.5 is invalid with length_reward=l1_row",
        ),
    ],
    ids=[
        "no-target",
        "zero-target",
        "fractional-target",
        "no-kind",
        "other-kind",
        "no-length",
        "unknown-reward",
        "negative-alpha",
        "infinite-alpha",
        "zero-budget",
        "with-bonus",
        "with-weight",
    ],
)
def test_bad_input_names_the_field_the_value_and_the_allowed_values(info, kwargs, message):
    with pytest.raises(ValueError, match=message):
        score(RIGHT, info, **kwargs)


def test_resolved_values_for_the_dry_run():
    assert L1Shaping("l1_row", None, 0.004, 2048).resolved() == {
        "length_reward": "l1_row",
        "l1_exact_alpha": pytest.approx(0.0006),
        "l1_max_alpha": 0.004,
        "l1_budget": 2048,
    }
    assert not L1Shaping().enabled and L1Shaping("l1_max").enabled
