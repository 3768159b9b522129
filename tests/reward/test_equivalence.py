"""Equivalence rules: the forms math-verify alone misses, and near-misses that must stay wrong."""

from __future__ import annotations

import numpy as np
import pytest

from lead.reward import grade, grader_stats


def _correct(pred: str, gold: str | list[str]) -> bool:
    return grade(f"Reasoning... so the answer is $\\boxed{{{pred}}}$.", gold).correct


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("0.5", "\\frac{1}{2}"),
        ("\\dfrac{1}{2}", "\\frac{1}{2}"),
        ("\\tfrac12", "\\frac{1}{2}"),
        ("\\frac{3}{4}", "3/4"),
        ("25", "025"),
        ("025", "25"),
        ("27", "27.0"),
        ("27.00", "27"),
        ("$7$", "7"),
        ("x = 3", "3"),
        ("3", "x=3"),
        ("f(n) = 2n+1007", "2 n+1007"),
        ("10,080", "10,\\!080"),
        ("10080", "10{,}080"),
        ("32348", "\\$32,\\!348"),
        ("11111111100", "11,\\! 111,\\! 111,\\! 100"),
        ("1 000", "1000"),
        ("12", "12\\text{ right triangles}"),
        ("6 \\text{ square feet}", "6"),
        ("6 \\text{ sq ft}", "6 \\text{ ft}^2"),
        ("90", "90^\\circ"),
        ("90^{\\circ}", "90"),
        ("864", "864 \\mbox{ inches}^2"),
        ("5.4", "5.4 \\text{ cents}"),
        ("15 \\text{ cm}^2", "15"),
        ("20 miles", "20"),
        ("8\\%", "8"),
        ("75\\%", "0.75"),
        ("0.042", "4.2\\%"),
        ("C", "\\text{(C)}"),
        ("(C)", "\\text{(C)}"),
        ("Evelyn", "\\text{Evelyn}"),
        ("\\text{even}", "\\text{even}"),
        ("2, 1", "1,2"),
        ("\\{3, -2\\}", "-2, 3"),
        ("3, 5, 7", "7, 5, 3"),
        ("x=2 \\text{ or } x=3", "2, 3"),
        ("6, 8, 10", "6, 8\\text{, and }10"),
        ("(3, \\frac{\\pi}{2})", "\\left( 3, \\frac{\\pi}{2} \\right)"),
        ("(-\\infty, 3]", "(-\\infty,3]"),
        ("[-2, 7]", "x \\in [-2,7]"),
        ("(\\frac{3}{5}, \\frac{8}{3}]", "\\left(\\frac{3}{5},\\frac{8}{3}\\right]"),
        ("\\sqrt{2}/2", "\\frac{\\sqrt{2}}{2}"),
        ("\\frac{\\sqrt3}{3}", "\\frac{1}{\\sqrt{3}}"),
        ("4210", "4210_{5}"),
        ("52_8", "52_{8}"),
        ("x=1, y=2", "x=1,y=2"),
        ("y=2, x=1", "x=1, y=2"),
        ("1, 2", "x=1, y=2"),
        ("1, 2, 2", "1, 2"),
        ("2, -6-4\\sqrt{2}", "a=2, a=-6-4\\sqrt{2}"),
        ("f(x)=x, f(x)=2-x", "f(x)=2-x, f(x)=x"),
        ("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"),
        ("12", ["11", "12"]),
    ],
)
def test_equivalent_forms_grade_correct(pred: str, gold: str | list[str]) -> None:
    assert _correct(pred, gold)


@pytest.mark.parametrize(
    ("pred", "gold"),
    [
        ("1, 0", "1,000"),
        ("1,000", "1, 0"),
        ("1, 0, 0, 0", "1000"),
        ("1, 000", "1000"),
        ("5 6", "56"),
        ("56", "5 6"),
        ("4:00\\text{ a.m.}", "4:00\\text{ p.m.}"),
        ("3\\text{ or fewer}", "3"),
        ("5 \\text{ or } 6", "5"),
        ("2m", "2"),
        ("6", "6m"),
        ("2", "2n"),
        ("0.3333", "\\frac{1}{3}"),
        ("0.75", "75"),
        ("7.5\\%", "0.75"),
        ("26", "025"),
        ("27.1", "27.0"),
        ("x=2, y=1", "x=1, y=2"),
        ("2, 1", "x=1, y=2"),
        ("(x=1, y=2)", "(y=1, x=2)"),
        ("(2, 1)", "(1, 2)"),
        ("[1, 2]", "[1, 2)"),
        ("(1, 2)", "\\{1, 2\\}"),
        ("1, 2", "1, 2, 3"),
        ("1, 2 \\text{ and } 4", "1, 2, 3"),
        ("1, 2, 3", "1, 2"),
        ("1, 2", "1, 1, 2"),
        ("p + q", "p - q"),
        ("\\text{odd}", "\\text{even}"),
        ("D", "\\text{(C)}"),
        ("4210_{6}", "4210_{5}"),
        ("@# 5", "5"),
        ("864 \\mbox{ inches}^3", "864 \\mbox{ inches}^2"),
        ("6 \\text{ cubic feet}", "6 \\text{ square feet}"),
        ("x^2 = 2", "2"),
        ("9 \\cdot x = x = 1", "1"),
        ("\ud800 5", "5"),
        ("\\frac{1}{2}", "\\frac{1}{3}"),
        ("-\\frac{1}{2}", "\\frac{1}{2}"),
        ("\\sqrt{3}", "\\sqrt{2}"),
        ("x^2+1", "x^2-1"),
        ("12", ["11", "13"]),
        ("12", []),
        ("", "12"),
    ],
)
def test_wrong_answers_grade_wrong(pred: str, gold: str | list[str]) -> None:
    assert not _correct(pred, gold)


def test_unbalanced_answers_are_not_read_in_part() -> None:
    result = grade("\\boxed 12}\\circ\\}&}", "12")  # brace-less box: read up to the next space
    assert (result.pred, result.correct) == ("12}\\circ\\}&}", False)


def test_grade_result_fields() -> None:
    result = grade("so \\boxed{\\dfrac{1}{2}}", "0.5")
    assert (result.correct, result.pred, result.has_answer, result.timed_out) == (
        True,
        "\\dfrac{1}{2}",
        True,
        False,
    )
    missing = grade("no box at all", "0.5")
    assert (missing.correct, missing.pred, missing.has_answer, missing.timed_out) == (False, "", False, False)


def test_ground_truth_types() -> None:
    assert grade("\\boxed{27}", 27.0).correct
    assert grade("\\boxed{5}", np.array(["4", "5"], dtype=object)).correct
    assert grade("\\boxed{27}", np.float64(27.0)).correct
    assert grade("\\boxed{27}", np.int64(27)).correct
    assert not grade("\\boxed{27}", {"27": "27"}).correct  # type: ignore[arg-type]
    assert not grade("\\boxed{1}", "1" * 100_000 + "+1").correct
    assert grade("\\boxed{70}", 70).correct
    assert grade("\\boxed{3}", ("1", "3")).correct
    assert not grade("\\boxed{3}", None).correct  # type: ignore[arg-type]
    assert not grade("\\boxed{3}", "   ").correct


def test_phrase_fallback_is_off_by_default() -> None:
    assert not grade("The final answer is 12.", "12").correct
    assert grade("The final answer is 12.", "12", fallback=True).correct


@pytest.mark.parametrize("timeout", [0, -1, "5", None, True])
def test_invalid_timeout_is_rejected(timeout: object) -> None:
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        grade("\\boxed{1}", "1", timeout=timeout)  # type: ignore[arg-type]


def test_counters_record_outcomes() -> None:
    before = grader_stats()
    grade("\\boxed{3\\sqrt{}}", "3\\sqrt{3}")  # math-verify cannot read the prediction
    grade("no box", "1")
    grade("\\boxed{" + "1" * 2000 + "}", "1")
    grade("\\boxed{\\sqrt{12}}", "2\\sqrt{3}")
    after = grader_stats()
    for name, added in [("graded", 4), ("correct", 1), ("no_answer", 1), ("too_long", 1),
                        ("math_verify_calls", 2), ("math_verify_unparsable", 1)]:  # fmt: skip
        assert after.get(name, 0) - before.get(name, 0) == added, name
