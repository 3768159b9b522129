"""The demo's report folder: ``summary.md``, PNG figures and the raw per-step logs (JSON)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

from lead.core import LEADConfig
from lead.core.grouping import Groups, factorize_index
from lead.core.target_length import target_lengths
from lead.demo.evaluate import Evaluation
from lead.demo.rl import Completion, RLRun
from lead.demo.task import Problem, minimal_solution

COLORS = {"grpo": "tab:blue", "lead": "tab:orange"}
LABELS = {"grpo": "GRPO (correctness only)", "lead": "LEAD"}
LENGTH_GOAL = 0.30
ACCURACY_TOLERANCE = 0.05
SMOOTHING = 10


@dataclass(frozen=True)
class GoalCheck:
    """The demo's goal: LEAD at least 30% shorter than the warm start, accuracy at most 5 points lower."""

    length_reduction: float
    accuracy_change: float

    @property
    def length_met(self) -> bool:
        return self.length_reduction >= LENGTH_GOAL

    @property
    def accuracy_met(self) -> bool:
        return self.accuracy_change >= -ACCURACY_TOLERANCE

    @property
    def met(self) -> bool:
        return self.length_met and self.accuracy_met


def goal_check(warm_start: Evaluation, trained: Evaluation) -> GoalCheck:
    """Relative length reduction and accuracy change (fractions) of ``trained`` against the warm start."""
    return GoalCheck(
        length_reduction=1.0 - trained.mean_length / warm_start.mean_length,
        accuracy_change=trained.accuracy - warm_start.accuracy,
    )


def group_targets(completions: Sequence[Completion], config: LEADConfig) -> list[tuple[int, int, float]]:
    """``(step, difficulty, L*_q)`` for every prompt group of every step, by the core's target rule.

    A group is the completions of one prompt at one step; unsolved groups (target = budget) are left
    out, as their target carries no length information.
    """
    by_step: dict[int, list[Completion]] = defaultdict(list)
    for completion in completions:
        by_step[completion.step].append(completion)
    rows = []
    for step, batch in sorted(by_step.items()):
        codes = factorize_index([c.prompt for c in batch], len(batch))
        groups = Groups.from_codes(codes)
        correct = torch.tensor([c.correct for c in batch])
        targets = target_lengths(
            torch.tensor([float(c.length) for c in batch], dtype=torch.float64),
            correct,
            groups,
            aggregator=config.aggregator,
            bmax=config.bmax,
            lstar_min=config.lstar_min,
        )
        difficulty = {int(code): c.difficulty for code, c in zip(groups.ids, batch, strict=True)}
        solved = {int(code) for code, c in zip(groups.ids, batch, strict=True) if c.correct}
        rows.extend((step, difficulty[g], float(targets[g])) for g in sorted(solved))
    return rows


def _series(history: Sequence[Mapping[str, float]], key: str) -> tuple[list[float], list[float]]:
    points = [(row["step"], row[key]) for row in history if row.get(key) is not None]
    return [p[0] for p in points], [p[1] for p in points]


def _moving_average(values: Sequence[float]) -> list[float]:
    """Trailing mean over the last ``SMOOTHING`` values (fewer at the start)."""
    return [
        sum(values[max(0, i + 1 - SMOOTHING) : i + 1]) / (i + 1 - max(0, i + 1 - SMOOTHING))
        for i in range(len(values))
    ]


def plot_training_curves(runs: Mapping[str, RLRun], warm_start: Evaluation, path: Path) -> None:
    """Mean completion length and batch accuracy against step, GRPO and LEAD."""
    figure, (length_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(11, 4))
    for method, run in runs.items():
        for axis, key in ((length_axis, "completions/mean_length"), (accuracy_axis, "rewards/correct/mean")):
            steps, values = _series(run.history, key)
            axis.plot(steps, values, color=COLORS[method], alpha=0.3, linewidth=0.8)
            axis.plot(
                steps,
                _moving_average(values),
                color=COLORS[method],
                label=f"{LABELS[method]}, {SMOOTHING}-step mean",
            )
    length_axis.axhline(warm_start.mean_length, color="gray", linestyle="--", label="warm start (held-out)")
    accuracy_axis.axhline(warm_start.accuracy, color="gray", linestyle="--", label="warm start (held-out)")
    length_axis.set(title="Mean completion length (training batches)", xlabel="RL step", ylabel="tokens")
    accuracy_axis.set(
        title="Accuracy (training batches)", xlabel="RL step", ylabel="fraction correct", ylim=(0, 1)
    )
    for axis in (length_axis, accuracy_axis):
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_psi_weights(lead_run: RLRun, path: Path) -> None:
    """LEAD's weights over steps: used (lambda_c, lambda_e) and PSI targets (w*_c, w*_e)."""
    figure, axis = plt.subplots(figsize=(6.5, 4))
    axis.plot(
        *_series(lead_run.history, "lead/w_corr"), color="tab:green", label="lambda_c (correctness, used)"
    )
    axis.plot(
        *_series(lead_run.history, "lead/w_eff"), color="tab:purple", label="lambda_e (efficiency, used)"
    )
    axis.plot(
        *_series(lead_run.history, "lead/target_w_corr"),
        color="tab:green",
        alpha=0.45,
        linewidth=0.8,
        linestyle=":",
        label="w*_c (PSI target)",
    )
    axis.plot(
        *_series(lead_run.history, "lead/target_w_eff"),
        color="tab:purple",
        alpha=0.45,
        linewidth=0.8,
        linestyle=":",
        label="w*_e (PSI target)",
    )
    axis.set(title="LEAD: PSI weights", xlabel="RL step", ylabel="weight", ylim=(-0.03, 1.03))
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def plot_targets_by_difficulty(
    targets: Sequence[tuple[int, int, float]], needed_lengths: Mapping[int, float], path: Path
) -> None:
    """L*_q against the number of digits, early and late in the LEAD run, with the needed length."""
    steps = sorted({step for step, _, _ in targets})
    if not steps:
        return
    third = max(1, len(steps) // 3)
    phases = {"first third of steps": set(steps[:third]), "last third of steps": set(steps[-third:])}
    figure, axis = plt.subplots(figsize=(6.5, 4))
    for (label, phase), color in zip(phases.items(), ("tab:red", "tab:orange"), strict=True):
        by_difficulty: dict[int, list[float]] = defaultdict(list)
        for step, difficulty, target in targets:
            if step in phase:
                by_difficulty[difficulty].append(target)
        levels = sorted(by_difficulty)
        axis.scatter(
            [
                level + (0.1 if color == "tab:orange" else -0.1)
                for level in levels
                for _ in by_difficulty[level]
            ],
            [value for level in levels for value in by_difficulty[level]],
            s=6,
            alpha=0.25,
            color=color,
        )
        axis.plot(
            levels,
            [sum(v) / len(v) for v in (by_difficulty[k] for k in levels)],
            "o-",
            color=color,
            label=f"mean L*_q, {label}",
        )
    levels = sorted(needed_lengths)
    axis.plot(levels, [needed_lengths[k] for k in levels], "k--", label="shortest correct solution")
    axis.set_xticks(levels)
    axis.set(
        title="LEAD: per-problem target length L*_q",
        xlabel="problem difficulty (digits to add)",
        ylabel="tokens",
    )
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def needed_lengths(problems: Sequence[Problem], tokenizer_length: Callable[[str], int]) -> dict[int, float]:
    """Mean token length (EOS included) of the shortest correct solution, per difficulty."""
    by_difficulty: dict[int, list[int]] = defaultdict(list)
    for problem in problems:
        by_difficulty[problem.difficulty].append(tokenizer_length(minimal_solution(problem)) + 1)
    return {k: sum(v) / len(v) for k, v in sorted(by_difficulty.items())}
