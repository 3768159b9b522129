"""Evaluate one model on the benchmarks into an output folder, resuming whatever is already there."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from transformers import PreTrainedTokenizerBase

from lead.eval.backends import BackendOptions, GenerationRequest, make_backend
from lead.eval.chat import encode_chat, load_tokenizer, stop_token_ids
from lead.eval.metrics import AESWeights, aes_against_base, average_metrics, benchmark_metrics
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


def _previous_backend(out_dir: Path) -> str | None:
    """The backend that generated the samples of an earlier run in ``out_dir``, if recorded."""
    path = out_dir / RESULTS_FILE
    return json.loads(path.read_text())["settings"]["backend"] if path.is_file() else None


def _pending(problems: list[Problem], n: int, store: SampleStore) -> list[tuple[Problem, int]]:
    return [(p, k) for p in problems for k in range(n) if (p.benchmark, p.problem_id, k) not in store]


def build_requests(
    pending: list[tuple[Problem, int]], tokenizer: PreTrainedTokenizerBase, base_seed: int
) -> list[GenerationRequest]:
    """One request per pending ``(problem, sample index)``: chat-encoded prompt and the sample's seed."""
    encoded: dict[tuple[str, str], list[int]] = {}
    requests = []
    for problem, k in pending:
        key = (problem.benchmark, problem.problem_id)
        if key not in encoded:
            encoded[key] = encode_chat(tokenizer, problem.messages)
        seed = sample_seed(base_seed, problem.benchmark, problem.problem_id, k)
        requests.append(GenerationRequest(encoded[key], seed))
    return requests


def _generate(
    model: str, pending: list[tuple[Problem, int]], settings: EvalSettings, store: SampleStore, total: int
) -> str:
    """Generate, grade and log every pending sample; returns the backend name used."""
    tokenizer = load_tokenizer(model)
    stop_ids = stop_token_ids(tokenizer, model)
    requests = build_requests(pending, tokenizer, settings.sampling.seed)
    backend = make_backend(
        settings.backend, model, tokenizer, stop_ids, settings.backend_options, settings.sampling.seed
    )
    with tqdm(total=total, initial=total - len(pending), desc="samples", unit="sample") as bar:
        for index, completion in backend.generate(requests, settings.sampling):
            problem, k = pending[index]
            verdict = grade(completion.text, problem.ground_truth, timeout=settings.grader_timeout)
            store.append(
                SampleRecord(
                    benchmark=problem.benchmark,
                    problem_id=problem.problem_id,
                    sample_index=k,
                    seed=requests[index].seed,
                    response=completion.text,
                    num_tokens=completion.num_tokens,
                    finish_reason=completion.finish_reason,
                    pred=verdict.pred,
                    has_answer=verdict.has_answer,
                    correct=verdict.correct,
                )
            )
            bar.update(1)
    return backend.name


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
    backend = _previous_backend(out_dir)
    if pending:
        model = prepare_model() if prepare_model is not None else source
        backend = _generate(model, pending, settings, store, total)

    per_benchmark = {}
    for spec in settings.benchmarks:
        records = [
            store.records[(spec.name, p.problem_id, k)] for p in problems[spec.name] for k in range(spec.n)
        ]
        per_benchmark[spec.name] = benchmark_metrics(records, spec.n)
    results = {
        "model": source,
        "label": out_dir.name,
        "step": step,
        "samples_generated": len(pending),
        "settings": {
            **protocol,
            "backend": backend,
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
