"""``lead-study``: every efficient-reasoning method from one over-thinking warm start, on a CPU.

The paper's three claims tested on a synthetic task whose problems need very different lengths: GRPO
and LEAD; the static-weight sweeps of the paper's Table 2 (GRPO with a static length bonus, LEAD with
static weights); global budgets (DLER's truncation limit, LASER's target) below and above what the
hardest problems need; and the adaptive neighbours (LASER-D, Kimi, Arora-Zanette, ShorterBetter,
HAPO) at their defaults. Same warm start, RL settings and seeds for all; finished runs are kept in the
report folder and a rerun resumes. Writes ``results.{json,csv,md}`` and PNG figures.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from lead.demo.command_line import (
    OneLineParser,
    UsageError,
    add_setting_arguments,
    bounded_integer,
    fail,
    integer_list,
    name_list,
    settings_from_arguments,
)
from lead.demo.configurations import (
    Configuration,
    TaskFacts,
    option_problems,
    select,
    study_configurations,
    unavailable,
)
from lead.demo.settings import QUICK, StudySettings
from lead.demo.store import FolderMismatch
from lead.demo.task import FILLER_LINES
from lead.methods import METHODS

MAX_WORKERS = 32
QUICK_CAVEAT = (
    "this was a --quick run, a smoke test of the pipeline: the warm start is barely trained and the "
    "RL runs are a few steps long, so these numbers say nothing about any method. Run without --quick "
    "for the real experiment."
)
TASK_INTRO = (
    "Task: add k distinct digits (k = {low}..{high}), writing one running-sum line per addition, so a "
    "problem with k digits needs k - 1 lines and harder problems need longer solutions. The warm start "
    "(a tiny Llama trained from scratch with supervised fine-tuning) learned from solutions that re-check "
    "their work once the sum is found, with filler lines that hold no number ({fillers}), so it "
    "over-thinks at every difficulty and its padding costs tokens but cannot corrupt the answer: every "
    "needed line sits where it sits in the shortest solution. Every method then continues from it with "
    "reinforcement learning on the same 0/1 correctness reward; the methods differ only in how they turn "
    "correctness and length into advantages."
)


@dataclass(frozen=True)
class Command:
    """What differs between ``lead-study`` and ``lead-demo`` (``defaults``: the settings when no option
    is given)."""

    prog: str
    description: str
    title: str
    default_out: str
    configurations: Callable[[TaskFacts], list[Configuration]]
    seeds_option: bool
    defaults: StudySettings = field(default_factory=StudySettings)


def build_parser(command: Command) -> argparse.ArgumentParser:
    parser = OneLineParser(prog=command.prog, description=command.description.replace("``", ""))
    parser.add_argument("--quick", action="store_true", help=f"about two minutes, a smoke test: {QUICK}")
    parser.add_argument(
        "--out", type=Path, default=None, help=f"report folder (default {command.default_out}[-quick])"
    )
    keys = dict.fromkeys(c.key for c in command.configurations(TaskFacts.of(command.defaults)))
    parser.add_argument(
        "--methods", default=None, help=f"comma-separated, from {','.join(keys)} (default: all of them)"
    )
    if command.seeds_option:
        parser.add_argument(
            "--seeds", default=None, help="comma-separated RL seeds (default 0,1,2; quick: 0)"
        )
    else:
        parser.add_argument("--seed", default="0", help="RL seed (default 0)")
    parser.add_argument(
        "--workers",
        default=str(min(2, os.cpu_count() or 1)),
        help="parallel runs, one CPU thread each (default: 2, or 1 on a one-core machine)",
    )
    add_setting_arguments(parser, command.defaults)
    return parser


@dataclass(frozen=True)
class Request:
    """A checked command line."""

    settings: StudySettings
    configurations: list[Configuration]
    seeds: tuple[int, ...]
    out: Path
    workers: int
    quick: bool


def check_arguments(command: Command, args: argparse.Namespace) -> Request:
    """Every option checked, before any work; :class:`UsageError` on the first bad one."""
    defaults = replace(command.defaults, **QUICK) if args.quick else command.defaults
    settings = settings_from_arguments(args, defaults)
    all_configurations = command.configurations(TaskFacts.of(settings))
    keys = list(dict.fromkeys(c.key for c in all_configurations))
    chosen = keys if args.methods is None else list(name_list("--methods", args.methods, keys))
    configurations = select(all_configurations, chosen)
    missing = unavailable(configurations)
    if missing:
        registered = [key for key in keys if key not in unavailable(all_configurations)]
        raise UsageError(
            f"--methods={','.join(chosen)} is invalid: {', '.join(missing)} not registered in lead.methods "
            f"(registered: {', '.join(METHODS)}); allowed here are {', '.join(registered)}"
        )
    problems = option_problems(configurations)
    if problems:
        raise UsageError(f"--methods={','.join(chosen)} is invalid: {problems[0]}")
    for configuration in configurations:
        try:
            configuration.estimator(settings.max_completion_length)
        except ValueError as error:
            raise UsageError(
                f"--max-completion-length={settings.max_completion_length} is invalid for "
                f"{configuration.label} (its limits follow from --max-digits={settings.max_digits}): {error}"
            ) from None
    if command.seeds_option:
        seeds = integer_list("--seeds", args.seeds) if args.seeds else ((0,) if args.quick else (0, 1, 2))
    else:
        seeds = (bounded_integer("--seed", args.seed, 0, 2**31 - 1),)
    workers = bounded_integer("--workers", args.workers, 1, MAX_WORKERS)
    out = args.out or Path(command.default_out + ("-quick" if args.quick else ""))
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out={out} is invalid: allowed is a folder (new, or made by {command.prog})")
    return Request(settings, configurations, seeds, out, workers, args.quick)


def run_command(command: Command, argv: Sequence[str] | None) -> int:
    args = build_parser(command).parse_args(argv)
    try:
        request = check_arguments(command, args)
    except UsageError as error:
        return fail(command.prog, error)
    # the training stack is imported only once the command line is known to be good
    from lead.demo.report import write_report
    from lead.demo.runner import run_study

    started = time.perf_counter()
    request.out.mkdir(parents=True, exist_ok=True)
    try:
        runs = run_study(
            request.out, request.settings, request.configurations, request.seeds, workers=request.workers
        )
    except FolderMismatch as error:
        return fail(command.prog, UsageError(str(error)))
    timings = {
        f"runs executed now ({runs.executed}, {request.workers} workers)": runs.seconds,
        "total, this invocation": time.perf_counter() - started,
    }
    settings = request.settings
    _, verdicts = write_report(
        request.out,
        settings=settings,
        configurations=request.configurations,
        seeds=request.seeds,
        runs=runs,
        title=command.title,
        intro=TASK_INTRO.format(
            low=settings.min_digits,
            high=settings.max_digits,
            fillers=", ".join(f'"{line}"' for line in FILLER_LINES),
        ),
        caveat=QUICK_CAVEAT if request.quick else None,
        timings=timings,
    )
    for verdict in verdicts:
        print(f"{verdict.claim}: {verdict.verdict}")
    if request.quick:
        print(f"Note: {QUICK_CAVEAT}")
    print(f"Report: {request.out / 'results.md'} ({time.perf_counter() - started:.0f} s)")
    return 0


STUDY = Command(
    prog="lead-study",
    description=__doc__.splitlines()[0],
    title="LEAD CPU study: efficient-reasoning methods from one over-thinking warm start",
    default_out="lead-study-report",
    configurations=study_configurations,
    seeds_option=True,
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(STUDY, argv)


if __name__ == "__main__":
    raise SystemExit(main())
