"""``python -m lead.methods [NAME ...] [--budget B]``: every method's options as Markdown tables."""

from __future__ import annotations

import argparse

from lead.methods.docs import options_table
from lead.methods.registry import METHODS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lead.methods", description=__doc__.splitlines()[0])
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"methods (default: all): {', '.join(METHODS)}"
    )
    parser.add_argument("--budget", type=float, default=None, help="also show the defaults at this budget")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in METHODS]
    if unknown:
        parser.error(f"NAME {unknown[0]!r} is unknown: allowed values are {', '.join(METHODS)}")
    if args.budget is not None and not args.budget > 0:
        parser.error(f"--budget {args.budget:g} is invalid: allowed is a number of tokens > 0")
    for name in args.names or METHODS:
        print(f"### {METHODS[name].options.TITLE} (`{name}`)\n\n{options_table(name, args.budget)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
