"""String normalisation of answers before comparison.

``clean_answer`` rewrites notation that does not change the value (``\\dfrac``, ``\\left``, ``$``
and other currency signs, degree signs, percent signs and words, trailing units, unicode powers,
thousands separators, a trailing ``\\\\``, ASCII relations ``<=`` ``>=`` ``!=``, ``and``/``or``
between list items, grouping braces around a whole list) and reads an inequality that bounds one
name as the interval it describes (``-2 \\le x < 7`` is ``[-2, 7)``). It keeps valid LaTeX, so
its output can still be parsed. ``canonical_form`` further drops whitespace; two answers with the
same canonical form are equal.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lead.reward.intervals import inequality_interval
from lead.reward.structure import balanced

UNIT_WORDS = (
    "units?|cm|centimeters?|mm|millimeters?|km|kilometers?|meters?|inch(?:es)?|feet|foot|ft|yards?|"
    "miles?|acres?|mph|km/h|m/s|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|"
    "degrees?|deg|radians?|dollars?|cents?|pounds?|lbs?|ounces?|oz|kg|grams?|gm|liters?|ml|gallons?|"
    "people|persons?|students?|ways|times|points?|percent(?:age)?|pct|per\\s+cent"
)
WRAPPED_UNIT_SYMBOLS = frozenset(("m", "s", "g", "l", "dm", "ft", "in", "yd", "mi"))
"""Unit symbols read as units only when wrapped (``3\\,\\mathrm{m}``): bare, ``2m`` may be a product."""
_TEXT_WRAPPER = r"\\(?:text|textbf|textit|textnormal|textrm|textup|mbox|mathrm)"
_UNIT_PHRASE = re.compile(r"(?:(?:square|sq\.?|cubic)\s+)?(?:" + UNIT_WORDS + r")(?:\^\{?[23]\}?)?")
_UNIT_TAIL = re.compile(r"^(?P<value>.*?[\d}.)])\s*(?P<unit>[A-Za-z][A-Za-z./ ]*(?:\^\{?[23]\}?)?)\s*$")
_TEXT_UNIT_TAIL = re.compile(
    r"^(?P<value>.*\S)\s*" + _TEXT_WRAPPER + r"\s*\{(?P<unit>[^{}]*)\}(?P<power>\^\{?[23]\}?)?\s*$"
)
_NOT_A_UNIT_WORDS = (
    "a an and or not no only more fewer less than each per to at least most about approximately is are "
    "of the in on am pm"
)
_NOT_A_UNIT = frozenset(_NOT_A_UNIT_WORDS.split())
_PERCENT_TAIL = re.compile(
    r"(?:%|(?<![A-Za-z])(?:percent(?:age)?|pct|per\s+cent)\.?\}?)\s*\$?\s*$", re.IGNORECASE
)
_TEXT_COMMAND = re.compile(_TEXT_WRAPPER + r"\s*\{([^{}]*)\}")
_LEFT_RIGHT = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr)(?![A-Za-z])")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:(?:,\d{3})+|(?: \d{3})+)(?:\.\d+)?$")
_SIMPLE_LHS = re.compile(r"^\s*[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?(?:\s*\([^()=]*\))?\s*$")
_LIST_CONJUNCTION = re.compile(
    r"(?<!\s)\s*(?:,\s*)?" + _TEXT_WRAPPER + r"\s*\{\s*(?:,\s*)?(?:and|or)\s*\}\s*"
)
_LIST_WORD = re.compile(r"(?<!\s)\s*(?:,\s*)?(?<![A-Za-z\\])(?:and|or)(?![A-Za-z])\s*")
_LIST_ITEM_MARK = re.compile(r"[\d\\()\[\]{}=]")
_LATEX_COMMAND = re.compile(r"\\[A-Za-z]+")
_WORD = re.compile(r"[A-Za-z]{3,}")
_THOUSANDS_SEPARATOR = re.compile(r"(?<!\s)\s*(?:\{,\}|,\s*\\!)\s*")
_SPACING = re.compile(r"\\\\|\\[,;:! ]|\\q?quad|~")
_MEMBERSHIP_PREFIX = re.compile(r"^[A-Za-z]\s*\\in\s+|^[A-Za-z]\s*\\in(?=[\[(\\])")
_DEGREE = re.compile(r"\^\s*(?:\{\s*)?\\circ\s*\}?|°|\\degree")
_CURRENCY = re.compile(r"[€£¥]|\\(?:euro|pounds|yen|textsterling|texteuro|textyen)(?![A-Za-z])")
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_POWERED_UNIT = re.compile(r"(?<![A-Za-z\\])(mm|cm|dm|km|m|ft|in|yd|mi)([²³])")
_SUPERSCRIPT_DIGITS = re.compile(f"[{_SUPERSCRIPTS}]+")
_RELATIONS = (
    (re.compile(r"<=|≤|\\le(?:qslant|q)?(?![A-Za-z])"), r"\\leq "),
    (re.compile(r">=|≥|\\ge(?:qslant|q)?(?![A-Za-z])"), r"\\geq "),
    (re.compile(r"!=|≠|\\ne(?:q)?(?![A-Za-z])"), r"\\neq "),
    (re.compile(r"\\lt(?![A-Za-z])"), "<"),
    (re.compile(r"\\gt(?![A-Za-z])"), ">"),
)
_FRAC_SHORTHAND = re.compile(r"\\frac\s*(\d)\s*(\d)")
_FRAC_HALF_SHORTHAND = re.compile(r"\\frac\s*\{([^{}]*)\}\s*(\d)")
_SQRT_SHORTHAND = re.compile(r"\\sqrt\s*(\d)")
_CACHED_ANSWERS = 8192
"""Answers whose cleaned form is kept: one comparison cleans the same strings several times."""
_REPLACEMENTS = (
    ("\\dfrac", "\\frac"),
    ("\\tfrac", "\\frac"),
    ("\\displaystyle", ""),
    ("\\%", ""),
    ("%", ""),
    ("−", "-"),
    ("∞", "\\infty"),
    ("\\infinity", "\\infty"),
    ("\\inf ", "\\infty "),
    ("×", "\\times"),
)


def _strip_math_delimiters(text: str) -> str:
    text = text.strip()
    for opener, closer in (("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(opener) and text.endswith(closer):
            text = text[len(opener) : -len(closer)].strip()
    return text.replace("$", "")


def _is_unit_phrase(phrase: str, *, wrapped: bool) -> bool:
    """A known unit (``cm``, ``square feet``); when ``wrapped`` in ``\\text{}`` or ``\\mathrm{}`` also a
    unit symbol (``m``) or one or two plain words (``digits``, ``right triangles``) that say nothing
    about the value (not ``or fewer``, ``p.m.``)."""
    phrase = phrase.strip().lower().rstrip(".").strip()
    if _UNIT_PHRASE.fullmatch(phrase):
        return True
    if not wrapped:
        return False
    words = phrase.split()
    return phrase in WRAPPED_UNIT_SYMBOLS or (
        1 <= len(words) <= 2
        and all(word.isalpha() and len(word) >= 2 and word not in _NOT_A_UNIT for word in words)
    )


def _split_unit(text: str) -> tuple[str, str | None]:
    """(value, trailing unit or None): ``5\\text{ cm}^2`` -> ("5", " cm^2"), ``20 mph`` -> ("20", "mph")."""
    unit = None
    match = _TEXT_UNIT_TAIL.match(text)
    if match and _is_unit_phrase(match.group("unit"), wrapped=True):
        text, unit = match.group("value"), match.group("unit") + (match.group("power") or "")
    match = _UNIT_TAIL.match(text)
    if match and _is_unit_phrase(match.group("unit"), wrapped=False):
        text, unit = match.group("value"), match.group("unit")
    return text, unit


def unit_power(text: str) -> int | None:
    """2 for a squared unit (``cm^2``, ``square feet``), 3 for a cubed one, 1 for another unit,
    None when ``text`` ends in no unit."""
    _, unit = _split_unit(_prepare(text))
    if unit is None:
        return None
    power = re.search(r"\^\{?([23])\}?|\b(square|sq|cubic)\b", unit.lower())
    if power is None:
        return 1
    return int(power.group(1)) if power.group(1) else 3 if power.group(2) == "cubic" else 2


def ends_in_percent(text: str) -> bool:
    """Whether an answer ends in a percent sign or word (``28\\%``, ``28 percent``, ``28\\text{ pct}``)."""
    return _PERCENT_TAIL.search(text) is not None


def _unwrap_text_commands(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _TEXT_COMMAND.sub(r"\1", text)
    return text


def _power(superscript_digits: str) -> str:
    """``²`` -> ``^2``, ``¹⁰`` -> ``^{10}``."""
    digits = "".join(str(_SUPERSCRIPTS.index(char)) for char in superscript_digits)
    return f"^{digits}" if len(digits) == 1 else f"^{{{digits}}}"


def _unicode_powers(text: str) -> str:
    """``5 m²`` -> ``5 \\text{ m}^2`` (a unit), ``x¹⁰`` -> ``x^{10}``."""
    text = _POWERED_UNIT.sub(lambda match: f"\\text{{ {match.group(1)}}}" + _power(match.group(2)), text)
    return _SUPERSCRIPT_DIGITS.sub(lambda match: _power(match.group(0)), text)


def _strip_group_braces(text: str) -> str:
    """``{1, 3}`` -> ``1, 3``: LaTeX grouping braces around the whole answer only group."""
    while text.startswith("{") and text.endswith("}") and balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _is_math_item(item: str) -> bool:
    """A list item that is mathematics, not prose: a digit, bracket, command or ``=``, and no word
    of three or more letters outside LaTeX commands."""
    return (
        _LIST_ITEM_MARK.search(item) is not None
        and _WORD.search(_LATEX_COMMAND.sub(" ", item)) is None
        and balanced(item)
    )


def _join_list_words(text: str) -> str:
    """``1 and 2``, ``19, 46, and 82``, ``(11,7)or(7,11)`` -> comma lists, when every item is
    mathematics: ``3 or fewer`` and sentences stay as they are."""
    if _LIST_WORD.search(text) is None:
        return text
    items = _LIST_WORD.split(text)
    return ", ".join(items) if all(_is_math_item(item) for item in items) else text


def split_assignment(text: str) -> tuple[str | None, str]:
    """``x = 3`` -> ("x", "3"), ``f(n) = 2n`` -> ("f(n)", "2n"); (None, text) for anything else.

    Only one ``=`` with a plain name (optionally subscripted or with arguments) on its left counts.
    """
    if text.count("=") != 1 or re.search(r"[<>]|\\[lg]e|\\neq", text):
        return None, text
    lhs, rhs = text.split("=")
    if rhs.strip() and _SIMPLE_LHS.match(lhs):
        return lhs.strip(), rhs.strip()
    return None, text


def _strip_trailing_line_breaks(text: str) -> str:
    """``185 \\\\`` -> ``185``."""
    text = text.rstrip()
    while text.endswith("\\\\"):
        text = text[:-2].rstrip()
    return text


@lru_cache(maxsize=_CACHED_ANSWERS)
def _prepare(text: str) -> str:
    """The notation rewrites of ``clean_answer`` that come before removing a unit."""
    text = _strip_math_delimiters(_CURRENCY.sub("", text.replace("\\$", "")))
    text = _LEFT_RIGHT.sub("", text)
    text = _THOUSANDS_SEPARATOR.sub(",", text)
    text = _LIST_CONJUNCTION.sub(", ", text)
    for old, new in _REPLACEMENTS:
        text = text.replace(old, new)
    for spelling, relation in _RELATIONS:
        text = spelling.sub(relation, text)
    text = _SPACING.sub(lambda match: match.group(0) if match.group(0) == "\\\\" else " ", text)
    text = _strip_trailing_line_breaks(text)
    text = _unicode_powers(_DEGREE.sub("", text))
    text = _FRAC_SHORTHAND.sub(r"\\frac{\1}{\2}", text)
    text = _FRAC_HALF_SHORTHAND.sub(r"\\frac{\1}{\2}", text)
    text = _SQRT_SHORTHAND.sub(r"\\sqrt{\1}", text)
    return text.strip().rstrip(".").strip()


@lru_cache(maxsize=_CACHED_ANSWERS)
def clean_answer(text: str) -> str:
    """Rewrite ``text`` into a simpler LaTeX string with the same mathematical value."""
    text, _ = _split_unit(_prepare(text))
    text = _strip_group_braces(_unwrap_text_commands(text).strip())
    text = _MEMBERSHIP_PREFIX.sub("", _join_list_words(text))
    text = inequality_interval(text) or text
    grouped = re.sub(r"\s+", " ", text.strip())
    if _THOUSANDS.match(grouped):
        text = grouped.replace(",", "").replace(" ", "")
    return text.strip()


def canonical_form(text: str) -> str:
    """``clean_answer`` without whitespace (one space kept between two digits, so ``5 6`` is not
    ``56``): the key for exact comparison."""
    return re.sub(r"(?<!\d)\s+|\s+(?!\d)", "", clean_answer(text))
