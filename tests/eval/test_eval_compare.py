"""lead-eval compare: the Table 1 layout, CSV, AES against a base and the plots, from fixture results."""

import csv
import json

import matplotlib.image
import pytest

from lead.eval.cli import main
from lead.eval.compare import compare
from lead.eval.metrics import average_metrics, benchmark_metrics
from lead.eval.report import write_results
from lead.eval.samples import SampleRecord

SETTINGS = {"prompt_template": "train", "temperature": 0.8, "top_p": 0.9, "max_new_tokens": 32768, "seed": 0}


def write_fixture_results(folder, scores, step=None):
    """Results of a model scoring ``scores[benchmark] = (correct, problems, tokens)`` with one sample each."""
    per_benchmark = {}
    for name, (correct, problems, tokens) in scores.items():
        records = [
            SampleRecord(name, str(i), 0, i, "r", tokens, "stop", "1", True, i < correct)
            for i in range(problems)
        ]
        per_benchmark[name] = benchmark_metrics(records, n=1)
    results = {
        "model": str(folder),
        "label": folder.name,
        "step": step,
        "samples_generated": 0,
        "settings": {**SETTINGS, "model": str(folder), "backend": "vllm"},
        "benchmarks": per_benchmark,
        "average": average_metrics(per_benchmark),
        "aes": None,
    }
    folder.mkdir(parents=True)
    write_results(folder, results)
    return folder


@pytest.fixture
def results_folders(tmp_path):
    base = write_fixture_results(tmp_path / "base", {"math500": (8, 10, 4000), "aime24": (3, 10, 12000)})
    short = write_fixture_results(tmp_path / "short", {"math500": (41, 50, 2000), "aime24": (3, 10, 6000)})
    run = tmp_path / "lead_run"
    write_fixture_results(
        run / "global_step_50", {"math500": (7, 10, 3000), "aime24": (2, 10, 9000)}, step=50
    )
    write_fixture_results(
        run / "global_step_100", {"math500": (9, 10, 2500), "aime24": (4, 10, 7000)}, step=100
    )
    return base, short, run


def test_table_rows_and_aes_against_the_base(results_folders, tmp_path):
    base, short, run = results_folders
    table = compare([short, run], tmp_path / "cmp", base=base)
    lines = table.splitlines()
    assert "| Model | MATH-500 | AIME 2024 | Avg. | Tokens | AES |" in lines
    # short vs base on the average: accuracy 0.56 vs 0.55, tokens 4000 vs 8000:
    # dL = 0.5, dA = 0.01 / 0.55 -> AES = 0.5 + 3 * 0.01818 = +0.55
    assert "| short | 82.00 | 30.00 | 56.00 | 4,000 | +0.55 |" in lines
    assert "| base | 80.00 | 30.00 | 55.00 | 8,000 | +0.00 |" in lines
    # run's final step: 0.65 at 4750 tokens -> dL = 0.40625, dA = 0.1 / 0.55 -> +0.95
    assert "| lead_run (step 100) | 90.00 | 40.00 | 65.00 | 4,750 | +0.95 |" in lines
    rows = [line for line in lines if line.startswith("| ") and "---" not in line]
    assert [row.split(" | ")[0] for row in rows[1:4]] == ["| base", "| short", "| lead_run (step 100)"]

    csv_rows = list(csv.DictReader((tmp_path / "cmp" / "compare.csv").open()))
    assert len(csv_rows) == 3 + 3 + 2 * 3  # base, short, two run steps; each 2 benchmarks + average
    short_math = next(r for r in csv_rows if r["label"] == "short" and r["benchmark"] == "math500")
    assert float(short_math["aes"]) == pytest.approx(0.5 + 3 * 0.025)  # dL = 0.5, dA = 0.02 / 0.8
    assert [r["step"] for r in csv_rows if r["label"] == "lead_run" and r["benchmark"] == "average"] == [
        "50",
        "100",
    ]
    saved = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert [entry["label"] for entry in saved] == ["base", "short", "lead_run (step 100)"]


def test_base_is_listed_once_and_partial_averages_are_marked(results_folders, tmp_path):
    base, _, _ = results_folders
    math_only = write_fixture_results(tmp_path / "math_only", {"math500": (9, 10, 1000)})
    table = compare([base, math_only], tmp_path / "cmp", base=base)
    assert table.count("| base |") == 2  # once in each table
    # AES over the shared benchmark only: dL = 0.75, dA = 0.1 / 0.8
    assert "| math_only | 90.00 | - | 90.00* | 1,000* | +1.12 |" in table
    assert "averaged over the benchmarks this model was evaluated on only" in table


def test_plots_are_written(results_folders, tmp_path):
    base, short, run = results_folders
    compare([base, short, run], tmp_path / "cmp")
    pareto = matplotlib.image.imread(tmp_path / "cmp" / "pareto.png")
    curve = matplotlib.image.imread(tmp_path / "cmp" / "learning_curve_lead_run.png")
    assert pareto.shape[0] > 300 and pareto.shape[1] > 600
    assert curve.shape[0] > 300
    assert pareto.std() > 0.05 and curve.std() > 0.05  # not blank


def test_without_base_aes_is_blank_and_labels_apply(results_folders, tmp_path):
    base, short, _ = results_folders
    table = compare([base, short], tmp_path / "cmp", labels=["R1-1.5B", "LEAD-4K"])
    assert "| R1-1.5B | 80.00 | 30.00 | 55.00 | 8,000 | - |" in table
    assert "| LEAD-4K |" in table


def test_bad_inputs_are_explained(results_folders, tmp_path):
    base, short, _ = results_folders
    with pytest.raises(ValueError, match="2 folders"):
        compare([base, short], tmp_path / "cmp", labels=["only one"])
    with pytest.raises(ValueError, match=r"neither results\.json nor evaluated checkpoints"):
        compare([tmp_path], tmp_path / "cmp")


def test_compare_command(results_folders, tmp_path, capsys):
    base, short, run = results_folders
    assert main(["compare", str(short), str(run), "--base", str(base), "--out", str(tmp_path / "c")]) == 0
    assert "| short | 82.00 | 30.00 | 56.00 | 4,000 | +0.55 |" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [
        "compare.csv",
        "compare.json",
        "compare.md",
        "learning_curve_lead_run.png",
        "pareto.png",
    ]
