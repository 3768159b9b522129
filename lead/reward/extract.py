"""Find the final answer in a model response.

The answer is the content of the last ``\\boxed{...}`` (or ``\\fbox{...}``), read with nested
braces; ``\\boxed 5`` (no braces) is read up to the next space or ``$``. In a model's response
an answer split over boxes joined by list words on one line (``\\boxed{2} and \\boxed{3}``,
``$\\boxed{1}$, $\\boxed{4}$``) is read as the list ``2, 3`` (``extract_final_boxes``);
``extract_boxed`` reads the last box alone (the gold answer of a reference solution). Responses
without a box can optionally fall back to the last "final answer is ..." phrase (off by default,
because a phrase match is far less reliable than a box). All scanning is linear in the response
length.
"""

from __future__ import annotations

import re

BOX_COMMANDS = ("\\boxed", "\\fbox")
MAX_JOINED_BOXES = 32
"""A longer run of boxes joined by list words is not read as one answer."""

_FALLBACK_PHRASES = ("final answer is", "the answer is")
_TAIL_CHARS = 300
_SENTENCE_END = re.compile(r"\.(?:\s|$)|\n")
_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)
_SPACE = r"(?:[ \t$~]|\\[,;:! ]|\\q?quad(?![A-Za-z]))*"
_LIST_WORD = r"(?:,[ \t]*)?(?:and|or)|,|;"
_BOX_SEPARATOR = re.compile(
    rf"{_SPACE}(?:{_LIST_WORD}|\\(?:text|textrm|mbox)[ \t]*\{{[ \t]*(?:{_LIST_WORD})[ \t]*\}}){_SPACE}\Z"
)
_SEPARATOR_CHARS = 48
"""Longest text between two boxes of one answer (``$, \\quad\\text{ and }\\quad $``)."""
_SEPARATOR_ENDS = frozenset(",;:!dr}\\")
"""Last character of a separator once spaces and ``$`` are stripped (``and``, ``\\quad``, ``\\,``, ...)."""


def _read_braced(text: str, open_index: int) -> str | None:
    """Return the content of the brace group opening at ``text[open_index] == "{"``.

    Escaped braces (``\\{``, ``\\}``) do not count. Returns None when the group never closes.
    """
    depth = 0
    for match in _BRACE_OR_ESCAPE.finditer(text, open_index):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth == 0:
                return text[open_index + 1 : match.start()]
    return None


def braces_balanced(text: str) -> bool:
    """Unescaped braces pair up (never closing more than opened)."""
    depth = 0
    for match in _BRACE_OR_ESCAPE.finditer(text):
        token = match.group()
        depth += 1 if token == "{" else -1 if token == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def _last_box_start(text: str, end: int) -> tuple[int, str] | None:
    """Position and name of the last box command in ``text[:end]`` (not followed by a letter)."""
    best: tuple[int, str] | None = None
    for command in BOX_COMMANDS:
        stop = end
        while True:
            position = text.rfind(command, 0, stop)
            if position < 0:
                break
            after = position + len(command)
            if after >= len(text) or not text[after].isalpha():
                if best is None or position > best[0]:
                    best = (position, command)
                break
            stop = position
    return best


def _read_box(text: str, position: int, command: str) -> tuple[str, int] | None:
    """(content, end) of the box command at ``position``, or None if it has no content."""
    index = position + len(command)
    while index < len(text) and text[index] in " \t":
        index += 1
    if index >= len(text):
        return None
    if text[index] == "{":
        content = _read_braced(text, index)
        return None if content is None else (content, index + len(content) + 2)
    match = re.match(r"[^\s$]+", text[index : index + _TAIL_CHARS])
    return None if match is None else (match.group(0), index + match.end())


def _box_before(text: str, start: int) -> tuple[str, int] | None:
    """(content, start) of a box that ends just before ``start``, joined to it by list words."""
    window_start = max(0, start - _SEPARATOR_CHARS)
    if text[window_start:start].rstrip(" \t$~")[-1:] not in _SEPARATOR_ENDS:
        return None
    separator = _BOX_SEPARATOR.search(text, window_start, start)
    if separator is None:
        return None
    found = _last_box_start(text, separator.start())
    if found is None:
        return None
    box = _read_box(text, *found)
    if box is None or box[1] != separator.start():
        return None
    return box[0], found[0]


def extract_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed``/``\\fbox`` in ``text``, or None (no box, or it never closes)."""
    found = _last_box_start(text, len(text))
    box = None if found is None else _read_box(text, *found)
    return None if box is None else box[0]


def extract_final_boxes(text: str) -> str | None:
    """The last box of ``text`` together with the boxes joined to it by list words, as ``a, b``;
    None if there is no box, it never closes, or more than ``MAX_JOINED_BOXES`` are joined."""
    found = _last_box_start(text, len(text))
    box = None if found is None else _read_box(text, *found)
    if box is None:
        return None
    contents, start = [box[0]], found[0]
    while (earlier := _box_before(text, start)) is not None:
        if len(contents) == MAX_JOINED_BOXES:
            return None
        contents.append(earlier[0])
        start = earlier[1]
    return ", ".join(reversed(contents))


def extract_final_answer_phrase(text: str) -> str | None:
    """Answer after the last "final answer is" / "the answer is" phrase, up to the end of its sentence."""
    lowered = text.lower()
    for phrase in _FALLBACK_PHRASES:
        position = lowered.rfind(phrase)
        if position < 0:
            continue
        tail = text[position + len(phrase) : position + len(phrase) + _TAIL_CHARS]
        tail = tail.lstrip(" :")
        end = _SENTENCE_END.search(tail)
        answer = (tail[: end.start()] if end else tail).strip().strip("$").strip()
        if answer:
            return answer
    return None


def extract_answer(text: str, *, fallback: bool = False) -> str | None:
    """The final answer of a response: the last box (with the boxes joined to it by list words),
    else (with ``fallback``) the answer phrase.

    Returns None when no answer is found or the box is empty.
    """
    if not isinstance(text, str):
        return None
    answer = extract_final_boxes(text)
    if answer is None and fallback:
        answer = extract_final_answer_phrase(text)
    if answer is None:
        return None
    answer = answer.strip()
    if not answer:
        return None
    return answer
