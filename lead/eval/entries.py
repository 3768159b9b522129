"""A compared model: its final results and, for a training run, the results of every checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lead.eval.metrics import level_order
from lead.eval.report import RESULTS_FILE, load_results, load_run


@dataclass(frozen=True)
class Entry:
    """One compared model: its (final) results and, for a training run, the results of every step."""

    label: str
    results: dict
    curve: tuple[dict, ...] = ()

    @property
    def row_label(self) -> str:
        """The label in tables and legends; a training run names the step of its final checkpoint."""
        return f"{self.label} (step {self.results['step']})" if self.curve else self.label


def load_entry(folder: Path, label: str | None = None) -> Entry:
    """An evaluation folder (``results.json``) or a run's evaluation folder (``global_step_N/`` inside)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: no such results folder")
    if (folder / RESULTS_FILE).is_file():
        return Entry(label or folder.name, load_results(folder))
    curve = load_run(folder)
    if not curve:
        raise ValueError(
            f"{folder}: holds neither {RESULTS_FILE} nor evaluated checkpoints (global_step_N/{RESULTS_FILE})"
        )
    return Entry(label or folder.name, curve[-1], tuple(curve))


def benchmark_levels(entries: list[Entry]) -> dict[str, list[str]]:
    """The benchmarks that have difficulty levels in some entry's results, each with every level any
    entry has, in ``level_order``."""
    found: dict[str, set[str]] = {}
    for entry in entries:
        for name, metrics in entry.results["benchmarks"].items():
            if metrics.get("levels"):
                found.setdefault(name, set()).update(metrics["levels"])
    return {name: sorted(levels, key=level_order) for name, levels in found.items()}
