"""Benchmark problems read from parquet files in the project's RL schema."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lead.data.schema import load_rl_parquet
from lead.eval.protocol import BenchmarkSpec, build_messages


@dataclass(frozen=True)
class Problem:
    """One benchmark problem with the chat messages to send, its gold answer and, where the benchmark
    grades its problems, their difficulty level."""

    benchmark: str
    problem_id: str
    messages: list[dict]
    ground_truth: str | list[str]
    level: str | None = None


DIFFICULTY_KEYS = ("level", "difficulty")


def difficulty_level(extra_info: Mapping[str, Any]) -> str | None:
    """The problem's difficulty from ``extra_info.level`` or, failing that, ``extra_info.difficulty``.

    Returned as text: ``3``, ``3.0``, ``"3"`` and ``"Level 3"`` all give ``"3"``, ``6.5`` gives
    ``"6.5"``; None when the row has neither (or only empty values).
    """
    for key in DIFFICULTY_KEYS:
        value = extra_info.get(key)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = re.sub(r"^level\s*", "", str(value).strip(), flags=re.IGNORECASE)
        if text:
            return text
    return None


def load_problems(spec: BenchmarkSpec, template: str, limit: int | None = None) -> list[Problem]:
    """The problems of a benchmark (the first ``limit`` rows when given), in file order."""
    frame = load_rl_parquet(spec.path)
    if limit is not None:
        if limit < 1:
            raise ValueError(f"limit must be >= 1, got {limit}")
        frame = frame.head(limit)
    problems = []
    for row_number, row in enumerate(frame.itertuples(index=False)):
        extra = row.extra_info if isinstance(row.extra_info, dict) else {}
        problem_id = extra.get("problem_id", extra.get("index", row_number))
        messages = build_messages(template, list(row.prompt), extra.get("problem"))
        gold = row.reward_model["ground_truth"]
        gold = gold if isinstance(gold, str) else [str(g) for g in gold]
        problems.append(Problem(spec.name, str(problem_id), messages, gold, difficulty_level(extra)))
    ids = [p.problem_id for p in problems]
    if len(set(ids)) != len(ids):
        raise ValueError(f"benchmark {spec.name!r} ({spec.path}): problem ids are not unique")
    return problems


def sample_seed(base_seed: int, benchmark: str, problem_id: str, sample_index: int) -> int:
    """A fixed seed for one sample, independent of batching and of which samples already exist."""
    key = f"{base_seed}|{benchmark}|{problem_id}|{sample_index}".encode()
    return zlib.crc32(key) & 0x7FFFFFFF
