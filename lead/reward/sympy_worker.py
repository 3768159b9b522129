"""Child process that runs math-verify for the parent's grader.

Run as a script (``python sympy_worker.py``), never imported by the grader: it imports only
math-verify, so it starts fast and cannot deadlock on the parent's threads. Protocol, one JSON
object per line on stdin: ``{"id": int, "gold": str, "pred": str}``; one line per request on
stdout: ``<id> <verdict>`` with the verdict ``1`` (equivalent), ``0`` (not equivalent),
``unparsable`` (math-verify could not read the prediction), ``unparsable_gold`` (it could read
the prediction but not the gold) or ``error`` (math-verify or sympy failed). The first line,
``ready``, comes after a few warm-up comparisons, so that sympy's lazily loaded parts are not
charged to a caller's deadline. Anything a library prints goes to /dev/null, never into the
replies. math-verify's own signal-based timeouts are disabled (they fail off the main thread);
the parent kills this process when a request overruns.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import sys
from functools import lru_cache

MEMORY_LIMIT_BYTES = 4 * 1024**3
RELATIVE_TOLERANCE = 1e-6
WARM_UP = (("2\\sqrt{2}", "\\sqrt{8}"), ("x^2+2x+1", "(x+1)^2"), ("[0,1)", "[0, 1)"))
"""(gold, pred) pairs compared before announcing readiness: a fresh process takes about a second
over its first comparisons of roots, polynomials and intervals."""


@lru_cache(maxsize=1)
def _extraction_config() -> tuple:
    """math-verify's extraction with unit stripping off: it reads ``2m`` as ``2`` (metres), which
    would accept ``2`` for a gold ``2m``; the grader removes spelled-out units itself."""
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, LatexNormalizationConfig

    normalization = LatexNormalizationConfig(
        basic_latex=True, units=False, malformed_operators=True, nits=True, boxed="all", equations=False
    )
    return (
        LatexExtractionConfig(boxed_match_priority=0, normalization_config=normalization),
        ExprExtractionConfig(),
    )


@lru_cache(maxsize=4096)
def _parse(answer: str) -> list:
    """The whole answer as math-verify reads it. ``first_match``: if the answer as a whole does not
    parse, math-verify must not fall back to a fragment of it (``2(x=3)`` is not ``x=3``)."""
    from math_verify import parse

    return parse(
        "\\boxed{" + answer + "}",
        extraction_config=_extraction_config(),
        extraction_mode="first_match",
        parsing_timeout=None,
    )


def _numbers_agree(gold: object, pred: object) -> bool:
    """For two plain numbers, agreement to a relative 1e-6 (math-verify rounds absolutely, so it
    finds 1/2004! equal to its square); infinite values must be identical. True when either is
    not a plain number."""
    import sympy

    if not (isinstance(gold, sympy.Expr) and isinstance(pred, sympy.Expr)):
        return True
    if not (gold.is_number and pred.is_number):
        return True
    gold_value, pred_value = sympy.N(gold, 30), sympy.N(pred, 30)
    if not (gold_value.is_finite and pred_value.is_finite):
        return bool(gold_value == pred_value) and gold_value is not sympy.nan
    difference = abs(gold_value - pred_value)
    return bool(difference <= RELATIVE_TOLERANCE * max(abs(gold_value), abs(pred_value)))


def _has_math(parsed: list) -> bool:
    """math-verify returns the raw string alone when it could not build an expression."""
    return any(not isinstance(item, str) for item in parsed)


def verdict(gold: str, pred: str) -> bytes:
    """math-verify's verdict on ``pred`` against ``gold`` (both bare LaTeX answers)."""
    from math_verify import verify

    try:
        gold_parsed = _parse(gold)
        pred_parsed = _parse(pred)
        if not _has_math(pred_parsed):
            return b"unparsable"
        if not _has_math(gold_parsed):
            return b"unparsable_gold"
        equal = verify(gold_parsed, pred_parsed, timeout_seconds=None)
        return b"1" if equal and _numbers_agree(gold_parsed[0], pred_parsed[0]) else b"0"
    except Exception:  # any failure of parsing or sympy means "not shown equal"
        return b"error"


def main() -> None:
    """Serve requests until stdin closes."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    logging.disable(logging.WARNING)
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    for gold, pred in WARM_UP:
        verdict(gold, pred)
    replies.write(b"ready\n")
    replies.flush()
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            request_id = int(request["id"])
        except (ValueError, KeyError, TypeError):
            continue
        try:
            reply = verdict(str(request["gold"]), str(request["pred"]))
        except (KeyError, TypeError):
            reply = b"error"
        replies.write(b"%d %s\n" % (request_id, reply))
        replies.flush()


if __name__ == "__main__":
    main()
