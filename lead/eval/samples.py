"""The JSONL sample log: one line per finished sample, appended as it completes.

A sample is keyed by ``(benchmark, problem_id, sample_index)``. Reopening a log resumes it: known
samples are never generated again and a truncated last line (an interrupted write) is dropped.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

SampleKey = tuple[str, str, int]


@dataclass(frozen=True)
class SampleRecord:
    """One graded sample; ``max_new_tokens`` is the budget it was generated with (None in older logs)."""

    benchmark: str
    problem_id: str
    sample_index: int
    seed: int
    response: str
    num_tokens: int
    finish_reason: str
    pred: str
    has_answer: bool
    correct: bool
    max_new_tokens: int | None = None

    @property
    def key(self) -> SampleKey:
        return (self.benchmark, self.problem_id, self.sample_index)

    @property
    def truncated(self) -> bool:
        return self.finish_reason == "length"


class SampleStore:
    """Append-only JSONL log of ``SampleRecord`` with resume."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.records: dict[SampleKey, SampleRecord] = {}
        if self.path.exists():
            self._load()

    def _load(self) -> None:
        data = self.path.read_bytes()
        *complete, fragment = data.split(b"\n")
        for number, line in enumerate(complete, start=1):
            if line.strip():
                record = self._parse(line, number)
                self.records.setdefault(record.key, record)
        if not fragment.strip():
            return
        try:
            record = self._parse(fragment, len(complete) + 1)
        except ValueError:
            with open(self.path, "r+b") as handle:
                handle.truncate(len(data) - len(fragment))
            return
        self.records.setdefault(record.key, record)
        with open(self.path, "ab") as handle:
            handle.write(b"\n")

    def _parse(self, line: bytes, number: int) -> SampleRecord:
        try:
            return SampleRecord(**json.loads(line))
        except (ValueError, TypeError) as error:
            raise ValueError(f"{self.path}: line {number} is not a valid sample record ({error})") from error

    def __contains__(self, key: SampleKey) -> bool:
        return key in self.records

    def __len__(self) -> int:
        return len(self.records)

    def append(self, record: SampleRecord) -> None:
        """Write one record (a complete line); a key already present is an error."""
        if record.key in self.records:
            raise ValueError(f"sample {record.key} is already in {self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
        self.records[record.key] = record
