"""An inequality that bounds one name is the interval of the values it allows.

``-2 \\leq x < 7`` is ``[-2, 7)``, ``7 \\geq x \\geq -2`` is ``[-2, 7]``, ``x > 3`` is
``(3, \\infty)``. The bounded name is plain (``x``, ``a_1``, ``f(x)``) and the bounds are constants
(no letters outside LaTeX commands), so ``a < b`` and ``x < 2y`` stay relations. Relations are
expected as ``clean_answer`` writes them: ``<``, ``>``, ``\\leq``, ``\\geq``.
"""

from __future__ import annotations

import re

_RELATION = re.compile(r"(<|>|\\leq(?![A-Za-z])|\\geq(?![A-Za-z]))")
_NAME = re.compile(r"[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?(?:\s*\([^()<>=]*\))?")
_COMMAND = re.compile(r"\\[A-Za-z]+")
_CLOSED = frozenset(("\\leq", "\\geq"))
_LESS = frozenset(("<", "\\leq"))


def _is_constant(text: str) -> bool:
    """A bound: no letters outside LaTeX commands (``\\frac{1}{2}``, ``-\\infty``, ``2\\pi``)."""
    text = text.strip()
    return bool(text) and not re.search(r"[A-Za-z=,]", _COMMAND.sub("", text))


def _interval(lower: str | None, lower_closed: bool, upper: str | None, upper_closed: bool) -> str:
    """``[lower, upper)`` etc.; a missing bound is ``-\\infty`` or ``\\infty`` (open)."""
    opener = "[" if lower is not None and lower_closed else "("
    closer = "]" if upper is not None and upper_closed else ")"
    low = "-\\infty" if lower is None else lower.strip()
    high = "\\infty" if upper is None else upper.strip()
    return f"{opener}{low}, {high}{closer}"


def _one_sided(relation: str, bound: str) -> str:
    """``x relation bound`` (``x \\leq 2``) as an interval."""
    closed = relation in _CLOSED
    if relation in _LESS:
        return _interval(None, False, bound, closed)
    return _interval(bound, closed, None, False)


def _flipped(relation: str) -> str:
    return {"<": ">", ">": "<", "\\leq": "\\geq", "\\geq": "\\leq"}[relation]


def inequality_interval(text: str) -> str | None:
    """The interval an inequality on one name describes, or None if ``text`` is no such inequality."""
    parts = _RELATION.split(text)
    if len(parts) == 3:
        left, relation, right = parts
        if _NAME.fullmatch(left.strip()) and _is_constant(right):
            return _one_sided(relation, right)
        if _is_constant(left) and _NAME.fullmatch(right.strip()):
            return _one_sided(_flipped(relation), left)
        return None
    if len(parts) == 5:
        low, first, name, second, high = parts
        same_direction = (first in _LESS) == (second in _LESS)
        if not (
            same_direction and _NAME.fullmatch(name.strip()) and _is_constant(low) and _is_constant(high)
        ):
            return None
        if first not in _LESS:
            low, first, high, second = high, second, low, first
        return _interval(low, first in _CLOSED, high, second in _CLOSED)
    return None
