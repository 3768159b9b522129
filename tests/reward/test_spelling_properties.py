"""Property tests of three equal-answer rules against oracles built independently of the grader.

Long decimals are written out with Python's ``decimal`` module (rounding half up, or truncating,
at a chosen number of significant digits); inequalities and equations of lines are written from
their bounds and coefficients, so each pair is equal, or not, by construction.
"""

from __future__ import annotations

import decimal
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lead.reward import grade

EXAMPLES = settings(max_examples=120, deadline=None)


def _correct(pred: str, gold: str) -> bool:
    return grade(f"So the answer is $\\boxed{{{pred}}}$.", gold, timeout=10.0).correct


def _written_out(numerator: int, denominator: int, significant: int, rounding: str) -> str:
    """``numerator / denominator`` with ``significant`` significant digits, as ``decimal`` writes it."""
    context = decimal.Context(prec=significant, rounding=rounding)
    return format(context.divide(decimal.Decimal(numerator), decimal.Decimal(denominator)), "f")


def _significant_digits(text: str) -> int:
    return len(text.replace("-", "").replace(".", "").lstrip("0"))


def _last_digit_moved(text: str, steps: int) -> str:
    """``text`` plus ``steps`` units in its last place."""
    places = len(text.split(".")[1])
    value = decimal.Decimal(text) + decimal.Decimal(steps).scaleb(-places)
    return format(value.quantize(decimal.Decimal(1).scaleb(-places)), "f")


fractions = st.tuples(st.integers(1, 10**6), st.integers(2, 10**4)).filter(lambda pair: pair[0] % pair[1])


@EXAMPLES
@given(
    fraction=fractions,
    significant=st.integers(10, 18),
    rounding=st.sampled_from(["ROUND_HALF_UP", "ROUND_DOWN"]),
)
def test_a_decimal_of_ten_or_more_digits_writes_out_its_fraction(
    fraction: tuple[int, int], significant: int, rounding: str
) -> None:
    numerator, denominator = fraction
    written = _written_out(numerator, denominator, significant, rounding)
    assume("." in written and _significant_digits(written) >= 10)
    gold = f"\\frac{{{numerator}}}{{{denominator}}}"
    assert _correct(written, gold)
    assert not _correct(_last_digit_moved(written, 2), gold)  # two units off: neither rounding nor truncation
    assert not _correct(_last_digit_moved(written, -1) if rounding == "ROUND_DOWN" else written + "7", gold)


@EXAMPLES
@given(fraction=fractions, significant=st.integers(2, 9))
def test_a_shorter_decimal_is_compared_exactly(fraction: tuple[int, int], significant: int) -> None:
    numerator, denominator = fraction
    written = _written_out(numerator, denominator, significant, "ROUND_HALF_UP")
    assume(Fraction(written) != Fraction(numerator, denominator))
    assert not _correct(written, f"\\frac{{{numerator}}}{{{denominator}}}")


LESS_THAN = {True: ["\\le", "\\leq", "<=", "≤", "\\leqslant"], False: ["<", "\\lt"]}
GREATER_THAN = {True: ["\\ge", "\\geq", ">=", "≥"], False: [">", "\\gt"]}


@st.composite
def bounded_names(draw: st.DrawFn) -> tuple[str, str, tuple[int, int, bool, bool]]:
    """(inequality, interval, (low, high, low closed, high closed)) for one name between two integers."""
    low = draw(st.integers(-1000, 999))
    high = draw(st.integers(low + 1, 1000))
    low_closed, high_closed = draw(st.booleans()), draw(st.booleans())
    name = draw(st.sampled_from(["x", "a", "t", "f(x)", "x_1"]))
    if draw(st.booleans()):
        first, second = (
            draw(st.sampled_from(LESS_THAN[low_closed])),
            draw(st.sampled_from(LESS_THAN[high_closed])),
        )
        inequality = f"{low} {first} {name} {second} {high}"
    else:
        first = draw(st.sampled_from(GREATER_THAN[high_closed]))
        second = draw(st.sampled_from(GREATER_THAN[low_closed]))
        inequality = f"{high} {first} {name} {second} {low}"
    interval = f"{'[' if low_closed else '('}{low}, {high}{']' if high_closed else ')'}"
    return inequality, interval, (low, high, low_closed, high_closed)


@EXAMPLES
@given(case=bounded_names(), membership=st.booleans())
def test_an_inequality_on_one_name_is_its_interval(
    case: tuple[str, str, tuple[int, int, bool, bool]], membership: bool
) -> None:
    inequality, interval, (low, high, low_closed, high_closed) = case
    written_interval = f"x \\in {interval}" if membership else interval
    assert _correct(inequality, written_interval)
    assert _correct(written_interval, inequality)
    other_closedness = f"{'(' if low_closed else '['}{low}, {high}{']' if high_closed else ')'}"
    other_bound = f"{'[' if low_closed else '('}{low}, {high + 1}{']' if high_closed else ')'}"
    assert not _correct(inequality, other_closedness)
    assert not _correct(inequality, other_bound)


def _linear(coefficients: dict[str, Fraction]) -> str:
    """``3x - y + \\frac{1}{2}``: a sum of terms, in the given order, zero terms left out."""
    text = ""
    for variable, coefficient in coefficients.items():
        if coefficient == 0:
            continue
        sign = "-" if coefficient < 0 else "+"
        size = abs(coefficient)
        number = (
            str(size.numerator)
            if size.denominator == 1
            else f"\\frac{{{size.numerator}}}{{{size.denominator}}}"
        )
        term = variable if size == 1 and variable else number + variable
        text += f" {sign} {term}" if text else f"{'-' if coefficient < 0 else ''}{term}"
    return text or "0"


@st.composite
def lines(draw: st.DrawFn) -> tuple[int, int, int, Fraction]:
    """Coefficients of ``a x + b y + c = 0`` (``a, b != 0``: a line in both variables) and a
    nonzero multiplier."""
    a, b = draw(st.integers(-20, 20).filter(bool)), draw(st.integers(-20, 20).filter(bool))
    c = draw(st.integers(-20, 20))
    multiplier = Fraction(draw(st.integers(-6, 6).filter(bool)), draw(st.integers(1, 4)))
    return a, b, c, multiplier


@EXAMPLES
@given(line=lines())
def test_a_multiple_of_a_line_equation_is_the_same_line(line: tuple[int, int, int, Fraction]) -> None:
    a, b, c, multiplier = line
    slope_form = f"y = {_linear({'x': Fraction(-a, b), '': Fraction(-c, b)})}"
    general = {"x": multiplier * a, "y": multiplier * b, "": multiplier * c}
    assert _correct(f"{_linear(general)} = 0", slope_form)
    assert _correct(slope_form, f"{_linear(general)} = 0")
    shifted = {**general, "": general[""] + 1}
    assert not _correct(f"{_linear(shifted)} = 0", slope_form)
