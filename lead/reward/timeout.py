"""Deadline-bounded calls into math-verify that work from any thread or process.

math-verify's built-in timeouts use SIGALRM, which only works in the main thread of the main
interpreter; verl calls reward functions from thread pools inside Ray actors. Here every
math-verify call runs in a separate, reusable worker process (``sympy_worker.py``, started with
``subprocess`` so nothing of the parent is forked). The parent waits on the worker's pipe with
``poll`` until the comparison's deadline and kills the worker if it overruns; a fresh one
replaces it.

A small pool (``DEFAULT_POOL_SIZE``: one worker per core, at most 4, each a Python process of
about 60-100 MB) serves all the threads of a process, first come first served. Waiting for a
worker is not comparing: a comparison's deadline runs on a clock that stops while its grading call
waits for a free worker or for a fresh one to start, so a correct answer is never marked wrong
because other threads kept the workers busy. The waits of one grading call are bounded separately,
by its ``queue_timeout``, and reported in its :class:`GradingSession`.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import threading
import time
from collections import deque
from contextvars import ContextVar, Token
from pathlib import Path

from lead.reward.stats import STATS

WORKER_SCRIPT = Path(__file__).with_name("sympy_worker.py")
DEFAULT_POOL_SIZE = max(1, min(4, os.cpu_count() or 1))
DEFAULT_QUEUE_TIMEOUT = 60.0
"""Seconds one grading call may wait for workers in all. A reward worker's 32 threads, each using
its full 5 s on 4 workers, keep a newcomer waiting about 40 s (plus restarts of killed workers)."""
KILL_MARGIN_SECONDS = 0.05
"""Time kept back from a comparison's deadline for giving up on a worker and returning."""


class GradingSession:
    """What the math-verify comparisons of one grading call waited for and ran into.

    Used as ``with GradingSession(queue_timeout) as session:``: the :func:`verify_before` calls of
    the block (in this thread) report to it. ``queue_seconds``: time spent waiting for workers (at
    most ``queue_timeout`` in all); every comparison's deadline is the caller's deadline plus the
    wait so far. ``timed_out``: a comparison overran its deadline or found no worker process able
    to run it. ``queue_timed_out``: no worker came free within ``queue_timeout``. ``unreadable``:
    math-verify could not read the predicted answer.
    """

    __slots__ = ("_token", "queue_seconds", "queue_timed_out", "queue_timeout", "timed_out", "unreadable")

    def __init__(self, queue_timeout: float = DEFAULT_QUEUE_TIMEOUT) -> None:
        self.queue_timeout = queue_timeout
        self.queue_seconds = 0.0
        self.timed_out = False
        self.queue_timed_out = False
        self.unreadable = False
        self._token: Token | None = None

    def __enter__(self) -> GradingSession:
        self._token = _SESSION.set(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        _SESSION.reset(self._token)

    @property
    def untouched(self) -> bool:
        """No comparison waited for a worker or ran into anything."""
        return not (self.queue_seconds or self.timed_out or self.queue_timed_out or self.unreadable)


_SESSION: ContextVar[GradingSession | None] = ContextVar("lead_grading_session", default=None)


class _Worker:
    """One math-verify child process and its pipes."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            close_fds=True,
            # sympy's results on odd inputs (infinities) depend on hash order: fix it, so that
            # the same answers always get the same verdict.
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        self._buffer = b""
        self._last_id = 0
        self.ready = False
        self.broken = False

    def _read_line(self, deadline: float) -> bytes | None:
        """Next line from the worker, or None if the deadline passes or the worker dies."""
        fd = self.process.stdout.fileno()
        poller = select.poll()  # not select.select: it fails for descriptors above 1024
        poller.register(fd, select.POLLIN)
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if not poller.poll(max(1, int(remaining * 1000))):
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                self.broken = True
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def wait_ready(self, deadline: float) -> bool:
        """Wait for the worker's start-up announcement; True once it can take requests."""
        if not self.ready:
            line = self._read_line(deadline)
            self.ready = line == b"ready"
            self.broken = self.broken or (line is not None and not self.ready)
        return self.ready

    def ask(self, gold: str, pred: str, deadline: float) -> bytes | None:
        """Send one request; the worker's verdict, or None on overrun or a dead worker.

        Replies carry the request's id, so a reply can never be taken for another request's.
        """
        self._last_id += 1
        request = {"id": self._last_id, "gold": gold, "pred": pred}
        try:
            self.process.stdin.write(json.dumps(request, ensure_ascii=True).encode() + b"\n")
            self.process.stdin.flush()
        except OSError:
            self.broken = True
            return None
        expected = b"%d " % self._last_id
        while True:
            line = self._read_line(deadline)
            if line is None:
                return None
            if line.startswith(expected):
                return line[len(expected) :]
            STATS.add("math_verify_stray_replies")

    def usable(self) -> bool:
        """Not known to be broken and still running."""
        return not self.broken and self.process.poll() is None

    def kill(self, wait: bool = False) -> None:
        """SIGKILL the worker now; reap it and close its pipes (in the background unless ``wait``)."""
        if self.process.poll() is None:
            self.process.kill()
        if wait:
            self._reap()
        else:
            threading.Thread(target=self._reap, daemon=True).start()

    def _reap(self) -> None:
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            stream.close()


class WorkerPool:
    """Up to ``size`` reusable math-verify worker processes shared by the threads of one process.

    Workers start when first needed. Callers are served in arrival order: a worker that comes free
    goes to the caller that has waited longest.
    """

    def __init__(self, size: int = DEFAULT_POOL_SIZE) -> None:
        if size < 1:
            raise ValueError(f"pool size must be >= 1, got {size}")
        self.size = size
        self._idle: list[_Worker] = []
        self._count = 0
        self._line: deque[object] = deque()
        self._condition = threading.Condition()

    def reset_after_fork(self) -> None:
        """In a forked child: forget the parent's workers (and a lock another thread may have held)."""
        self._idle = []
        self._count = 0
        self._line = deque()
        self._condition = threading.Condition()

    def _take(self, give_up_at: float) -> tuple[_Worker | None, bool]:
        """Wait in line until ``give_up_at`` (TimeoutError after it): ``(idle worker, waited)``, or
        ``(None, waited)`` when a slot for a new worker was counted for the caller."""
        ticket = object()
        waited = False
        with self._condition:
            self._line.append(ticket)
            try:
                while True:
                    if self._line[0] is ticket:
                        if self._idle:
                            return self._idle.pop(), waited
                        if self._count < self.size:
                            self._count += 1
                            return None, waited
                    remaining = give_up_at - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError
                    waited = True
                    self._condition.wait(remaining)
            finally:
                self._line.remove(ticket)
                self._condition.notify_all()

    def _start(self) -> _Worker | None:
        """A new worker in a counted slot; None, and the slot freed, if no process can start."""
        try:
            return _Worker()
        except Exception:  # cannot start a process here: count the slot as free again
            STATS.add("math_verify_start_failures")
            with self._condition:
                self._count -= 1
                self._condition.notify_all()
            return None

    def _release(self, worker: _Worker, healthy: bool) -> None:
        """Return a worker to the pool; a broken one is killed and replaced at once (it warms up
        in the background, so the next caller waits less for it)."""
        if not healthy:
            worker.kill()
            worker = self._start()
            if worker is None:
                return
        with self._condition:
            self._idle.append(worker)
            self._condition.notify_all()

    def _acquire(self, session: GradingSession) -> _Worker | None:
        """A worker ready for a request, or None with the reason flagged in ``session``.

        Waits at most the session's remaining queue time and adds what it waited (nothing when an
        idle, ready worker was free at once) to ``session.queue_seconds``.
        """
        started = time.monotonic()
        give_up_at = started + session.queue_timeout - session.queue_seconds
        try:
            worker, waited = self._take(give_up_at)
        except TimeoutError:
            worker, waited = None, True
            session.queue_timed_out = True
        else:
            if worker is None:
                worker, waited = self._start(), True
                if worker is None:
                    session.timed_out = True  # no process can run the comparison
            if worker is not None and not worker.ready:
                waited = True
            if worker is not None and not worker.wait_ready(give_up_at):
                # Still starting (kept for the next caller), or dead at start-up (replaced).
                if worker.usable():
                    session.queue_timed_out = True
                else:
                    session.timed_out = True
                self._release(worker, healthy=worker.usable())
                worker = None
        if waited:
            session.queue_seconds += time.monotonic() - started
        return worker

    def is_equivalent(self, gold: str, pred: str, deadline: float, session: GradingSession) -> bool | None:
        """math-verify's verdict, or None if it could not be had before ``deadline`` (monotonic, on
        the session's clock: the time spent waiting for a worker does not count)."""
        if deadline + session.queue_seconds - KILL_MARGIN_SECONDS <= time.monotonic():
            session.timed_out = True  # earlier comparisons used up the time
            return None
        worker = self._acquire(session)
        if worker is None:
            return None
        reply = None
        try:
            reply = worker.ask(gold, pred, deadline + session.queue_seconds - KILL_MARGIN_SECONDS)
        finally:
            # An interrupted request (e.g. a caller's own alarm) leaves an unread reply: discard the worker.
            self._release(worker, healthy=reply is not None)
        if reply is None:
            session.timed_out = True
            return None
        if reply in (b"unparsable", b"unparsable_gold", b"error"):
            STATS.add(f"math_verify_{reply.decode()}")
        session.unreadable = session.unreadable or reply == b"unparsable"
        return reply == b"1"

    def close(self) -> None:
        """Stop and reap all idle workers (busy ones are stopped by their callers)."""
        with self._condition:
            idle, self._idle = self._idle, []
            self._count -= len(idle)
        for worker in idle:
            worker.kill(wait=True)


_POOL = WorkerPool()
atexit.register(_POOL.close)
os.register_at_fork(after_in_child=_POOL.reset_after_fork)


def shutdown_workers() -> None:
    """Stop the idle math-verify workers now; the next comparison that needs one starts a new one."""
    _POOL.close()


def verify_before(gold: str, pred: str, deadline: float) -> bool | None:
    """Equivalence of two bare LaTeX answers by math-verify, or None if not had by ``deadline``.

    ``deadline`` is monotonic time on the clock of the current :class:`GradingSession` (a
    one-comparison session outside any): waiting for a worker does not use it up.
    """
    STATS.add("math_verify_calls")
    session = _SESSION.get() or GradingSession()
    return _POOL.is_equivalent(gold, pred, deadline, session)
