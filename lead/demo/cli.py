"""``lead-demo``: LEAD against GRPO on a CPU in minutes, from an over-thinking warm start.

Steps: build the tokenizer and a tiny model, warm-start it with supervised fine-tuning on padded
solutions, evaluate it, run GRPO and LEAD from it with the same budget and seeds (printing a table per
step), evaluate both, and write the report folder (``summary.md``, PNG figures, per-step logs).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from transformers import set_seed

from lead.demo.evaluate import Evaluation, evaluate
from lead.demo.model import build_tiny_model
from lead.demo.report import (
    group_targets,
    needed_lengths,
    plot_psi_weights,
    plot_targets_by_difficulty,
    plot_training_curves,
)
from lead.demo.rl import METHODS, RLSettings, StepRow, lead_config_for, run_rl
from lead.demo.summary import closing_note, write_summary
from lead.demo.task import minimal_solution, sample_problems
from lead.demo.tokenizer import build_tokenizer
from lead.demo.warm_start import train_warm_start

FIGURES = {
    "training_curves.png": "Mean length and accuracy against RL step, GRPO and LEAD",
    "psi_weights.png": "LEAD's PSI weights against RL step",
    "lstar_by_difficulty.png": "LEAD's per-problem target length L*_q against problem difficulty",
}


@dataclass(frozen=True)
class DemoSettings:
    """Every knob of the demo; the defaults finish within minutes on 2 CPU cores."""

    seed: int = 0
    min_digits: int = 2
    max_digits: int = 5
    sft_steps: int = 1000
    sft_batch_size: int = 64
    sft_learning_rate: float = 3e-3
    rl_steps: int = 150
    prompts_per_step: int = 8
    num_generations: int = 8
    max_completion_length: int = 128
    rl_learning_rate: float = 2e-4
    temperature: float = 1.0
    train_problems: int = 2000
    eval_problems: int = 128
    eval_samples: int = 4
    threads: int = 1


QUICK = {"sft_steps": 200, "rl_steps": 8, "eval_problems": 48, "eval_samples": 2, "train_problems": 200}


QUICK_CAVEAT = (
    "this was a --quick run, a smoke test of the pipeline: the warm start is barely trained and the "
    "RL runs are a few steps long, so these numbers say nothing about LEAD. Run lead-demo without "
    "--quick for the real experiment."
)


def parse_args(argv: Sequence[str] | None) -> tuple[DemoSettings, Path, bool]:
    defaults = DemoSettings()
    parser = argparse.ArgumentParser(prog="lead-demo", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"about a minute: {QUICK}")
    parser.add_argument("--out", type=Path, default=Path("lead-demo-report"), help="report folder")
    for name, value in asdict(defaults).items():
        parser.add_argument(
            f"--{name.replace('_', '-')}", type=type(value), default=None, help=f"default {value}"
        )
    args = parser.parse_args(argv)
    settings = replace(defaults, **QUICK) if args.quick else defaults
    overrides = {name: getattr(args, name) for name in asdict(defaults) if getattr(args, name) is not None}
    return replace(settings, **overrides), args.out, args.quick


def print_row(method: str, row: StepRow) -> None:
    lambda_corr = "-" if row.lambda_corr is None else f"{row.lambda_corr:.3f}"
    lstar = "-" if row.lstar_mean is None else f"{row.lstar_mean:.1f}"
    print(
        f"{method:>6} {row.step:>5} {row.accuracy:>9.3f} {row.mean_length:>11.1f} "
        f"{lambda_corr:>9} {lstar:>8}",
        flush=True,
    )


def print_evaluation(name: str, evaluation: Evaluation) -> None:
    print(
        f"[eval] {name}: accuracy {100 * evaluation.accuracy:.1f}%, mean length {evaluation.mean_length:.1f} "
        f"tokens ({evaluation.num_samples} samples)",
        flush=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    settings, out, quick = parse_args(argv)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(settings.threads)
    set_seed(settings.seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    tokenizer = build_tokenizer()
    held_out = sample_problems(
        random.Random(settings.seed + 1), settings.eval_problems, settings.min_digits, settings.max_digits
    )
    train_problems = sample_problems(
        random.Random(settings.seed + 2),
        settings.train_problems,
        settings.min_digits,
        settings.max_digits,
        exclude=set(held_out),
    )
    evaluation_options = {
        "samples_per_problem": settings.eval_samples,
        "max_new_tokens": settings.max_completion_length,
        "temperature": settings.temperature,
        "seed": settings.seed,
    }

    clock = time.perf_counter()
    model = build_tiny_model(tokenizer, seed=settings.seed)
    print(
        f"[warm start] {sum(p.numel() for p in model.parameters()):,} parameters; "
        f"{settings.sft_steps} SFT steps on over-thinking solutions",
        flush=True,
    )
    train_warm_start(
        model,
        tokenizer,
        steps=settings.sft_steps,
        batch_size=settings.sft_batch_size,
        learning_rate=settings.sft_learning_rate,
        min_digits=settings.min_digits,
        max_digits=settings.max_digits,
        held_out=set(held_out),
        seed=settings.seed,
    )
    warm_start = evaluate(model, tokenizer, held_out, **evaluation_options)
    timings["warm start (SFT + evaluation)"] = time.perf_counter() - clock
    print_evaluation("warm start", warm_start)

    rl_settings = RLSettings(
        steps=settings.rl_steps,
        prompts_per_step=settings.prompts_per_step,
        num_generations=settings.num_generations,
        max_completion_length=settings.max_completion_length,
        learning_rate=settings.rl_learning_rate,
        temperature=settings.temperature,
        seed=settings.seed,
    )
    runs, evaluations = {}, {}
    print(f"{'method':>6} {'step':>5} {'accuracy':>9} {'mean length':>11} {'lambda_c':>9} {'mean L*':>8}")
    for method in METHODS:
        clock = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=f"lead-demo-{method}-") as trainer_dir:
            runs[method] = run_rl(
                method,
                model,
                tokenizer,
                train_problems,
                rl_settings,
                trainer_dir,
                on_row=lambda row, method=method: print_row(method, row),
            )
        evaluations[method] = evaluate(runs[method].model, tokenizer, held_out, **evaluation_options)
        timings[f"{method} (RL + evaluation)"] = time.perf_counter() - clock
        print_evaluation(method, evaluations[method])

    plot_training_curves(runs, warm_start, out / "training_curves.png")
    plot_psi_weights(runs["lead"], out / "psi_weights.png")
    targets = group_targets(runs["lead"].completions, lead_config_for(rl_settings))
    shortest = needed_lengths(held_out, lambda text: len(tokenizer(text)["input_ids"]))
    plot_targets_by_difficulty(targets, shortest, out / "lstar_by_difficulty.png")
    for method, run in runs.items():
        (out / f"history_{method}.json").write_text(json.dumps(run.history, indent=1))
    timings["total"] = time.perf_counter() - started
    write_summary(
        out / "summary.md",
        warm_start=warm_start,
        evaluations=evaluations,
        settings=asdict(settings),
        timings=timings,
        figures=FIGURES,
        shortest_mean_length=sum(len(tokenizer(minimal_solution(p))["input_ids"]) + 1 for p in held_out)
        / len(held_out),
        caveat=QUICK_CAVEAT if quick else None,
    )
    print(closing_note(warm_start, evaluations))
    print(f"Report: {out / 'summary.md'} (total {timings['total']:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
