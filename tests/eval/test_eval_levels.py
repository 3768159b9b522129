"""Difficulty levels: read from extra_info, scored per level, shown in results and in compare."""

import json

import matplotlib.image
import pytest

from lead.eval.cli import main
from lead.eval.compare import compare
from lead.eval.metrics import average_metrics, benchmark_metrics, level_metrics, level_order
from lead.eval.problems import difficulty_level, load_problems
from lead.eval.protocol import default_data_dir, resolve_benchmarks
from lead.eval.report import write_results
from lead.eval.samples import SampleRecord


@pytest.mark.parametrize(
    ("extra_info", "expected"),
    [
        ({"level": "3"}, "3"),
        ({"level": 3}, "3"),
        ({"level": "Level 4"}, "4"),
        ({"difficulty": 6.5}, "6.5"),
        ({"difficulty": 7.0}, "7"),
        ({"level": None, "difficulty": "hard"}, "hard"),
        ({"level": float("nan")}, None),
        ({"level": " "}, None),
        ({"index": 0}, None),
    ],
)
def test_difficulty_level(extra_info, expected):
    assert difficulty_level(extra_info) == expected


def test_levels_sort_by_value_then_name():
    assert sorted(["10", "hard", "2", "1.5", "easy"], key=level_order) == ["1.5", "2", "10", "easy", "hard"]


def test_shipped_math500_problems_have_levels():
    (spec,) = resolve_benchmarks(["math500"], default_data_dir())
    problems = load_problems(spec, "train", limit=3)
    assert [p.level for p in problems] == ["2", "5", "3"]


def record(problem_id, index, correct, tokens):
    return SampleRecord("b", problem_id, index, 0, "r", tokens, "stop", "x", True, correct, 16)


def test_level_metrics_against_hand_values():
    records = [
        record("a", 0, True, 100), record("a", 1, False, 300),  # level 1
        record("b", 0, True, 500), record("b", 1, True, 700),  # level 2
        record("c", 0, False, 900), record("c", 1, False, 1100),  # level 2
        record("d", 0, True, 50), record("d", 1, True, 50),  # no level
    ]  # fmt: skip
    levels = level_metrics(records, {"a": "1", "b": "2", "c": "2", "d": None}, n=2)
    assert list(levels) == ["1", "2"]
    assert levels["1"] == {
        "num_problems": 1,
        "pass@1": 0.5,
        "pass@1_stderr": None,
        "mean_tokens": 200,
        "mean_tokens_correct": 100,
        "truncation_rate": 0.0,
    }
    assert (levels["2"]["num_problems"], levels["2"]["pass@1"], levels["2"]["mean_tokens"]) == (2, 0.5, 800)
    assert levels["2"]["pass@1_stderr"] == pytest.approx(0.5)  # accuracies 1 and 0: sd 0.707 / sqrt(2)


LEVELS = [{"level": "1"}, {"level": "1"}, {"level": "2"}, {"level": "3"}]


def test_results_carry_accuracy_and_tokens_per_level(tiny_model_dir, benchmark_writer, tmp_path, capsys):
    """The tiny model answers 4: right for p0 (level 1) and p2 (level 2) only."""
    benchmark = benchmark_writer(tmp_path / "leveled.parquet", "leveled", extra=LEVELS)
    plain = benchmark_writer(tmp_path / "plain.parquet", "plain")
    out = tmp_path / "out"
    args = ["--benchmarks", str(benchmark), str(plain), "--n", "2", "--max-new-tokens", "16"]
    assert (
        main([str(tiny_model_dir), *args, "--backend", "transformers", "--device", "cpu", "--out", str(out)])
        == 0
    )
    results = json.loads((out / "results.json").read_text())
    levels = results["benchmarks"]["leveled"]["levels"]
    assert {level: (m["num_problems"], m["pass@1"], m["mean_tokens"]) for level, m in levels.items()} == {
        "1": (2, 0.5, 10),
        "2": (1, 1.0, 10),
        "3": (1, 0.0, 10),
    }
    assert "levels" not in results["benchmarks"]["plain"]
    table = (out / "results.md").read_text()
    assert "| Benchmark | Level | Problems | pass@1 (%) | ± SE | Tokens | Tokens (correct) |" in table
    assert "| leveled | 1 | 2 | 50.00 | 50.00 | 10 | 10 |" in table
    assert "| leveled | 3 | 1 | 0.00 | - | 10 | - |" in table
    assert "| plain |" not in table.split("By difficulty level")[1].split("Generation budget")[0]
    assert capsys.readouterr().out.strip() == table.strip()


SETTINGS = {"prompt_template": "train", "temperature": 0.8, "top_p": 0.9, "max_new_tokens": 32768, "seed": 0}


def write_leveled_results(folder, tokens_by_level, correct_by_level):
    """Results of a model with one MATH-500 problem per level, one sample each."""
    records, levels = [], {}
    for i, (level, tokens) in enumerate(tokens_by_level.items()):
        records.append(
            SampleRecord("math500", str(i), 0, i, "r", tokens, "stop", "1", True, correct_by_level[level])
        )
        levels[str(i)] = level
    metrics = benchmark_metrics(records, n=1)
    metrics["levels"] = level_metrics(records, levels, n=1)
    per_benchmark = {"math500": metrics}
    results = {
        "model": str(folder),
        "label": folder.name,
        "step": None,
        "samples_generated": 0,
        "settings": {**SETTINGS, "model": str(folder), "backend": "vllm"},
        "benchmarks": per_benchmark,
        "average": average_metrics(per_benchmark),
        "aes": None,
    }
    folder.mkdir(parents=True)
    write_results(folder, results)
    return folder


def test_compare_tabulates_and_plots_tokens_against_level(tmp_path):
    everything = {"1": True, "2": True, "3": True}
    base = write_leveled_results(tmp_path / "base", {"1": 3000, "2": 3100, "3": 3200}, everything)
    lead = write_leveled_results(
        tmp_path / "lead", {"1": 500, "2": 1500, "3": 2800}, {**everything, "3": False}
    )
    table = compare([base, lead], tmp_path / "cmp", base=base)
    lines = table.splitlines()
    assert "MATH-500: mean response tokens (pass@1, %) by difficulty level" in lines
    assert "| Model | Level 1 | Level 2 | Level 3 |" in lines
    assert "| base | 3,000 (100.00) | 3,100 (100.00) | 3,200 (100.00) |" in lines
    assert "| lead | 500 (100.00) | 1,500 (100.00) | 2,800 (0.00) |" in lines
    assert (tmp_path / "cmp" / "compare.md").read_text() == table
    plot = matplotlib.image.imread(tmp_path / "cmp" / "tokens_by_level.png")
    assert plot.shape[0] > 300 and plot.std() > 0.05


def test_compare_without_levels_writes_no_level_plot(tmp_path):
    lead = write_leveled_results(tmp_path / "lead", {"1": 500}, {"1": True})
    results = json.loads((lead / "results.json").read_text())
    del results["benchmarks"]["math500"]["levels"]
    write_results(lead, results)
    table = compare([lead], tmp_path / "cmp")
    assert "by difficulty level" not in table
    assert not (tmp_path / "cmp" / "tokens_by_level.png").exists()
