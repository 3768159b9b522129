"""Find the final answer in a model response.

The answer is the content of the last ``\\boxed{...}`` (or ``\\fbox{...}``), read with nested
braces; ``\\boxed 5`` (no braces) is read up to the next space or ``$``. Responses without a box
can optionally fall back to the last "final answer is ..." phrase (off by default, because a
phrase match is far less reliable than a box). All scanning is linear in the response length.
"""

from __future__ import annotations

import re

BOX_COMMANDS = ("\\boxed", "\\fbox")

_FALLBACK_PHRASES = ("final answer is", "the answer is")
_TAIL_CHARS = 300
_SENTENCE_END = re.compile(r"\.(?:\s|$)|\n")


_BRACE_OR_ESCAPE = re.compile(r"\\.|[{}]", re.DOTALL)


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


def _last_box_start(text: str) -> tuple[int, str] | None:
    """Position and name of the last box command in ``text`` (not followed by a letter)."""
    best: tuple[int, str] | None = None
    for command in BOX_COMMANDS:
        end = len(text)
        while True:
            position = text.rfind(command, 0, end)
            if position < 0:
                break
            after = position + len(command)
            if after >= len(text) or not text[after].isalpha():
                if best is None or position > best[0]:
                    best = (position, command)
                break
            end = position
    return best


def extract_boxed(text: str) -> str | None:
    """Content of the last ``\\boxed``/``\\fbox`` in ``text``, or None (no box, or it never closes)."""
    found = _last_box_start(text)
    if found is None:
        return None
    position, command = found
    index = position + len(command)
    while index < len(text) and text[index] in " \t":
        index += 1
    if index >= len(text):
        return None
    if text[index] == "{":
        return _read_braced(text, index)
    match = re.match(r"[^\s$]+", text[index : index + _TAIL_CHARS])
    return match.group(0) if match else None


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
    """The final answer of a response: last box content, else (with ``fallback``) the answer phrase.

    Returns None when no answer is found or the box is empty.
    """
    if not isinstance(text, str):
        return None
    answer = extract_boxed(text)
    if answer is None and fallback:
        answer = extract_final_answer_phrase(text)
    if answer is None:
        return None
    answer = answer.strip()
    if not answer:
        return None
    return answer
