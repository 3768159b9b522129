"""Evaluate one model on the benchmarks into an output folder, resuming whatever is already there."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from transformers import PreTrainedTokenizerBase

from lead.eval.backends import BackendOptions, GenerationRequest, make_backend
from lead.eval.budget import BudgetPlan, budget_metrics, plan_budgets
from lead.eval.chat import encode_chat, load_tokenizer, stop_token_ids
from lead.eval.metrics import (
    AESWeights,
    aes_against_base,
    average_metrics,
    benchmark_metrics,
    level_metrics,
)
from lead.eval.problems import Problem, load_problems, sample_seed
from lead.eval.protocol import BenchmarkSpec, SamplingConfig
from lead.eval.report import RESULTS_FILE, write_results
from lead.eval.samples import SampleRecord, SampleStore
from lead.reward import grade

SAMPLES_FILE = "samples.jsonl"
META_FILE = "meta.json"


@dataclass(frozen=True)
class EvalSettings:
    """Everything that defines an evaluation besides the model."""

    benchmarks: list[BenchmarkSpec]
    sampling: SamplingConfig = field(default_factory=SamplingConfig)
    prompt_template: str = "train"
    backend: str = "auto"
    backend_options: BackendOptions = field(default_factory=BackendOptions)
    limit: int | None = None
    grader_timeout: float = 5.0
    base_results: dict | None = None
    aes_weights: AESWeights = field(default_factory=AESWeights)


def _protocol(source: str, settings: EvalSettings) -> dict:
    """The settings every sample in one output folder must share."""
    return {"model": source, "prompt_template": settings.prompt_template, **settings.sampling.to_dict()}


def _check_meta(out_dir: Path, protocol: dict) -> None:
    path = out_dir / META_FILE
    if path.exists():
        recorded = json.loads(path.read_text())["protocol"]
        for key, value in protocol.items():
            if recorded.get(key) != value:
                raise ValueError(
                    f"{out_dir} holds samples made with {key}={recorded.get(key)!r}, but this run asks for "
                    f"{key}={value!r}; use another output folder"
                )


def _previous_settings(out_dir: Path) -> dict:
    """The settings of an earlier run in ``out_dir`` (empty when there was none)."""
    path = out_dir / RESULTS_FILE
    return json.loads(path.read_text())["settings"] if path.is_file() else {}


def _pending(problems: list[Problem], n: int, store: SampleStore) -> list[tuple[Problem, int]]:
    return [(p, k) for p in problems for k in range(n) if (p.benchmark, p.problem_id, k) not in store]


def build_requests(
    pending: list[tuple[Problem, int]], tokenizer: PreTrainedTokenizerBase, sampling: SamplingConfig
) -> list[GenerationRequest]:
    """One request per pending ``(problem, sample index)``: chat-encoded prompt, the sample's seed and
    the protocol's max new tokens."""
    encoded: dict[tuple[str, str], list[int]] = {}
    requests = []
    for problem, k in pending:
        key = (problem.benchmark, problem.problem_id)
        if key not in encoded:
            encoded[key] = encode_chat(tokenizer, problem.messages)
        seed = sample_seed(sampling.seed, problem.benchmark, problem.problem_id, k)
        requests.append(GenerationRequest(encoded[key], seed, sampling.max_new_tokens))
    return requests


@dataclass(frozen=True)
class GenerationPass:
    """What one generation pass used and did; ``skipped`` holds the ``(benchmark, problem_id)`` of
    the problems whose prompt does not fit the context."""

    backend: str
    context_length: int | None
    generated: int
    skipped: frozenset[tuple[str, str]] = frozenset()


def _warn_about_budgets(
    plan: BudgetPlan, pending: list[tuple[Problem, int]], context_length: int | None
) -> None:
    """Tell the user, once per pass, which samples got a smaller budget and which prompts were skipped."""
    if not plan.clamped and not plan.skipped:
        return
    message = f"the model's context holds {context_length} tokens (prompt plus response)"
    if plan.clamped:
        least = min(r.max_new_tokens for r in plan.requests)
        message += (
            f"; {plan.clamped} of {len(pending)} samples get fewer than the requested max new tokens "
            f"(as few as {least})"
        )
    if plan.skipped:
        skipped = sorted({f"{pending[i][0].benchmark}/{pending[i][0].problem_id}" for i in plan.skipped})
        shown = ", ".join(skipped[:5]) + (", ..." if len(skipped) > 5 else "")
        message += f"; prompts longer than the context are skipped: {len(skipped)} ({shown})"
    warnings.warn(message, stacklevel=3)


def _generate(
    model: str, pending: list[tuple[Problem, int]], settings: EvalSettings, store: SampleStore, total: int
) -> GenerationPass:
    """Generate, grade and log every pending sample whose prompt fits the model's context.

    The backend is closed (its engine shut down) before returning, also when generation fails.
    """
    tokenizer = load_tokenizer(model)
    stop_ids = stop_token_ids(tokenizer, model)
    requests = build_requests(pending, tokenizer, settings.sampling)
    backend = make_backend(
        settings.backend, model, tokenizer, stop_ids, settings.backend_options, settings.sampling.seed
    )
    try:
        plan = plan_budgets(requests, backend.context_length)
        _warn_about_budgets(plan, pending, backend.context_length)
        with tqdm(total=total, initial=total - len(pending), desc="samples", unit="sample") as bar:
            for position, completion in backend.generate(plan.requests, settings.sampling):
                request = plan.requests[position]
                problem, k = pending[plan.kept[position]]
                verdict = grade(completion.text, problem.ground_truth, timeout=settings.grader_timeout)
                store.append(
                    SampleRecord(
                        benchmark=problem.benchmark,
                        problem_id=problem.problem_id,
                        sample_index=k,
                        seed=request.seed,
                        response=completion.text,
                        num_tokens=completion.num_tokens,
                        finish_reason=completion.finish_reason,
                        pred=verdict.pred,
                        has_answer=verdict.has_answer,
                        correct=verdict.correct,
                        max_new_tokens=request.max_new_tokens,
                    )
                )
                bar.update(1)
    finally:
        backend.close()
    skipped = frozenset((pending[i][0].benchmark, pending[i][0].problem_id) for i in plan.skipped)
    return GenerationPass(backend.name, backend.context_length, len(plan.requests), skipped)


def _score(
    spec: BenchmarkSpec,
    problems: list[Problem],
    store: SampleStore,
    max_new_tokens: int,
    skipped: frozenset[tuple[str, str]],
) -> dict:
    """Metrics of one benchmark over its problems but the ``skipped`` ones (their prompt does not fit
    the model's context), with a breakdown by difficulty level when its problems have one."""
    scored = [p for p in problems if (spec.name, p.problem_id) not in skipped]
    if not scored:
        raise ValueError(
            f"benchmark {spec.name!r}: none of its {len(problems)} prompts fits the model's context; "
            "evaluate it with a longer context (--max-model-len, or a model that has one)"
        )
    records = [store.records[(spec.name, p.problem_id, k)] for p in scored for k in range(spec.n)]
    metrics = benchmark_metrics(records, spec.n)
    metrics["budget"] = budget_metrics(records, max_new_tokens, len(problems) - len(scored))
    levels = {p.problem_id: p.level for p in scored}
    if any(level is not None for level in levels.values()):
        metrics["levels"] = level_metrics(records, levels, spec.n)
    return metrics


def evaluate(
    source: str,
    out_dir: Path,
    settings: EvalSettings,
    prepare_model: Callable[[], str] | None = None,
    step: int | None = None,
) -> dict:
    """Evaluate the model ``source`` (a local folder or hub id) and write results into ``out_dir``.

    When ``source`` is not directly loadable (a verl checkpoint), ``prepare_model`` returns a
    loadable folder; it is called only if some sample still has to be generated. Samples already in
    ``out_dir/samples.jsonl`` are kept and never generated again. Returns the results dictionary
    also written to ``results.json``.
    """
    out_dir = Path(out_dir)
    protocol = _protocol(source, settings)
    _check_meta(out_dir, protocol)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / META_FILE).write_text(json.dumps({"protocol": protocol}, indent=2) + "\n")

    problems = {
        spec.name: load_problems(spec, settings.prompt_template, settings.limit)
        for spec in settings.benchmarks
    }
    store = SampleStore(out_dir / SAMPLES_FILE)
    pending = [item for spec in settings.benchmarks for item in _pending(problems[spec.name], spec.n, store)]
    total = sum(len(problems[spec.name]) * spec.n for spec in settings.benchmarks)
    previous = _previous_settings(out_dir)
    generation = GenerationPass(previous.get("backend"), previous.get("context_length"), 0)
    if pending:
        model = prepare_model() if prepare_model is not None else source
        generation = _generate(model, pending, settings, store, total)

    per_benchmark = {
        spec.name: _score(
            spec, problems[spec.name], store, settings.sampling.max_new_tokens, generation.skipped
        )
        for spec in settings.benchmarks
    }
    results = {
        "model": source,
        "label": out_dir.name,
        "step": step,
        "samples_generated": generation.generated,
        "settings": {
            **protocol,
            "backend": generation.backend,
            "context_length": generation.context_length,
            "backend_options": settings.backend_options.to_dict(),
            "grader_timeout": settings.grader_timeout,
            "limit": settings.limit,
            "benchmarks": {spec.name: {"path": str(spec.path), "n": spec.n} for spec in settings.benchmarks},
        },
        "benchmarks": per_benchmark,
        "average": average_metrics(per_benchmark),
        "aes": None,
    }
    if settings.base_results is not None:
        results["aes"] = aes_against_base(
            per_benchmark, settings.base_results["benchmarks"], settings.aes_weights
        )
        results["aes"]["base"] = settings.base_results["model"]
    write_results(out_dir, results)
    return results
