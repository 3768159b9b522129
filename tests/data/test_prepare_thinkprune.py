"""scripts/data/prepare_thinkprune.py on the shipped training parquet: the cap statement, ids, CLI."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from lead.data.schema import load_rl_parquet

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "data" / "prepare_thinkprune.py"
TRAIN = ROOT / "data" / "math" / "train.parquet"


def _load_script():
    spec = importlib.util.spec_from_file_location("prepare_thinkprune", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


prepare_thinkprune = _load_script()


def test_every_row_states_the_cap_after_its_own_instruction(tmp_path):
    output = tmp_path / "cap3000.parquet"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--cap", "3000", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "cap 3000: 8521 rows" in result.stdout
    source, built = load_rl_parquet(TRAIN), load_rl_parquet(output)
    assert list(built.columns) == list(source.columns) and len(built) == len(source) == 8521
    for (_, old), (_, new) in zip(source.iterrows(), built.iterrows(), strict=True):
        (message,) = new["prompt"]
        assert message["content"] == (
            old["prompt"][0]["content"] + " The output of the assistant should be within 3000 tokens."
        )
        assert new["extra_info"] == {**old["extra_info"], "length_cap": 3000}
        assert new["reward_model"] == old["reward_model"] and new["data_source"] == old["data_source"]


def test_default_output_and_same_bytes_for_the_same_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(prepare_thinkprune, "ROOT", tmp_path)
    small = tmp_path / "small.parquet"
    load_rl_parquet(TRAIN).head(20).to_parquet(small, index=False)
    assert prepare_thinkprune.main(["--cap", "2000", "--input", str(small)]) == 0
    default = tmp_path / "data" / "thinkprune" / "train_cap2000.parquet"
    assert (
        prepare_thinkprune.main(["--cap", "2000", "--input", str(small), "--output", str(tmp_path / "b")])
        == 0
    )
    assert default.read_bytes() == (tmp_path / "b").read_bytes()
    assert (
        prepare_thinkprune.cap_instruction(2000)
        == "The output of the assistant should be within 2000 tokens."
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cap", "0"], "--cap 0 is invalid: allowed is an integer >= 1 (tokens)"),
        (["--cap", "-5"], "--cap -5 is invalid"),
        (["--cap", "2k"], "argument --cap: invalid int value: '2k'"),
        ([], "the following arguments are required: --cap"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        prepare_thinkprune.main(args)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_missing_input_exits_1(tmp_path, capsys):
    args = [
        "--cap",
        "100",
        "--input",
        str(tmp_path / "none.parquet"),
        "--output",
        str(tmp_path / "o.parquet"),
    ]
    assert prepare_thinkprune.main(args) == 1 and "no such file" in capsys.readouterr().err
