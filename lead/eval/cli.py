"""lead-eval: evaluate models the way the LEAD paper does, and compare the results.

lead-eval [run] MODEL [options]     # a model folder, hub id, verl checkpoint or verl run folder
lead-eval compare FOLDER... [options]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lead.eval.backends import BACKENDS, BackendOptions
from lead.eval.checkpoints import Checkpoint, CheckpointMergeError, classify_model, materialize_checkpoint
from lead.eval.metrics import AESWeights
from lead.eval.protocol import DEFAULT_BENCHMARKS, PROMPT_TEMPLATES, SamplingConfig, resolve_benchmarks
from lead.eval.report import load_results, results_markdown

if TYPE_CHECKING:
    from lead.eval.runner import EvalSettings

COMMANDS = ("run", "compare")


def _add_aes_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base", type=Path, help="results folder of the base model, for the Accuracy-Efficiency Score"
    )
    parser.add_argument(
        "--aes-weights",
        type=float,
        nargs=3,
        default=(1.0, 3.0, 5.0),
        metavar=("A", "B", "C"),
        help="AES weights: length gain, accuracy gain, accuracy loss (default 1 3 5)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lead-eval", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="evaluate a model, a verl checkpoint or every checkpoint of a run")
    run.add_argument(
        "model", help="HF model folder, hub id, verl global_step_N[/actor] folder, or verl run folder"
    )
    run.add_argument("--out", type=Path, help="output folder (default: eval_results/<model name>)")
    run.add_argument(
        "--benchmarks",
        nargs="+",
        metavar="NAME_OR_PARQUET",
        help=f"benchmark names ({', '.join(DEFAULT_BENCHMARKS)}) or parquet paths (default: the five)",
    )
    run.add_argument(
        "--data-dir", type=Path, help="folder holding the shipped <name>.parquet benchmark files"
    )
    run.add_argument(
        "--n", type=int, help="samples per problem for every benchmark (default: the protocol's n)"
    )
    run.add_argument("--limit", type=int, help="evaluate only the first LIMIT problems of each benchmark")
    run.add_argument("--prompt-template", choices=PROMPT_TEMPLATES, default="train")
    defaults = SamplingConfig()
    run.add_argument("--temperature", type=float, default=defaults.temperature)
    run.add_argument("--top-p", type=float, default=defaults.top_p)
    run.add_argument("--max-new-tokens", type=int, default=defaults.max_new_tokens)
    run.add_argument("--seed", type=int, default=defaults.seed)
    run.add_argument(
        "--backend", choices=BACKENDS, default="auto", help="auto: vLLM when installed with a GPU"
    )
    engine = BackendOptions()
    run.add_argument(
        "--batch-size", type=int, default=engine.batch_size, help="transformers: sequences per batch"
    )
    run.add_argument("--device", default=engine.device, help="transformers: auto, cpu, cuda, cuda:1, ...")
    run.add_argument("--dtype", default=engine.dtype, help="auto, float32, bfloat16 or float16")
    run.add_argument("--tensor-parallel-size", type=int, default=engine.tensor_parallel_size, help="vLLM")
    run.add_argument(
        "--gpu-memory-utilization", type=float, default=engine.gpu_memory_utilization, help="vLLM"
    )
    run.add_argument(
        "--max-model-len",
        type=int,
        help="context length, prompt plus response (default: the model's); a sample gets at most the "
        "room its prompt leaves, and a prompt longer than the context is skipped",
    )
    run.add_argument(
        "--requests-per-call",
        type=int,
        help="vLLM: samples per generate call, results saved after each (default: all in one call)",
    )
    run.add_argument("--grader-timeout", type=float, default=5.0, help="seconds per grading call")
    run.add_argument(
        "--keep-merged", action="store_true", help="keep Hugging Face copies merged from verl checkpoints"
    )
    _add_aes_options(run)

    comparison = commands.add_parser("compare", help="one table and plots from several results folders")
    comparison.add_argument(
        "folders", nargs="+", type=Path, help="results folders, or evaluation folders of runs"
    )
    comparison.add_argument("--out", type=Path, default=Path("eval_results/compare"), help="where to write")
    comparison.add_argument("--labels", nargs="+", help="row labels, one per folder (default: folder names)")
    _add_aes_options(comparison)
    return parser


def _default_out(location: str) -> Path:
    path = Path(location)
    name = path.parent.name if path.name == "actor" else path.name
    return Path("eval_results") / name.replace("/", "_")


def _settings(args: argparse.Namespace) -> EvalSettings:
    from lead.eval.runner import EvalSettings

    return EvalSettings(
        benchmarks=resolve_benchmarks(args.benchmarks, args.data_dir, args.n),
        sampling=SamplingConfig(args.temperature, args.top_p, args.max_new_tokens, args.seed),
        prompt_template=args.prompt_template,
        backend=args.backend,
        backend_options=BackendOptions(
            batch_size=args.batch_size,
            device=args.device,
            dtype=args.dtype,
            tensor_parallel_size=args.tensor_parallel_size,
            gpu_memory_utilization=args.gpu_memory_utilization,
            max_model_len=args.max_model_len,
            requests_per_call=args.requests_per_call,
        ),
        limit=args.limit,
        grader_timeout=args.grader_timeout,
        base_results=load_results(args.base) if args.base else None,
        aes_weights=AESWeights(*args.aes_weights),
    )


def _evaluate_checkpoint(
    checkpoint: Checkpoint, out_dir: Path, settings: EvalSettings, keep_merged: bool
) -> dict:
    from lead.eval.runner import evaluate

    merged = out_dir / "merged_model"

    def prepare() -> str:
        return str(materialize_checkpoint(checkpoint, merged))

    try:
        return evaluate(
            str(checkpoint.actor_dir), out_dir, settings, prepare_model=prepare, step=checkpoint.step
        )
    finally:
        if not keep_merged:
            shutil.rmtree(merged, ignore_errors=True)


def run_command(args: argparse.Namespace) -> None:
    """Evaluate a model, a checkpoint, or every checkpoint of a run (then tabulate and plot the run)."""
    from lead.eval.compare import compare
    from lead.eval.runner import evaluate

    target = classify_model(args.model)
    settings = _settings(args)
    out_dir = args.out or _default_out(target.location)
    if target.kind in ("hf", "hub"):
        print(results_markdown(evaluate(target.location, out_dir, settings)))
    elif target.kind == "checkpoint":
        print(
            results_markdown(_evaluate_checkpoint(target.checkpoints[0], out_dir, settings, args.keep_merged))
        )
    else:
        for checkpoint in target.checkpoints:
            print(f"checkpoint step {checkpoint.step}: {checkpoint.actor_dir}", file=sys.stderr)
            _evaluate_checkpoint(
                checkpoint, out_dir / f"global_step_{checkpoint.step}", settings, args.keep_merged
            )
        print(compare([out_dir], out_dir, base=args.base, weights=AESWeights(*args.aes_weights)))
    print(f"results written to {out_dir}", file=sys.stderr)


def compare_command(args: argparse.Namespace) -> None:
    """Tabulate and plot several results folders."""
    from lead.eval.compare import compare

    print(
        compare(
            args.folders, args.out, labels=args.labels, base=args.base, weights=AESWeights(*args.aes_weights)
        )
    )
    print(f"table and plots written to {args.out}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``lead-eval`` and ``python -m lead.eval``; ``run`` is the default command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "run")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            run_command(args)
        else:
            compare_command(args)
    except (ValueError, CheckpointMergeError) as error:
        parser.error(str(error))
    return 0
