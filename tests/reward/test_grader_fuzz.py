"""Random LaTeX-like responses never crash the grader (not even internally) nor run past its timeout."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead.reward import compute_score, extract_answer, grader_stats

TIMEOUT = 0.5
SLACK = 0.25
TOKENS = [
    "\\boxed{", "\\boxed ", "\\fbox{", "{", "}", "\\{", "\\}", "\\frac", "\\dfrac", "\\sqrt", "^", "_", "!",
    "\\left(", "\\right)", "(", ")", "[", "]", ",", "=", "$", "\\text{", " cm", "\\circ", "\\%", "\\infty",
    "\\pi", "x", "n", "1", "2", "9", "0", ".", "-", "+", "\\cdot", "\\le", "\\cup", "\\\\", " ", "\n",
    "\\begin{pmatrix}", "&", "\\end{pmatrix}", "\ud800", "\ufffd", "\x00", "é", "final answer is ",
]  # fmt: skip
responses = st.lists(st.sampled_from(TOKENS), max_size=60).map("".join) | st.text(max_size=200)
golds = st.sampled_from(["12", "\\frac{1}{2}", "(1,2)", "\\{1, 2\\}", "x^2+1", "[0,\\infty)", "\\text{(C)}"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(response=responses, gold=golds, fallback=st.booleans())
def test_never_raises_and_stays_within_the_timeout(response: str, gold: str, fallback: bool) -> None:
    errors_before = grader_stats().get("errors", 0)
    started = time.monotonic()
    result = compute_score("deepscaler", response, gold, None, timeout=TIMEOUT, fallback=fallback)
    assert time.monotonic() - started - result["queue_seconds"] <= TIMEOUT + SLACK  # waits are not charged
    assert set(result) == {
        "score",
        "acc",
        "pred",
        "has_answer",
        "timed_out",
        "unreadable",
        "queue_timed_out",
        "queue_seconds",
        "length_bonus",
    }
    assert result["score"] in (0.0, 1.0) and result["score"] == result["acc"]
    assert result["has_answer"] == (extract_answer(response, fallback=fallback) is not None)
    assert grader_stats().get("errors", 0) == errors_before  # no internal exception was swallowed
