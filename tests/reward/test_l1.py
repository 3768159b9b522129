"""L1's rewards and instructions: by hand, against the released arithmetic, budget scaling, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lead.data.l1 import draw_targets, l1_instruction
from lead.reward.l1 import (
    EXACT_ALPHA,
    MAX_ALPHA,
    RELEASED_EXACT_ALPHA,
    L1Defaults,
    l1_exact,
    l1_max,
    l1_reward,
    scaled_defaults,
)


def test_exact_by_hand():
    assert l1_exact(1, 1000, 1200) == pytest.approx(1 - 0.0003 * 200)  # 0.94
    assert l1_exact(True, 1000, 400) == pytest.approx(1 - 0.0003 * 600)  # 0.82
    assert l1_exact(0, 1000, 400) == pytest.approx(-0.18)  # a wrong response still pays the distance
    assert l1_exact(1.0, 500, 500) == 1.0


def test_max_by_hand():
    assert l1_max(1, 1000, 1000) == 0.5  # on the target: 0.5
    assert l1_max(1, 1000, 1200) == pytest.approx(0.3)  # 0.001 * -200 + 0.5
    assert l1_max(1, 1000, 400) == 1.0  # 0.6 + 0.5 = 1.1, clipped to 1
    assert l1_max(1, 1000, 1600) == 0.0  # -0.6 + 0.5 = -0.1, clipped to 0
    assert l1_max(0, 1000, 400) == 0.0  # wrong: 0 whatever the length
    assert l1_max(np.bool_(True), np.int64(3000), np.int64(2500)) == 1.0


def released_max(correct: int, target: int, used: int) -> float:
    """The released L1-Max arithmetic: a symmetric slope of 1/500 clipped to [-1, 1], mapped to [0, 1]."""
    score = min(1.0, max(-1.0, -(used - target) / 500))
    return max(0.0, (score + 1) / 2) * correct


def released_exact(correct: int, target: int, used: int) -> float:
    """The released L1-Exact arithmetic: ``1 - |used - target| / 3000``, minus 1 when wrong."""
    delta = 1 - abs(used - target) / 3000
    return delta if correct else delta - 1


@settings(max_examples=300, deadline=None)
@given(correct=st.sampled_from([0, 1]), target=st.integers(100, 4000), used=st.integers(0, 8192))
def test_equal_to_the_released_arithmetic(correct, target, used):
    assert l1_max(correct, target, used) == pytest.approx(released_max(correct, target, used), abs=1e-12)
    assert l1_exact(correct, target, used, alpha=RELEASED_EXACT_ALPHA) == pytest.approx(
        released_exact(correct, target, used), abs=1e-12
    )
    assert l1_exact(correct, target, used) == pytest.approx(correct - 0.0003 * abs(target - used), abs=1e-12)


def test_reward_picks_the_row_kind_and_its_default_alpha():
    assert l1_reward("exact", 1, 1000, 1200) == l1_exact(1, 1000, 1200, EXACT_ALPHA)
    assert l1_reward("max", 1, 1000, 1200) == l1_max(1, 1000, 1200, MAX_ALPHA)
    assert l1_reward("max", 1, 1000, 1200, alpha=0.002) == pytest.approx(0.1)
    assert l1_reward("exact", 1, 1000, 1200, alpha=0.001) == pytest.approx(0.8)


def test_instructions():
    assert l1_instruction("exact", 1234) == "Think for 1234 tokens."
    assert l1_instruction("max", np.int64(100)) == "Think for maximum 100 tokens."


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: l1_exact(1, 0, 10), r"l1 target_tokens=0 is invalid: allowed is an integer >= 1 \(tokens\)"),
        (lambda: l1_exact(1, 12.5, 10), r"l1 target_tokens=12.5 is invalid: allowed is an integer >= 1"),
        (lambda: l1_max(1, "100", 10), r"l1 target_tokens='100' is invalid: allowed is an integer >= 1"),
        (lambda: l1_max(1, True, 10), r"l1 target_tokens=True is invalid"),
        (lambda: l1_max(1, 100, -1), r"l1 response_tokens=-1 is invalid: allowed is an integer >= 0"),
        (lambda: l1_max(1, 100, None), r"l1 response_tokens=None is invalid"),
        (
            lambda: l1_exact(2, 100, 10),
            r"l1 correct=2 is invalid: allowed is true/false or a number in \[0, 1\]",
        ),
        (
            lambda: l1_exact(1, 100, 10, alpha=-0.1),
            r"l1 alpha=-0.1 is invalid: allowed is a finite number >= 0",
        ),
        (lambda: l1_max(1, 100, 10, alpha=float("nan")), r"l1 alpha=nan is invalid"),
        (lambda: l1_reward("mix", 1, 100, 10), r"l1 kind='mix' is invalid: allowed values are exact, max"),
        (
            lambda: l1_instruction("exactly", 100),
            r"l1 kind='exactly' is invalid: allowed values are exact, max",
        ),
        (lambda: scaled_defaults(0), r"l1 budget=0 is invalid: allowed is a number of tokens > 0"),
        (
            lambda: draw_targets(3, "both", 0, 1, 2),
            r"l1 mode='both' is invalid: allowed values are exact, max, mix",
        ),
        (
            lambda: draw_targets(3, "mix", 0, 10, 5),
            r"l1 max_target=5 is invalid: allowed is an integer >= 10",
        ),
    ],
)
def test_bad_input_names_field_value_and_allowed_values(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_scaled_defaults():
    release = L1Defaults(100, 4000, 0.0003, 0.001)
    assert scaled_defaults() == release
    assert scaled_defaults(4096) == release
    # 128 / 4096 = 1/32: range 3.125 -> 3 and 125; alphas x 32
    assert scaled_defaults(128) == L1Defaults(3, 125, pytest.approx(0.0096), pytest.approx(0.032))
    # 4000 / 4096: range 97.66 -> 98 and 3906.25 -> 3906; alphas x 1.024
    assert scaled_defaults(4000) == L1Defaults(98, 3906, pytest.approx(0.0003072), pytest.approx(0.001024))
    assert scaled_defaults(8) == L1Defaults(1, 8, pytest.approx(0.1536), pytest.approx(0.512))


def test_draws_are_seeded_bounded_and_mixed_by_a_fair_coin():
    targets, kinds = draw_targets(20000, "mix", 5, 100, 4000)
    again, again_kinds = draw_targets(20000, "mix", 5, 100, 4000)
    assert np.array_equal(targets, again) and np.array_equal(kinds, again_kinds)
    assert targets.min() == 100 and targets.max() == 4000  # both ends are drawn (inclusive)
    assert abs(int((kinds == "max").sum()) - 10000) < 4 * 71  # 4 standard deviations of a fair coin
    assert set(draw_targets(50, "exact", 0, 7, 9)[1]) == {"exact"}
    assert set(draw_targets(50, "max", 0, 7, 9)[0]) == {7, 8, 9}
    assert not np.array_equal(draw_targets(100, "mix", 6, 100, 4000)[0], targets[:100])
