"""Runs a study: one warm start, then every configuration x seed from it, resumable, in parallel.

The warm start is trained once and kept in the report folder; each run continues from it with the
same RL settings, is evaluated on the same held-out problems with the same sampling seed, and is
written to ``runs/<configuration>/seed<k>.json`` when it finishes. A rerun with the same folder
skips the finished runs. Runs go to ``workers`` processes of one thread each (one thread
everywhere, so a run's numbers do not depend on the worker count); one progress bar with an ETA
covers the whole study.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from multiprocessing import get_context
from pathlib import Path
from queue import Empty
from typing import Any

import torch
from tqdm import tqdm
from transformers import PreTrainedModel, PreTrainedTokenizerFast, set_seed

from lead.demo.configurations import Configuration, TaskFacts, resolved_options
from lead.demo.evaluate import evaluate
from lead.demo.model import build_tiny_model
from lead.demo.rl import REWARD_NAME, RLSettings, run_rl
from lead.demo.settings import StudySettings
from lead.demo.store import claim_folder, finished_run, run_path, write_json
from lead.demo.targets import group_targets
from lead.demo.task import Problem, sample_problems, sample_problems_per_difficulty
from lead.demo.tokenizer import build_tokenizer
from lead.demo.warm_start import train_warm_start

WARM_START_DIR = "warm_start"
SFT_STEP_COST = 0.25
"""A warm-start step's cost in RL steps (measured), for the progress bar's ETA."""
EVALUATION_COST = 5.0
"""A run's held-out evaluation in RL steps, likewise."""


def held_out_problems(settings: StudySettings) -> list[Problem]:
    """``eval_problems`` problems per difficulty, never trained on, the same for every run."""
    return sample_problems_per_difficulty(
        random.Random(settings.warm_start_seed + 1),
        settings.eval_problems,
        settings.min_digits,
        settings.max_digits,
    )


def training_problems(settings: StudySettings, held_out: Sequence[Problem]) -> list[Problem]:
    return sample_problems(
        random.Random(settings.warm_start_seed + 2),
        settings.train_problems,
        settings.min_digits,
        settings.max_digits,
        exclude=set(held_out),
    )


def rl_settings(settings: StudySettings, seed: int) -> RLSettings:
    return RLSettings(
        steps=settings.rl_steps,
        prompts_per_step=settings.prompts_per_step,
        num_generations=settings.num_generations,
        max_completion_length=settings.max_completion_length,
        learning_rate=settings.rl_learning_rate,
        temperature=settings.temperature,
        seed=seed,
    )


def evaluate_model(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerFast, settings: StudySettings
) -> dict[str, Any]:
    """The held-out evaluation as a JSON-safe dict (see :class:`lead.demo.evaluate.Evaluation`)."""
    evaluation = evaluate(
        model,
        tokenizer,
        held_out_problems(settings),
        samples_per_problem=settings.eval_samples,
        max_new_tokens=settings.max_completion_length,
        temperature=settings.temperature,
        seed=settings.eval_seed,
    )
    return asdict(evaluation)


def study_record(settings: StudySettings) -> dict[str, Any]:
    """What ``study.json`` holds: every setting, and the task facts derived from them."""
    task = TaskFacts.of(settings)
    return {
        **settings.as_dict(),
        "shortest_by_difficulty": {str(k): v for k, v in task.shortest_by_difficulty.items()},
        "lead_floor": task.lead_floor,
        "limits": list(task.limits),
    }


def load_warm_start(
    out: Path, tokenizer: PreTrainedTokenizerFast, settings: StudySettings
) -> PreTrainedModel:
    model = build_tiny_model(tokenizer, seed=settings.warm_start_seed)
    model.load_state_dict(torch.load(out / WARM_START_DIR / "model.pt", weights_only=True))
    model.eval()
    return model


def prepare_warm_start(out: Path, settings: StudySettings, on_step: Callable[[], None]) -> dict[str, Any]:
    """Train, evaluate and save the warm start, or read the saved one; returns its evaluation."""
    folder = out / WARM_START_DIR
    if (folder / "evaluation.json").exists():
        return json.loads((folder / "evaluation.json").read_text())
    tokenizer = build_tokenizer()
    set_seed(settings.warm_start_seed)
    model = build_tiny_model(tokenizer, seed=settings.warm_start_seed)
    train_warm_start(
        model,
        tokenizer,
        steps=settings.sft_steps,
        batch_size=settings.sft_batch_size,
        learning_rate=settings.sft_learning_rate,
        min_digits=settings.min_digits,
        max_digits=settings.max_digits,
        held_out=set(held_out_problems(settings)),
        seed=settings.warm_start_seed,
        on_step=on_step,
    )
    evaluation = evaluate_model(model, tokenizer, settings)
    folder.mkdir(parents=True, exist_ok=True)
    torch.save(model.state_dict(), folder / "model.pt")
    write_json(folder / "evaluation.json", evaluation)  # last: its presence marks a whole warm start
    return json.loads((folder / "evaluation.json").read_text())


@dataclass(frozen=True)
class RunJob:
    """One configuration at one seed, in one report folder."""

    configuration: Configuration
    seed: int
    settings: StudySettings
    out: Path


def execute_run(job: RunJob, on_step: Callable[[], None]) -> dict[str, Any]:
    """Train from the warm start, evaluate, and write the run's record; returns it as stored."""
    started, cpu_started = time.perf_counter(), time.process_time()
    settings, configuration = job.settings, job.configuration
    torch.set_num_threads(1)
    tokenizer = build_tokenizer()
    held_out = held_out_problems(settings)
    method, method_options = configuration.trainer_method(settings.max_completion_length)
    with tempfile.TemporaryDirectory(prefix=f"lead-study-{configuration.name}-") as trainer_dir:
        run = run_rl(
            method,
            load_warm_start(job.out, tokenizer, settings),
            tokenizer,
            training_problems(settings, held_out),
            rl_settings(settings, job.seed),
            trainer_dir,
            on_row=lambda row: on_step(),
            method_options=method_options,
        )
    estimator = run.estimator
    prefix = f"{estimator.name}/"
    record = {
        "configuration": configuration.name,
        "key": configuration.key,
        "seed": job.seed,
        "options": estimator.options.as_dict(),
        "evaluation": evaluate_model(run.model, tokenizer, settings),
        "history": [
            {
                "step": row["step"],
                "accuracy": row[f"rewards/{REWARD_NAME}/mean"],
                "mean_length": row["completions/mean_length"],
                **{key: value for key, value in row.items() if key.startswith(prefix)},
            }
            for row in run.history
        ],
        "targets": group_targets(run.completions, estimator.options) if estimator.name == "lead" else [],
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
    }
    path = run_path(job.out, configuration.name, job.seed)
    write_json(path, record)
    return json.loads(path.read_text())  # as a resumed study reads it


def _quiet() -> None:
    """Worker start-up: one thread, and no library warnings interleaved with the progress bar."""
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore")
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()


def _execute_in_worker(job: RunJob, steps: Any) -> dict[str, Any]:
    return execute_run(job, lambda: steps.put(1))


@dataclass
class StudyRuns:
    """A study's outcome: the warm start's evaluation and the record of every requested run."""

    warm_start: dict[str, Any]
    records: list[dict[str, Any]]
    seconds: float
    executed: int


def run_study(
    out: Path,
    settings: StudySettings,
    configurations: Sequence[Configuration],
    seeds: Sequence[int],
    *,
    workers: int,
    progress: bool = True,
) -> StudyRuns:
    """Run what is missing of ``configurations x seeds`` in ``out`` (after the warm start).

    Raises :class:`lead.demo.store.FolderMismatch` before any work when ``out`` belongs to another
    study.
    """
    started = time.perf_counter()
    claim_folder(out, study_record(settings))
    budget = settings.max_completion_length
    done: dict[tuple[str, int], dict[str, Any]] = {}
    pending: list[RunJob] = []
    for configuration in configurations:
        options = resolved_options(configuration, budget)
        for seed in seeds:
            record = finished_run(out, configuration.name, seed, options)
            if record is None:
                pending.append(RunJob(configuration, seed, settings, out))
            else:
                done[(configuration.name, seed)] = record
    needs_warm_start = not (out / WARM_START_DIR / "evaluation.json").exists()
    total = len(pending) * (settings.rl_steps + EVALUATION_COST) + (
        settings.sft_steps * SFT_STEP_COST if needs_warm_start else 0
    )
    bar = tqdm(
        total=total,
        desc="study",
        disable=not progress,
        mininterval=1.0,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}] {postfix}",
    )
    total_runs = len(done) + len(pending)
    bar.set_postfix_str(f"runs {len(done)}/{total_runs} done ({len(done)} kept from before)")
    torch.set_num_threads(1)  # one thread everywhere: the same numbers whatever the worker count
    warm_start = prepare_warm_start(out, settings, on_step=lambda: bar.update(SFT_STEP_COST))
    finished = len(done)

    def finish(job: RunJob, record: dict[str, Any]) -> None:
        nonlocal finished
        done[(job.configuration.name, job.seed)] = record
        finished += 1
        bar.update(EVALUATION_COST)
        bar.set_postfix_str(f"runs {finished}/{total_runs} done")

    if workers == 1 or len(pending) <= 1:
        for job in pending:
            finish(job, execute_run(job, lambda: bar.update(1)))
    else:
        _run_in_pool(pending, workers, bar, finish)
    bar.close()
    records = [done[(c.name, seed)] for c in configurations for seed in seeds]
    return StudyRuns(warm_start, records, time.perf_counter() - started, executed=len(pending))


def _run_in_pool(
    jobs: Sequence[RunJob], workers: int, bar: tqdm, finish: Callable[[RunJob, dict[str, Any]], None]
) -> None:
    context = get_context("spawn")
    with context.Manager() as manager:
        steps = manager.Queue()
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_quiet) as pool:
            futures: dict[Future, RunJob] = {pool.submit(_execute_in_worker, job, steps): job for job in jobs}
            remaining = set(futures)
            while remaining:
                finished, remaining = wait(remaining, timeout=0.5, return_when=FIRST_COMPLETED)
                _drain(steps, bar)
                for future in finished:
                    finish(futures[future], future.result())
            _drain(steps, bar)


def _drain(steps: Any, bar: tqdm) -> None:
    while True:
        try:
            steps.get_nowait()
        except Empty:
            return
        bar.update(1)
