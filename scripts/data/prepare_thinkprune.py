"""Build a ThinkPrune stage's training set: every problem states the generation cap L.

    python scripts/data/prepare_thinkprune.py --cap 4000          # data/thinkprune/train_cap4000.parquet
    python scripts/data/prepare_thinkprune.py --cap 2000 --input data/math/test.parquet --output cap.parquet

ThinkPrune (arXiv 2504.01296) trains under a cap lowered in stages (4000 -> 3000 -> 2000 tokens) and
tells the model the cap: "The output of the assistant should be within L tokens." is appended to
each user message after the problem's own instruction, and extra_info gains length_cap (int L).
Rows keep their order, their ids (extra_info.index) and verl's RL schema, so a stage's data loader
continues where the previous stage's stopped. scripts/train/thinkprune_sweep.sh builds the files it
needs with this.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lead.data.instructions import with_instruction
from lead.data.schema import SchemaError, load_rl_parquet, write_rl_parquet

ROOT = Path(__file__).resolve().parents[2]
CAP_KEY = "length_cap"


def cap_instruction(cap: int) -> str:
    """ThinkPrune's statement of the cap: ``"The output of the assistant should be within L tokens."``"""
    return f"The output of the assistant should be within {cap} tokens."


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cap", type=int, required=True, help="the stage's generation cap L in tokens")
    parser.add_argument(
        "--input", type=Path, default=ROOT / "data" / "math" / "train.parquet", help="RL-schema parquet"
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="default: data/thinkprune/train_cap<L>.parquet"
    )
    args = parser.parse_args(argv)
    if args.cap < 1:
        parser.error(f"--cap {args.cap} is invalid: allowed is an integer >= 1 (tokens)")
    if args.output is None:
        args.output = ROOT / "data" / "thinkprune" / f"train_cap{args.cap}.parquet"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        source = load_rl_parquet(args.input)
    except SchemaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    instruction = cap_instruction(args.cap)
    rows = [
        with_instruction(row, instruction, {CAP_KEY: args.cap}) for row in source.to_dict(orient="records")
    ]
    write_rl_parquet(rows, args.output)
    print(f'cap {args.cap}: {len(rows)} rows end with "{instruction}" -> {args.output}')
    return 0


if __name__ == "__main__":
    sys.exit(main())
