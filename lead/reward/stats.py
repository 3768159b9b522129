"""Process-wide grading counters, safe to update from any thread."""

from __future__ import annotations

import threading
from collections import Counter


class GraderStats:
    """Named counters: graded, correct, no_answer, too_long, timed_out, errors, math_verify_calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, *names: str) -> None:
        """Increment each named counter by one."""
        with self._lock:
            self._counts.update(names)

    def snapshot(self) -> dict[str, int]:
        """Current counts (counters never incremented are absent)."""
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._counts.clear()


STATS = GraderStats()
