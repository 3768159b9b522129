"""How a cleaned answer is built: one value, an unordered list (a set) or an ordered tuple.

``\\{a, b\\}`` and bare ``a, b`` (or ``a; b``) are sets; ``(a, b)``, ``[a, b)`` and the other
bracket pairs are sequences (tuples and intervals). Items are split at top-level separators only:
``;`` when there is one (``p=5,q=2; p=7,q=2`` is a list of two groups), else ``,``. A tuple
assignment ``(p, q) = (3, 2)`` is the labelled tuple ``(p=3, q=2)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Za-z](?:_\{?[A-Za-z0-9]+\}?)?"
_TUPLE_ASSIGNMENT = re.compile(rf"\(\s*({_NAME}(?:\s*,\s*{_NAME})+)\s*\)\s*=\s*(\(.*\))")


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split on ``separator`` outside any bracket pair (``\\{ \\}`` count as brackets)."""
    items, depth, start = [], 0, 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and text[index + 1 : index + 2] in ("{", "}"):
            depth += 1 if text[index + 1] == "{" else -1
            index += 2
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            items.append(text[start:index])
            start = index + 1
        index += 1
    items.append(text[start:])
    return [item.strip() for item in items]


def balanced(text: str) -> bool:
    """Brackets of every kind pair up, never closing more than opened."""
    depth = 0
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _outer_brackets(text: str) -> tuple[str, str, str] | None:
    """(opener, closer, inside) when one bracket pair encloses all of ``text``."""
    for opener in ("\\{", "(", "["):
        if not text.startswith(opener):
            continue
        for closer in (")", "]") if opener != "\\{" else ("\\}",):
            if text.endswith(closer) and len(text) >= len(opener) + len(closer):
                inside = text[len(opener) : len(text) - len(closer)]
                if balanced(inside):
                    return opener, closer, inside
    return None


@dataclass(frozen=True)
class Shape:
    """How an answer is structured: ``kind`` is "scalar", "set" (unordered) or "sequence" (ordered)."""

    kind: str
    items: tuple[str, ...]
    brackets: str = ""


def _labelled_tuple(text: str) -> Shape | None:
    """``(p, q) = (3, 2)`` as the sequence ``(p=3, q=2)``: distinct names, one value each."""
    match = _TUPLE_ASSIGNMENT.fullmatch(text)
    if match is None or "=" in match.group(2):
        return None
    outer = _outer_brackets(match.group(2))
    if outer is None or outer[:2] != ("(", ")"):
        return None
    names = [name.strip() for name in match.group(1).split(",")]
    values = split_top_level(outer[2])
    if len(values) != len(names) or len(set(names)) != len(names):
        return None
    return Shape(
        "sequence", tuple(f"{name}={value}" for name, value in zip(names, values, strict=True)), "()"
    )


def answer_shape(text: str) -> Shape:
    """Classify a cleaned answer: ``\\{a,b\\}``, bare ``a, b`` and ``a; b`` are sets, ``(a,b)``/``[a,b)``
    sequences, ``(p,q)=(3,2)`` the labelled sequence ``(p=3, q=2)``; anything else a scalar."""
    groups = split_top_level(text, ";")
    if len(groups) >= 2:
        return Shape("set", tuple(groups))
    labelled = _labelled_tuple(text)
    if labelled is not None:
        return labelled
    outer = _outer_brackets(text)
    if outer is not None:
        opener, closer, inside = outer
        items = split_top_level(inside)
        if len(items) >= 2 or opener == "\\{":
            kind = "set" if opener == "\\{" else "sequence"
            return Shape(kind, tuple(items), opener + closer)
    items = split_top_level(text)
    if len(items) >= 2:
        return Shape("set", tuple(items))
    return Shape("scalar", (text,))
