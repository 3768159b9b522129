"""The report's Markdown (``results.md``): the task, the claims' verdicts, the tables, the figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lead.demo.claims import HARD_DROP, Verdict
from lead.demo.results import ConfigurationResult, Stat, by_difficulty, sweep_rows, table_1
from lead.eval.metrics import AESWeights


def _pct(stat: Stat) -> str:
    return f"{100 * stat.mean:.1f} ± {100 * stat.std:.1f}"


def _tokens(stat: Stat) -> str:
    return f"{stat.mean:.1f} ± {stat.std:.1f}"


def _aes(stat: Stat) -> str:
    return f"{stat.mean:+.3f} ± {stat.std:.3f}"


def aes_line(weights: AESWeights) -> str:
    return (
        f"AES against the warm start (O1-Pruner's score), weights a={weights.a:g}, b={weights.b:g}, "
        f"c={weights.c:g}: dL = (L_ws - L) / L_ws, dA = (A - A_ws) / A_ws, AES = {weights.a:g} dL + "
        f"{weights.b:g} dA if dA >= 0, else {weights.a:g} dL - {weights.c:g} |dA|; computed per seed."
    )


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + " --- |" * len(header),
        *["| " + " | ".join(row) + " |" for row in rows],
    ]


def _warm_start_row(warm_start: Mapping[str, Any], width: int) -> list[str]:
    row = ["warm start (SFT)", f"{100 * warm_start['accuracy']:.1f}", f"{warm_start['mean_length']:.1f}", "0"]
    return row + [""] * (width - len(row))


def _headline(r: ConfigurationResult) -> list[str]:
    return [r.configuration.label, _pct(r.accuracy), _tokens(r.mean_length), _aes(r.aes)]


def _per_difficulty(
    results: Sequence[ConfigurationResult],
    warm_start: Mapping[str, Any],
    field: str,
    shortest: Mapping[int, int],
) -> list[str]:
    levels = sorted(shortest)
    key = "accuracy_by_difficulty" if field == "accuracy" else "lengths_by_difficulty"
    ws = by_difficulty(warm_start[key])
    show = (lambda s: _pct(s)) if field == "accuracy" else (lambda s: _tokens(s))
    rows = []
    if field == "length":
        rows.append(["shortest correct solution", *[str(shortest[k]) for k in levels]])
    rows.append(
        [
            "warm start (SFT)",
            *[f"{100 * ws[k]:.1f}" if field == "accuracy" else f"{ws[k]:.1f}" for k in levels],
        ]
    )
    for r in results:
        values = r.accuracy_by_difficulty if field == "accuracy" else r.length_by_difficulty
        rows.append([r.configuration.label, *[show(values[k]) for k in levels]])
    return _table(["configuration", *[f"k={k}" for k in levels]], rows)


def write_markdown(
    *,
    title: str,
    intro: str,
    settings: Mapping[str, Any],
    seeds: Sequence[int],
    task: Mapping[str, Any],
    warm_start: Mapping[str, Any],
    results: Sequence[ConfigurationResult],
    verdicts: Sequence[Verdict],
    weights: AESWeights,
    figures: Mapping[str, str],
    timings: Mapping[str, float],
    caveat: str | None,
) -> str:
    """The whole ``results.md`` as text."""
    shortest = by_difficulty(task["shortest_by_difficulty"])
    levels = sorted(shortest)
    hardest, easiest = levels[-1], levels[0]
    longest = by_difficulty(warm_start["longest_correct_by_difficulty"])
    lines = [f"# {title}", ""]
    if caveat:
        lines += [f"**Note:** {caveat}", ""]
    lines += [
        intro,
        "",
        f"Budget B = {settings['max_completion_length']} tokens; the warm start's longest correct held-out "
        f"solution of the hardest problems (k={hardest}) is {longest[hardest]} tokens, its samples cut at "
        f"the budget {100 * warm_start['truncation_rate']:.1f}%. Shortest correct solution per difficulty "
        "(tokens, EOS included) against the warm start's mean length:",
        "",
        *_table(
            ["", *[f"k={k}" for k in levels]],
            [
                ["shortest correct", *[str(shortest[k]) for k in levels]],
                [
                    "warm start mean",
                    *[f"{by_difficulty(warm_start['lengths_by_difficulty'])[k]:.1f}" for k in levels],
                ],
                ["warm start longest correct", *[str(longest[k] or "-") for k in levels]],
            ],
        ),
        "",
        f"Every run: the same warm start, {settings['rl_steps']} RL steps of {settings['prompts_per_step']} "
        f"prompts x {settings['num_generations']} completions, learning rate "
        f"{settings['rl_learning_rate']:g}, temperature {settings['temperature']:g}, budget "
        f"{settings['max_completion_length']}, seeds "
        f"{', '.join(map(str, seeds))}; all through `LEADGRPOTrainer`. Held-out evaluation: "
        f"{settings['eval_problems']} problems per difficulty x {settings['eval_samples']} samples at "
        f"temperature {settings['temperature']:g} (sampling seed {settings['eval_seed']}). Every figure is "
        "the mean ± standard deviation over seeds.",
        "",
        aes_line(weights),
        "",
        "## Summary: the paper's claims on this task",
        "",
    ]
    for verdict in verdicts:
        lines += [f"- **{verdict.claim}: {verdict.verdict}.** {verdict.evidence}", ""]
    lines += [
        f"Rules (fixed before the runs): ties are differences within the larger seed std; over-compression "
        f"is hardest-problem accuracy more than {100 * HARD_DROP:.0f} points below the warm start's; see "
        "`lead/demo/claims.py`.",
        "",
        "## Table 1: methods at their defaults (best AES first)",
        "",
        *_table(
            ["method", "accuracy (%)", "mean length", "AES", f"acc. k={hardest} (%)", f"length k={easiest}"],
            [
                _warm_start_row(warm_start, 6),
                *[
                    [
                        *_headline(r),
                        _pct(r.accuracy_by_difficulty[hardest]),
                        _tokens(r.length_by_difficulty[easiest]),
                    ]
                    for r in table_1(results)
                ],
            ],
        ),
        "",
    ]
    static = sweep_rows(results, "static")
    if static:
        lines += [
            "## Table 2: static weights (lambda_c = 1/(1+r), lambda_e = r/(1+r))",
            "",
            *_table(
                ["configuration", "accuracy (%)", "mean length", "AES"],
                [_headline(r) for r in static]
                + [_headline(r) for r in results if r.configuration.name == "lead"],
            ),
            "",
        ]
    budgets = sweep_rows(results, "budget")
    if budgets:
        lines += [
            "## Global budgets (DLER truncation limits, LASER targets) against LEAD",
            "",
            *_table(
                [
                    "configuration",
                    "accuracy (%)",
                    "mean length",
                    "AES",
                    f"acc. k={hardest} (%)",
                    f"length k={easiest}",
                ],
                [
                    [
                        *_headline(r),
                        _pct(r.accuracy_by_difficulty[hardest]),
                        _tokens(r.length_by_difficulty[easiest]),
                    ]
                    for r in [*budgets, *[r for r in results if r.configuration.name == "lead"]]
                ],
            ),
            "",
        ]
    lines += [
        "## Per difficulty",
        "",
        "Accuracy (%):",
        "",
        *_per_difficulty(results, warm_start, "accuracy", shortest),
        "",
        "Mean length (tokens):",
        "",
        *_per_difficulty(results, warm_start, "length", shortest),
        "",
        "## Options used (budget-scaled defaults and the study's settings)",
        "",
        *_table(
            ["configuration", "options"],
            [[r.configuration.label, ", ".join(f"{k}={v}" for k, v in r.options.items())] for r in results],
        ),
        "",
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
    return "\n".join(lines)
