"""Plain numbers: their exact values, and long decimals that write out a number.

Plain numbers compare exactly, so ``0.333`` is not ``1/3``. A decimal with at least
``MIN_WRITTEN_OUT_DIGITS`` significant digits that is a value rounded or truncated at its last
digit (``0.0833333333333333`` for ``1/12``) is that value written out, not an approximation.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

MAX_NUMBER_DIGITS = 200
MIN_WRITTEN_OUT_DIGITS = 10

_INTEGER_OR_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_DECIMAL = re.compile(r"[+-]?(\d*)\.(\d+)")
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


def _long_decimal(text: str) -> tuple[Fraction, int] | None:
    """(value, decimal places) of a decimal with at least ``MIN_WRITTEN_OUT_DIGITS`` significant
    digits (``0.0833333333333333`` has 16), else None."""
    compact = _compact(text)
    match = _DECIMAL.fullmatch(compact) if len(compact) <= MAX_NUMBER_DIGITS else None
    if match is None or len((match.group(1) + match.group(2)).lstrip("0")) < MIN_WRITTEN_OUT_DIGITS:
        return None
    return Fraction(compact), len(match.group(2))


def writes_out(decimal: str, value: Fraction) -> bool:
    """Whether ``decimal`` has at least ``MIN_WRITTEN_OUT_DIGITS`` significant digits and is
    ``value`` truncated (towards zero) or rounded to nearest at its last place ``u = 10^-places``:
    ``d == trunc(value / u) * u`` or ``|value - d| <= u / 2``."""
    read = _long_decimal(decimal)
    if read is None:
        return False
    written, places = read
    unit = Fraction(1, 10**places)
    return written == math.trunc(value / unit) * unit or 2 * abs(value - written) <= unit
