"""lead-eval end to end with the transformers backend on a tiny model: files, summary, resume."""

import csv
import json
import subprocess
import sys

import pytest

from lead.eval.cli import main


def run_cli(model, benchmark, out, *extra):
    args = [str(model), "--benchmarks", str(benchmark), "--n", "2", "--max-new-tokens", "16"]
    return main(
        [
            *args,
            "--backend",
            "transformers",
            "--device",
            "cpu",
            "--batch-size",
            "3",
            "--out",
            str(out),
            *extra,
        ]
    )


def read_samples(out):
    return [json.loads(line) for line in (out / "samples.jsonl").read_text().splitlines()]


def test_run_writes_consistent_files(tiny_model_dir, benchmark_file, tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(tiny_model_dir, benchmark_file, out) == 0
    assert {p.name for p in out.iterdir()} == {
        "meta.json",
        "samples.jsonl",
        "results.json",
        "results.csv",
        "results.md",
    }

    samples = read_samples(out)
    assert len(samples) == 8
    assert len({(s["benchmark"], s["problem_id"], s["sample_index"]) for s in samples}) == 8
    # the tiny model always answers \boxed{4}: right for p0 and p2 only
    assert {s["response"] for s in samples} == {"\\boxed{4}"}
    assert {s["problem_id"] for s in samples if s["correct"]} == {"p0", "p2"}
    assert all(s["pred"] == "4" and s["num_tokens"] == 10 and s["finish_reason"] == "stop" for s in samples)

    results = json.loads((out / "results.json").read_text())
    toy = results["benchmarks"]["toy"]
    assert toy["pass@1"] == pytest.approx(sum(s["correct"] for s in samples) / len(samples))
    assert toy["mean_tokens"] == pytest.approx(sum(s["num_tokens"] for s in samples) / len(samples))
    assert toy["truncation_rate"] == pytest.approx(sum(s["finish_reason"] == "length" for s in samples) / 8)
    assert (toy["num_problems"], toy["n"], toy["pass@k"]["2"]) == (4, 2, pytest.approx(0.5))
    assert results["average"]["pass@1"] == toy["pass@1"]
    assert results["settings"]["max_new_tokens"] == 16 and results["settings"]["backend"] == "transformers"

    rows = {row["benchmark"]: row for row in csv.DictReader((out / "results.csv").open())}
    assert float(rows["toy"]["pass@1"]) == pytest.approx(toy["pass@1"])
    assert float(rows["average"]["mean_tokens"]) == pytest.approx(10)
    printed = capsys.readouterr().out
    assert "| toy | 2 | 4 | 50.00 |" in printed
    assert printed.strip() == (out / "results.md").read_text().strip()


def test_resume_after_interruption_matches_an_uninterrupted_run(random_model_dir, benchmark_file, tmp_path):
    full, resumed = tmp_path / "full", tmp_path / "resumed"
    run_cli(random_model_dir, benchmark_file, full)
    run_cli(random_model_dir, benchmark_file, resumed)
    log = resumed / "samples.jsonl"
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:3]) + lines[3][: len(lines[3]) // 2])  # killed while writing line 4

    run_cli(random_model_dir, benchmark_file, resumed)
    after = log.read_bytes().splitlines(keepends=True)
    assert after[:3] == lines[:3]
    assert json.loads((resumed / "results.json").read_text())["samples_generated"] == 5
    keyed = {(s["problem_id"], s["sample_index"]): s for s in read_samples(resumed)}
    assert len(keyed) == len(after) == 8
    assert keyed == {(s["problem_id"], s["sample_index"]): s for s in read_samples(full)}
    summary = json.loads((resumed / "results.json").read_text())["benchmarks"]
    assert summary == json.loads((full / "results.json").read_text())["benchmarks"]

    run_cli(random_model_dir, benchmark_file, resumed)
    assert log.read_bytes().splitlines(keepends=True) == after
    assert json.loads((resumed / "results.json").read_text())["samples_generated"] == 0


def test_seed_changes_the_samples(random_model_dir, benchmark_file, tmp_path):
    run_cli(random_model_dir, benchmark_file, tmp_path / "a", "--seed", "0")
    run_cli(random_model_dir, benchmark_file, tmp_path / "b", "--seed", "1")
    assert [s["response"] for s in read_samples(tmp_path / "a")] != [
        s["response"] for s in read_samples(tmp_path / "b")
    ]


def test_short_budget_truncates_every_sample(tiny_model_dir, benchmark_file, tmp_path):
    out = tmp_path / "short"
    run_cli(tiny_model_dir, benchmark_file, out, "--max-new-tokens", "4")
    toy = json.loads((out / "results.json").read_text())["benchmarks"]["toy"]
    assert (toy["truncation_rate"], toy["mean_tokens"], toy["pass@1"]) == (1.0, 4.0, 0.0)
    assert {s["response"] for s in read_samples(out)} == {"\\box"}


def test_changed_protocol_in_the_same_folder_is_refused(tiny_model_dir, benchmark_file, tmp_path, capsys):
    out = tmp_path / "out"
    run_cli(tiny_model_dir, benchmark_file, out)
    with pytest.raises(SystemExit):
        run_cli(tiny_model_dir, benchmark_file, out, "--temperature", "0.6")
    assert "temperature=0.8" in capsys.readouterr().err


@pytest.mark.slow
def test_console_script_reports_bad_benchmarks(tiny_model_dir):
    result = subprocess.run(
        [sys.executable, "-m", "lead.eval", str(tiny_model_dir), "--benchmarks", "gsm8k"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        "unknown benchmark 'gsm8k'; allowed: math500, aime24, aime25, amc23, olympiadbench" in result.stderr
    )


def test_missing_model_is_reported(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing_model")])
    assert "no such folder" in capsys.readouterr().err
