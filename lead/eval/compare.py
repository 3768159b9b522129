"""Side-by-side comparison of evaluation folders: the paper's Table 1 layout, CSV and plots."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from lead.eval.entries import Entry, benchmark_levels, load_entry
from lead.eval.metrics import DEFAULT_AES_WEIGHTS, AESWeights, aes_against_base
from lead.eval.plots import learning_curve_plot, pareto_plot, tokens_by_level_plot
from lead.eval.report import (
    aes_of,
    display_name,
    format_percent,
    format_signed,
    format_tokens,
    markdown_table,
    write_csv,
)


def with_aes(results: dict, base: dict, weights: AESWeights) -> dict:
    """A copy of ``results`` whose AES is computed against ``base``."""
    updated = copy.deepcopy(results)
    updated["aes"] = aes_against_base(results["benchmarks"], base["benchmarks"], weights)
    updated["aes"]["base"] = base["model"]
    return updated


def _benchmark_order(entries: list[Entry]) -> list[str]:
    order: list[str] = []
    for entry in entries:
        order += [name for name in entry.results["benchmarks"] if name not in order]
    return order


def compare_markdown(entries: list[Entry]) -> str:
    """Accuracy per benchmark, average accuracy, average tokens and AES (a row per model),
    then mean response tokens per benchmark."""
    benchmarks = _benchmark_order(entries)
    names = [display_name(b) for b in benchmarks]
    accuracy_rows, token_rows = [], []
    partial = False
    for entry in entries:
        r = entry.results
        bench = r["benchmarks"]
        mark = "*" if any(b not in bench for b in benchmarks) else ""
        partial = partial or bool(mark)
        accuracy_rows.append(
            [entry.row_label]
            + [format_percent(bench[b]["pass@1"]) if b in bench else "-" for b in benchmarks]
            + [
                format_percent(r["average"]["pass@1"]) + mark,
                format_tokens(r["average"]["mean_tokens"]) + mark,
                format_signed(aes_of(r, None)),
            ]
        )
        token_rows.append(
            [entry.row_label]
            + [format_tokens(bench[b]["mean_tokens"]) if b in bench else "-" for b in benchmarks]
        )
    note = "\n\\* averaged over the benchmarks this model was evaluated on only\n" if partial else ""
    return (
        "Accuracy (pass@1, %)\n\n"
        + markdown_table(["Model", *names, "Avg.", "Tokens", "AES"], accuracy_rows)
        + note
        + "\nMean response tokens\n\n"
        + markdown_table(["Model", *names], token_rows)
        + levels_markdown(entries)
    )


def _level_cell(metrics: dict) -> str:
    return f"{format_tokens(metrics['mean_tokens'])} ({format_percent(metrics['pass@1'])})"


def levels_markdown(entries: list[Entry]) -> str:
    """Per benchmark with difficulty levels: a row per model, a column per level, each cell the mean
    response tokens and pass@1 (%) of that level's problems."""
    tables = []
    for benchmark, levels in benchmark_levels(entries).items():
        rows = []
        for entry in entries:
            measured = entry.results["benchmarks"].get(benchmark, {}).get("levels", {})
            cells = [_level_cell(measured[level]) if level in measured else "-" for level in levels]
            rows.append([entry.row_label, *cells])
        tables.append(
            f"\n{display_name(benchmark)}: mean response tokens (pass@1, %) by difficulty level\n\n"
            + markdown_table(["Model", *(f"Level {level}" for level in levels)], rows)
        )
    return "".join(tables)


def compare_csv_rows(entries: list[Entry]) -> list[dict]:
    rows = []
    for entry in entries:
        for results in entry.curve or (entry.results,):
            for name, m in results["benchmarks"].items():
                rows.append(
                    {
                        "label": entry.label,
                        "step": results["step"],
                        "benchmark": name,
                        "pass@1": m["pass@1"],
                        "pass@1_stderr": m["pass@1_stderr"],
                        "mean_tokens": m["mean_tokens"],
                        "truncation_rate": m["truncation_rate"],
                        "aes": aes_of(results, name),
                    }
                )
            rows.append(
                {
                    "label": entry.label,
                    "step": results["step"],
                    "benchmark": "average",
                    "pass@1": results["average"]["pass@1"],
                    "mean_tokens": results["average"]["mean_tokens"],
                    "aes": aes_of(results, None),
                }
            )
    return rows


def compare(
    folders: list[Path],
    out_dir: Path,
    labels: list[str] | None = None,
    base: Path | None = None,
    weights: AESWeights = DEFAULT_AES_WEIGHTS,
) -> str:
    """Write ``compare.md``, ``compare.csv``, ``compare.json``, ``pareto.png``, ``tokens_by_level.png``
    (when some benchmark has difficulty levels) and, per training run, ``learning_curve_<label>.png``
    into ``out_dir``; returns the Markdown tables.

    With ``base`` every AES is computed against that folder's results and the base is the first row
    (listed once, even when it is also among ``folders``).
    """
    if labels is not None and len(labels) != len(folders):
        raise ValueError(f"labels: got {len(labels)} labels for {len(folders)} folders")
    if base is not None:
        keep = [i for i, f in enumerate(folders) if Path(f).resolve() != Path(base).resolve()]
        folders = [folders[i] for i in keep]
        labels = [labels[i] for i in keep] if labels else None
    entries = [load_entry(f, labels[i] if labels else None) for i, f in enumerate(folders)]
    base_entry = None
    if base is not None:
        base_entry = load_entry(base)
        base_results = base_entry.results
        base_entry = Entry(base_entry.label, with_aes(base_results, base_results, weights))
        entries = [
            Entry(
                e.label,
                with_aes(e.results, base_results, weights),
                tuple(with_aes(r, base_results, weights) for r in e.curve),
            )
            for e in entries
        ]
        entries = [base_entry, *entries]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    table = compare_markdown(entries)
    (out_dir / "compare.md").write_text(table)
    write_csv(out_dir / "compare.csv", compare_csv_rows(entries))
    summary = [{"label": e.row_label, "results": e.results} for e in entries]
    (out_dir / "compare.json").write_text(json.dumps(summary, indent=2) + "\n")
    base_label = base_entry.row_label if base_entry else None
    pareto_plot(entries, out_dir / "pareto.png", base_label=base_label)
    if benchmark_levels(entries):
        tokens_by_level_plot(entries, out_dir / "tokens_by_level.png", base_label=base_label)
    for entry in entries:
        if len(entry.curve) > 1:
            learning_curve_plot(entry, out_dir / f"learning_curve_{_slug(entry.label)}.png")
    return table


def _slug(label: str) -> str:
    return re.sub(r"[^\w-]+", "_", label).strip("_")
