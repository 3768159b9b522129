"""Precision and recall of the grader on a labeled set built from the shipped gold answers.

Every sampled gold answer is rewritten into equivalent forms (which must grade correct: spacing,
fractions, decimals, reordered sets, lists written with ``;``, ``and`` or one box per item,
intervals written as inequalities, a fraction written out to 16 digits, ...) and into wrong ones:
perturbed values and expressions (a changed digit, negated, squared, doubled, plus one), a wrong
last box, a missing or unfinished box, another problem's answer, a reordered tuple, a set missing
an element or with one too many, a wrong bound, a long decimal off in its last digit (which must
grade wrong). A false reward is worse than a missed one, so precision must be exactly 1; recall
must be at least 98%.
"""

from __future__ import annotations

import decimal
import re
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from lead.data.schema import load_rl_parquet
from lead.reward import grade
from lead.reward.normalize import canonical_form, clean_answer, split_assignment
from lead.reward.plain_numbers import parse_number
from lead.reward.structure import Shape, answer_shape

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = {
    "eval/aime24.parquet": 30,
    "eval/aime25.parquet": 30,
    "eval/amc23.parquet": 40,
    "eval/math500.parquet": 500,
    "eval/olympiadbench.parquet": 675,
    "math/train.parquet": 60,
}
REASONING = "Let me work through this carefully. First, set up the equation and simplify both sides. "


def _golds() -> list[str]:
    golds = []
    for name, count in SAMPLES.items():
        frame = load_rl_parquet(ROOT / "data" / name)
        golds += [row["ground_truth"] for row in frame["reward_model"].iloc[:count]]
    return golds


def _boxed(answer: str) -> str:
    return f"{REASONING * 3}So the final answer is $\\boxed{{{answer}}}$."


def _decimal(value: Fraction) -> str | None:
    """Terminating decimal of ``value`` with at most 6 places, else None."""
    for places in range(7):
        scaled = value * 10**places
        if scaled.denominator == 1:
            text = f"{abs(scaled.numerator):0{places + 1}d}"
            body = text[:-places] + "." + text[-places:] if places else text
            return ("-" if value < 0 else "") + body
    return None


def _written_out(value: Fraction, significant: int = 16) -> str:
    """``value`` rounded to ``significant`` significant digits by the ``decimal`` module."""
    context = decimal.Context(prec=significant, rounding=decimal.ROUND_HALF_EVEN)
    return format(context.divide(decimal.Decimal(value.numerator), decimal.Decimal(value.denominator)), "f")


def _last_digit_moved(text: str, steps: int) -> str:
    places = len(text.split(".")[1])
    moved = decimal.Decimal(text) + decimal.Decimal(steps).scaleb(-places)
    return format(moved.quantize(decimal.Decimal(1).scaleb(-places)), "f")


def _math_items(shape: Shape) -> list[str] | None:
    """The items of a bare list when each is mathematics (no word of three or more letters)."""
    if shape.kind != "set" or shape.brackets or len(shape.items) < 2:
        return None
    words = [re.search(r"[A-Za-z]{3,}", re.sub(r"\\[A-Za-z]+", " ", item)) for item in shape.items]
    return None if any(words) else list(shape.items)


def _interval_bounds(shape: Shape) -> tuple[str, str] | None:
    """(low, high) of an answer that is surely an interval: numeric bounds, low < high, and a
    closed end or an infinite one (``(2, 5)`` may be a point)."""
    if shape.kind != "sequence" or shape.brackets not in ("[]", "()", "[)", "(]") or len(shape.items) != 2:
        return None
    low, high = shape.items
    infinities = {"-\\infty": float("-inf"), "\\infty": float("inf")}
    values = [infinities[bound] if bound in infinities else parse_number(bound) for bound in (low, high)]
    if (
        None in values
        or values[0] >= values[1]
        or (shape.brackets == "()" and not {low, high} & set(infinities))
    ):
        return None
    return low, high


def _inequality(low: str, high: str, brackets: str) -> str:
    """``low \\le x < high`` (one-sided when a bound is infinite)."""
    lower_relation = "\\le" if brackets[0] == "[" else "<"
    upper_relation = "\\le" if brackets[1] == "]" else "<"
    lower = "" if low == "-\\infty" else f"{low} {lower_relation} "
    upper = "" if high == "\\infty" else f" {upper_relation} {high}"
    return f"{lower}x{upper}"


def _value_key(item: str) -> object:
    """A plain number's value (``-\\frac{3}{3}`` is ``-1``), else the canonical string."""
    number = parse_number(clean_answer(item))
    return canonical_form(item) if number is None else number


def _boxes(items: list[str]) -> str:
    return f"{REASONING}So the answers are " + " and ".join(f"$\\boxed{{{item}}}$" for item in items) + "."


def equivalent_forms(gold: str) -> dict[str, str]:
    """Responses whose final answer equals ``gold`` (keyed by the rewrite used)."""
    forms = {"verbatim": _boxed(gold), "inline_box": f"$\\boxed{{{gold}}}$"}
    forms["earlier_box_then_gold"] = f"First guess \\boxed{{0}}. {REASONING}Corrected: \\boxed{{{gold}}}"
    if not re.fullmatch(r"[\d,]+", clean_answer(gold).replace(" ", "")) or "," not in gold:
        forms["spacing"] = _boxed(re.sub(r"\s*,\s*", ", ", gold).replace("=", " = "))
    if "\\frac" in gold:
        forms["dfrac"] = _boxed(gold.replace("\\frac", "\\dfrac"))
        forms["tfrac"] = _boxed(gold.replace("\\frac", "\\tfrac"))
    if "^\\circ" in gold:
        forms["no_degree_sign"] = _boxed(gold.replace("^\\circ", ""))
    text_only = re.fullmatch(r"\\text\{([^{}]*)\}", gold)
    if text_only:
        forms["unwrapped_text"] = _boxed(text_only.group(1))
    shape = answer_shape(clean_answer(gold))
    if shape.kind == "sequence" and shape.brackets == "()":
        forms["left_right"] = _boxed("\\left(" + ", ".join(shape.items) + "\\right)")
    if shape.kind == "set" and not shape.brackets:
        forms["reordered"] = _boxed(", ".join(reversed(shape.items)))
    forms["trailing_line_break"] = _boxed(f"{gold} \\\\")
    items = _math_items(shape)
    if items is not None:
        forms["semicolons"] = _boxed("; ".join(reversed(items)))
        forms["and_before_last"] = _boxed(", ".join(items[:-1]) + ", and " + items[-1])
        forms["one_box_each"] = _boxes(items)
    labelled = [split_assignment(clean_answer(item)) for item in shape.items]
    if len({label for label, _ in labelled} - {None}) == len(labelled) > 1:
        forms["bare_values_in_order"] = _boxed(", ".join(value for _, value in labelled))
    bounds = _interval_bounds(shape)
    if bounds is not None:
        forms["inequality"] = _boxed(_inequality(*bounds, shape.brackets))
    if re.search(r"\\%\s*$", gold):
        forms["percent_word"] = _boxed(re.sub(r"\s*\\%\s*$", " percent", gold))
    value = parse_number(clean_answer(gold))
    if value is None:
        return forms
    forms["dollars"] = _boxed(f"${gold}$")
    if value.denominator == 1:
        integer = value.numerator
        forms["trailing_zero"] = _boxed(f"{integer}.0")
        forms["assignment"] = _boxed(f"x = {integer}")
        if integer >= 0:
            forms["leading_zero"] = _boxed(f"0{integer}")
        if abs(integer) >= 1000:
            forms["thousands"] = _boxed(f"{integer:,}")
    else:
        forms["slash"] = _boxed(f"{value.numerator}/{value.denominator}")
        forms["latex_fraction"] = _boxed(f"\\frac{{{value.numerator}}}{{{value.denominator}}}")
        decimal = _decimal(value)
        if decimal is not None:
            forms["decimal"] = _boxed(decimal)
        else:
            forms["written_out_decimal"] = _boxed(_written_out(value))
    return forms


def _bump_last_digit(text: str) -> str | None:
    match = re.search(r"\d(?!.*\d)", text)
    if match is None:
        return None
    digit = str((int(match.group()) + 1) % 10)
    return text[: match.start()] + digit + text[match.end() :]


def wrong_forms(gold: str, other_golds: list[str]) -> dict[str, str]:
    """Responses whose final answer is wrong, or that have no final answer (keyed by the change)."""
    forms = {
        "no_box": f"{REASONING}The final answer is {gold}.",
        "empty_box": f"{REASONING}\\boxed{{}}",
        "unfinished_box": f"{REASONING}\\boxed{{{gold}",
    }
    bumped = _bump_last_digit(gold)
    if bumped is not None:
        forms["changed_digit"] = _boxed(bumped)
        forms["gold_then_wrong_box"] = f"\\boxed{{{gold}}} Hmm, no. {REASONING}\\boxed{{{bumped}}}"
    clean = clean_answer(gold)
    value = parse_number(clean)
    shape = answer_shape(clean)
    if value is not None and value != 0:
        forms["negated"] = _boxed(
            str(-value) if value.denominator == 1 else f"{-value.numerator}/{value.denominator}"
        )
        forms["times_ten"] = _boxed(
            str(value * 10) if value.denominator == 1 else _decimal(value * 10) or "0"
        )
    if value is not None and value != 0:
        forms["with_variable"] = _boxed(f"{clean}x")
    if value is not None and value.denominator != 1 and abs(value.numerator) != 1:
        forms["reciprocal"] = _boxed(f"\\frac{{{value.denominator}}}{{{value.numerator}}}")
    if value is not None:
        others = [other for other in other_golds if (parse_number(clean_answer(other)) or value) != value]
        forms["other_problems_answer"] = _boxed(others[len(gold) % len(others)])
    if value is None and shape.kind == "scalar" and not re.search(r"[=<>:]|\\[lg]e|\\approx|\\text", clean):
        forms["squared"] = _boxed(f"({clean})^2")
        forms["doubled"] = _boxed(f"2({clean})")
        forms["plus_one"] = _boxed(f"{clean}+1")
        forms["negated_expression"] = _boxed(f"-({clean})")
        if "\\sqrt" in clean:
            forms["sqrt_dropped"] = _boxed(clean.replace("\\sqrt", "", 1))
    if shape.kind == "set" and len(shape.items) >= 2:
        forms["missing_element"] = _boxed(", ".join(shape.items[:-1]))
    items = _math_items(shape)
    if items is not None:
        forms["one_box_each_missing_one"] = _boxes(items[:-1])
        extra = _bump_last_digit(items[-1])
        if extra is not None and _value_key(extra) not in {_value_key(item) for item in items}:
            forms["extra_element"] = _boxed(", ".join([*items, extra]))
    bounds = _interval_bounds(shape)
    moved_high = None if bounds is None else _bump_last_digit(bounds[1])
    if moved_high is not None:
        forms["inequality_wrong_bound"] = _boxed(_inequality(bounds[0], moved_high, shape.brackets))
    if value is not None and value.denominator != 1 and _decimal(value) is None:
        forms["written_out_decimal_off"] = _boxed(_last_digit_moved(_written_out(value), 2))
    if shape.kind == "sequence" and clean_answer(shape.items[0]) != clean_answer(shape.items[-1]):
        swapped = [shape.items[-1], *shape.items[1:-1], shape.items[0]]
        forms["swapped_order"] = _boxed(shape.brackets[0] + ", ".join(swapped) + shape.brackets[-1])
    if shape.kind == "sequence" and shape.brackets in ("[]", "()"):
        flipped = "(]" if shape.brackets == "[]" else "[)"
        forms["other_brackets"] = _boxed(flipped[0] + ", ".join(shape.items) + flipped[1])
    return forms


def _labeled_pairs() -> list[tuple[str, str, str, bool]]:
    """(kind, response, gold, should_be_correct) for every sampled gold answer."""
    golds = _golds()
    plain_numbers = [gold for gold in golds if parse_number(clean_answer(gold)) is not None]
    pairs = []
    for gold in golds:
        pairs += [(kind, text, gold, True) for kind, text in equivalent_forms(gold).items()]
        pairs += [(kind, text, gold, False) for kind, text in wrong_forms(gold, plain_numbers).items()]
    return pairs


@pytest.mark.slow
def test_precision_is_one_and_recall_at_least_98_percent(capsys: pytest.CaptureFixture[str]) -> None:
    pairs = _labeled_pairs()
    assert len(pairs) >= 300
    false_rewards, missed, kinds = [], [], Counter()
    true_positive = 0
    for kind, response, gold, should_be_correct in pairs:
        correct = grade(response, gold, timeout=10.0).correct
        kinds[(kind, should_be_correct)] += 1
        if correct and should_be_correct:
            true_positive += 1
        elif correct:
            false_rewards.append((kind, gold, response[-80:]))
        elif should_be_correct:
            missed.append((kind, gold, response[-80:]))
    positives = sum(1 for *_, label in pairs if label)
    precision = true_positive / max(1, true_positive + len(false_rewards))
    recall = true_positive / positives
    with capsys.disabled():
        print(
            f"\nlabeled set: {len(pairs)} pairs ({positives} equivalent, {len(pairs) - positives} wrong); "
            f"precision {precision:.4f}, recall {recall:.4f} ({len(missed)} missed)"
        )
        for kind, gold, tail in missed:
            print(f"  missed [{kind}] gold={gold!r} response=...{tail!r}")
    assert not false_rewards, false_rewards
    assert recall >= 0.98, missed
    assert {kind for kind, label in kinds if not label} >= {
        "changed_digit",
        "no_box",
        "other_problems_answer",
    }
