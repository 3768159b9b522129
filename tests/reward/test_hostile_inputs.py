"""Hostile responses score 0.0 within the timeout, from threads and from a process pool.

The timeout bounds comparing; waiting for a free or freshly started math-verify worker is bounded
separately and reported (``queue_seconds``), so the time charged is the elapsed time minus that.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest

from lead.reward import compute_score, grade, grader_stats
from lead.reward.timeout import shutdown_workers

TIMEOUT = 1.0
SLACK = 0.25  # thread scheduling on a busy 2-core machine; the grader itself stops 50 ms early
GOLD = "42"
HOSTILE = {
    "1 MB of text, no box": "x" * 1_000_000,
    "1 MB of text then a wrong box": "step " * 200_000 + "\\boxed{41}",
    "1 MB box": "\\boxed{" + "1+" * 500_000 + "1}",
    "1 MB unclosed box": "\\boxed{" + "9" * 1_000_000,
    "10,000 nested braces": "\\boxed{" + "{" * 10_000 + "42" + "}" * 10_000 + "}",
    "10,000 unclosed braces": "\\boxed{" + "{" * 10_000 + "42",
    "unbalanced braces": "}}}{{\\boxed{4}2}}}{",
    "power tower": "\\boxed{9^{9^{9^{9}}}}",
    "huge factorial": "\\boxed{1000000000!}",
    "factorial of a googol": "\\boxed{(10^{100})!}",
    "huge sum": "\\boxed{\\sum_{n=1}^{10^{12}} n^{n}}",
    "lone surrogates": "\\boxed{\ud800\udfff42}",
    "replacement characters": "\\boxed{\ufffd42\ufffd}",
    "control characters": "\\boxed{\x00\x0142}",
    "5,000-digit number": "\\boxed{" + "4" * 5000 + "2}",
    "100,000 boxes": "\\boxed{1}" * 100_000,
    "deep fractions": "\\boxed{" + "\\frac{1}{" * 400 + "42" + "}" * 400 + "}",
    "regex bait": "\\boxed{" + "1 " * 400 + "cm}",
    "long run of spaces": "\\boxed{1" + " " * 990 + "2}",
    "spaces before a list word": "\\boxed{" + " " * 990 + "and 1}",
}


def _timed_score(response: str) -> tuple[dict, float]:
    """compute_score's result and the seconds charged to the timeout."""
    started = time.monotonic()
    result = compute_score("deepscaler", response, GOLD, None, timeout=TIMEOUT)
    return result, time.monotonic() - started - result["queue_seconds"]


@pytest.mark.slow
def test_hostile_inputs_from_threads() -> None:
    before = grader_stats().get("timed_out", 0)
    with ThreadPoolExecutor(max_workers=4) as executor:
        outcomes = dict(zip(HOSTILE, executor.map(_timed_score, HOSTILE.values()), strict=True))
    for name, (result, charged) in outcomes.items():
        assert result["score"] == 0.0, name
        assert charged <= TIMEOUT + SLACK, (name, charged)
    assert outcomes["power tower"][0]["timed_out"] and outcomes["huge factorial"][0]["timed_out"]
    assert grader_stats()["timed_out"] >= before + 2


def test_main_thread_and_worker_thread_agree_on_math_verify_cases() -> None:
    pairs = [
        ("\\sqrt{8}", "2\\sqrt{2}", True),
        ("\\frac{\\pi}{4}", "45^\\circ", False),
        ("(x+1)^2", "x^2+2x+1", True),
    ]
    in_main = [grade(f"\\boxed{{{pred}}}", gold, timeout=5.0).correct for pred, gold, _ in pairs]
    in_thread: list[bool] = []
    worker = threading.Thread(
        target=lambda: in_thread.extend(grade(f"\\boxed{{{p}}}", g, timeout=5.0).correct for p, g, _ in pairs)
    )
    worker.start()
    worker.join()
    assert in_main == in_thread == [expected for *_, expected in pairs]


def test_grading_recovers_after_a_timeout() -> None:
    slow = grade("\\boxed{9^{9^{9^{9}}}}", "1", timeout=0.5)
    assert slow.timed_out and not slow.correct
    assert grade("\\boxed{\\sqrt{8}}", "2\\sqrt{2}", timeout=5.0).correct


@pytest.mark.slow
def test_hostile_inputs_from_a_process_pool() -> None:
    responses = list(HOSTILE.values())
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as executor:
        futures = [
            executor.submit(compute_score, "deepscaler", r, GOLD, None, timeout=TIMEOUT) for r in responses
        ]
        results = [future.result(timeout=60) for future in futures]
    elapsed = time.monotonic() - started
    assert [result["score"] for result in results] == [0.0] * len(responses)
    assert {frozenset(result) for result in results} == {frozenset(results[0])}
    # No call hangs: each compares for at most TIMEOUT besides its reported waits for a worker (one
    # killed at a timeout is replaced), however the two processes share the calls (plus start-up).
    waits = sum(result["queue_seconds"] for result in results)
    assert elapsed <= len(responses) * (TIMEOUT + SLACK) + waits + 20


def _grade_in_child(pairs: list[tuple[str, str]]) -> list[bool]:
    return [grade(f"\\boxed{{{pred}}}", gold, timeout=10.0).correct for pred, gold in pairs]


def test_forked_children_start_their_own_workers() -> None:
    pairs = [("\\sqrt{8}", "2\\sqrt{2}"), ("\\sqrt{7}", "2\\sqrt{2}")]
    assert _grade_in_child(pairs) == [True, False]  # the parent now has a live worker
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as executor:
        assert executor.submit(_grade_in_child, pairs).result(timeout=60) == [True, False]
    assert _grade_in_child([("\\frac{4}{\\sqrt{2}}", "2\\sqrt{2}")]) == [True]


@pytest.mark.slow
def test_inside_a_ray_actor_with_threads() -> None:
    """verl scores in Ray actors, from thread pools: timeouts and math-verify must work there."""
    ray = pytest.importorskip("ray")

    @ray.remote
    class Scorer:
        def score(self, items: list[tuple[str, str, float]]) -> list[tuple[float, bool, float]]:
            def one(item: tuple[str, str, float]) -> tuple[float, bool, float]:
                started = time.monotonic()
                result = compute_score("deepscaler", item[0], item[1], None, timeout=item[2])
                charged = time.monotonic() - started - result["queue_seconds"]
                return result["score"], result["timed_out"], charged

            with ThreadPoolExecutor(max_workers=2) as executor:
                return list(executor.map(one, items))

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False)
    try:
        items = [("\\boxed{\\sqrt{8}}", "2\\sqrt{2}", 10.0), ("\\boxed{9^{9^{9^{9}}}}", "1", TIMEOUT)]
        (right, right_timed_out, _), (tower, tower_timed_out, tower_seconds) = ray.get(
            Scorer.remote().score.remote(items), timeout=120
        )
    finally:
        if started_here:
            ray.shutdown()
    assert (right, right_timed_out) == (1.0, False)
    assert (tower, tower_timed_out) == (0.0, True)
    assert tower_seconds <= TIMEOUT + SLACK


def test_works_when_the_process_has_many_open_files() -> None:
    """Ray actors hold many descriptors; the worker's pipes may be numbered above 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1200:
        pytest.skip(reason=f"the open-file limit {hard} is below 1200")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    shutdown_workers()  # the next comparison starts a worker whose pipes get high numbers
    pipes = [os.pipe() for _ in range(550)]
    try:
        assert max(max(pipe) for pipe in pipes) > 1024
        assert grade("\\boxed{\\sqrt{12}}", "2\\sqrt{3}", timeout=10.0).correct
    finally:
        for pipe in pipes:
            os.close(pipe[0])
            os.close(pipe[1])
        shutdown_workers()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_no_hang_when_no_worker_can_start(monkeypatch: pytest.MonkeyPatch) -> None:
    shutdown_workers()
    failures_before = grader_stats().get("math_verify_start_failures", 0)
    monkeypatch.setattr(sys, "executable", str(Path("/nonexistent/python")))
    for _ in range(6):  # more calls than pool slots: a failed start must give its slot back
        started = time.monotonic()
        result = grade("\\boxed{\\sqrt{27}}", "3\\sqrt{3}", timeout=2.0)
        assert (result.correct, result.timed_out) == (False, True)
        assert time.monotonic() - started < 1.0
    monkeypatch.undo()
    assert grader_stats()["math_verify_start_failures"] >= failures_before + 6
    assert grade("\\boxed{\\sqrt{27}}", "3\\sqrt{3}", timeout=10.0).correct
