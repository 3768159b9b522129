"""Is a predicted answer mathematically equal to a gold answer?

Cheap rules run first, in-process: equal canonical strings, exact rational comparison of plain
numbers, case-insensitive comparison of word answers, and element-wise comparison of sets, tuples
and intervals. Everything else goes to math-verify in a worker process under the caller's
deadline (``timeout.verify_before``). Rules only ever accept on exact equality, so a cheap rule
never turns a wrong answer into a right one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lead.reward.extract import braces_balanced
from lead.reward.normalize import canonical_form, clean_answer, ends_in_percent, split_assignment, unit_power
from lead.reward.plain_numbers import parse_number
from lead.reward.structure import answer_shape
from lead.reward.timeout import verify_before

MAX_VERIFY_CHARS = 400
"""Answers longer than this are compared as strings only (no LaTeX parsing)."""
MAX_ELEMENTS = 32

_BASE_NUMBER = re.compile(r"([0-9A-Za-z]+)_\{?(\d+)\}?")
_UNREADABLE = re.compile(r"[@#?\x00-\x08\x0b-\x1f\ufffd\ud800-\udfff]")
_WORD_ANSWER = re.compile(r"(?=.*[A-Za-z]{3})[A-Za-z][A-Za-z ,.'-]*[A-Za-z.]|\(?[A-Za-z]\)")


@dataclass(frozen=True)
class Verdict:
    """Outcome of one comparison: ``equal``, and whether a deadline cut it short."""

    equal: bool
    timed_out: bool = False


EQUAL = Verdict(True)
NOT_EQUAL = Verdict(False)
TIMED_OUT = Verdict(False, timed_out=True)


def _is_word_answer(text: str) -> bool:
    """Words (``east``, ``Evelyn``) or a choice letter in parentheses (``(C)``)."""
    return _WORD_ANSWER.fullmatch(text) is not None


def _base_digits(text: str, own: re.Match | None, other: re.Match | None) -> tuple[str, str]:
    """(digits, base) of a number written in a base (``52_8``); a bare number takes the other's base."""
    if own is not None:
        return own.group(1).lower(), own.group(2)
    return text.replace(" ", "").lower(), other.group(2) if other is not None else ""


def _word_key(text: str) -> str:
    return re.sub(r"\s+", "", text.lower()).strip("().")


def _value_verdict(pred: str, gold: str, deadline: float) -> Verdict:
    """Compare two cleaned single values."""
    if canonical_form(pred) == canonical_form(gold):
        return EQUAL
    if not pred or not gold:
        return NOT_EQUAL
    if _UNREADABLE.search(pred):
        return NOT_EQUAL
    if _is_word_answer(gold):
        return Verdict(_word_key(pred) == _word_key(gold))
    gold_base, pred_base = _BASE_NUMBER.fullmatch(gold), _BASE_NUMBER.fullmatch(pred)
    if gold_base or pred_base:
        return Verdict(_base_digits(gold, gold_base, pred_base) == _base_digits(pred, pred_base, gold_base))
    gold_number, pred_number = parse_number(gold), parse_number(pred)
    if gold_number is not None and pred_number is not None:
        return Verdict(gold_number == pred_number)
    if len(pred) > MAX_VERIFY_CHARS or len(gold) > MAX_VERIFY_CHARS or not braces_balanced(pred):
        return NOT_EQUAL
    if "=" in pred and "=" not in gold:
        return NOT_EQUAL  # math-verify would take the right-hand side: x^2 = 2 is not the answer 2
    verdict = verify_before(gold, pred, deadline)
    return TIMED_OUT if verdict is None else Verdict(verdict)


def _same_label(pred_label: str | None, gold_label: str) -> bool:
    return pred_label is not None and canonical_form(pred_label) == canonical_form(gold_label)


def _item_verdict(pred: str, gold: str, deadline: float, *, labels_must_match: bool) -> Verdict:
    """Compare two cleaned answers or list items, looking through ``name =`` labels.

    With ``labels_must_match`` (items of a list labelled with different names) a labelled gold
    item (``x=1``) needs the same label in the prediction, so ``x=2, y=1`` never matches
    ``x=1, y=2``.
    """
    pred_label, pred_value = split_assignment(pred)
    gold_label, gold_value = split_assignment(gold)
    if labels_must_match and gold_label is not None and not _same_label(pred_label, gold_label):
        return NOT_EQUAL
    return _value_verdict(pred_value, gold_value, deadline)


def _labels_matter(gold_items: tuple[str, ...]) -> bool:
    """Items labelled with different names (``x=1, y=2``) must keep their labels; one shared name
    (``a=2, a=-6``) says nothing, so unlabelled predictions are fine."""
    labels = {split_assignment(clean_answer(item))[0] for item in gold_items}
    return len(labels - {None}) > 1


def _matching_exists(pred_items: tuple[str, ...], gold_items: tuple[str, ...], deadline: float) -> Verdict:
    """Whether the items pair up one-to-one (any order), by augmenting paths."""
    labels_matter = _labels_matter(gold_items)
    timed_out = False
    cache: dict[tuple[int, int], bool] = {}

    def equal(i: int, j: int) -> bool:
        nonlocal timed_out
        if (i, j) not in cache:
            verdict = _item_verdict(
                clean_answer(pred_items[i]),
                clean_answer(gold_items[j]),
                deadline,
                labels_must_match=labels_matter,
            )
            timed_out = timed_out or verdict.timed_out
            cache[(i, j)] = verdict.equal
        return cache[(i, j)]

    owner: dict[int, int] = {}

    def assign(i: int, seen: set[int]) -> bool:
        for j in range(len(gold_items)):
            if j not in seen and equal(i, j):
                seen.add(j)
                if j not in owner or assign(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(pred_items)):
        if not assign(i, set()):
            return Verdict(False, timed_out)
    return EQUAL


def _equal_as_percentage(pred: str, gold: str, pred_clean: str, gold_clean: str) -> bool:
    """``75\\%`` or ``75 percent`` for a gold ``0.75`` (and ``0.08`` for a gold ``8\\%``): plain numbers."""
    pred_percent, gold_percent = ends_in_percent(pred), ends_in_percent(gold)
    if pred_percent == gold_percent:
        return False
    pred_number, gold_number = parse_number(pred_clean), parse_number(gold_clean)
    if pred_number is None or gold_number is None:
        return False
    return (pred_number / 100 if pred_percent else pred_number * 100) == gold_number


def answers_equal(pred: str, gold: str, deadline: float) -> Verdict:
    """Compare one predicted answer with one gold answer, both as extracted (uncleaned) strings."""
    pred_power, gold_power = unit_power(pred), unit_power(gold)
    if pred_power is not None and gold_power is not None and pred_power != gold_power:
        return NOT_EQUAL  # 864 cubic inches is not 864 square inches
    pred_clean, gold_clean = clean_answer(pred), clean_answer(gold)
    if canonical_form(pred_clean) == canonical_form(gold_clean):
        return EQUAL
    if _equal_as_percentage(pred, gold, pred_clean, gold_clean):
        return EQUAL
    gold_shape, pred_shape = answer_shape(gold_clean), answer_shape(pred_clean)
    if gold_shape.kind == "scalar" and pred_shape.kind == "scalar":
        return _item_verdict(pred_clean, gold_clean, deadline, labels_must_match=False)
    if max(len(gold_shape.items), len(pred_shape.items)) > MAX_ELEMENTS:
        return NOT_EQUAL
    if len(gold_shape.items) != len(pred_shape.items):
        return NOT_EQUAL
    if gold_shape.kind == "set" and pred_shape.kind == "set":
        return _matching_exists(pred_shape.items, gold_shape.items, deadline)
    same_brackets = pred_shape.brackets == gold_shape.brackets
    if gold_shape.kind == "sequence" and pred_shape.kind == "sequence" and same_brackets:
        labels_matter = _labels_matter(gold_shape.items)
        for pred_item, gold_item in zip(pred_shape.items, gold_shape.items, strict=True):
            verdict = _item_verdict(
                clean_answer(pred_item), clean_answer(gold_item), deadline, labels_must_match=labels_matter
            )
            if not verdict.equal:
                return verdict
        return EQUAL
    return NOT_EQUAL
