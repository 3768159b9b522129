"""Build the shipped parquet files from raw records (local files or hub datasets).

The training set is the LEAD paper's 8,521 MATH level 3-5 problems and its validation set is
MATH-500, both already in the RL schema. The five evaluation benchmarks are built from their raw
records: the problem gets the paper's instruction, the gold answer is normalised (leading zeros,
trailing ``.0``, ``$`` wrappers) and ``extra_info`` names the benchmark and the problem id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lead.data.schema import make_row
from lead.reward.extract import extract_boxed

TRAIN_DATA_SOURCE = "deepscaler"
"""``data_source`` of the training and validation sets (verl has no built-in scorer for it)."""


def normalize_gold(value: Any) -> str:
    """Gold answer as a clean string: ``27.0`` -> ``27``, ``"025"`` -> ``25``, ``$x$`` -> ``x``,
    ``\\$36`` -> ``36``.

    A list of answers (OlympiadBench) is joined with ", ". Raises ValueError for an empty answer.
    """
    if isinstance(value, (list, tuple)):
        text = ", ".join(normalize_gold(item) for item in value)
    elif isinstance(value, bool):
        raise ValueError(f"gold answer must be a number or string, got {value!r}")
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = str(int(value)) if value.is_integer() else repr(value)
    elif isinstance(value, str):
        text = value.replace("\\$", "").replace("$", "").strip().rstrip(".").strip()
        if re.fullmatch(r"0+\d+", text):
            text = str(int(text))
    else:
        raise ValueError(f"gold answer must be a number or string, got {type(value).__name__}: {value!r}")
    if not text:
        raise ValueError(f"empty gold answer from {value!r}")
    return text


@dataclass(frozen=True)
class Benchmark:
    """Where one evaluation benchmark comes from and how to read its records."""

    name: str
    raw_file: str
    hub_dataset: str
    hub_config: str | None
    hub_split: str
    problem: Callable[[Mapping[str, Any]], str]
    answer: Callable[[Mapping[str, Any]], Any]
    problem_id: Callable[[Mapping[str, Any], int], str]
    expected_rows: int


def _field(*names: str) -> Callable[[Mapping[str, Any]], Any]:
    """Reader of the first present, non-null field among ``names`` (hub copies rename some)."""

    def read(record: Mapping[str, Any]) -> Any:
        for name in names:
            if record.get(name) is not None:
                return record[name]
        raise KeyError(f"record has none of the fields {names}: {sorted(record)}")

    return read


def _id_field(*names: str) -> Callable[[Mapping[str, Any], int], str]:
    def read(record: Mapping[str, Any], position: int) -> str:
        for name in names:
            if record.get(name) is not None:
                return str(record[name])
        return str(position)

    return read


BENCHMARKS: dict[str, Benchmark] = {
    "math500": Benchmark(
        "math500", "math500.jsonl", "HuggingFaceH4/MATH-500", None, "test",
        _field("problem"), _field("answer"), _id_field("unique_id"), 500,
    ),
    "aime24": Benchmark(
        "aime24", "aime24.jsonl", "HuggingFaceH4/aime_2024", None, "train",
        _field("problem", "question"), _field("answer"), _id_field("id"), 30,
    ),
    "aime25": Benchmark(
        "aime25", "aime25.jsonl", "math-ai/aime25", None, "test",
        _field("problem", "question"), _field("answer"), _id_field("id"), 30,
    ),
    "amc23": Benchmark(
        "amc23", "amc23.jsonl", "math-ai/amc23", None, "test",
        _field("problem", "question"), _field("answer"), _id_field("id"), 40,
    ),
    "olympiadbench": Benchmark(
        "olympiadbench", "olympiadbench.jsonl", "Hothan/OlympiadBench", "OE_TO_maths_en_COMP", "train",
        _field("question", "problem"), _field("final_answer", "answer"), _id_field("id"), 675,
    ),
}  # fmt: skip


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Records of a JSON-lines file (blank lines skipped)."""
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def benchmark_rows(benchmark: Benchmark, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """RL-schema rows of one benchmark, in record order."""
    rows = []
    for position, record in enumerate(records):
        problem = str(benchmark.problem(record)).strip()
        extra_info = {
            "index": position,
            "split": "test",
            "benchmark": benchmark.name,
            "problem_id": benchmark.problem_id(record, position),
            "problem": problem,
        }
        rows.append(make_row(benchmark.name, problem, normalize_gold(benchmark.answer(record)), extra_info))
    return rows


MATH_SUBJECTS = (
    "algebra",
    "counting_and_probability",
    "geometry",
    "intermediate_algebra",
    "number_theory",
    "prealgebra",
    "precalculus",
)
MATH_LEVELS = ("3", "4", "5")


def math_train_rows(
    records: Iterable[Mapping[str, Any]], excluded_problems: Iterable[str]
) -> list[dict[str, Any]]:
    """Training rows from MATH records (``problem``, ``solution``, ``level`` "Level N", ``type``).

    Keeps levels 3-5, drops problems in ``excluded_problems`` (MATH-500) and records whose solution
    has no ``\\boxed{}`` answer; the gold answer is the last boxed answer of the solution.
    """
    excluded = {problem.strip() for problem in excluded_problems}
    rows = []
    for record in records:
        level = str(record.get("level", "")).replace("Level", "").strip()
        problem = str(record["problem"]).strip()
        if level not in MATH_LEVELS or problem in excluded:
            continue
        answer = extract_boxed(str(record.get("solution", "")))
        if answer is None or not answer.strip():
            continue
        extra_info = {
            "index": len(rows),
            "level": level,
            "split": "train",
            "subject": str(record.get("type", "")),
        }
        rows.append(make_row(TRAIN_DATA_SOURCE, problem, answer.strip(), extra_info))
    return rows


def math500_validation_rows(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """MATH-500 as the training run's validation set (``data_source`` "deepscaler", as released)."""
    return [
        make_row(TRAIN_DATA_SOURCE, str(record["problem"]).strip(), str(record["answer"]).strip(),
                 {"index": position, "split": "test"})
        for position, record in enumerate(records)
    ]  # fmt: skip
