"""How a cleaned answer is built: one value, an unordered list (a set) or an ordered tuple.

``\\{a, b\\}`` and bare ``a, b`` are sets; ``(a, b)``, ``[a, b)`` and the other bracket pairs
are sequences (tuples and intervals). Items are split at top-level commas only.
"""

from __future__ import annotations

from dataclasses import dataclass


def split_top_level(text: str) -> list[str]:
    """Split on commas outside any bracket pair (``\\{ \\}`` count as brackets)."""
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
        elif char == "," and depth == 0:
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


def answer_shape(text: str) -> Shape:
    """Classify a cleaned answer: ``\\{a,b\\}`` and bare ``a, b`` are sets, ``(a,b)``/``[a,b)``
    sequences; anything else a scalar."""
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
