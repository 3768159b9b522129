"""The parquet files shipped in data/: counts, schema, gold answers, prompts, rebuild and check CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lead.data.builders import BENCHMARKS, benchmark_rows, math_train_rows, normalize_gold, read_jsonl
from lead.data.hub import HubUnavailableError, load_hub_records
from lead.data.schema import COLUMNS, INSTRUCTION, SchemaError, load_rl_parquet
from lead.reward import grade

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_ROWS = {
    "math/train.parquet": 8521,
    "math/test.parquet": 500,
    "eval/math500.parquet": 500,
    "eval/aime24.parquet": 30,
    "eval/aime25.parquet": 30,
    "eval/amc23.parquet": 40,
    "eval/olympiadbench.parquet": 675,
}


@pytest.fixture(scope="module", params=sorted(EXPECTED_ROWS))
def shipped(request: pytest.FixtureRequest) -> tuple[str, pd.DataFrame]:
    return request.param, load_rl_parquet(ROOT / "data" / request.param)


def test_row_counts_and_columns(shipped: tuple[str, pd.DataFrame]) -> None:
    name, frame = shipped
    assert len(frame) == EXPECTED_ROWS[name]
    assert list(frame.columns) == list(COLUMNS)
    assert set(frame["ability"]) == {"math"}
    assert {row["style"] for row in frame["reward_model"]} == {"rule"}
    assert frame["extra_info"].map(lambda info: info["index"]).is_unique


def test_prompts_are_one_user_message_ending_with_the_instruction(shipped: tuple[str, pd.DataFrame]) -> None:
    _, frame = shipped
    for messages in frame["prompt"]:
        assert len(messages) == 1
        assert messages[0]["role"] == "user"
        assert messages[0]["content"].endswith(INSTRUCTION)
        assert len(messages[0]["content"]) > len(INSTRUCTION) + 10


def test_every_gold_answer_grades_correct_against_itself(shipped: tuple[str, pd.DataFrame]) -> None:
    _, frame = shipped
    failures = [
        row["ground_truth"]
        for row in frame["reward_model"]
        if not grade(
            f"Therefore the answer is $\\boxed{{{row['ground_truth']}}}$.", row["ground_truth"]
        ).correct
    ]
    assert failures == []


def test_data_sources_and_eval_extra_info(shipped: tuple[str, pd.DataFrame]) -> None:
    name, frame = shipped
    if name.startswith("math/"):
        assert set(frame["data_source"]) == {"deepscaler"}
        return
    benchmark = Path(name).stem
    assert set(frame["data_source"]) == {benchmark}
    for messages, info in zip(frame["prompt"], frame["extra_info"], strict=True):
        assert info["benchmark"] == benchmark
        assert info["split"] == "test"
        assert isinstance(info["problem_id"], str) and info["problem_id"]
        assert messages[0]["content"] == info["problem"] + INSTRUCTION
    assert frame["extra_info"].map(lambda info: info["problem_id"]).is_unique


def test_gold_answers_are_normalised() -> None:
    aime24 = load_rl_parquet(ROOT / "data/eval/aime24.parquet")
    amc23 = load_rl_parquet(ROOT / "data/eval/amc23.parquet")
    olympiad = load_rl_parquet(ROOT / "data/eval/olympiadbench.parquet")
    math500 = load_rl_parquet(ROOT / "data/eval/math500.parquet")
    frames = (aime24, amc23, olympiad, math500)
    golds = [row["ground_truth"] for frame in frames for row in frame["reward_model"]]
    assert not [gold for gold in golds if "$" in gold or gold != gold.strip() or re.search(r"\\\d", gold)]
    assert not [gold for gold in golds if gold.isdigit() and gold != str(int(gold))]
    assert not [gold for gold in golds if gold.endswith(".0")]
    assert aime24["reward_model"].iloc[7]["ground_truth"] == "25"  # raw "025"
    assert amc23["reward_model"].iloc[0]["ground_truth"] == "27"  # raw 27.0


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(27.0, "27"), (2.5, "2.5"), (70, "70"), ("025", "25"), ("0", "0"), ("$\\frac{1}{2}$", "\\frac{1}{2}"),
     (["$x$"], "x"), ("\\$32,\\!348", "32,\\!348"),
     ("$(-\\infty, 0) \\cup\\{1\\}$.", "(-\\infty, 0) \\cup\\{1\\}")],
)  # fmt: skip
def test_normalize_gold(raw: object, expected: str) -> None:
    assert normalize_gold(raw) == expected


@pytest.mark.parametrize("raw", ["", "  $ $ ", [], None, True])
def test_normalize_gold_rejects_empty_or_odd_values(raw: object) -> None:
    with pytest.raises(ValueError, match="gold answer"):
        normalize_gold(raw)


def test_math500_carries_the_raw_difficulty_levels() -> None:
    levels = [info["level"] for info in load_rl_parquet(ROOT / "data/eval/math500.parquet")["extra_info"]]
    assert levels == [str(record["level"]) for record in read_jsonl(ROOT / "data/raw/math500.jsonl")]
    assert sorted(set(levels)) == ["1", "2", "3", "4", "5"]
    assert levels[0] == "2"  # test/precalculus/807.json is a level 2 problem


def test_eval_rows_follow_the_raw_records() -> None:
    records = read_jsonl(ROOT / "data/raw/olympiadbench.jsonl")
    rows = benchmark_rows(BENCHMARKS["olympiadbench"], records[:3])
    assert [row["extra_info"]["problem_id"] for row in rows] == [str(record["id"]) for record in records[:3]]
    assert rows[0]["reward_model"]["ground_truth"] == normalize_gold(records[0]["final_answer"])


def test_math_train_rows_from_hub_shaped_records() -> None:
    """The hub route's builder: levels 3-5 kept, MATH-500 problems dropped, gold = last boxed answer."""
    records = [
        {"problem": "P1", "solution": "so $\\boxed{\\frac{1}{2}}$", "level": "Level 3", "type": "Algebra"},
        {"problem": "P2", "solution": "$\\boxed{7}$", "level": "Level 2", "type": "Algebra"},
        {"problem": "P3", "solution": "$\\boxed{9}$", "level": "Level 5", "type": "Geometry"},
        {"problem": "P4", "solution": "no box here", "level": "Level 4", "type": "Geometry"},
    ]
    rows = math_train_rows(records, excluded_problems=["P3"])
    assert [row["reward_model"]["ground_truth"] for row in rows] == ["\\frac{1}{2}"]
    assert rows[0]["extra_info"] == {"index": 0, "level": "3", "split": "train", "subject": "Algebra"}
    assert rows[0]["prompt"][0]["content"] == "P1" + INSTRUCTION


def test_hub_loader_reads_a_dataset_folder_like_the_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real ``datasets`` loading code on a local dataset folder gives the same rows as the raw file."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    folder = tmp_path / "aime25"
    folder.mkdir()
    (folder / "test.jsonl").write_bytes((ROOT / "data/raw/aime25.jsonl").read_bytes())
    records = load_hub_records(str(folder), None, "test")
    benchmark = BENCHMARKS["aime25"]
    assert benchmark_rows(benchmark, records) == benchmark_rows(benchmark, read_jsonl(folder / "test.jsonl"))
    with pytest.raises(HubUnavailableError, match="--source raw"):
        load_hub_records(str(tmp_path / "no-such-dataset"), None, "test")


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, check=False, env=env, timeout=300
    )


@pytest.mark.slow
def test_scripts_rebuild_the_shipped_files_byte_for_byte(tmp_path: Path) -> None:
    math = _run("scripts/data/prepare_math.py", "--out-dir", str(tmp_path / "math"))
    evals = _run("scripts/data/prepare_eval.py", "--out-dir", str(tmp_path / "eval"))
    assert math.returncode == 0 and evals.returncode == 0, math.stderr + evals.stderr
    assert "train: 8521 rows" in math.stdout and "olympiadbench: 675 rows" in evals.stdout
    for name in EXPECTED_ROWS:
        assert (tmp_path / name).read_bytes() == (ROOT / "data" / name).read_bytes(), name


@pytest.mark.parametrize("script", ["scripts/data/prepare_math.py", "scripts/data/prepare_eval.py"])
def test_hub_source_without_hub_access_fails_clearly(script: str, tmp_path: Path) -> None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    result = _run(script, "--source", "hub", "--out-dir", str(tmp_path / "out"), env=env)
    assert result.returncode == 1
    assert "Hugging Face Hub" in result.stderr and "--source raw" in result.stderr
    assert not (tmp_path / "out").exists()


def test_check_cli_counts_valid_files() -> None:
    result = _run("-m", "lead.data.check", "data/eval/aime24.parquet", "data/math/test.parquet")
    assert result.returncode == 0, result.stderr
    assert "data/eval/aime24.parquet: 30 rows; data_source aime24=30; 30/30 prompts" in result.stdout
    assert "data/math/test.parquet: 500 rows" in result.stdout


def _write_broken(tmp_path: Path, name: str, change) -> Path:
    frame = pd.read_parquet(ROOT / "data/eval/aime24.parquet")
    frame = change(frame)
    path = tmp_path / name
    frame.to_parquet(path)
    return path


def _empty_first_gold(frame: pd.DataFrame) -> pd.DataFrame:
    frame["reward_model"] = [{"ground_truth": "" if i == 0 else row["ground_truth"], "style": "rule"}
                             for i, row in enumerate(frame["reward_model"])]  # fmt: skip
    return frame


def test_check_cli_rejects_bad_files(tmp_path: Path) -> None:
    missing_column = _write_broken(
        tmp_path, "no_prompt.parquet", lambda frame: frame.drop(columns=["prompt"])
    )
    empty_gold = _write_broken(tmp_path, "empty_gold.parquet", _empty_first_gold)
    unreadable = tmp_path / "garbage.parquet"
    unreadable.write_bytes(b"not a parquet file at all")
    expected = {
        missing_column: "missing column(s) ['prompt']",
        empty_gold: "row 0: reward_model.ground_truth must be a non-empty string",
        unreadable: "not a readable parquet file",
        tmp_path / "absent.parquet": "no such file",
    }
    result = _run("-m", "lead.data.check", "data/eval/amc23.parquet", *map(str, expected))
    assert result.returncode == 1
    assert "data/eval/amc23.parquet: 40 rows" in result.stdout
    errors = result.stderr.splitlines()
    assert len(errors) == len(expected)
    for line, (path, message) in zip(errors, expected.items(), strict=True):
        assert str(path) in line and message in line, line
        with pytest.raises(SchemaError, match=re.escape(message)):
            load_rl_parquet(path)
