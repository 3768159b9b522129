"""Validate parquet files against the RL schema and print their counts.

    python -m lead.data.check data/math/train.parquet data/eval/*.parquet
    python -m lead.data.check data/math/train.parquet --tokenizer PATH [--max-prompt-length 1024]

With ``--tokenizer`` (a Hugging Face tokenizer folder or id with a chat template, the training
model's) each line also says how many prompts are longer than ``--max-prompt-length`` tokens as verl
counts them: the rows ``data.filter_overlong_prompts=True`` drops. Exit code 0 when every file is
valid, 1 (with the reason on stderr) otherwise, 2 for a bad argument.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

from lead.data.prompt_length import RECIPE_MAX_PROMPT_LENGTH, load_tokenizer, overlong_prompts
from lead.data.schema import INSTRUCTION, SchemaError, load_rl_parquet


def summarize(path: str, tokenizer: Any = None, max_prompt_length: int = RECIPE_MAX_PROMPT_LENGTH) -> str:
    """One line of counts for a valid file (raises SchemaError for an invalid one).

    With a ``tokenizer`` the line ends with the prompts over ``max_prompt_length`` tokens.
    """
    frame = load_rl_parquet(path)
    sources = Counter(frame["data_source"])
    with_instruction = sum(messages[-1]["content"].endswith(INSTRUCTION) for messages in frame["prompt"])
    source_text = ", ".join(f"{name}={count}" for name, count in sorted(sources.items()))
    line = (
        f"{path}: {len(frame)} rows; data_source {source_text}; "
        f"{with_instruction}/{len(frame)} prompts end with the instruction"
    )
    if tokenizer is None:
        return line
    overlong = overlong_prompts(frame["prompt"], tokenizer, max_prompt_length)
    return (
        f"{line}; {overlong.count}/{len(frame)} prompts over {overlong.limit} tokens "
        f"(longest {overlong.longest})"
    )


def _positive_int(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}: allowed is an integer > 0")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lead.data.check", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="parquet files to validate")
    parser.add_argument(
        "--tokenizer",
        help="tokenizer (folder or hub id, with a chat template) to count prompts over --max-prompt-length",
    )
    parser.add_argument(
        "--max-prompt-length",
        type=_positive_int,
        default=RECIPE_MAX_PROMPT_LENGTH,
        help=f"data.max_prompt_length of the run (default {RECIPE_MAX_PROMPT_LENGTH})",
    )
    args = parser.parse_args(argv)
    tokenizer = None
    if args.tokenizer:
        try:
            tokenizer = load_tokenizer(args.tokenizer)
        except ValueError as error:
            parser.error(f"--tokenizer: {error}")
    status = 0
    for path in args.paths:
        try:
            print(summarize(path, tokenizer, args.max_prompt_length))
        except SchemaError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
