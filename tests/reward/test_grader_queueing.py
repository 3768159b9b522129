"""Many threads share a few math-verify workers: waiting for one never costs a correct answer its credit.

verl's reward workers grade from up to 32 threads each. The comparison deadline covers the comparison
only; the wait for a free worker is bounded separately (``queue_timeout``) and reported.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from lead.reward import compute_score, grade, grader_stats
from lead.reward import timeout as timeout_module
from lead.reward.timeout import WorkerPool

SLACK = 0.25  # thread scheduling on a busy 2-core machine
SLOW_WORKER = """\
import sys
import time

sys.path.insert(0, {folder!r})
import sympy_worker

real_verdict = sympy_worker.verdict


def slow_verdict(gold, pred):
    if (gold, pred) not in sympy_worker.WARM_UP:
        time.sleep({delay!r})
    return real_verdict(gold, pred)


sympy_worker.verdict = slow_verdict
sympy_worker.main()
"""


def sqrt_pair(k: int) -> tuple[str, str]:
    """A response and its gold that only math-verify finds equal (``\\sqrt{2k^2} = k\\sqrt{2}``); a
    different pair for every ``k``, so that no verdict comes from the grader's cache."""
    return f"so \\boxed{{\\sqrt{{{2 * k * k}}}}}", f"{k}\\sqrt{{2}}"


@pytest.fixture
def small_pool(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkerPool]:
    """Two real math-verify workers serve every comparison of the test."""
    pool = WorkerPool(size=2)
    monkeypatch.setattr(timeout_module, "_POOL", pool)
    yield pool
    pool.close()


@pytest.fixture
def slow_comparisons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Workers of the real worker script whose every comparison first sleeps ``delay`` seconds."""

    def use(delay: float) -> None:
        script = tmp_path / "slow_sympy_worker.py"
        folder = str(Path(timeout_module.__file__).parent)
        script.write_text(SLOW_WORKER.format(folder=folder, delay=delay))
        monkeypatch.setattr(timeout_module, "WORKER_SCRIPT", script)

    return use


def start_workers(count: int) -> None:
    """Have ``count`` workers started and warm (concurrent comparisons with a long timeout)."""
    pairs = [sqrt_pair(k) for k in range(1000, 1000 + count)]
    with ThreadPoolExecutor(max_workers=count) as executor:
        assert all(result.correct for result in executor.map(lambda pair: grade(*pair, timeout=60.0), pairs))


@pytest.mark.slow
def test_correct_answers_stay_correct_when_48_threads_queue_for_2_workers(small_pool, slow_comparisons):
    """48 comparisons of 0.25 s each on 2 workers: most callers wait far longer than the timeout."""
    slow_comparisons(0.25)
    start_workers(2)
    timeout = 1.5
    pairs = [sqrt_pair(k) for k in range(10, 58)]
    start = threading.Barrier(len(pairs))

    def graded(pair: tuple[str, str]):
        start.wait()
        started = time.monotonic()
        return grade(*pair, timeout=timeout), time.monotonic() - started

    with ThreadPoolExecutor(max_workers=len(pairs)) as executor:
        outcomes = list(executor.map(graded, pairs))
    assert [result.correct for result, _ in outcomes] == [True] * len(pairs)
    assert max(elapsed for _, elapsed in outcomes) > 2 * timeout  # the callers really queued
    assert not any(result.timed_out or result.queue_timed_out for result, _ in outcomes)
    for result, elapsed in outcomes:
        assert result.queue_seconds <= elapsed
        assert elapsed - result.queue_seconds <= timeout + SLACK  # what was charged to the timeout


@pytest.mark.slow
def test_hostile_answers_time_out_without_failing_the_correct_ones_queued_behind_them(small_pool):
    """Power towers hold both workers for the whole timeout; 28 correct answers wait their turn."""
    start_workers(2)
    timeout = 1.0
    responses = [("\\boxed{9^{9^{9^{9}}}}", "1")] * 4 + [sqrt_pair(k) for k in range(60, 88)]
    start = threading.Barrier(len(responses))

    def scored(pair: tuple[str, str]):
        start.wait()
        started = time.monotonic()
        return compute_score("deepscaler", *pair, timeout=timeout), time.monotonic() - started

    with ThreadPoolExecutor(max_workers=len(responses)) as executor:
        outcomes = list(executor.map(scored, responses))
    towers, correct = outcomes[:4], outcomes[4:]
    assert [result["score"] for result, _ in correct] == [1.0] * len(correct)
    assert max(result["queue_seconds"] for result, _ in correct) > 0
    for result, elapsed in towers:
        assert (result["score"], result["timed_out"], result["queue_timed_out"]) == (0.0, True, False)
        assert elapsed - result["queue_seconds"] <= timeout + SLACK


@pytest.mark.slow
def test_the_wait_for_a_worker_is_bounded_and_reported(small_pool, slow_comparisons):
    """One worker busy for 2 s: callers that may wait 0.5 s give up after 0.5 s, flagged, not timed out."""
    small_pool.size = 1
    slow_comparisons(2.0)
    assert grade(*sqrt_pair(100), timeout=10.0).correct  # the worker is started and warm
    before = grader_stats()
    pairs = [sqrt_pair(k) for k in range(101, 104)]
    start = threading.Barrier(len(pairs))

    def graded(pair: tuple[str, str]):
        start.wait()
        time.sleep(0.2 if pair != pairs[0] else 0.0)  # the first caller takes the worker
        started = time.monotonic()
        return grade(*pair, timeout=10.0, queue_timeout=0.5), time.monotonic() - started

    with ThreadPoolExecutor(max_workers=len(pairs)) as executor:
        (first, _), *waiting = executor.map(graded, pairs)
    assert first.correct and first.queue_seconds == 0.0
    for result, elapsed in waiting:
        assert (result.correct, result.timed_out, result.queue_timed_out) == (False, False, True)
        assert 0.5 <= result.queue_seconds <= elapsed <= 0.5 + SLACK
    after = grader_stats()
    assert after.get("queue_timed_out", 0) - before.get("queue_timed_out", 0) == 2
    assert after.get("timed_out", 0) == before.get("timed_out", 0)


@pytest.mark.slow
def test_a_queue_timeout_is_not_cached_as_a_wrong_answer(small_pool, slow_comparisons):
    small_pool.size = 1
    slow_comparisons(1.0)
    response, gold = sqrt_pair(200)
    assert grade(*sqrt_pair(201), timeout=10.0).correct  # the worker is started and warm
    holder = threading.Thread(target=grade, args=sqrt_pair(202), kwargs={"timeout": 10.0})
    holder.start()
    time.sleep(0.2)
    assert grade(response, gold, timeout=10.0, queue_timeout=0.1).queue_timed_out
    holder.join()
    assert grade(response, gold, timeout=10.0).correct


@pytest.mark.parametrize("queue_timeout", [0, -1, "5", None, True, float("nan")])
def test_invalid_queue_timeout_is_rejected(queue_timeout: object) -> None:
    with pytest.raises(ValueError, match=r"queue_timeout must be a positive number of seconds, got"):
        grade("\\boxed{1}", "1", queue_timeout=queue_timeout)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"queue_timeout"):
        compute_score("math", "\\boxed{1}", "1", queue_timeout=queue_timeout)  # type: ignore[arg-type]


def test_a_fresh_worker_starts_on_the_queue_clock_not_the_comparison_clock(small_pool):
    """Starting a worker (about a second, more on a busy machine) must not use up a short timeout."""
    response, gold = sqrt_pair(300)
    result = grade(response, gold, timeout=0.5)
    assert result.correct and not result.timed_out
    assert result.queue_seconds > 0  # it waited for the worker to start
