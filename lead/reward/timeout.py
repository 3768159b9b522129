"""Deadline-bounded calls into math-verify that work from any thread or process.

math-verify's built-in timeouts use SIGALRM, which only works in the main thread of the main
interpreter; verl calls reward functions from thread pools inside Ray actors. Here every
math-verify call runs in a separate, reusable worker process (``sympy_worker.py``, started with
``subprocess`` so nothing of the parent is forked). The parent waits on the worker's pipe with
``poll`` until the caller's deadline and kills the worker if it overruns; the next call starts a
fresh one. A small pool serves concurrent threads.
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
from pathlib import Path

from lead.reward.stats import STATS

WORKER_SCRIPT = Path(__file__).with_name("sympy_worker.py")
DEFAULT_POOL_SIZE = max(1, min(4, os.cpu_count() or 1))
KILL_MARGIN_SECONDS = 0.05
"""Time kept back from the caller's deadline for giving up on a worker and returning."""


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
    """Reusable math-verify worker processes shared by the threads of one process."""

    def __init__(self, size: int = DEFAULT_POOL_SIZE) -> None:
        if size < 1:
            raise ValueError(f"pool size must be >= 1, got {size}")
        self.size = size
        self._idle: list[_Worker] = []
        self._count = 0
        self._condition = threading.Condition()

    def reset_after_fork(self) -> None:
        """In a forked child: forget the parent's workers (and a lock another thread may have held)."""
        self._idle = []
        self._count = 0
        self._condition = threading.Condition()

    def _acquire(self, deadline: float) -> _Worker | None:
        with self._condition:
            while True:
                if self._idle:
                    return self._idle.pop()
                if self._count < self.size:
                    self._count += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._condition.wait(remaining):
                    return None
        try:
            return _Worker()
        except Exception:  # cannot start a process here: count the slot as free again
            STATS.add("math_verify_start_failures")
            with self._condition:
                self._count -= 1
                self._condition.notify()
            return None

    def _release(self, worker: _Worker, healthy: bool) -> None:
        """Return a worker to the pool; a broken one is killed and replaced at once (it warms up
        in the background, so the next call does not pay the start-up time)."""
        if not healthy:
            worker.kill()
            try:
                worker = _Worker()
            except Exception:  # cannot start a process here: count the slot as free again
                STATS.add("math_verify_start_failures")
                with self._condition:
                    self._count -= 1
                    self._condition.notify()
                return
        with self._condition:
            self._idle.append(worker)
            self._condition.notify()

    def is_equivalent(self, gold: str, pred: str, deadline: float) -> bool | None:
        """math-verify's verdict, or None if it could not be had before ``deadline``."""
        deadline -= KILL_MARGIN_SECONDS
        worker = self._acquire(deadline)
        if worker is None:
            return None
        if not worker.wait_ready(deadline):
            # Still starting up: keep it for the next call unless it died.
            self._release(worker, healthy=worker.usable())
            return None
        reply = None
        try:
            reply = worker.ask(gold, pred, deadline)
        finally:
            # An interrupted request (e.g. a caller's own alarm) leaves an unread reply: discard the worker.
            self._release(worker, healthy=reply is not None)
        if reply in (b"unparsable", b"error"):
            STATS.add(f"math_verify_{reply.decode()}")
        return None if reply is None else reply == b"1"

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
    """Equivalence of two bare LaTeX answers by math-verify, bounded by ``deadline`` (monotonic)."""
    STATS.add("math_verify_calls")
    return _POOL.is_equivalent(gold, pred, deadline)
