"""Checks before training: L1 rewards, problem ids and method budgets, on composed configs and parquet."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from lead.data.l1 import l1_rows
from lead.data.schema import write_rl_parquet
from lead.integrations.verl.requirements import check_training_config

ROOT = Path(__file__).resolve().parents[3]
TRAIN, TEST = ROOT / "data" / "math" / "train.parquet", ROOT / "data" / "math" / "test.parquet"
KWARGS = "reward.custom_reward_function.reward_kwargs"


@pytest.fixture(scope="module")
def l1_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real parquet files: MATH-500 with exact targets, with mixed targets, and a mixed row without a kind."""
    folder = tmp_path_factory.mktemp("l1_data")
    source = pd.read_parquet(TEST).to_dict(orient="records")
    files = {mode: folder / f"test_{mode}.parquet" for mode in ("exact", "mix")}
    for mode, path in files.items():
        write_rl_parquet(l1_rows(source, mode, seed=0, min_target=100, max_target=4000), path)
    rows = l1_rows(source, "mix", seed=0, min_target=100, max_target=4000)
    rows[7]["extra_info"] = {key: value for key, value in rows[7]["extra_info"].items() if key != "l1_kind"}
    files["kindless"] = folder / "kindless.parquet"
    write_rl_parquet(rows, files["kindless"])
    return files


def grpo(lead_config, *overrides: str):
    return lead_config("algorithm.adv_estimator=grpo", *overrides)


def test_an_l1_run_on_its_data_is_valid(lead_config, l1_files):
    for reward, path in (("l1_exact", l1_files["exact"]), ("l1_row", l1_files["mix"])):
        config = grpo(
            lead_config,
            f"{KWARGS}.length_reward={reward}",
            f"data.train_files={path}",
            f"data.val_files={path}",
        )
        assert check_training_config(config) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            [f"{KWARGS}.length_reward=l1_exact", f"data.val_files={TEST}"],
            f"data.val_files: {TEST}: row 0: extra_info['l1_target']=None is invalid with {KWARGS}"
            ".length_reward=l1_exact: allowed is an integer >= 1 (the row's target in tokens); "
            "build the data with scripts/data/prepare_l1.py",
        ),
        (
            [f"{KWARGS}.length_reward=l1_exact", "data.train_files={mix}", "data.val_files={mix}"],
            "row 0: extra_info['l1_kind']='max' is invalid with",
        ),
        (
            [f"{KWARGS}.length_reward=l1_row", "data.train_files={kindless}", "data.val_files={mix}"],
            "data.train_files: {kindless}: row 7: extra_info['l1_kind']=None is invalid",
        ),
        (
            [f"{KWARGS}.length_reward=l1_max", f"{KWARGS}.length_bonus=1.0"],
            f"{KWARGS}.length_bonus=1.0 is invalid with length_reward=l1_max: L1's reward replaces",
        ),
        (
            [
                f"{KWARGS}.length_reward=l1_exact",
                "reward.reward_manager.source=register",
                "reward.reward_manager.name=naive",
            ],
            f"{KWARGS}.length_reward=l1_exact needs each response's true length in tokens "
            "(end token included), which reward.reward_manager.name='naive' does not pass: "
            "allowed is reward.reward_manager.name=LEADRewardManager",
        ),
        ([f"{KWARGS}.length_reward=l2"], f"{KWARGS}.length_reward='l2' is invalid: allowed values are none"),
    ],
    ids=["no-targets", "other-kind", "no-kind", "with-bonus", "naive-manager", "unknown"],
)
def test_invalid_l1_runs_are_refused_naming_the_key(lead_config, l1_files, overrides, message):
    files = {name: str(path) for name, path in l1_files.items()}
    overrides = [override.format(**files) for override in overrides]
    if not any(override.startswith("data.train_files") for override in overrides):
        overrides.append(f"data.train_files={files['exact']}")
    with pytest.raises(ValueError, match=re.escape(message.format(**files))):
        check_training_config(grpo(lead_config, *overrides))


@pytest.mark.parametrize("method", ["lead", "dler", "kimi"])
def test_the_projects_estimators_refuse_an_l1_score(lead_config, l1_files, method):
    config = lead_config(f"algorithm.adv_estimator={method}", f"{KWARGS}.length_reward=l1_exact")
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"{KWARGS}.length_reward=l1_exact is invalid with adv_estimator={method}: the score must"
        ),
    ):
        check_training_config(config)


@pytest.mark.parametrize(
    ("method", "budget_key"),
    [
        ("dler", "algorithm.dler.budget"),
        ("laser", "algorithm.laser.budget"),
        ("arora_zanette", "algorithm.arora_zanette.budget"),
    ],
)
def test_a_methods_budget_option_is_compared_with_the_cap(lead_config, method, budget_key):
    """A budget option left null follows the cap (no warning); one set otherwise is reported."""
    same = check_training_config(
        lead_config(f"algorithm.adv_estimator={method}", "data.max_response_length=40")
    )
    assert not [warning for warning in same if "differs from data.max_response_length" in warning]
    other = check_training_config(
        lead_config(f"algorithm.adv_estimator={method}", "data.max_response_length=40", f"{budget_key}=30")
    )
    assert f"{budget_key}=30 differs from data.max_response_length=40" in other


@pytest.mark.parametrize("method", ["hapo", "kimi", "shorter_better"])
def test_methods_without_a_budget_option_warn_of_none(lead_config, method):
    assert check_training_config(lead_config(f"algorithm.adv_estimator={method}")) == []


def write_raw(path: Path, frame: pd.DataFrame) -> Path:
    """``frame`` as parquet as it is (no schema check: the rows may be broken on purpose)."""
    frame.to_parquet(path, index=False)
    return path


def test_hapo_needs_a_stable_id_per_training_row(lead_config, tmp_path):
    train = pd.read_parquet(TRAIN).head(50)
    assert (
        check_training_config(lead_config("algorithm.adv_estimator=hapo", f"data.train_files={TRAIN}")) == []
    )

    duplicated = train.copy()
    duplicated.at[30, "extra_info"] = {**duplicated.at[30, "extra_info"], "index": 4}
    path = write_raw(tmp_path / "duplicated.parquet", duplicated)
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"data.train_files: {path}: row 30: problem id 'deepscaler:4' is also row 4 of {path}: "
            "adv_estimator=hapo would merge the two problems' state"
        ),
    ):
        check_training_config(lead_config("algorithm.adv_estimator=hapo", f"data.train_files={path}"))

    missing = train.copy()
    missing.at[3, "extra_info"] = {"split": "train"}
    path = write_raw(tmp_path / "missing.parquet", missing)
    with pytest.raises(ValueError, match=re.escape(f"{path}: row 3: extra_info.index is missing")):
        check_training_config(lead_config("algorithm.adv_estimator=hapo", f"data.train_files={path}"))
    # methods without per-problem state do not need ids
    assert (
        check_training_config(lead_config("algorithm.adv_estimator=kimi", f"data.train_files={path}")) == []
    )
