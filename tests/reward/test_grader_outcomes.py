"""Per-response grader outcomes: unreadable answers, and no wait reported when a worker is free."""

from __future__ import annotations

from lead.reward import compute_score, grade, grader_stats

GOLD = "7\\sqrt{7}"
UNREADABLE = "\\boxed{7\\sqrt{}}"  # math-verify reads no number in it


def test_an_answer_math_verify_cannot_read_is_flagged_unreadable() -> None:
    before = grader_stats()
    results = [grade(UNREADABLE, GOLD) for _ in range(2)]  # the second verdict comes from the cache
    for result in results:
        assert (result.correct, result.unreadable, result.timed_out) == (False, True, False)
    after = grader_stats()
    assert after.get("unreadable", 0) - before.get("unreadable", 0) == 2
    assert after.get("math_verify_unparsable", 0) - before.get("math_verify_unparsable", 0) == 1


def test_a_gold_math_verify_cannot_read_does_not_make_the_answer_unreadable() -> None:
    before = grader_stats()
    result = grade("\\boxed{\\sqrt{98}}", "7\\sqrt{}")
    assert (result.correct, result.unreadable) == (False, False)
    after = grader_stats()
    assert after.get("math_verify_unparsable_gold", 0) - before.get("math_verify_unparsable_gold", 0) == 1
    assert after.get("unreadable", 0) == before.get("unreadable", 0)


def test_a_correct_answer_is_never_unreadable() -> None:
    """math-verify cannot read the answer against the first gold; the second gold is the same text."""
    before = grader_stats()
    result = grade("\\boxed{5\\sqrt{}}", ["5\\sqrt{5}", "5\\sqrt{}"])
    assert (result.correct, result.unreadable) == (True, False)
    assert grader_stats().get("math_verify_unparsable", 0) - before.get("math_verify_unparsable", 0) == 1


def test_answers_settled_without_math_verify_are_neither_unreadable_nor_waiting() -> None:
    for response, gold in [("\\boxed{12}", "12"), ("\\boxed{13}", "12"), ("no box", "12")]:
        result = compute_score("math", response, gold)
        assert (result["unreadable"], result["queue_timed_out"], result["queue_seconds"]) == (
            False,
            False,
            0.0,
        )


def test_no_wait_is_reported_when_a_ready_worker_is_free() -> None:
    """Same inputs, same reward extra info: a grader with an idle worker reports exactly 0.0 s."""
    assert grade("\\boxed{\\sqrt{8}}", "2\\sqrt{2}", timeout=30.0).correct  # a worker is started and warm
    first = compute_score("math", "\\boxed{\\sqrt{20}}", "2\\sqrt{5}")
    assert first["score"] == 1.0 and first["queue_seconds"] == 0.0
    second = compute_score("math", "\\boxed{\\sqrt{45}}", "3\\sqrt{5}")
    assert second["score"] == 1.0 and second["queue_seconds"] == 0.0
