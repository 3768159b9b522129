"""Aggregation over seeds, the Accuracy-Efficiency Score, and the study's tables as data.

Every number is a mean and a standard deviation over seeds (sample std, 0 for a single seed).
AES is computed per seed against the warm start (:func:`lead.eval.metrics.accuracy_efficiency_score`,
weights printed with every table), then aggregated like the rest.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lead.demo.configurations import Configuration
from lead.eval.metrics import DEFAULT_AES_WEIGHTS, AESWeights, accuracy_efficiency_score


@dataclass(frozen=True)
class Stat:
    """Mean and standard deviation over ``n`` seeds."""

    mean: float
    std: float
    n: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        """Mean and sample standard deviation (0 for one value) of ``values``; NaN in, NaN out."""
        n = len(values)
        if n == 0:
            return cls(math.nan, math.nan, 0)
        mean = sum(values) / n
        variance = sum((value - mean) ** 2 for value in values) / (n - 1) if n > 1 else 0.0
        return cls(mean, math.sqrt(variance), n)

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "std": self.std, "n": self.n}


def by_difficulty(values: Mapping[Any, float]) -> dict[int, float]:
    """A per-difficulty mapping with integer keys (JSON stores them as text)."""
    return {int(key): value for key, value in values.items()}


@dataclass(frozen=True)
class ConfigurationResult:
    """One configuration over its seeds."""

    configuration: Configuration
    options: dict[str, Any]
    seeds: tuple[int, ...]
    accuracy: Stat
    mean_length: Stat
    aes: Stat
    accuracy_by_difficulty: dict[int, Stat]
    length_by_difficulty: dict[int, Stat]

    @property
    def hardest(self) -> int:
        return max(self.accuracy_by_difficulty)

    @property
    def easiest(self) -> int:
        return min(self.accuracy_by_difficulty)

    def as_dict(self) -> dict[str, Any]:
        c = self.configuration
        return {
            "configuration": c.name,
            "key": c.key,
            "label": c.label,
            "group": c.group,
            "value": c.value,
            "options": self.options,
            "seeds": list(self.seeds),
            "accuracy": self.accuracy.as_dict(),
            "mean_length": self.mean_length.as_dict(),
            "aes": self.aes.as_dict(),
            "accuracy_by_difficulty": {str(k): s.as_dict() for k, s in self.accuracy_by_difficulty.items()},
            "length_by_difficulty": {str(k): s.as_dict() for k, s in self.length_by_difficulty.items()},
        }


def run_aes(evaluation: Mapping[str, Any], warm_start: Mapping[str, Any], weights: AESWeights) -> float:
    """AES of one run's evaluation against the warm start's; NaN when the warm start solves nothing."""
    score = accuracy_efficiency_score(
        evaluation["accuracy"],
        evaluation["mean_length"],
        warm_start["accuracy"],
        warm_start["mean_length"],
        weights,
    )
    return math.nan if score is None else score


def aggregate(
    configuration: Configuration,
    records: Sequence[Mapping[str, Any]],
    warm_start: Mapping[str, Any],
    weights: AESWeights = DEFAULT_AES_WEIGHTS,
) -> ConfigurationResult:
    """Mean and std over the seeds' ``records`` of one configuration."""
    if not records:
        raise ValueError(f"configuration {configuration.name!r} has no finished run to aggregate")
    evaluations = [record["evaluation"] for record in records]
    levels = sorted(by_difficulty(evaluations[0]["accuracy_by_difficulty"]))
    return ConfigurationResult(
        configuration=configuration,
        options=dict(records[0]["options"]),
        seeds=tuple(record["seed"] for record in records),
        accuracy=Stat.of([e["accuracy"] for e in evaluations]),
        mean_length=Stat.of([e["mean_length"] for e in evaluations]),
        aes=Stat.of([run_aes(e, warm_start, weights) for e in evaluations]),
        accuracy_by_difficulty={
            k: Stat.of([by_difficulty(e["accuracy_by_difficulty"])[k] for e in evaluations]) for k in levels
        },
        length_by_difficulty={
            k: Stat.of([by_difficulty(e["lengths_by_difficulty"])[k] for e in evaluations]) for k in levels
        },
    )


def aggregate_all(
    configurations: Sequence[Configuration],
    records: Sequence[Mapping[str, Any]],
    warm_start: Mapping[str, Any],
    weights: AESWeights = DEFAULT_AES_WEIGHTS,
) -> list[ConfigurationResult]:
    """One result per configuration that has runs, in the configurations' order."""
    results = []
    for configuration in configurations:
        mine = [record for record in records if record["configuration"] == configuration.name]
        if mine:
            results.append(aggregate(configuration, mine, warm_start, weights))
    return results


def table_1(results: Sequence[ConfigurationResult]) -> list[ConfigurationResult]:
    """Every method at its default, best AES first."""
    return sorted((r for r in results if r.configuration.group == "default"), key=lambda r: -r.aes.mean)


def sweep_rows(results: Sequence[ConfigurationResult], group: str) -> list[ConfigurationResult]:
    """The sweeps of ``group`` (``"static"`` or ``"budget"``), by method then swept value."""
    rows = [r for r in results if r.configuration.group == group]
    order = list(dict.fromkeys(r.configuration.key for r in rows))
    return sorted(rows, key=lambda r: (order.index(r.configuration.key), r.configuration.value))


def find(results: Sequence[ConfigurationResult], name: str) -> ConfigurationResult | None:
    return next((r for r in results if r.configuration.name == name), None)


CSV_FIELDS = [
    "configuration", "label", "group", "value", "seeds", "accuracy_mean", "accuracy_std",
    "mean_length_mean", "mean_length_std", "aes_mean", "aes_std",
]  # fmt: skip


def write_csv(path: Path, results: Sequence[ConfigurationResult], warm_start: Mapping[str, Any]) -> None:
    """One row per configuration (and the warm start): the headline numbers, per difficulty, options."""
    levels = sorted(by_difficulty(warm_start["accuracy_by_difficulty"]))
    fields = [
        *CSV_FIELDS,
        *[f"accuracy_k{k}_{s}" for k in levels for s in ("mean", "std")],
        *[f"length_k{k}_{s}" for k in levels for s in ("mean", "std")],
        "options",
    ]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        ws_accuracy = by_difficulty(warm_start["accuracy_by_difficulty"])
        ws_length = by_difficulty(warm_start["lengths_by_difficulty"])
        writer.writerow(
            {
                "configuration": "warm_start",
                "label": "warm start (SFT)",
                "group": "base",
                "accuracy_mean": warm_start["accuracy"],
                "mean_length_mean": warm_start["mean_length"],
                **{f"accuracy_k{k}_mean": ws_accuracy[k] for k in levels},
                **{f"length_k{k}_mean": ws_length[k] for k in levels},
            }
        )
        for r in results:
            row: dict[str, Any] = {
                "configuration": r.configuration.name,
                "label": r.configuration.label,
                "group": r.configuration.group,
                "value": r.configuration.value,
                "seeds": " ".join(map(str, r.seeds)),
                "accuracy_mean": r.accuracy.mean,
                "accuracy_std": r.accuracy.std,
                "mean_length_mean": r.mean_length.mean,
                "mean_length_std": r.mean_length.std,
                "aes_mean": r.aes.mean,
                "aes_std": r.aes.std,
                "options": " ".join(f"{key}={value}" for key, value in r.options.items()),
            }
            for k in levels:
                row[f"accuracy_k{k}_mean"], row[f"accuracy_k{k}_std"] = (
                    r.accuracy_by_difficulty[k].mean,
                    r.accuracy_by_difficulty[k].std,
                )
                row[f"length_k{k}_mean"], row[f"length_k{k}_std"] = (
                    r.length_by_difficulty[k].mean,
                    r.length_by_difficulty[k].std,
                )
            writer.writerow(row)
