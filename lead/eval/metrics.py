"""Scores from graded samples: pass@k, response length, truncation and the Accuracy-Efficiency Score."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from lead.eval.samples import SampleRecord


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k of one problem with ``c`` correct out of ``n`` samples: 1 - C(n-c, k) / C(n, k)."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n; got n={n}, c={c}, k={k}")
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def benchmark_metrics(records: Iterable[SampleRecord], n: int) -> dict:
    """Metrics of one benchmark whose problems each have ``n`` samples.

    pass@1 is the mean correctness over all samples; its standard error is the standard deviation
    of per-problem accuracy over problems divided by sqrt(#problems). pass@k (k = 1..n) is the
    unbiased estimator averaged over problems. Token means are over all samples and over correct ones.
    """
    by_problem: dict[str, list[SampleRecord]] = defaultdict(list)
    for record in records:
        by_problem[record.problem_id].append(record)
    incomplete = sorted(pid for pid, samples in by_problem.items() if len(samples) != n)
    if incomplete:
        raise ValueError(f"problems {incomplete[:5]} do not have exactly n={n} samples")
    if not by_problem:
        raise ValueError("no samples to score")
    samples = [r for group in by_problem.values() for r in group]
    accuracies = [sum(r.correct for r in group) / n for group in by_problem.values()]
    problems = len(accuracies)
    mean_accuracy = sum(accuracies) / problems
    if problems > 1:
        variance = sum((a - mean_accuracy) ** 2 for a in accuracies) / (problems - 1)
        stderr = math.sqrt(variance / problems)
    else:
        stderr = None
    pass_k = {
        str(k): sum(pass_at_k(n, sum(r.correct for r in g), k) for g in by_problem.values()) / problems
        for k in range(1, n + 1)
    }
    return {
        "num_problems": problems,
        "n": n,
        "pass@1": mean_accuracy,
        "pass@1_stderr": stderr,
        "pass@k": pass_k,
        "mean_tokens": _mean([r.num_tokens for r in samples]),
        "mean_tokens_correct": _mean([r.num_tokens for r in samples if r.correct]),
        "truncation_rate": sum(r.truncated for r in samples) / len(samples),
    }


LEVEL_METRICS = (
    "num_problems",
    "pass@1",
    "pass@1_stderr",
    "mean_tokens",
    "mean_tokens_correct",
    "truncation_rate",
)


def level_order(level: str) -> tuple[int, float, str]:
    """Sort key of difficulty levels: numbers by value ("2" before "10"), then other labels by name."""
    try:
        return (0, float(level), level)
    except ValueError:
        return (1, 0.0, level)


def level_metrics(records: Iterable[SampleRecord], levels: Mapping[str, str | None], n: int) -> dict:
    """``benchmark_metrics`` of each difficulty level's problems (accuracy, tokens, truncation),
    levels in ``level_order``; ``levels`` maps problem id to level, and problems without one are
    left out."""
    by_level: dict[str, list[SampleRecord]] = defaultdict(list)
    for record in records:
        level = levels.get(record.problem_id)
        if level is not None:
            by_level[level].append(record)
    return {
        level: {
            key: value for key, value in benchmark_metrics(by_level[level], n).items() if key in LEVEL_METRICS
        }
        for level in sorted(by_level, key=level_order)
    }


def average_metrics(per_benchmark: Mapping[str, dict]) -> dict:
    """Unweighted mean over benchmarks of pass@1 and mean response tokens (the paper's Average)."""
    if not per_benchmark:
        raise ValueError("no benchmarks to average")
    values = list(per_benchmark.values())
    return {
        "pass@1": sum(m["pass@1"] for m in values) / len(values),
        "mean_tokens": sum(m["mean_tokens"] for m in values) / len(values),
        "benchmarks": list(per_benchmark),
    }


@dataclass(frozen=True)
class AESWeights:
    """Weights of the Accuracy-Efficiency Score: length gain, accuracy gain, accuracy loss."""

    a: float = 1.0
    b: float = 3.0
    c: float = 5.0

    def to_dict(self) -> dict:
        return asdict(self)


DEFAULT_AES_WEIGHTS = AESWeights()


def accuracy_efficiency_score(
    accuracy: float,
    length: float,
    base_accuracy: float,
    base_length: float,
    weights: AESWeights = DEFAULT_AES_WEIGHTS,
) -> float | None:
    """O1-Pruner's AES against a base model; None when the base accuracy or length is zero.

    dL = (L_base - L) / L_base, dA = (A - A_base) / A_base;
    AES = a*dL + b*dA if dA >= 0, else a*dL - c*|dA|.
    """
    if base_accuracy <= 0 or base_length <= 0:
        return None
    length_gain = (base_length - length) / base_length
    accuracy_gain = (accuracy - base_accuracy) / base_accuracy
    if accuracy_gain >= 0:
        return weights.a * length_gain + weights.b * accuracy_gain
    return weights.a * length_gain - weights.c * abs(accuracy_gain)


def aes_against_base(
    benchmarks: Mapping[str, dict], base_benchmarks: Mapping[str, dict], weights: AESWeights
) -> dict:
    """AES per benchmark and on the average, over the benchmarks both result sets share."""
    shared = [name for name in benchmarks if name in base_benchmarks]
    if not shared:
        raise ValueError(
            f"no benchmark in common with the base results: {sorted(benchmarks)} vs {sorted(base_benchmarks)}"
        )
    per_benchmark = {
        name: accuracy_efficiency_score(
            benchmarks[name]["pass@1"],
            benchmarks[name]["mean_tokens"],
            base_benchmarks[name]["pass@1"],
            base_benchmarks[name]["mean_tokens"],
            weights,
        )
        for name in shared
    }
    mine = average_metrics({name: benchmarks[name] for name in shared})
    base = average_metrics({name: base_benchmarks[name] for name in shared})
    average = accuracy_efficiency_score(
        mine["pass@1"], mine["mean_tokens"], base["pass@1"], base["mean_tokens"], weights
    )
    return {
        "weights": weights.to_dict(),
        "benchmarks": shared,
        "per_benchmark": per_benchmark,
        "average": average,
    }
