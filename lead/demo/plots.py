"""The study's figures (PNG): the Pareto view, lengths by difficulty, hardest-problem accuracy
against the budget, training curves, and LEAD's PSI weights and per-problem targets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from lead.demo.configurations import TITLES
from lead.demo.results import ConfigurationResult, by_difficulty, sweep_rows, table_1

SMOOTHING = 10
COLORS = {
    "grpo": "tab:blue",
    "lead": "tab:red",
    "grpo_static": "tab:cyan",
    "lead_static": "tab:pink",
    "dler": "tab:green",
    "laser": "tab:olive",
    "laser_d": "tab:brown",
    "kimi": "tab:purple",
    "arora_zanette": "tab:gray",
    "shorter_better": "goldenrod",
    "hapo": "tab:orange",
}
"""One colour per study key (a sweep's points share it)."""
STYLES = ("-", "--", ":", "-.")


FIGURES = {
    "pareto.png": "Accuracy against mean length: sweeps as curves, defaults as points (seed std bars)",
    "length_by_difficulty.png": "Mean length against difficulty, with the shortest correct solution",
    "hardest_accuracy_vs_budget.png": "Accuracy on the hardest problems against the global budget",
    "training_curves.png": "Mean length and accuracy of the training batches against RL step",
    "psi_weights.png": "LEAD's PSI weights against RL step",
    "lstar_by_difficulty.png": "LEAD's per-problem target length L*_q against difficulty",
}
"""Every figure the report folder can hold, with its caption."""


def _save(figure: Any, path: Path) -> None:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _warm_start_point(axis: Any, warm_start: Mapping[str, Any]) -> None:
    axis.scatter(
        [warm_start["mean_length"]],
        [warm_start["accuracy"]],
        marker="*",
        s=160,
        color="black",
        zorder=5,
        label="warm start (SFT)",
    )


def plot_pareto(results: Sequence[ConfigurationResult], warm_start: Mapping[str, Any], path: Path) -> None:
    """Accuracy against mean length; sweeps connected in order of their value, defaults as points."""
    figure, axis = plt.subplots(figsize=(10.5, 5.5))
    _warm_start_point(axis, warm_start)
    for r in table_1(results):
        axis.errorbar(
            r.mean_length.mean,
            r.accuracy.mean,
            xerr=r.mean_length.std,
            yerr=r.accuracy.std,
            fmt="o",
            color=COLORS[r.configuration.key],
            capsize=3,
            markersize=7,
            label=r.configuration.label,
            markeredgecolor="black" if r.configuration.key == "lead" else None,
        )
    for group, style in (("static", "--"), ("budget", ":")):
        rows = sweep_rows(results, group)
        for key in dict.fromkeys(r.configuration.key for r in rows):
            points = [r for r in rows if r.configuration.key == key]
            axis.errorbar(
                [r.mean_length.mean for r in points],
                [r.accuracy.mean for r in points],
                xerr=[r.mean_length.std for r in points],
                yerr=[r.accuracy.std for r in points],
                fmt="s" + style,
                color=COLORS[key],
                capsize=2,
                markersize=5,
                label=f"{TITLES[key]} (sweep)",
            )
            for r in points:
                prefix = "r=" if group == "static" else ""
                axis.annotate(
                    f"{prefix}{r.configuration.value:g}",
                    (r.mean_length.mean, r.accuracy.mean),
                    textcoords="offset points",
                    xytext=(4, 4),
                    fontsize=7,
                    color=COLORS[key],
                )
    axis.set(
        title="Accuracy-efficiency trade-off (held-out, mean over seeds)",
        xlabel="mean length (tokens)",
        ylabel="accuracy",
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0))  # outside: no point hidden
    _save(figure, path)


def _length_panel(
    axis: Any,
    rows: Sequence[ConfigurationResult],
    warm_start: Mapping[str, Any],
    shortest: Mapping[int, int],
    title: str,
) -> None:
    levels = sorted(shortest)
    ws = by_difficulty(warm_start["lengths_by_difficulty"])
    axis.plot(levels, [ws[k] for k in levels], "*-", color="black", label="warm start (SFT)")
    axis.plot(levels, [shortest[k] for k in levels], "k--", label="shortest correct solution")
    for r in rows:
        values = sorted(
            x.configuration.value
            for x in rows
            if x.configuration.key == r.configuration.key and x.configuration.value is not None
        )
        style = STYLES[values.index(r.configuration.value) % len(STYLES)] if values else "-"
        axis.errorbar(
            levels,
            [r.length_by_difficulty[k].mean for k in levels],
            yerr=[r.length_by_difficulty[k].std for k in levels],
            fmt="o" + style,
            markersize=4,
            color=COLORS[r.configuration.key],
            capsize=2,
            label=r.configuration.label,
        )
    axis.set(title=title, xlabel="difficulty (digits to add)", ylabel="mean length (tokens)")
    axis.set_xticks(levels)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)


def plot_length_by_difficulty(
    results: Sequence[ConfigurationResult],
    warm_start: Mapping[str, Any],
    shortest: Mapping[int, int],
    path: Path,
) -> None:
    """Mean length per difficulty: methods at their defaults, and the global-budget sweeps (if run)."""
    budgets = sweep_rows(results, "budget")
    lead = [r for r in results if r.configuration.name == "lead"]
    panels = [("Methods at their defaults", table_1(results))]
    if budgets:
        panels.append(("Global budgets (and LEAD)", [*budgets, *lead]))
    figure, axes = plt.subplots(1, len(panels), figsize=(7 * len(panels), 5), squeeze=False)
    for axis, (title, rows) in zip(axes[0], panels, strict=True):
        _length_panel(axis, rows, warm_start, shortest, title)
    _save(figure, path)


def plot_hardest_accuracy_vs_budget(
    results: Sequence[ConfigurationResult], warm_start: Mapping[str, Any], hardest_shortest: int, path: Path
) -> bool:
    """Accuracy on the hardest difficulty against each global-budget method's limit; False if none ran."""
    rows = sweep_rows(results, "budget")
    if not rows:
        return False
    hardest = rows[0].hardest
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for key in dict.fromkeys(r.configuration.key for r in rows):
        points = [r for r in rows if r.configuration.key == key]
        axis.errorbar(
            [r.configuration.value for r in points],
            [r.accuracy_by_difficulty[hardest].mean for r in points],
            yerr=[r.accuracy_by_difficulty[hardest].std for r in points],
            fmt="o-",
            capsize=3,
            color=COLORS[key],
            label=f"{TITLES[key]} ({'truncation limit' if key == 'dler' else 'target'})",
        )
    lead = next((r for r in results if r.configuration.name == "lead"), None)
    if lead is not None:
        stat = lead.accuracy_by_difficulty[hardest]
        axis.axhline(stat.mean, color=COLORS["lead"], label="LEAD (per-problem targets)")
        axis.axhspan(stat.mean - stat.std, stat.mean + stat.std, color=COLORS["lead"], alpha=0.15)
    axis.axhline(
        by_difficulty(warm_start["accuracy_by_difficulty"])[hardest],
        color="black",
        linestyle="--",
        label="warm start (SFT)",
    )
    axis.axvline(hardest_shortest, color="gray", linestyle=":", label="hardest problems' shortest solution")
    axis.set(
        title=f"Hardest problems (k={hardest}): accuracy against the global budget",
        xlabel="length limit or target (tokens)",
        ylabel="accuracy",
        ylim=(-0.03, 1.03),
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=7)
    _save(figure, path)
    return True


def _mean_series(records: Sequence[Mapping[str, Any]], key: str) -> tuple[list[float], list[float]]:
    """``key`` against step, averaged over the records (seeds) that logged it."""
    by_step: dict[float, list[float]] = defaultdict(list)
    for record in records:
        for row in record["history"]:
            if row.get(key) is not None:
                by_step[row["step"]].append(row[key])
    steps = sorted(by_step)
    return steps, [sum(by_step[s]) / len(by_step[s]) for s in steps]


def _moving_average(values: Sequence[float]) -> list[float]:
    """Trailing mean over the last ``SMOOTHING`` values (fewer at the start)."""
    return [
        sum(values[max(0, i + 1 - SMOOTHING) : i + 1]) / (i + 1 - max(0, i + 1 - SMOOTHING))
        for i in range(len(values))
    ]


def plot_training_curves(
    records_by_configuration: Mapping[str, Sequence[Mapping[str, Any]]],
    labels: Mapping[str, str],
    colors: Mapping[str, Any],
    path: Path,
) -> None:
    """Training-batch mean length and accuracy against step (mean over seeds, smoothed)."""
    figure, (length_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(11, 4))
    for name, records in records_by_configuration.items():
        for axis, key in ((length_axis, "mean_length"), (accuracy_axis, "accuracy")):
            steps, values = _mean_series(records, key)
            axis.plot(steps, _moving_average(values), color=colors[name], label=labels[name], linewidth=1.2)
    length_axis.set(title="Mean completion length (training batches)", xlabel="RL step", ylabel="tokens")
    accuracy_axis.set(
        title="Accuracy (training batches)", xlabel="RL step", ylabel="fraction correct", ylim=(0, 1)
    )
    for axis in (length_axis, accuracy_axis):
        axis.grid(alpha=0.3)
    accuracy_axis.legend(fontsize=6, ncol=2)
    _save(figure, path)


def plot_psi_weights(lead_records: Sequence[Mapping[str, Any]], path: Path) -> None:
    """LEAD's weights over steps, mean over seeds: used (lambda_c, lambda_e) and PSI targets (w*)."""
    figure, axis = plt.subplots(figsize=(6.5, 4))
    for key, color, style, label in (
        ("lead/w_corr", "tab:green", "-", "lambda_c (correctness, used)"),
        ("lead/w_eff", "tab:purple", "-", "lambda_e (efficiency, used)"),
        ("lead/target_w_corr", "tab:green", ":", "w*_c (PSI target)"),
        ("lead/target_w_eff", "tab:purple", ":", "w*_e (PSI target)"),
    ):
        axis.plot(
            *_mean_series(lead_records, key),
            color=color,
            linestyle=style,
            label=label,
            alpha=1.0 if style == "-" else 0.5,
        )
    axis.set(
        title="LEAD: PSI weights (mean over seeds)", xlabel="RL step", ylabel="weight", ylim=(-0.03, 1.03)
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    _save(figure, path)


def plot_targets_by_difficulty(
    targets: Sequence[Sequence[float]], shortest: Mapping[int, int], path: Path
) -> bool:
    """L*_q against difficulty, first and last third of the steps (all seeds); False if none."""
    steps = sorted({step for step, _, _ in targets})
    if not steps:
        return False
    third = max(1, len(steps) // 3)
    phases = {"first third of steps": set(steps[:third]), "last third of steps": set(steps[-third:])}
    figure, axis = plt.subplots(figsize=(6.5, 4))
    for (label, phase), color, offset in zip(
        phases.items(), ("tab:red", "tab:orange"), (-0.1, 0.1), strict=True
    ):
        values: dict[int, list[float]] = defaultdict(list)
        for step, difficulty, target in targets:
            if step in phase:
                values[int(difficulty)].append(target)
        levels = sorted(values)
        axis.scatter(
            [k + offset for k in levels for _ in values[k]],
            [v for k in levels for v in values[k]],
            s=6,
            alpha=0.25,
            color=color,
        )
        axis.plot(
            levels,
            [sum(values[k]) / len(values[k]) for k in levels],
            "o-",
            color=color,
            label=f"mean L*_q, {label}",
        )
    levels = sorted(shortest)
    axis.plot(levels, [shortest[k] for k in levels], "k--", label="shortest correct solution")
    axis.set_xticks(levels)
    axis.set(
        title="LEAD: per-problem target length L*_q", xlabel="difficulty (digits to add)", ylabel="tokens"
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    _save(figure, path)
    return True
