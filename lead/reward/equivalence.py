"""Is a predicted answer mathematically equal to a gold answer?

Cheap rules run first, in-process: equal canonical strings, exact rational comparison of plain
numbers (and long decimals that write a number out), case-insensitive comparison of word answers,
equations of the same line or curve, and item-wise comparison of sets, tuples and intervals.
Everything else goes to math-verify in a worker process under the caller's deadline
(``timeout.verify_before``). Rules only ever accept on exact equality, so a cheap rule never
turns a wrong answer into a right one.

Labels: a gold list whose items carry different names (``x=1, y=2``) is matched by name when the
prediction names its items, and in order when it gives bare values (``1, 2``); a name that
contradicts the gold's fails. One shared name (``a=2, a=-6``) says nothing and is ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from lead.reward.equations import same_curve
from lead.reward.extract import braces_balanced
from lead.reward.normalize import canonical_form, clean_answer, ends_in_percent, split_assignment, unit_power
from lead.reward.plain_numbers import parse_number, writes_out
from lead.reward.structure import Shape, answer_shape
from lead.reward.timeout import verify_before

MAX_VERIFY_CHARS = 400
"""Answers longer than this are compared as strings only (no LaTeX parsing)."""
MAX_ELEMENTS = 32
MAX_NESTING = 4
"""Lists inside lists compared item by item down to this depth; deeper ones must match as strings."""

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


class Labels(Enum):
    """How the ``name =`` labels of list items are compared."""

    IGNORE = "ignore"
    """The gold's labels say nothing (none, or one shared name): compare values only."""
    MATCH = "match"
    """Different gold names, and the prediction names its items: names must agree."""
    IN_ORDER = "in_order"
    """Different gold names, bare predicted values: compare values in the gold's order."""


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


def _numbers_equal(pred: str, gold: str, pred_number: Fraction, gold_number: Fraction) -> bool:
    """Exactly equal, or one of them a long decimal that writes the other out."""
    return pred_number == gold_number or writes_out(pred, gold_number) or writes_out(gold, pred_number)


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
        return Verdict(_numbers_equal(pred, gold, pred_number, gold_number))
    if len(pred) > MAX_VERIFY_CHARS or len(gold) > MAX_VERIFY_CHARS or not braces_balanced(pred):
        return NOT_EQUAL
    if "=" in pred and "=" not in gold:
        return NOT_EQUAL  # math-verify would take the right-hand side: x^2 = 2 is not the answer 2
    verdict = verify_before(gold, pred, deadline)
    return TIMED_OUT if verdict is None else Verdict(verdict)


def _label(item: str) -> str | None:
    return split_assignment(clean_answer(item))[0]


def _same_label(pred_label: str | None, gold_label: str) -> bool:
    return pred_label is not None and canonical_form(pred_label) == canonical_form(gold_label)


def _distinct_labels(items: tuple[str, ...]) -> bool:
    """Items labelled with two or more different names (``x=1, y=2``, not ``a=2, a=-6``)."""
    return len({_label(item) for item in items} - {None}) > 1


def _labels_rule(pred_items: tuple[str, ...], gold_items: tuple[str, ...]) -> Labels:
    """How the labels of these predicted items are held against the gold's (see ``Labels``)."""
    if not _distinct_labels(gold_items):
        return Labels.IGNORE
    if all(_label(item) is None for item in pred_items):
        return Labels.IN_ORDER
    return Labels.MATCH


def _item_verdict(pred: str, gold: str, deadline: float, labels: Labels, depth: int) -> Verdict:
    """Compare two answers or list items: equations of one curve are equal; otherwise compare the
    values behind ``name =`` labels.

    With ``Labels.MATCH`` a labelled gold item (``x=1``) needs the same label in the prediction,
    so ``x=2, y=1`` never matches ``x=1, y=2``.
    """
    pred, gold = clean_answer(pred), clean_answer(gold)
    if same_curve(pred, gold):
        return EQUAL
    pred_label, pred_value = split_assignment(pred)
    gold_label, gold_value = split_assignment(gold)
    if labels is Labels.MATCH and gold_label is not None and not _same_label(pred_label, gold_label):
        return NOT_EQUAL
    if answer_shape(pred_value).kind == answer_shape(gold_value).kind == "scalar":
        return _value_verdict(pred_value, gold_value, deadline)
    return _structure_verdict(pred_value, gold_value, deadline, depth + 1)


def _equal_everywhere(
    pred_items: tuple[str, ...], gold_items: tuple[str, ...], deadline: float, labels: Labels, depth: int
) -> Verdict:
    """Items equal position by position."""
    if len(pred_items) != len(gold_items):
        return NOT_EQUAL
    for pred_item, gold_item in zip(pred_items, gold_items, strict=True):
        verdict = _item_verdict(pred_item, gold_item, deadline, labels, depth)
        if not verdict.equal:
            return verdict
    return EQUAL


class _Matcher:
    """Pairs predicted items with gold items (any order), by augmenting paths over cached comparisons."""

    def __init__(
        self,
        pred_items: tuple[str, ...],
        gold_items: tuple[str, ...],
        deadline: float,
        labels: Labels,
        depth: int,
    ) -> None:
        self.pred_items, self.gold_items = pred_items, gold_items
        self.deadline, self.labels, self.depth = deadline, labels, depth
        self.timed_out = False
        self._cache: dict[tuple[int, int], bool] = {}

    def equal(self, i: int, j: int) -> bool:
        if (i, j) not in self._cache:
            verdict = _item_verdict(
                self.pred_items[i], self.gold_items[j], self.deadline, self.labels, self.depth
            )
            self.timed_out = self.timed_out or verdict.timed_out
            self._cache[(i, j)] = verdict.equal
        return self._cache[(i, j)]

    def covers_gold(self) -> bool:
        """Every gold item has its own equal predicted item."""
        owner: dict[int, int] = {}

        def assign(j: int, seen: set[int]) -> bool:
            for i in range(len(self.pred_items)):
                if i not in seen and self.equal(i, j):
                    seen.add(i)
                    if i not in owner or assign(owner[i], seen):
                        owner[i] = j
                        return True
            return False

        return all(assign(j, set()) for j in range(len(self.gold_items)))

    def all_predictions_in_gold(self) -> bool:
        return all(
            any(self.equal(i, j) for j in range(len(self.gold_items))) for i in range(len(self.pred_items))
        )


def _distinct_items(items: tuple[str, ...]) -> bool:
    """No two items written the same way or with the same plain-number value."""
    keys = []
    for item in items:
        number = parse_number(clean_answer(item))
        keys.append(canonical_form(item) if number is None else number)
    return len(set(keys)) == len(keys)


def _set_verdict(
    pred_items: tuple[str, ...], gold_items: tuple[str, ...], deadline: float, depth: int
) -> Verdict:
    """Unordered comparison. A prediction may repeat items of a gold set whose items all differ
    (``1, 2, 2`` is the set ``1, 2``); a gold that repeats an item needs it as often."""
    labels = _labels_rule(pred_items, gold_items)
    if labels is Labels.IN_ORDER:
        return _equal_everywhere(pred_items, gold_items, deadline, labels, depth)
    repeats_allowed = labels is Labels.IGNORE and _distinct_items(gold_items)
    if len(pred_items) < len(gold_items) or (len(pred_items) > len(gold_items) and not repeats_allowed):
        return NOT_EQUAL
    matcher = _Matcher(pred_items, gold_items, deadline, labels, depth)
    equal = matcher.covers_gold() and (
        len(pred_items) == len(gold_items) or matcher.all_predictions_in_gold()
    )
    return EQUAL if equal else Verdict(False, matcher.timed_out)


def _as_tuple(shape: Shape, other: Shape) -> Shape:
    """A bare list of differently named items (``p=5, q=2``) read as the tuple ``(5, 2)`` of its
    values in order, when compared with a tuple of as many items."""
    if (
        shape.kind == "set"
        and not shape.brackets
        and other.brackets == "()"
        and len(shape.items) == len(other.items)
        and all(_label(item) is not None for item in shape.items)
        and _distinct_labels(shape.items)
    ):
        return Shape("sequence", shape.items, "()")
    return shape


def _structure_verdict(pred: str, gold: str, deadline: float, depth: int) -> Verdict:
    """Compare two cleaned answers by their structure: scalars as values, lists item by item."""
    if canonical_form(pred) == canonical_form(gold):
        return EQUAL
    gold_shape, pred_shape = answer_shape(gold), answer_shape(pred)
    if gold_shape.kind == "scalar" and pred_shape.kind == "scalar":
        return _item_verdict(pred, gold, deadline, Labels.IGNORE, depth)
    if depth > MAX_NESTING or max(len(gold_shape.items), len(pred_shape.items)) > MAX_ELEMENTS:
        return NOT_EQUAL
    pred_shape, gold_shape = _as_tuple(pred_shape, gold_shape), _as_tuple(gold_shape, pred_shape)
    if gold_shape.kind == "set" and pred_shape.kind == "set":
        return _set_verdict(pred_shape.items, gold_shape.items, deadline, depth)
    if (
        gold_shape.kind == "sequence"
        and pred_shape.kind == "sequence"
        and pred_shape.brackets == gold_shape.brackets
    ):
        labels = _labels_rule(pred_shape.items, gold_shape.items)
        return _equal_everywhere(pred_shape.items, gold_shape.items, deadline, labels, depth)
    return NOT_EQUAL


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
    return _structure_verdict(pred_clean, gold_clean, deadline, depth=0)
