"""Validate parquet files against the RL schema and print their counts.

    python -m lead.data.check data/math/train.parquet data/eval/*.parquet

Exit code 0 when every file is valid, 1 (with the reason on stderr) otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from lead.data.schema import INSTRUCTION, SchemaError, load_rl_parquet


def summarize(path: str) -> str:
    """One line of counts for a valid file (raises SchemaError for an invalid one)."""
    frame = load_rl_parquet(path)
    sources = Counter(frame["data_source"])
    with_instruction = sum(messages[-1]["content"].endswith(INSTRUCTION) for messages in frame["prompt"])
    source_text = ", ".join(f"{name}={count}" for name, count in sorted(sources.items()))
    return (
        f"{path}: {len(frame)} rows; data_source {source_text}; "
        f"{with_instruction}/{len(frame)} prompts end with the instruction"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lead.data.check", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="parquet files to validate")
    args = parser.parse_args(argv)
    status = 0
    for path in args.paths:
        try:
            print(summarize(path))
        except SchemaError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
