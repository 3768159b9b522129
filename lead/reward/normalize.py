"""String normalisation of answers before comparison.

``clean_answer`` rewrites notation that does not change the value (``\\dfrac``, ``\\left``, ``$``
wrappers, degree signs, percent signs, trailing units, thousands separators, ``\\text{ and }``
between list items) and keeps valid LaTeX, so its output can still be parsed.
``canonical_form`` further drops whitespace; two answers with the same canonical form are equal.
"""

from __future__ import annotations

import re

UNIT_WORDS = (
    "units?|cm|centimeters?|mm|millimeters?|km|kilometers?|meters?|inch(?:es)?|feet|foot|ft|yards?|"
    "miles?|acres?|mph|km/h|m/s|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|"
    "degrees?|deg|radians?|dollars?|cents?|pounds?|lbs?|ounces?|oz|kg|grams?|gm|liters?|ml|gallons?|"
    "people|persons?|students?|ways|times|points?"
)
_UNIT_PHRASE = re.compile(r"(?:(?:square|sq\.?|cubic)\s+)?(?:" + UNIT_WORDS + r")(?:\^\{?[23]\}?)?")
_UNIT_TAIL = re.compile(r"^(?P<value>.*?[\d}.)])\s*(?P<unit>[A-Za-z][A-Za-z./ ]*(?:\^\{?[23]\}?)?)\s*$")
_TEXT_UNIT_TAIL = re.compile(
    r"^(?P<value>.*\S)\s*\\(?:text|mbox|mathrm)\s*\{(?P<unit>[^{}]*)\}(?P<power>\^\{?[23]\}?)?\s*$"
)
_NOT_A_UNIT_WORDS = (
    "a an and or not no only more fewer less than each per to at least most about approximately is are "
    "of the in on am pm"
)
_NOT_A_UNIT = frozenset(_NOT_A_UNIT_WORDS.split())
_TEXT_COMMAND = re.compile(r"\\(?:text|textbf|textit|mbox|mathrm)\s*\{([^{}]*)\}")
_LEFT_RIGHT = re.compile(r"\\(?:left|right|bigl|bigr|Bigl|Bigr)(?![A-Za-z])")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:(?:,\d{3})+|(?: \d{3})+)(?:\.\d+)?$")
_SIMPLE_LHS = re.compile(r"^\s*[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?(?:\s*\([^()=]*\))?\s*$")
_LIST_CONJUNCTION = re.compile(
    r"(?<!\s)\s*(?:,\s*)?\\(?:text|mbox|textrm)\s*\{\s*(?:,\s*)?(?:and|or)\s*\}\s*"
)
_THOUSANDS_SEPARATOR = re.compile(r"(?<!\s)\s*(?:\{,\}|,\s*\\!)\s*")
_SPACING = re.compile(r"\\\\|\\[,;:! ]|\\q?quad|~")
_MEMBERSHIP_PREFIX = re.compile(r"^[A-Za-z]\s*\\in\s+|^[A-Za-z]\s*\\in(?=[\[(\\])")
_DEGREE = re.compile(r"\^\s*(?:\{\s*)?\\circ\s*\}?|°|\\degree")
_FRAC_SHORTHAND = re.compile(r"\\frac\s*(\d)\s*(\d)")
_FRAC_HALF_SHORTHAND = re.compile(r"\\frac\s*\{([^{}]*)\}\s*(\d)")
_SQRT_SHORTHAND = re.compile(r"\\sqrt\s*(\d)")
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


def _is_unit_phrase(phrase: str, *, count_nouns: bool) -> bool:
    """A known unit (``cm``, ``square feet``); with ``count_nouns`` also one or two plain words
    (``digits``, ``right triangles``) that say nothing about the value (not ``or fewer``, ``p.m.``)."""
    phrase = phrase.strip().lower().rstrip(".").strip()
    if _UNIT_PHRASE.fullmatch(phrase):
        return True
    words = phrase.split()
    return (
        count_nouns
        and 1 <= len(words) <= 2
        and all(word.isalpha() and len(word) >= 2 and word not in _NOT_A_UNIT for word in words)
    )


def _split_unit(text: str) -> tuple[str, str | None]:
    """(value, trailing unit or None): ``5\\text{ cm}^2`` -> ("5", " cm^2"), ``20 mph`` -> ("20", "mph")."""
    unit = None
    match = _TEXT_UNIT_TAIL.match(text)
    if match and _is_unit_phrase(match.group("unit"), count_nouns=True):
        text, unit = match.group("value"), match.group("unit") + (match.group("power") or "")
    match = _UNIT_TAIL.match(text)
    if match and _is_unit_phrase(match.group("unit"), count_nouns=False):
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


def _unwrap_text_commands(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _TEXT_COMMAND.sub(r"\1", text)
    return text


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


def _prepare(text: str) -> str:
    """The notation rewrites of ``clean_answer`` that come before removing a unit."""
    text = _strip_math_delimiters(text.replace("\\$", ""))
    text = _LEFT_RIGHT.sub("", text)
    text = _THOUSANDS_SEPARATOR.sub(",", text)
    text = _LIST_CONJUNCTION.sub(", ", text)
    for old, new in _REPLACEMENTS:
        text = text.replace(old, new)
    text = _SPACING.sub(lambda match: match.group(0) if match.group(0) == "\\\\" else " ", text)
    text = _DEGREE.sub("", text)
    text = _FRAC_SHORTHAND.sub(r"\\frac{\1}{\2}", text)
    text = _FRAC_HALF_SHORTHAND.sub(r"\\frac{\1}{\2}", text)
    text = _SQRT_SHORTHAND.sub(r"\\sqrt{\1}", text)
    return text.strip().rstrip(".").strip()


def clean_answer(text: str) -> str:
    """Rewrite ``text`` into a simpler LaTeX string with the same mathematical value."""
    text, _ = _split_unit(_prepare(text))
    text = _unwrap_text_commands(text).strip()
    text = _MEMBERSHIP_PREFIX.sub("", text)
    grouped = re.sub(r"\s+", " ", text.strip())
    if _THOUSANDS.match(grouped):
        text = grouped.replace(",", "").replace(" ", "")
    return text.strip()


def canonical_form(text: str) -> str:
    """``clean_answer`` without whitespace (one space kept between two digits, so ``5 6`` is not
    ``56``): the key for exact comparison."""
    return re.sub(r"(?<!\d)\s+|\s+(?!\d)", "", clean_answer(text))
