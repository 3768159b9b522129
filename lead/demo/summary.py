"""The demo report's Markdown summary."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lead.demo.evaluate import Evaluation
from lead.demo.report import ACCURACY_TOLERANCE, LABELS, LENGTH_GOAL, GoalCheck, goal_check


def _row(name: str, evaluation: Evaluation, warm_start: Evaluation) -> str:
    check = goal_check(warm_start, evaluation)
    return (
        f"| {name} | {100 * evaluation.accuracy:.1f} | {evaluation.mean_length:.1f} | "
        f"{-100 * check.length_reduction:+.1f}% | {100 * check.accuracy_change:+.1f} |"
    )


def closing_note(warm_start: Evaluation, evaluations: Mapping[str, Evaluation]) -> str:
    """One paragraph: whether LEAD reached the goal, and how GRPO compares on length and accuracy."""
    lead = goal_check(warm_start, evaluations["lead"])
    grpo = goal_check(warm_start, evaluations["grpo"])
    verdict = "reached" if lead.met else "did not reach"
    misses = [
        text
        for text, missed in (
            (
                f"length reduction {100 * lead.length_reduction:.1f}% < {100 * LENGTH_GOAL:.0f}%",
                not lead.length_met,
            ),
            (
                f"accuracy change {100 * lead.accuracy_change:+.1f} points < -{100 * ACCURACY_TOLERANCE:.0f}",
                not lead.accuracy_met,
            ),
        )
        if missed
    ]
    return (
        f"LEAD {verdict} the goal (mean length at least {100 * LENGTH_GOAL:.0f}% below the warm start, "
        f"accuracy within {100 * ACCURACY_TOLERANCE:.0f} points or better): its length changed by "
        f"{-100 * lead.length_reduction:+.1f}% and its accuracy by {100 * lead.accuracy_change:+.1f} points"
        + (f" ({'; '.join(misses)})" if misses else "")
        + ". GRPO (correctness only, same budget and seeds) changed length by "
        f"{-100 * grpo.length_reduction:+.1f}% and accuracy by {100 * grpo.accuracy_change:+.1f} points."
    )


def write_summary(
    path: Path,
    *,
    warm_start: Evaluation,
    evaluations: Mapping[str, Evaluation],
    settings: Mapping[str, object],
    timings: Mapping[str, float],
    figures: Mapping[str, str],
    shortest_mean_length: float,
    caveat: str | None = None,
) -> GoalCheck:
    """Write ``summary.md``; returns LEAD's goal check."""
    difficulties = sorted(warm_start.lengths_by_difficulty)
    models = {"warm start (SFT)": warm_start, **{LABELS[m]: e for m, e in evaluations.items()}}
    lines = [
        "# LEAD CPU demo",
        "",
        "Task: add a list of distinct digits, writing one running-sum line per addition; a problem with "
        "k digits needs k - 1 lines. The warm-start model (a tiny Llama trained from scratch with "
        "supervised fine-tuning) learned from solutions padded with redundant re-check and restatement "
        "lines, so it over-thinks. RL then continues from it with GRPO (correctness reward only) and with "
        "LEAD (same correctness reward; LEAD's estimator adds the per-problem efficiency term), with the "
        "same budget and seeds.",
        "",
        "## Held-out results",
        "",
        f"Sampled completions (temperature {settings['temperature']}) on "
        f"{settings['eval_problems']} held-out problems x {settings['eval_samples']} samples; "
        "length in tokens, end-of-sequence token included.",
        "",
        "| model | accuracy (%) | mean length | length vs warm start | accuracy vs warm start (points) |",
        "| --- | --- | --- | --- | --- |",
        *[_row(name, evaluation, warm_start) for name, evaluation in models.items()],
        "",
        f"For reference, the shortest correct solutions of these problems average {shortest_mean_length:.1f} "
        "tokens.",
        "",
        "Mean length by difficulty (digits to add):",
        "",
        "| model | " + " | ".join(f"k={k}" for k in difficulties) + " |",
        "| --- |" + " --- |" * len(difficulties),
        *[
            f"| {name} | "
            + " | ".join(f"{evaluation.lengths_by_difficulty.get(k, float('nan')):.1f}" for k in difficulties)
            + " |"
            for name, evaluation in models.items()
        ],
        "",
        "## Closing note",
        "",
        closing_note(warm_start, evaluations),
        "",
        *([f"**Note:** {caveat}", ""] if caveat else []),
        "## Figures",
        "",
        *[f"- {caption}: ![{caption}]({name})" for name, caption in figures.items()],
        "",
        "## Settings and timings",
        "",
        *[f"- {key}: {value}" for key, value in settings.items()],
        *[f"- time, {stage}: {seconds:.0f} s" for stage, seconds in timings.items()],
        "",
    ]
    path.write_text("\n".join(lines))
    return goal_check(warm_start, evaluations["lead"])
