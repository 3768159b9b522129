"""PNG plots: accuracy against response length (the Pareto view), response length against difficulty
level, and learning curves of a run."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from lead.eval.entries import Entry, benchmark_levels
from lead.eval.report import display_name

MARKERS = "os^Dv<>pPX*h"
AVERAGE = "average"


def _point(results: dict, benchmark: str) -> tuple[float, float] | None:
    """(mean tokens, accuracy %) of one benchmark or of the average; None when absent."""
    metrics = results["average"] if benchmark == AVERAGE else results["benchmarks"].get(benchmark)
    if metrics is None:
        return None
    return metrics["mean_tokens"], 100 * metrics["pass@1"]


def pareto_plot(entries: list[Entry], path: Path, base_label: str | None = None) -> None:
    """Accuracy vs mean response tokens, one panel per benchmark plus the average, a marker per model.

    A training run also shows its path over checkpoints as a thin line.
    """
    panels: list[str] = []
    for entry in entries:
        panels += [name for name in entry.results["benchmarks"] if name not in panels]
    panels.append(AVERAGE)
    columns = min(3, len(panels))
    rows = math.ceil(len(panels) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.8 * rows), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for panel, axis in zip(panels, axes.flat, strict=False):
        for i, entry in enumerate(entries):
            color = "black" if entry.row_label == base_label else colors[i % len(colors)]
            trajectory = [p for p in (_point(r, panel) for r in entry.curve) if p is not None]
            if len(trajectory) > 1:
                xs, ys = zip(*trajectory, strict=True)
                axis.plot(xs, ys, color=color, alpha=0.35, linewidth=1)
            point = _point(entry.results, panel)
            if point is not None:
                axis.scatter(
                    *point,
                    color=color,
                    marker=MARKERS[i % len(MARKERS)],
                    s=60,
                    label=entry.row_label,
                    zorder=3,
                )
        axis.set_title("Average" if panel == AVERAGE else display_name(panel))
        axis.set_xlabel("mean response tokens")
        axis.set_ylabel("pass@1 (%)")
        axis.grid(alpha=0.3)
    for axis in list(axes.flat)[len(panels) :]:
        axis.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), frameon=False)
    figure.suptitle("Accuracy vs response length (up and left is better)")
    figure.tight_layout(rect=(0, 0.06 + 0.02 * math.ceil(len(labels) / 4), 1, 0.97))
    figure.savefig(path, dpi=120)
    plt.close(figure)


def tokens_by_level_plot(entries: list[Entry], path: Path, base_label: str | None = None) -> None:
    """Mean response tokens against difficulty level, one panel per benchmark with levels, a line per
    model (a model that thinks as long as a problem needs climbs with the level)."""
    panels = benchmark_levels(entries)
    columns = min(3, len(panels))
    rows = math.ceil(len(panels) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.6 * columns, 3.8 * rows), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for (benchmark, levels), axis in zip(panels.items(), axes.flat, strict=False):
        for i, entry in enumerate(entries):
            measured = entry.results["benchmarks"].get(benchmark, {}).get("levels", {})
            points = [
                (x, measured[level]["mean_tokens"]) for x, level in enumerate(levels) if level in measured
            ]
            if not points:
                continue
            xs, ys = zip(*points, strict=True)
            color = "black" if entry.row_label == base_label else colors[i % len(colors)]
            axis.plot(xs, ys, color=color, marker=MARKERS[i % len(MARKERS)], label=entry.row_label)
        axis.set_xticks(range(len(levels)), levels)
        axis.set_title(display_name(benchmark))
        axis.set_xlabel("difficulty level")
        axis.set_ylabel("mean response tokens")
        axis.grid(alpha=0.3)
    for axis in list(axes.flat)[len(panels) :]:
        axis.axis("off")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=min(4, len(labels)), frameon=False)
    figure.suptitle("Response length against difficulty")
    figure.tight_layout(rect=(0, 0.06 + 0.02 * math.ceil(len(labels) / 4), 1, 0.95))
    figure.savefig(path, dpi=120)
    plt.close(figure)


def learning_curve_plot(entry: Entry, path: Path) -> None:
    """pass@1 and mean response tokens against training step, a line per benchmark and the average."""
    steps = [r["step"] for r in entry.curve]
    benchmarks: list[str] = []
    for results in entry.curve:
        benchmarks += [name for name in results["benchmarks"] if name not in benchmarks]
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(9, 7), sharex=True)
    for name in [*benchmarks, AVERAGE]:
        points = [(s, _point(r, name)) for s, r in zip(steps, entry.curve, strict=True)]
        points = [(s, p) for s, p in points if p is not None]
        style = (
            {"linewidth": 2.5, "color": "black"}
            if name == AVERAGE
            else {"linewidth": 1.3, "marker": "o", "markersize": 3}
        )
        label = "Average" if name == AVERAGE else display_name(name)
        top.plot([s for s, _ in points], [p[1] for _, p in points], label=label, **style)
        bottom.plot([s for s, _ in points], [p[0] for _, p in points], label=label, **style)
    top.set_ylabel("pass@1 (%)")
    bottom.set_ylabel("mean response tokens")
    bottom.set_xlabel("training step")
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    top.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    top.set_title(f"{entry.label}: accuracy and length over training")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
