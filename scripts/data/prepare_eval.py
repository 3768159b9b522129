"""Build data/eval/{math500,aime24,aime25,amc23,olympiadbench}.parquet.

    python scripts/data/prepare_eval.py                 # from data/raw/*.jsonl (offline)
    python scripts/data/prepare_eval.py --source hub    # from the Hugging Face Hub

Output is deterministic: the same records give byte-identical files. MATH-500 rows also carry the
problem's difficulty, ``extra_info.level`` ("1" to "5"), from the records' ``level`` field.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lead.data.builders import BENCHMARKS, benchmark_rows, read_jsonl
from lead.data.hub import HubUnavailableError, load_hub_records
from lead.data.schema import write_rl_parquet

ROOT = Path(__file__).resolve().parents[2]
LEVEL_FIELDS = {"math500": "level"}
"""The record field that holds a benchmark's difficulty level, for benchmarks that have one."""


def add_levels(rows: Sequence[dict[str, Any]], records: Sequence[Mapping[str, Any]], field: str) -> None:
    """Copy each record's ``field`` into its row's ``extra_info.level``, as a string like the training set."""
    for row, record in zip(rows, records, strict=True):
        row["extra_info"]["level"] = str(record[field])


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", choices=("raw", "hub"), default="raw", help="raw files or the hub")
    parser.add_argument("--raw-dir", type=Path, default=ROOT / "data" / "raw", help="raw files folder")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "data" / "eval", help="output folder")
    parser.add_argument(
        "--benchmarks", nargs="+", choices=sorted(BENCHMARKS), default=list(BENCHMARKS), help="which to build"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for name in args.benchmarks:
        benchmark = BENCHMARKS[name]
        if args.source == "raw":
            records = read_jsonl(args.raw_dir / benchmark.raw_file)
        else:
            try:
                records = load_hub_records(benchmark.hub_dataset, benchmark.hub_config, benchmark.hub_split)
            except HubUnavailableError as error:
                print(f"error: {error}", file=sys.stderr)
                return 1
        rows = benchmark_rows(benchmark, records)
        if name in LEVEL_FIELDS:
            add_levels(rows, records, LEVEL_FIELDS[name])
        path = args.out_dir / f"{name}.parquet"
        write_rl_parquet(rows, path)
        note = "" if len(rows) == benchmark.expected_rows else f" (expected {benchmark.expected_rows})"
        print(f"{name}: {len(rows)} rows -> {path}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
