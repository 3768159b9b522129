"""The report folder's results: ``results.json``, ``results.csv``, ``results.md`` and the figures."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lead.demo import plots
from lead.demo.claims import Verdict, judge
from lead.demo.configurations import Configuration
from lead.demo.results import (
    ConfigurationResult,
    aggregate_all,
    by_difficulty,
    sweep_rows,
    table_1,
    write_csv,
)
from lead.demo.runner import StudyRuns, study_record
from lead.demo.settings import StudySettings
from lead.demo.store import write_json
from lead.demo.summary import write_markdown
from lead.eval.metrics import DEFAULT_AES_WEIGHTS


def draw_figures(
    out: Path,
    results: Sequence[ConfigurationResult],
    records: Sequence[dict[str, Any]],
    warm_start: dict[str, Any],
    shortest: dict[int, int],
) -> dict[str, str]:
    """Every figure the results allow; returns ``{file name: caption}`` of those drawn."""
    drawn = ["pareto.png", "length_by_difficulty.png", "training_curves.png"]
    plots.plot_pareto(results, warm_start, out / "pareto.png")
    plots.plot_length_by_difficulty(results, warm_start, shortest, out / "length_by_difficulty.png")
    if plots.plot_hardest_accuracy_vs_budget(
        results, warm_start, shortest[max(shortest)], out / "hardest_accuracy_vs_budget.png"
    ):
        drawn.append("hardest_accuracy_vs_budget.png")
    shown = [*table_1(results), *sweep_rows(results, "budget")]
    plots.plot_training_curves(
        {
            r.configuration.name: [x for x in records if x["configuration"] == r.configuration.name]
            for r in shown
        },
        {r.configuration.name: r.configuration.label for r in shown},
        {r.configuration.name: plots.COLORS[r.configuration.key] for r in shown},
        out / "training_curves.png",
    )
    lead_records = [record for record in records if record["configuration"] == "lead"]
    if lead_records:
        plots.plot_psi_weights(lead_records, out / "psi_weights.png")
        drawn.append("psi_weights.png")
        targets = [row for record in lead_records for row in record["targets"]]
        if plots.plot_targets_by_difficulty(targets, shortest, out / "lstar_by_difficulty.png"):
            drawn.append("lstar_by_difficulty.png")
    return {name: caption for name, caption in plots.FIGURES.items() if name in drawn}


def write_report(
    out: Path,
    *,
    settings: StudySettings,
    configurations: Sequence[Configuration],
    seeds: Sequence[int],
    runs: StudyRuns,
    title: str,
    intro: str,
    caveat: str | None,
    timings: dict[str, float],
) -> tuple[list[ConfigurationResult], list[Verdict]]:
    """Aggregate, judge the claims, draw the figures and write the three results files."""
    weights = DEFAULT_AES_WEIGHTS
    task = study_record(settings)
    results = aggregate_all(configurations, runs.records, runs.warm_start, weights)
    verdicts = judge(results, runs.warm_start)
    shortest = by_difficulty(task["shortest_by_difficulty"])
    figures = draw_figures(out, results, runs.records, runs.warm_start, shortest)
    write_csv(out / "results.csv", results, runs.warm_start)
    write_json(
        out / "results.json",
        {
            "settings": settings.as_dict(),
            "task": {key: task[key] for key in ("shortest_by_difficulty", "lead_floor", "limits")},
            "seeds": list(seeds),
            "aes_weights": weights.to_dict(),
            "warm_start": runs.warm_start,
            "configurations": [
                {
                    **r.as_dict(),
                    "runs": [
                        {"seed": x["seed"], "evaluation": x["evaluation"], "seconds": x["seconds"]}
                        for x in runs.records
                        if x["configuration"] == r.configuration.name
                    ],
                }
                for r in results
            ],
            "table_1": [r.configuration.name for r in table_1(results)],
            "table_2": [r.configuration.name for r in sweep_rows(results, "static")],
            "budget_table": [r.configuration.name for r in sweep_rows(results, "budget")],
            "claims": [{"claim": v.claim, "verdict": v.verdict, "evidence": v.evidence} for v in verdicts],
            "timings": timings,
            "caveat": caveat,
        },
    )
    (out / "results.md").write_text(
        write_markdown(
            title=title,
            intro=intro,
            settings=settings.as_dict(),
            seeds=seeds,
            task=task,
            warm_start=runs.warm_start,
            results=results,
            verdicts=verdicts,
            weights=weights,
            figures=figures,
            timings=timings,
            caveat=caveat,
        )
    )
    return results, verdicts
