"""The demo end to end: the console script runs a (shortened) quick demo and writes its report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lead.demo.cli import FIGURES

TINY_RUN = [
    "--quick",
    "--sft-steps", "30",
    "--rl-steps", "3",
    "--eval-problems", "8",
    "--eval-samples", "1",
    "--train-problems", "40",
    "--prompts-per-step", "4",
    "--num-generations", "4",
    "--max-completion-length", "64",
]  # fmt: skip


def demo_command() -> list[str]:
    script = shutil.which("lead-demo") or str(Path(sys.executable).with_name("lead-demo"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "lead.demo.cli"]


@pytest.mark.slow
def test_quick_demo_writes_the_report_and_logs_lengths_and_weights(tmp_path) -> None:
    out = tmp_path / "report"
    result = subprocess.run(
        [*demo_command(), *TINY_RUN, "--out", str(out)], capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "lambda_c" in result.stdout and "Report:" in result.stdout

    summary = (out / "summary.md").read_text()
    assert "## Closing note" in summary and "GRPO" in summary
    for figure in FIGURES:
        assert (out / figure).stat().st_size > 10_000, figure
        assert figure in summary

    for method in ("grpo", "lead"):
        history = json.loads((out / f"history_{method}.json").read_text())
        assert [row["step"] for row in history] == [1.0, 2.0, 3.0]
        assert all(row["completions/mean_length"] > 0 for row in history)
    lead_history = json.loads((out / "history_lead.json").read_text())
    weights = [row["lead/w_corr"] for row in lead_history]
    assert len(set(weights)) == len(weights), "the PSI weights should move every step"
    assert all(0.3 <= w <= 1.0 for w in weights)
