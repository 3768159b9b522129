"""Build an L1 training set: every problem of the training parquet asks for a number of thinking tokens.

    python scripts/data/prepare_l1.py --mode exact                # L1-Exact: "Think for N tokens."
    python scripts/data/prepare_l1.py --mode mix                  # L1-Max's data: exact and max rows
    python scripts/data/prepare_l1.py --mode max --budget 128     # targets scaled to a 128-token budget
    python scripts/data/prepare_l1.py --mode exact --split test   # validation set (MATH-500) with targets

N is uniform over the integers of [--min-tokens, --max-tokens] (the release's [100, 4000]; with
--budget B both scaled by B / 4096). In --mode mix each row is exact or max by a fair coin, as L1-Max
is trained. The instruction is appended to each user message after the problem's own instruction;
extra_info gains l1_target (int N) and l1_kind ("exact" or "max"), which the reward reads
(reward_kwargs.length_reward; validation is scored by the same reward, so the validation set needs
targets too: --split test). Rows keep their order and verl's RL schema; the output is the same for
the same seed. Default files: data/math/<split>.parquet -> data/l1/<split>_<mode>.parquet.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lead.data.l1 import l1_rows
from lead.data.schema import SchemaError, load_rl_parquet, write_rl_parquet
from lead.reward.l1 import KIND_KEY, L1_MODES, scaled_defaults

ROOT = Path(__file__).resolve().parents[2]
SPLITS = ("train", "test")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=L1_MODES, required=True, help="kind of every row, or mix")
    parser.add_argument("--split", choices=SPLITS, default="train", help="the default input and output")
    parser.add_argument("--input", type=Path, default=None, help="default: data/math/<split>.parquet")
    parser.add_argument("--output", type=Path, default=None, help="default: data/l1/<split>_<mode>.parquet")
    parser.add_argument("--seed", type=int, default=0, help="seed of the targets and kinds")
    parser.add_argument("--budget", type=float, default=None, help="generation budget the defaults scale to")
    parser.add_argument("--min-tokens", type=int, default=None, help="smallest target (default 100)")
    parser.add_argument("--max-tokens", type=int, default=None, help="largest target (default 4000)")
    args = parser.parse_args(argv)
    if args.budget is not None and not args.budget > 0:
        parser.error(f"--budget {args.budget:g} is invalid: allowed is a number of tokens > 0")
    defaults = scaled_defaults(args.budget)
    args.min_tokens = defaults.min_target if args.min_tokens is None else args.min_tokens
    args.max_tokens = defaults.max_target if args.max_tokens is None else args.max_tokens
    if args.min_tokens < 1:
        parser.error(f"--min-tokens {args.min_tokens} is invalid: allowed is an integer >= 1")
    if args.max_tokens < args.min_tokens:
        parser.error(
            f"--max-tokens {args.max_tokens} is invalid: "
            f"allowed is an integer >= --min-tokens ({args.min_tokens})"
        )
    if args.input is None:
        args.input = ROOT / "data" / "math" / f"{args.split}.parquet"
    if args.output is None:
        args.output = ROOT / "data" / "l1" / f"{args.split}_{args.mode}.parquet"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        source = load_rl_parquet(args.input)
    except SchemaError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    rows = l1_rows(source.to_dict(orient="records"), args.mode, args.seed, args.min_tokens, args.max_tokens)
    write_rl_parquet(rows, args.output)
    num_max = sum(row["extra_info"][KIND_KEY] == "max" for row in rows)
    print(
        f"{args.mode}: {len(rows)} rows ({len(rows) - num_max} exact, {num_max} max), "
        f"targets {args.min_tokens}..{args.max_tokens} tokens, seed {args.seed} -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
