"""Results files (JSON, CSV, Markdown), the comparison table and the plots."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path

RESULTS_FILE = "results.json"
DISPLAY_NAMES = {
    "math500": "MATH-500",
    "aime24": "AIME 2024",
    "aime25": "AIME 2025",
    "amc23": "AMC 2023",
    "olympiadbench": "OlympiadBench",
}


def display_name(benchmark: str) -> str:
    return DISPLAY_NAMES.get(benchmark, benchmark)


def format_percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.2f}"


def format_tokens(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def format_signed(value: float | None) -> str:
    return "-" if value is None else f"{value:+.2f}"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def aes_of(results: dict, benchmark: str | None) -> float | None:
    aes = results.get("aes")
    if not aes:
        return None
    return aes["average"] if benchmark is None else aes["per_benchmark"].get(benchmark)


def results_markdown(results: dict) -> str:
    """One model's results: a row per benchmark and the average."""
    header = [
        "Benchmark",
        "n",
        "Problems",
        "pass@1 (%)",
        "± SE",
        "pass@n (%)",
        "Tokens",
        "Tokens (correct)",
        "Truncated (%)",
        "AES",
    ]
    rows = []
    for name, m in results["benchmarks"].items():
        rows.append(
            [
                display_name(name),
                str(m["n"]),
                str(m["num_problems"]),
                format_percent(m["pass@1"]),
                format_percent(m["pass@1_stderr"]),
                format_percent(m["pass@k"][str(m["n"])]),
                format_tokens(m["mean_tokens"]),
                format_tokens(m["mean_tokens_correct"]),
                format_percent(m["truncation_rate"]),
                format_signed(aes_of(results, name)),
            ]
        )
    average = results["average"]
    rows.append(
        [
            "**Average**",
            "",
            "",
            format_percent(average["pass@1"]),
            "",
            "",
            format_tokens(average["mean_tokens"]),
            "",
            "",
            format_signed(aes_of(results, None)),
        ]
    )
    settings = results["settings"]
    caption = (
        f"Model `{results['model']}`; prompt `{settings['prompt_template']}`, "
        f"temperature {settings['temperature']}, "
        f"top-p {settings['top_p']}, max new tokens {settings['max_new_tokens']}, seed {settings['seed']}, "
        f"backend {settings['backend']}.\n\n"
    )
    return caption + markdown_table(header, rows) + levels_markdown(results) + budget_markdown(results)


def levels_markdown(results: dict) -> str:
    """Accuracy and mean response tokens per difficulty level, for the benchmarks that have levels."""
    header = ["Benchmark", "Level", "Problems", "pass@1 (%)", "± SE", "Tokens", "Tokens (correct)"]
    rows = [
        [
            display_name(name),
            level,
            str(m["num_problems"]),
            format_percent(m["pass@1"]),
            format_percent(m["pass@1_stderr"]),
            format_tokens(m["mean_tokens"]),
            format_tokens(m["mean_tokens_correct"]),
        ]
        for name, benchmark in results["benchmarks"].items()
        for level, m in benchmark.get("levels", {}).items()
    ]
    if not rows:
        return ""
    return "\nBy difficulty level\n\n" + markdown_table(header, rows)


def budget_markdown(results: dict) -> str:
    """The generation budget per benchmark: requested and effective max new tokens, clamped samples
    and skipped problems (empty for results that predate budgets)."""
    budgets = {name: m["budget"] for name, m in results["benchmarks"].items() if "budget" in m}
    if not budgets:
        return ""
    header = [
        "Benchmark",
        "Max new tokens",
        "Effective min",
        "Effective mean",
        "Clamped samples",
        "Skipped problems",
    ]
    rows = [
        [
            display_name(name),
            str(b["max_new_tokens"]),
            format_tokens(b["effective_max_new_tokens_min"]),
            format_tokens(b["effective_max_new_tokens_mean"]),
            str(b["clamped_samples"]),
            str(b["skipped_problems"]),
        ]
        for name, b in budgets.items()
    ]
    context = results["settings"].get("context_length")
    where = f"context {context:,} tokens" if context else "context length unknown"
    return (
        f"\nGeneration budget ({where}; a sample gets min(max new tokens, context - prompt); "
        "skipped problems have a prompt longer than the context and are not scored)\n\n"
        + markdown_table(header, rows)
    )


def results_csv_rows(results: dict) -> list[dict]:
    """Flat rows (one per benchmark plus ``average``) for CSV files."""
    max_n = max(m["n"] for m in results["benchmarks"].values())
    rows = []
    for name, m in results["benchmarks"].items():
        row = {
            "label": results["label"],
            "step": results["step"],
            "benchmark": name,
            "n": m["n"],
            "num_problems": m["num_problems"],
            "pass@1": m["pass@1"],
            "pass@1_stderr": m["pass@1_stderr"],
            "mean_tokens": m["mean_tokens"],
            "mean_tokens_correct": m["mean_tokens_correct"],
            "truncation_rate": m["truncation_rate"],
            "aes": aes_of(results, name),
            **m.get("budget", {}),
        }
        row.update({f"pass@{k}": m["pass@k"].get(str(k)) for k in range(1, max_n + 1)})
        rows.append(row)
    rows.append(
        {
            "label": results["label"],
            "step": results["step"],
            "benchmark": "average",
            "pass@1": results["average"]["pass@1"],
            "mean_tokens": results["average"]["mean_tokens"],
            "aes": aes_of(results, None),
        }
    )
    return rows


def write_csv(path: Path, rows: list[dict]) -> None:
    fields: list[str] = []
    for row in rows:
        fields += [key for key in row if key not in fields]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def write_results(out_dir: Path, results: dict) -> None:
    """Write ``results.json``, ``results.csv`` and ``results.md`` into ``out_dir``."""
    out_dir = Path(out_dir)
    (out_dir / RESULTS_FILE).write_text(json.dumps(results, indent=2) + "\n")
    write_csv(out_dir / "results.csv", results_csv_rows(results))
    (out_dir / "results.md").write_text(results_markdown(results))


def load_results(folder: Path) -> dict:
    """The ``results.json`` of an evaluation folder."""
    path = Path(folder) / RESULTS_FILE
    if not path.is_file():
        raise ValueError(
            f"{folder}: no {RESULTS_FILE}; evaluate the model into this folder first (lead-eval run)"
        )
    return json.loads(path.read_text())


def load_run(folder: Path) -> list[dict]:
    """Results of every evaluated checkpoint under a run's evaluation folder, by training step."""
    runs = [load_results(child) for child in Path(folder).iterdir() if (child / RESULTS_FILE).is_file()]
    runs = [r for r in runs if r.get("step") is not None]
    return sorted(runs, key=lambda r: r["step"])
