"""Build data/math/train.parquet (8,521 MATH level 3-5 problems) and data/math/test.parquet (MATH-500).

    python scripts/data/prepare_math.py                 # from data/raw/*.parquet (offline, as released)
    python scripts/data/prepare_math.py --source hub    # rebuild from MATH on the Hugging Face Hub

The raw files are the LEAD release's training and validation sets, already in the RL schema; they
are validated and written unchanged. The hub route rebuilds the training set from MATH (train and
test splits, levels 3-5, minus MATH-500, gold = last boxed answer of the solution); its order and
count may differ from the release if the hub copy differs. Output is deterministic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from lead.data.builders import MATH_SUBJECTS, math500_validation_rows, math_train_rows
from lead.data.hub import HubUnavailableError, load_hub_records
from lead.data.schema import load_rl_parquet, write_rl_parquet

ROOT = Path(__file__).resolve().parents[2]
TRAIN_ROWS = 8521
TEST_ROWS = 500


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--source", choices=("raw", "hub"), default="raw", help="raw files or the hub")
    parser.add_argument("--raw-dir", type=Path, default=ROOT / "data" / "raw", help="folder of the raw files")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "data" / "math", help="output folder")
    return parser.parse_args(argv)


def _rows(frame: pd.DataFrame) -> list[dict]:
    return frame.to_dict(orient="records")


def _hub_rows() -> tuple[list[dict], list[dict]]:
    math500 = load_hub_records("HuggingFaceH4/MATH-500", None, "test")
    records = []
    for subject in MATH_SUBJECTS:
        for split in ("train", "test"):
            records += load_hub_records("EleutherAI/hendrycks_math", subject, split)
    train = math_train_rows(records, excluded_problems=[record["problem"] for record in math500])
    return train, math500_validation_rows(math500)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.source == "raw":
        train = _rows(load_rl_parquet(args.raw_dir / "math_l3to5_train.parquet"))
        test = _rows(load_rl_parquet(args.raw_dir / "math500_test.parquet"))
    else:
        try:
            train, test = _hub_rows()
        except HubUnavailableError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    for name, rows, expected in (("train", train, TRAIN_ROWS), ("test", test, TEST_ROWS)):
        path = args.out_dir / f"{name}.parquet"
        write_rl_parquet(rows, path)
        note = "" if len(rows) == expected else f" (the release has {expected})"
        print(f"{name}: {len(rows)} rows -> {path}{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
