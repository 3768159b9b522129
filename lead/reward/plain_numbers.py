"""Plain numbers and their exact values: they compare exactly, so ``0.333`` is not ``1/3``."""

from __future__ import annotations

import re
from fractions import Fraction

MAX_NUMBER_DIGITS = 200

_INTEGER_OR_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_FRACTION = re.compile(r"([+-]?)\\frac\{([+-]?\d+)\}\{([+-]?\d+)\}")
_SLASH_FRACTION = re.compile(r"([+-]?\d+)/([+-]?\d+)")
_SPACE_NOT_BETWEEN_DIGITS = re.compile(r"(?<!\d)\s+|\s+(?!\d)")


def _compact(text: str) -> str:
    return _SPACE_NOT_BETWEEN_DIGITS.sub("", text)


def parse_number(text: str) -> Fraction | None:
    """Exact value of a plain number (``-12``, ``027``, ``27.0``, ``\\frac{3}{4}``, ``3/4``), else None."""
    compact = _compact(text)
    if len(compact) > MAX_NUMBER_DIGITS:
        return None
    try:
        if _INTEGER_OR_DECIMAL.fullmatch(compact):
            return Fraction(compact.rstrip(".") or "0")
        match = _FRACTION.fullmatch(compact) or _SLASH_FRACTION.fullmatch(compact)
        if match is None:
            return None
        groups = match.groups()
        sign = -1 if len(groups) == 3 and groups[0] == "-" else 1
        numerator, denominator = (int(g) for g in groups[-2:])
        return sign * Fraction(numerator, denominator) if denominator else None
    except (ValueError, ZeroDivisionError):
        return None
