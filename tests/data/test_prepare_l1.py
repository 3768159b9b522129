"""scripts/data/prepare_l1.py on the shipped training parquet: schema, targets, kinds, determinism, CLI."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from lead.data.l1 import l1_instruction
from lead.data.schema import INSTRUCTION, load_rl_parquet

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "data" / "prepare_l1.py"
TRAIN = ROOT / "data" / "math" / "train.parquet"


def _load_script():
    spec = importlib.util.spec_from_file_location("prepare_l1", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


prepare_l1 = _load_script()


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def source() -> pd.DataFrame:
    return load_rl_parquet(TRAIN)


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    output = tmp_path_factory.mktemp("l1") / "mix.parquet"
    return output, _run("--mode", "mix", "--seed", "3", "--output", str(output))


def test_mix_keeps_every_row_and_adds_its_own_target(source, mixed):
    output, result = mixed
    assert result.returncode == 0, result.stderr
    built = load_rl_parquet(output)  # valid RL schema, or this raises
    assert list(built.columns) == list(source.columns) and len(built) == len(source) == 8521
    for (_, old), (_, new) in zip(source.iterrows(), built.iterrows(), strict=True):
        info = new["extra_info"]
        assert {key: info[key] for key in old["extra_info"]} == old["extra_info"]
        assert isinstance(info["l1_target"], int) and 100 <= info["l1_target"] <= 4000
        assert info["l1_kind"] in ("exact", "max")
        (message,) = new["prompt"]
        assert message["role"] == "user"
        assert (
            message["content"]
            == f"{old['prompt'][0]['content']} {l1_instruction(info['l1_kind'], info['l1_target'])}"
        )
        assert old["prompt"][0]["content"].endswith(INSTRUCTION)
        assert new["reward_model"] == old["reward_model"] and new["data_source"] == old["data_source"]


def test_mix_is_half_and_half_and_covers_the_range(mixed):
    output, result = mixed
    built = load_rl_parquet(output)
    kinds = built["extra_info"].map(lambda info: info["l1_kind"])
    targets = built["extra_info"].map(lambda info: info["l1_target"])
    num_max = int((kinds == "max").sum())
    # a fair coin per row: 8521 / 2 = 4260.5, standard deviation sqrt(8521) / 2 = 46
    assert abs(num_max - 4260.5) < 4 * 46
    assert f"({8521 - num_max} exact, {num_max} max)" in result.stdout
    assert targets.min() < 110 and targets.max() > 3990  # uniform over [100, 4000]
    for kind in ("exact", "max"):  # both kinds draw from the whole range
        assert targets[kinds == kind].mean() == pytest.approx(2050, abs=60)


def test_same_seed_same_bytes_other_seed_other_targets(tmp_path, mixed):
    output, _ = mixed
    assert prepare_l1.main(["--mode", "mix", "--seed", "3", "--output", str(tmp_path / "again.parquet")]) == 0
    assert (tmp_path / "again.parquet").read_bytes() == output.read_bytes()
    assert prepare_l1.main(["--mode", "mix", "--seed", "4", "--output", str(tmp_path / "other.parquet")]) == 0
    first, other = (load_rl_parquet(path)["extra_info"] for path in (output, tmp_path / "other.parquet"))
    assert list(first.map(lambda info: info["l1_target"])) != list(other.map(lambda info: info["l1_target"]))


@pytest.mark.parametrize("mode", ["exact", "max"])
def test_single_kind_modes_and_bounds(tmp_path, mode):
    output = tmp_path / f"{mode}.parquet"
    assert (
        prepare_l1.main(["--mode", mode, "--min-tokens", "50", "--max-tokens", "52", "--output", str(output)])
        == 0
    )
    infos = load_rl_parquet(output)["extra_info"]
    assert set(infos.map(lambda info: info["l1_kind"])) == {mode}
    assert set(infos.map(lambda info: info["l1_target"])) == {50, 51, 52}


def test_budget_scales_the_default_range(tmp_path):
    output = tmp_path / "small.parquet"
    assert prepare_l1.main(["--mode", "exact", "--budget", "128", "--output", str(output)]) == 0
    targets = load_rl_parquet(output)["extra_info"].map(lambda info: info["l1_target"])
    assert (targets.min(), targets.max()) == (3, 125)  # [100, 4000] x 128 / 4096, rounded


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "both"], "argument --mode: invalid choice: 'both'"),
        (["--mode", "exact", "--min-tokens", "0"], "--min-tokens 0 is invalid: allowed is an integer >= 1"),
        (
            ["--mode", "exact", "--min-tokens", "300", "--max-tokens", "200"],
            "--max-tokens 200 is invalid: allowed is an integer >= --min-tokens (300)",
        ),
        (["--mode", "max", "--budget", "-8"], "--budget -8 is invalid: allowed is a number of tokens > 0"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        prepare_l1.main(args)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_bad_arguments_exit_2_from_the_command_line():
    result = _run("--mode", "exact", "--min-tokens", "-3")
    assert result.returncode == 2 and "--min-tokens -3 is invalid" in result.stderr, result.stderr


def test_missing_input_exits_1(tmp_path, capsys):
    args = [
        "--mode",
        "exact",
        "--input",
        str(tmp_path / "none.parquet"),
        "--output",
        str(tmp_path / "o.parquet"),
    ]
    assert prepare_l1.main(args) == 1 and "no such file" in capsys.readouterr().err


def test_test_split_gets_targets_too(tmp_path, monkeypatch):
    """--split test reads MATH-500 and writes data/l1/test_<mode>.parquet (validation is scored by L1)."""
    monkeypatch.setattr(prepare_l1, "ROOT", tmp_path)
    math = tmp_path / "data" / "math"
    math.mkdir(parents=True)
    (math / "test.parquet").write_bytes((ROOT / "data" / "math" / "test.parquet").read_bytes())
    assert prepare_l1.main(["--mode", "mix", "--split", "test"]) == 0
    built = load_rl_parquet(tmp_path / "data" / "l1" / "test_mix.parquet")
    assert len(built) == 500
    assert set(built["extra_info"].map(lambda info: info["split"])) == {"test"}
    assert set(built["extra_info"].map(lambda info: info["l1_kind"])) == {"exact", "max"}
