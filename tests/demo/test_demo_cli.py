"""lead-demo end to end: the console script runs a tiny demo and writes the study's report folder."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TINY_RUN = [
    "--quick",
    "--methods", "grpo,lead",
    "--sft-steps", "30",
    "--rl-steps", "3",
    "--eval-problems", "2",
    "--eval-samples", "1",
    "--max-digits", "4",
    "--train-problems", "40",
    "--prompts-per-step", "4",
    "--num-generations", "4",
    "--max-completion-length", "48",
    "--workers", "1",
]  # fmt: skip


def demo_command() -> list[str]:
    script = shutil.which("lead-demo") or str(Path(sys.executable).with_name("lead-demo"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "lead.demo.cli"]


@pytest.mark.slow
def test_quick_demo_writes_tables_per_difficulty_figures_and_logs(tmp_path) -> None:
    out = tmp_path / "report"
    result = subprocess.run(
        [*demo_command(), *TINY_RUN, "--out", str(out)], capture_output=True, text=True, timeout=1800
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Report:" in result.stdout and "smoke test" in result.stdout

    report = (out / "results.md").read_text()
    assert "smoke test" in report
    assert "## Table 1: methods at their defaults" in report and "| GRPO |" in report and "| LEAD |" in report
    assert "## Per difficulty" in report and "| configuration | k=2 | k=3 | k=4 |" in report
    for figure in ("pareto.png", "length_by_difficulty.png", "training_curves.png", "psi_weights.png"):
        assert (out / figure).stat().st_size > 10_000, figure
        assert figure in report

    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [row["configuration"] for row in rows] == ["warm_start", "grpo", "lead"]
    results = json.loads((out / "results.json").read_text())
    assert results["seeds"] == [0] and results["table_1"] in (["grpo", "lead"], ["lead", "grpo"])
    lead = json.loads((out / "runs" / "lead" / "seed0.json").read_text())
    assert [row["step"] for row in lead["history"]] == [1.0, 2.0, 3.0]
    weights = [row["lead/w_corr"] for row in lead["history"]]
    assert len(set(weights)) == len(weights), "the PSI weights should move every step"
    assert all(0.3 <= w <= 1.0 for w in weights)
