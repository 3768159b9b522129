"""Equal answers spelled differently grade correct, by kind of spelling; near-misses stay wrong.

Each category lists (prediction, gold) pairs that are the same answer and near-misses that differ
from the gold in one detail (a bound, a label, a digit, an item), so every rule is checked from
both sides.
"""

from __future__ import annotations

import pytest

from lead.reward import extract_answer, grade

EQUIVALENT = {
    "ascii_relation": [
        ("x <= 2", "x \\leq 2"),
        ("x >= 5", "x \\geq 5"),
        ("x != 5", "x \\neq 5"),
        ("x<=-3", "x \\le -3"),
        ("y >= \\frac{1}{2}", "y \\ge \\frac{1}{2}"),
        ("a != 0", "a \\ne 0"),
        ("x ≤ 4", "x \\leq 4"),
        ("x^2 <= 4", "x^2 \\leq 4"),
    ],
    "percent_word": [
        ("28 percent", "28\\%"),
        ("28 pct", "28\\%"),
        ("28 percentage", "28\\%"),
        ("12.5 percent", "12.5\\%"),
        ("40 per cent", "40\\%"),
        ("28\\%", "28 percent"),
        ("75 Percent", "0.75"),
    ],
    "unit_wrapper": [
        ("5\\textbf{ cm}", "5"),
        ("12 \\textnormal{ meters}", "12"),
        ("3\\,\\mathrm{m}", "3"),
        ("9\\mathrm{~m}^2", "9 \\text{ m}^2"),
        ("€15", "15"),
        ("15 €", "15"),
        ("£12.50", "12.5"),
        ("¥300", "300"),
        ("\\pounds 8", "8"),
        ("5 m²", "5 \\text{ m}^2"),
        ("12 cm³", "12"),
        ("20 \\text{ cm}^2", "20 cm²"),
        ("185\\\\", "185"),
        ("185", "185\\\\"),
        ("\\frac{1}{2} \\\\", "0.5"),
    ],
    "labelled_gold": [
        ("(3,2)", "(p,q)=(3,2)"),
        ("(3, 2)", "(p, q) = (3, 2)"),
        ("(p,q)=(3,2)", "(3,2)"),
        ("-5, \\frac{14}{3}", "x = -5,\\ p = \\frac{14}{3}"),
        ("2, 3", "x_1 = 2, x_2 = 3"),
        ("1 - \\sqrt{2}, 1 + \\sqrt{2}", "x_1 = 1 - \\sqrt{2},\\ x_2 = 1 + \\sqrt{2}"),
        ("(5, 8), (8, 5)", "(x, y) = (5, 8) and (8, 5)"),
        ("(8, 5), (5, 8)", "(x, y) = (5, 8), (8, 5)"),
        ("1, 2", "x=1, y=2"),
        ("(1, 2)", "(x=1, y=2)"),
    ],
    "list_spelling": [
        ("1; 2; 3", "1, 2, 3"),
        ("3, 1, 2", "1; 2; 3"),
        ("1 and 2 and 3", "1, 2, 3"),
        ("19, 46, 82", "19, 46, and 82"),
        ("82, 19 and 46", "19, 46, 82"),
        ("21, 16, 11", "21,16 or 11"),
        ("(11,7),(7,11)", "(11,7)or(7,11)"),
        ("(5,2),(7,2)", "p=5,q=2;p=7,q=2"),
        ("p=7,q=2;p=5,q=2", "(5,2),(7,2)"),
        ("{1,3}", "1, 3"),
        ("3, 1", "{1,3}"),
        ("{2, 3, 5, 7, 13}", "\\{2, 3, 5, 7, 13\\}"),
        ("1, 2, 2", "1, 2"),
        ("\\{-1, 3, 3\\}", "\\{-1, 3\\}"),
        ("x = 2 or x = 3", "2, 3"),
    ],
    "inequality_interval": [
        ("-2 \\le x \\le 7", "x \\in [-2,7]"),
        ("x \\in [-2,7]", "-2 \\le x \\le 7"),
        ("(0,1)", "0<f(x)<1"),
        ("0<f(x)<1", "(0,1)"),
        ("-793 < a < 10", "(-793, 10)"),
        ("(-793, 10)", "-793 < a < 10"),
        ("3 < x \\leq 8", "(3, 8]"),
        ("7 \\geq x \\geq -2", "[-2, 7]"),
        ("-1 <= x < 4", "[-1, 4)"),
        ("x > 3", "(3, \\infty)"),
        ("[\\frac{1}{2}, \\infty)", "x \\ge \\frac12"),
        ("(-\\infty, -1]", "t \\leq -1"),
    ],
    "line_equation": [
        ("2x+4y-3=0", "y=-\\frac{1}{2}x+\\frac{3}{4}"),
        ("y=-\\frac{1}{2}x+\\frac{3}{4}", "2x+4y-3=0"),
        ("3x - y + 2 = 0", "y = 3x + 2"),
        ("x + y = 5", "y = 5 - x"),
        ("4y = 2x + 6", "y = \\frac{1}{2}x + \\frac{3}{2}"),
        ("y = 0.5x + 1", "x - 2y + 2 = 0"),
        ("x^2 + y^2 - 4 = 0", "x^2+y^2=4"),
        ("\\frac{x^2}{4} + \\frac{y^2}{9} = 1", "9x^2 + 4y^2 = 36"),
        ("y - 2 = 3(x - 1)", "y = 3x - 1"),
    ],
    "long_decimal": [
        ("0.0833333333333333", "\\frac{1}{12}"),
        ("0.08333333333333333", "1/12"),
        ("0.3333333333", "\\frac{1}{3}"),
        ("0.6666666667", "\\frac{2}{3}"),
        ("0.6666666666", "\\frac{2}{3}"),
        ("-1.4285714286", "-\\frac{10}{7}"),
        ("142857.1428571", "\\frac{1000000}{7}"),
        ("\\frac{1}{12}", "0.0833333333333333"),
    ],
}

NEAR_MISS = {
    "ascii_relation": [
        ("x <= 3", "x \\leq 2"),
        ("x >= 2", "x \\leq 2"),
        ("x < 2", "x \\leq 2"),
        ("x != 4", "x \\neq 5"),
        ("x = 5", "x \\neq 5"),
        ("x != 5", "5"),
        ("x^2 <= 9", "x^2 \\leq 4"),
    ],
    "percent_word": [
        ("27 percent", "28\\%"),
        ("2.8 percent", "28\\%"),
        ("28 percent", "2.8"),
        ("0.28 percent", "28\\%"),
        ("28 percentile", "28\\%"),
    ],
    "unit_wrapper": [
        ("6\\textbf{ cm}", "5"),
        ("12 \\textnormal{ meters}", "1.2"),
        ("€16", "15"),
        ("£1.25", "12.5"),
        ("12 cm³", "12 \\text{ cm}^2"),
        ("5 m²", "5 \\text{ m}^3"),
        ("186\\\\", "185"),
        ("18\\\\5", "185"),
        ("2m", "2"),
    ],
    "labelled_gold": [
        ("(2,3)", "(p,q)=(3,2)"),
        ("(a,b)=(3,2)", "(p,q)=(3,2)"),
        ("(q,p)=(3,2)", "(p,q)=(3,2)"),
        ("\\frac{14}{3}, -5", "x = -5,\\ p = \\frac{14}{3}"),
        ("p = -5, x = \\frac{14}{3}", "x = -5,\\ p = \\frac{14}{3}"),
        ("-5, \\frac{14}{5}", "x = -5,\\ p = \\frac{14}{3}"),
        ("(5, 8)", "(x, y) = (5, 8) and (8, 5)"),
        ("(5, 8), (8, 6)", "(x, y) = (5, 8) and (8, 5)"),
        ("2, 1", "x=1, y=2"),
        ("x=2, y=1", "x=1, y=2"),
        ("1, 2, 3", "x=1, y=2"),
    ],
    "list_spelling": [
        ("1; 2; 4", "1, 2, 3"),
        ("1 and 2", "1, 2, 3"),
        ("19, 46, 82, 91", "19, 46, and 82"),
        ("21, 16 or 12", "21,16 or 11"),
        ("(11,7)or(7,12)", "(11,7),(7,11)"),
        ("p=5,q=2;p=7,q=3", "(5,2),(7,2)"),
        ("{1,3}", "\\{1, 3, 5\\}"),
        ("1, 3, 4", "1, 3"),
        ("2, 2", "2, 3"),
        ("5 or 6", "5"),
        ("(5,2);(7,2)", "(5,2)"),
    ],
    "inequality_interval": [
        ("-2 \\le x \\le 8", "x \\in [-2,7]"),
        ("-2 < x \\le 7", "[-2,7]"),
        ("[0,1)", "0<f(x)<1"),
        ("-793 < a < 11", "(-793, 10)"),
        ("(-793, 10)", "-793 < a \\le 10"),
        ("7 \\le x \\le -2", "[-2, 7]"),
        ("x < 3", "(3, \\infty)"),
        ("x \\geq -2", "[-2, 7]"),
        ("-2 \\le x \\le 7", "-2, 7"),
    ],
    "line_equation": [
        ("2x+4y-5=0", "y=-\\frac{1}{2}x+\\frac{3}{4}"),
        ("2x-4y-3=0", "y=-\\frac{1}{2}x+\\frac{3}{4}"),
        ("3x + y + 2 = 0", "y = 3x + 2"),
        ("y = 2x - 1", "y = 2x + 1"),
        ("x^2+y^2=2", "x^2+y^2=4"),
        ("x^2 + y = 4", "x^2+y^2=4"),
        ("y = 2\\frac{1}{2}x", "y = x"),
    ],
    "long_decimal": [
        ("0.08333333334", "\\frac{1}{12}"),
        ("0.333333333", "\\frac{1}{3}"),
        ("0.3333333334", "\\frac{1}{3}"),
        ("0.6666666668", "\\frac{2}{3}"),
        ("0.6666666665", "\\frac{2}{3}"),
        ("0.1428571429", "\\frac{1}{6}"),
        ("3.1415926536", "\\frac{22}{7}"),
        ("0.0833333333333334", "\\frac{1}{12}"),
    ],
}

SEVERAL_BOXES = [
    ("so the roots are \\boxed{2} and \\boxed{3}.", "2, 3"),
    ("$\\boxed{-1}$, $\\boxed{4}$", "-1, 4"),
    ("\\boxed{1}, \\boxed{2}, and \\boxed{5}", "5, 1, 2"),
    ("\\boxed{x=2} \\text{ or } \\boxed{x=3}", "2, 3"),
    ("\\boxed{(1,2)} and \\boxed{(3,4)}", "(1,2), (3,4)"),
    ("A first try gave \\boxed{7}.\nThe answers are \\boxed{2} and \\boxed{3}.", "2, 3"),
    ("\\boxed{2}; \\boxed{3}", "2, 3"),
]

SEVERAL_BOXES_NEAR_MISS = [
    ("so the roots are \\boxed{2} and \\boxed{4}.", "2, 3"),
    ("\\boxed{2} and \\boxed{3}", "2"),
    ("\\boxed{2}\nso the answer is \\boxed{3}", "2, 3"),
    ("First \\boxed{2}, then checking again gives \\boxed{3}", "2, 3"),
    ("\\boxed{2} and \\boxed{3}", "(2, 3)"),
    ("\\boxed{3} and \\boxed{2}", "[2, 3]"),
]


def _cases(table: dict[str, list[tuple[str, str]]]) -> list:
    return [
        pytest.param(pred, gold, id=f"{category}-{index}")
        for category, pairs in table.items()
        for index, (pred, gold) in enumerate(pairs)
    ]


def _correct(pred: str, gold: str) -> bool:
    return grade(f"Checking each case... so the answer is $\\boxed{{{pred}}}$.", gold, timeout=10.0).correct


@pytest.mark.parametrize(("pred", "gold"), _cases(EQUIVALENT))
def test_equal_answers_grade_correct(pred: str, gold: str) -> None:
    assert _correct(pred, gold)


@pytest.mark.parametrize(("pred", "gold"), _cases(NEAR_MISS))
def test_near_misses_grade_wrong(pred: str, gold: str) -> None:
    assert not _correct(pred, gold)


@pytest.mark.parametrize(("response", "gold"), SEVERAL_BOXES)
def test_boxes_of_the_last_line_are_one_answer(response: str, gold: str) -> None:
    assert grade(response, gold, timeout=10.0).correct


@pytest.mark.parametrize(("response", "gold"), SEVERAL_BOXES_NEAR_MISS)
def test_boxes_apart_or_wrong_stay_wrong(response: str, gold: str) -> None:
    assert not grade(response, gold, timeout=10.0).correct


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("\\boxed{2} and \\boxed{3}", "2, 3"),
        ("$\\boxed{1}$, $\\boxed{2}$ or $\\boxed{3}$.", "1, 2, 3"),
        ("\\boxed{a}\\text{ and }\\fbox{b}", "a, b"),
        ("\\boxed 4 and \\boxed{5}", "4, 5"),
        ("\\boxed{1}\n\\boxed{2} and \\boxed{3}", "2, 3"),
        ("\\boxed{1} \\boxed{2}", "2"),
        ("\\boxed{1} so \\boxed{2}", "2"),
    ],
)
def test_extraction_joins_boxes_separated_by_list_words(response: str, expected: str) -> None:
    assert extract_answer(response) == expected
