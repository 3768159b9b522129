"""Final-answer extraction: last box, nested braces, box variants, the optional phrase fallback."""

from __future__ import annotations

import pytest

from lead.reward import extract_answer
from lead.reward.extract import MAX_JOINED_BOXES, extract_boxed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("so $\\boxed{42}$.", "42"),
        ("first \\boxed{1} then \\boxed{2}", "2"),
        ("\\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("\\boxed{\\frac{\\sqrt{3}}{2}} done", "\\frac{\\sqrt{3}}{2}"),
        ("\\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),
        ("\\boxed{\\left\\{ 1 \\right\\}}", "\\left\\{ 1 \\right\\}"),
        ("\\fbox{7}", "7"),
        ("\\boxed 5$", "5"),
        ("\\boxed  {8}", "8"),
        ("\\boxed{ 3 } and \\boxedanswer", "3"),
        ("\\boxed{1} \\fbox{2}", "2"),
        ("\\fbox{2} \\boxed{1}", "1"),
        ("\\boxed{a}" * 1000, "a"),
    ],
)
def test_extracts_the_last_box(text: str, expected: str) -> None:
    assert extract_answer(text) == expected


@pytest.mark.parametrize(
    "text",
    ["no answer here", "", "\\boxed{}", "\\boxed{   }", "\\boxed{12", "\\boxed", "\\boxed{1} then \\boxed{2",
     "the final answer is 12."],
)  # fmt: skip
def test_no_answer(text: str) -> None:
    assert extract_answer(text) is None


def test_non_text_input_has_no_answer() -> None:
    assert extract_answer(None) is None  # type: ignore[arg-type]
    assert extract_answer(12) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thus the final answer is 12. Done.", "12"),
        ("The final answer is: $\\frac{1}{2}$", "\\frac{1}{2}"),
        ("So the answer is 3.5\nnext line", "3.5"),
        ("the answer is 1 but the final answer is 2.", "2"),
    ],
)
def test_phrase_fallback_only_when_asked(text: str, expected: str) -> None:
    assert extract_answer(text) is None
    assert extract_answer(text, fallback=True) == expected


def test_box_wins_over_phrase() -> None:
    assert extract_answer("the final answer is 3. \\boxed{4}", fallback=True) == "4"


def test_a_reference_solution_gives_its_last_box_alone() -> None:
    solution = "The roots are $\\boxed{2}$ and $\\boxed{3}$."
    assert extract_boxed(solution) == "3"
    assert extract_answer(solution) == "2, 3"


def test_too_many_joined_boxes_are_no_answer() -> None:
    assert extract_answer(", ".join(["\\boxed{1}"] * MAX_JOINED_BOXES)) == ", ".join(["1"] * MAX_JOINED_BOXES)
    assert extract_answer(", ".join(["\\boxed{1}"] * (MAX_JOINED_BOXES + 1))) is None
