"""DRY_RUN of every training and ablation script, in a subprocess: the published recipes, resolved."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
LEAD_SCRIPT = ROOT / "train_math_lead_deepseek-r1-1.5b.sh"
GRPO_SCRIPT = ROOT / "train_math_grpo_deepseek-r1-1.5b.sh"
COMMON_SCRIPT = ROOT / "scripts/train/common.sh"

# Paper Table 1 recipe shared by LEAD and GRPO (spec: "The published recipe").
SHARED_RECIPE = {
    "data.train_batch_size": "128",
    "data.max_prompt_length": "1024",
    "actor_rollout_ref.rollout.n": "8",
    "actor_rollout_ref.rollout.temperature": "1.0",
    "actor_rollout_ref.rollout.gpu_memory_utilization": "0.65",
    "actor_rollout_ref.rollout.val_kwargs.n": "1",
    "actor_rollout_ref.rollout.val_kwargs.temperature": "0",
    "actor_rollout_ref.rollout.val_kwargs.top_p": "1.0",
    "actor_rollout_ref.rollout.val_kwargs.top_k": "-1",
    "data.filter_overlong_prompts": "True",
    "algorithm.filter_groups.enable": "False",
    "trainer.max_actor_ckpt_to_keep": "3",
    "actor_rollout_ref.actor.ppo_mini_batch_size": "16",
    "actor_rollout_ref.actor.ppo_epochs": "1",
    "actor_rollout_ref.actor.use_dynamic_bsz": "True",
    "actor_rollout_ref.actor.use_kl_loss": "True",
    "actor_rollout_ref.actor.kl_loss_type": "mse",
    "actor_rollout_ref.actor.kl_loss_coef": "0.0005",
    "actor_rollout_ref.model.enable_gradient_checkpointing": "True",
    "algorithm.use_kl_in_reward": "False",
    "trainer.n_gpus_per_node": "4",
    "trainer.total_epochs": "7",
    "trainer.val_before_train": "True",
    "trainer.test_freq": "20",
    "trainer.resume_mode": "auto",
    "reward.custom_reward_function.path": "pkg://lead.reward",
}
LEAD_RECIPE = {
    **SHARED_RECIPE,
    "algorithm.adv_estimator": "lead",
    "algorithm.lead_alpha": "1.0",
    "algorithm.lead_beta": "0.95",
    "algorithm.lead_epsilon": "1e-08",
    "algorithm.lead_bmax": "8000",
    "algorithm.lead_lambda_min": "0.3",
    "algorithm.lead_lstar_mode": "max_sym",
    "algorithm.lead_aggregator": "mean_correct",
    "algorithm.lead_static_lambda_corr": "None",
    "data.max_response_length": "8000",
    "actor_rollout_ref.actor.optim.lr": "2e-06",
    "trainer.save_freq": "50",
    "reward.custom_reward_function.reward_kwargs.correct_weight": "1.0",
    "reward.custom_reward_function.reward_kwargs.length_bonus": "0.0",
    "reward.reward_manager.name": "LEADRewardManager",
    "trainer.checkpoint_callback_class": "lead.integrations.verl.checkpoint.EstimatorStateCallback",
}
GRPO_RECIPE = {
    **SHARED_RECIPE,
    "algorithm.adv_estimator": "grpo",
    "data.max_response_length": "2000",
    "actor_rollout_ref.actor.optim.lr": "1e-06",
    "actor_rollout_ref.actor.clip_ratio_low": "0.2",
    "actor_rollout_ref.actor.clip_ratio_high": "0.28",
    "reward.custom_reward_function.reward_kwargs.correct_weight": "1.0",
    "reward.custom_reward_function.reward_kwargs.length_bonus": "1.0",
    "reward.custom_reward_function.reward_kwargs.length_threshold": "2000",
    "reward.custom_reward_function.reward_kwargs.bonus_requires_correct": "True",
    "reward.custom_reward_function.reward_kwargs.length_unit": "release_chars",
    "reward.reward_manager.name": "LEADRewardManager",
    "trainer.save_freq": "20",
}


def dry_run(script: Path, tmp_path: Path, *overrides: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``script`` with DRY_RUN=1 and the current interpreter; outputs under ``tmp_path``."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "WANDB_API_KEY",
            "LOGGER",
            "EXPERIMENT_NAME",
            "CKPT_DIR",
            "N_GPUS",
            "NNODES",
            "DYNAMIC_SAMPLING",
            "MAX_CKPT_TO_KEEP",
        }
    }
    environ.update(DRY_RUN="1", PYTHON=sys.executable, OUTPUT_ROOT=str(tmp_path), **env)
    return subprocess.run(
        ["bash", str(script), *overrides], env=environ, capture_output=True, text=True, timeout=300
    )


def command(stdout: str) -> list[str]:
    """The overrides of the command a dry run prints."""
    (line,) = [line for line in stdout.splitlines() if line.startswith("command: ")]
    return shlex.split(line.removeprefix("command: "))[3:]


def resolved(stdout: str) -> dict[str, str]:
    """The ``key = value`` lines of a dry run."""
    pairs = (line.split(" = ", 1) for line in stdout.splitlines() if " = " in line)
    return {key: value for key, value in pairs}


def runs(stdout: str) -> list[dict[str, str]]:
    """One resolved dict per dry run in a sweep's output."""
    blocks = stdout.split("DRY_RUN ok")[:-1]
    return [resolved(block) for block in blocks]


def test_lead_script_resolves_the_published_recipe(tmp_path):
    result = dry_run(LEAD_SCRIPT, tmp_path, WANDB_API_KEY="key-not-to-print-3141")
    assert result.returncode == 0, result.stderr
    values = resolved(result.stdout)
    assert {key: values.get(key) for key in LEAD_RECIPE} == LEAD_RECIPE
    assert values["trainer.logger"] == "['console', 'wandb']"
    assert values["trainer.default_local_dir"] == str(tmp_path / "math_lead_4k_deepseek-r1-1.5b")
    assert "command: python -m lead.main_ppo" in result.stdout
    assert "key-not-to-print-3141" not in result.stdout + result.stderr
    overrides = command(result.stdout)
    for override in (
        "actor_rollout_ref.rollout.val_kwargs.temperature=0",
        "data.filter_overlong_prompts=True",
        "trainer.max_actor_ckpt_to_keep=3",
        "algorithm.filter_groups.enable=False",
    ):
        assert override in overrides
    assert not [override for override in overrides if "do_sample" in override]


def test_grpo_script_resolves_the_published_recipe_and_environment(tmp_path):
    env = {
        "N_GPUS": "2",
        "NNODES": "3",
        "BASE_MODEL": "/models/r1-1.5b",
        "DATA_DIR": "/data/math",
        "EXPERIMENT_NAME": "grpo-env",
        "CKPT_DIR": "/ckpt/grpo-env",
        "LOGGER": "console,tensorboard",
        "ROLLOUT_TP_SIZE": "2",
        "MAX_CKPT_TO_KEEP": "5",
    }
    result = dry_run(GRPO_SCRIPT, tmp_path, "trainer.total_epochs=1", **env)
    assert result.returncode == 0, result.stderr
    values = resolved(result.stdout)
    expected = {
        **GRPO_RECIPE,
        "trainer.n_gpus_per_node": "2",
        "trainer.nnodes": "3",
        "actor_rollout_ref.model.path": "/models/r1-1.5b",
        "data.train_files": "/data/math/train.parquet",
        "trainer.experiment_name": "grpo-env",
        "trainer.default_local_dir": "/ckpt/grpo-env",
        "trainer.logger": "['console', 'tensorboard']",
        "actor_rollout_ref.rollout.tensor_model_parallel_size": "2",
        "trainer.total_epochs": "1",
        "trainer.max_actor_ckpt_to_keep": "5",
    }
    assert {key: values.get(key) for key in expected} == expected
    assert "warning: data.train_files: /data/math/train.parquet does not exist" in result.stdout


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("algorithm.lead_alpah=2.0", "lead_alpah"),
        ("algorithm.lead_lstar_mode=max", "lstar_mode"),
        ("reward.reward_kwargs.length_weight=1.0", "reward_kwargs"),
        ("reward.custom_reward_function.reward_kwargs.length_bonus=0.5", "length_bonus=0.5 is invalid"),
        ("trainer.max_actor_ckpt_to_keep=0", "trainer.max_actor_ckpt_to_keep=0 is invalid"),
    ],
    ids=["typo", "bad-value", "removed-key", "bonus-with-lead", "checkpoints-to-keep"],
)
def test_bad_override_fails_naming_it(tmp_path, override, named):
    result = dry_run(LEAD_SCRIPT, tmp_path, override)
    assert result.returncode != 0
    assert named in result.stderr
    assert "DRY_RUN ok" not in result.stdout


def test_grpo_ratio_sweep(tmp_path):
    result = dry_run(ROOT / "ablations/grpo_ratio/sweep.sh", tmp_path, RATIOS="0.25")
    assert result.returncode == 0, result.stderr
    assert "start: GRPO-math-ratio0p25" in result.stdout
    (values,) = runs(result.stdout)
    assert values["algorithm.adv_estimator"] == "grpo"
    assert values["reward.custom_reward_function.reward_kwargs.correct_weight"] == "0.8"
    assert values["reward.custom_reward_function.reward_kwargs.length_bonus"] == "0.2"
    assert values["reward.custom_reward_function.reward_kwargs.length_threshold"] == "2000"
    assert values["reward.custom_reward_function.reward_kwargs.bonus_requires_correct"] == "False"
    assert values["reward.reward_manager.name"] == "LEADRewardManager"
    assert values["reward.custom_reward_function.reward_kwargs.length_unit"] == "release_chars"
    assert values["algorithm.filter_groups.enable"] == "False"
    assert values["data.max_response_length"] == "4000"
    assert values["trainer.default_local_dir"] == str(tmp_path / "math_grpo_ratio0p25_deepseek-r1-1.5b")


def test_lead_static_ratio_sweep_skips_finished_and_resumes_partial_runs(tmp_path):
    finished = tmp_path / "math_lead_static_ratio0_deepseek-r1-1.5b"
    partial = tmp_path / "math_lead_static_ratio4_deepseek-r1-1.5b"
    finished.mkdir()
    (finished / "training_finished").write_text("done\n")
    partial.mkdir()
    (partial / "latest_checkpointed_iteration.txt").write_text("40")
    result = dry_run(ROOT / "ablations/lead_static_ratio/sweep.sh", tmp_path, RATIOS="0 4")
    assert result.returncode == 0, result.stderr
    assert "skip: LEAD-static-ratio0 finished" in result.stdout
    assert "resume: LEAD-static-ratio4 from step 40" in result.stdout
    (four,) = runs(result.stdout)
    assert four["algorithm.lead_static_lambda_corr"] == "0.2"
    assert four["algorithm.lead_bmax"] == "4000"
    assert four["data.max_response_length"] == "4000"
    # the release's hard-coded floor and guard, not the ones scaled to the 4000-token budget
    assert (four["algorithm.lead_lstar_min"], four["algorithm.lead_short_guard"]) == ("1000", "500")
    assert four["algorithm.filter_groups.enable"] == "False"
    assert four["trainer.default_local_dir"] == str(partial)


def test_lead_aggregator_sweep_with_dynamic_sampling(tmp_path):
    """DYNAMIC_SAMPLING=1 runs get their own names, so they never resume or skip a default run."""
    result = dry_run(
        ROOT / "ablations/lead_aggregator/sweep.sh", tmp_path, AGGREGATORS="min_correct", DYNAMIC_SAMPLING="1"
    )
    assert result.returncode == 0, result.stderr
    (values,) = runs(result.stdout)
    assert values["algorithm.lead_aggregator"] == "min_correct"
    assert values["algorithm.filter_groups.enable"] == "True"
    assert values["algorithm.filter_groups.metric"] == "reward"
    assert values["trainer.experiment_name"] == "LEAD-agg-min_correct-dynamic-sampling"
    assert values["trainer.default_local_dir"] == str(
        tmp_path / "math_lead_agg_min_correct_deepseek-r1-1.5b-dynamic-sampling"
    )


def test_dynamic_sampling_is_an_option_of_the_training_scripts(tmp_path):
    result = dry_run(GRPO_SCRIPT, tmp_path, DYNAMIC_SAMPLING="1")
    assert result.returncode == 0, result.stderr
    overrides = command(result.stdout)
    assert "algorithm.filter_groups.enable=True" in overrides
    assert "algorithm.filter_groups.metric=reward" in overrides
    values = resolved(result.stdout)
    assert values["trainer.experiment_name"] == "deepseek-r1-1.5B-math-GRPO-dynamic-sampling"
    assert values["trainer.default_local_dir"] == str(
        tmp_path / "math_grpo_deepseek-r1-1.5b-dynamic-sampling"
    )


@pytest.mark.parametrize("script", [LEAD_SCRIPT, ROOT / "ablations/lead_static_ratio/sweep.sh"])
def test_bad_dynamic_sampling_fails_before_python(tmp_path, script):
    result = dry_run(script, tmp_path, DYNAMIC_SAMPLING="yes")
    assert result.returncode == 2
    assert "DYNAMIC_SAMPLING='yes' is invalid: allowed values are 0" in result.stderr
    assert "command:" not in result.stdout


def test_a_lead_checkpoint_without_its_state_fails_the_dry_run(tmp_path):
    run = tmp_path / "math_lead_4k_deepseek-r1-1.5b"
    (run / "global_step_50" / "actor").mkdir(parents=True)
    (run / "latest_checkpointed_iteration.txt").write_text("50")
    result = dry_run(LEAD_SCRIPT, tmp_path)
    assert result.returncode == 2
    assert f"checkpoint {run / 'global_step_50'} has no lead_state.json" in result.stderr
    assert "trainer.fresh_method_state=true" in result.stderr
    fresh = dry_run(LEAD_SCRIPT, tmp_path, "trainer.fresh_method_state=true")
    assert fresh.returncode == 0, fresh.stderr


def recipe_lines(script: Path) -> set[str]:
    """The ``key=value`` lines of a script's override arrays."""
    return set(re.findall(r"^ {4}([a-z_]+\.[\w.]+=\S+)$", script.read_text(), flags=re.MULTILINE))


def test_bad_ratio_fails_before_python(tmp_path):
    ratio = dry_run(ROOT / "ablations/grpo_ratio/run.sh", tmp_path, RATIO="a lot")
    assert ratio.returncode != 0
    assert "RATIO='a lot' is invalid" in ratio.stderr
    assert "command:" not in ratio.stdout


TRAIN_SCRIPTS = ROOT / "scripts/train"
# What each method's script resolves to on top of the common recipe: its paper's settings, as far as
# METHODS_SPEC.md gives them, and the project's where the script's header says so.
METHOD_RECIPES = {
    "dler": {
        "algorithm.adv_estimator": "dler",
        "algorithm.dler.budget": "4000",
        "data.max_response_length": "4000",
        "data.train_batch_size": "512",
        "actor_rollout_ref.rollout.n": "16",
        "actor_rollout_ref.rollout.temperature": "1.0",
        "actor_rollout_ref.actor.clip_ratio_low": "0.2",
        "actor_rollout_ref.actor.clip_ratio_high": "0.28",
        "actor_rollout_ref.actor.optim.lr": "1e-06",
        "actor_rollout_ref.actor.kl_loss_type": "mse",
        "actor_rollout_ref.actor.kl_loss_coef": "0.0005",
        "algorithm.filter_groups.enable": "True",
        "algorithm.filter_groups.metric": "reward",
        "trainer.experiment_name": "deepseek-r1-1.5B-math-DLER-dynamic-sampling",
    },
    "laser": {
        "algorithm.adv_estimator": "laser",
        "algorithm.laser.budget": "8000",
        "algorithm.laser.target_length": "2000",
        "data.max_response_length": "8000",
        "actor_rollout_ref.rollout.n": "8",
        "actor_rollout_ref.rollout.temperature": "0.6",
        "actor_rollout_ref.actor.clip_ratio_low": "0.2",
        "actor_rollout_ref.actor.clip_ratio_high": "0.28",
        "actor_rollout_ref.actor.optim.lr": "1e-06",
        "data.train_batch_size": "128",
    },
    "laser_d": {
        "algorithm.adv_estimator": "laser_d",
        "data.max_response_length": "8000",
        "actor_rollout_ref.rollout.n": "8",
        "actor_rollout_ref.rollout.temperature": "0.6",
        "actor_rollout_ref.actor.clip_ratio_high": "0.28",
        "actor_rollout_ref.actor.optim.lr": "1e-06",
        "trainer.checkpoint_callback_class": "lead.integrations.verl.checkpoint.EstimatorStateCallback",
    },
    "kimi": {
        "algorithm.adv_estimator": "kimi",
        "data.max_response_length": "8000",
        "actor_rollout_ref.rollout.n": "8",
        "actor_rollout_ref.actor.optim.lr": "1e-06",
    },
    "arora_zanette": {
        "algorithm.adv_estimator": "arora_zanette",
        "algorithm.arora_zanette.alpha": "0.1",
        "algorithm.arora_zanette.budget": "8000",
        "actor_rollout_ref.rollout.n": "8",
        "algorithm.use_kl_in_reward": "False",
    },
    "shorter_better": {
        "algorithm.adv_estimator": "shorter_better",
        "data.max_response_length": "6000",
        "actor_rollout_ref.rollout.n": "8",
        "actor_rollout_ref.rollout.temperature": "0.9",
    },
    "hapo": {
        "algorithm.adv_estimator": "hapo",
        "actor_rollout_ref.rollout.n": "4",
        "data.max_response_length": "8000",
        "trainer.checkpoint_callback_class": "lead.integrations.verl.checkpoint.EstimatorStateCallback",
    },
    "l1_exact": {
        "algorithm.adv_estimator": "grpo",
        "actor_rollout_ref.rollout.n": "16",
        "data.max_response_length": "4096",
        "reward.custom_reward_function.reward_kwargs.length_reward": "l1_exact",
        "reward.custom_reward_function.reward_kwargs.l1_budget": "4096",
        "reward.custom_reward_function.reward_kwargs.length_bonus": "0.0",
        "reward.reward_manager.name": "LEADRewardManager",
    },
    "l1_max": {
        "algorithm.adv_estimator": "grpo",
        "actor_rollout_ref.rollout.n": "16",
        "data.max_response_length": "4096",
        "reward.custom_reward_function.reward_kwargs.length_reward": "l1_row",
        "reward.reward_manager.name": "LEADRewardManager",
    },
    "thinkprune": {
        "algorithm.adv_estimator": "grpo",
        "actor_rollout_ref.rollout.n": "16",
        "data.max_response_length": "4000",
        "trainer.total_training_steps": "180",
        "reward.custom_reward_function.reward_kwargs.length_bonus": "0.0",
    },
}
METHOD_SCRIPTS = {name: TRAIN_SCRIPTS / f"{name}.sh" for name in METHOD_RECIPES}
# The common recipe's keys no method script changes.
UNCHANGED_BY_METHODS = (
    "data.max_prompt_length",
    "actor_rollout_ref.rollout.val_kwargs.temperature",
    "actor_rollout_ref.actor.ppo_mini_batch_size",
    "actor_rollout_ref.actor.use_kl_loss",
    "trainer.val_before_train",
    "trainer.test_freq",
    "trainer.resume_mode",
    "reward.custom_reward_function.path",
)


def build(builder: str, *arguments: str) -> None:
    """Run ``scripts/data/<builder>`` with ``arguments``."""
    built = subprocess.run(
        [sys.executable, str(ROOT / "scripts/data" / builder), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr


@pytest.fixture(scope="module")
def built_data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The L1 scripts' four files and ThinkPrune's first stage's, built from the project's data."""
    folders = {name: tmp_path_factory.mktemp(name) for name in ("l1", "thinkprune")}
    for mode in ("exact", "mix"):
        for split in ("train", "test"):
            output = folders["l1"] / f"{split}_{mode}.parquet"
            build("prepare_l1.py", "--mode", mode, "--split", split, "--output", str(output))
    stage_data = folders["thinkprune"] / "train_cap4000.parquet"
    build("prepare_thinkprune.py", "--cap", "4000", "--output", str(stage_data))
    return folders


@pytest.mark.parametrize("method", list(METHOD_RECIPES))
def test_each_method_script_resolves_its_recipe(tmp_path, built_data, method):
    data = {"L1_DATA_DIR": str(built_data["l1"]), "THINKPRUNE_DATA_DIR": str(built_data["thinkprune"])}
    result = dry_run(METHOD_SCRIPTS[method], tmp_path, **data)
    assert result.returncode == 0, result.stderr
    assert "command: python -m lead.main_ppo" in result.stdout
    values = resolved(result.stdout)
    expected = METHOD_RECIPES[method]
    assert {key: values.get(key) for key in expected} == expected
    assert {key: values.get(key) for key in UNCHANGED_BY_METHODS} == {
        key: SHARED_RECIPE[key] for key in UNCHANGED_BY_METHODS
    }
    assert values["actor_rollout_ref.model.path"] == "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B"
    assert values["trainer.default_local_dir"].startswith(str(tmp_path / f"math_{method}"))
    folder = {"l1_exact": "l1", "l1_max": "l1", "thinkprune": "thinkprune"}.get(method)
    train_files = str(built_data[folder]) if folder else str(ROOT / "data/math/train.parquet")
    assert values["data.train_files"].startswith(train_files)
    assert not [line for line in result.stdout.splitlines() if line.startswith("warning:")]


def test_dler_filters_groups_unless_told_not_to(tmp_path):
    """DLER's dynamic sampling is its recipe's default; DYNAMIC_SAMPLING=0 trains on every batch."""
    result = dry_run(METHOD_SCRIPTS["dler"], tmp_path, DYNAMIC_SAMPLING="0")
    assert result.returncode == 0, result.stderr
    values = resolved(result.stdout)
    assert values["algorithm.filter_groups.enable"] == "False"
    assert values["trainer.experiment_name"] == "deepseek-r1-1.5B-math-DLER"
    assert values["trainer.default_local_dir"] == str(tmp_path / "math_dler_deepseek-r1-1.5b")


def test_the_hapo_script_refuses_rows_without_stable_ids(tmp_path):
    """HAPO's state is per problem: a training file without extra_info.index stops the dry run."""
    frame = pd.read_parquet(ROOT / "data/math/train.parquet").head(20)
    frame["extra_info"] = [{"split": "train"} for _ in range(len(frame))]
    frame.to_parquet(tmp_path / "train.parquet", index=False)
    shutil.copy(ROOT / "data/math/test.parquet", tmp_path / "test.parquet")
    result = dry_run(METHOD_SCRIPTS["hapo"], tmp_path, DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert f"{tmp_path / 'train.parquet'}: row 0: extra_info.index is missing" in result.stderr
    assert "DRY_RUN ok" not in result.stdout
    assert dry_run(METHOD_SCRIPTS["kimi"], tmp_path, DATA_DIR=str(tmp_path)).returncode == 0


def test_an_l1_script_on_data_without_targets_names_the_builder(tmp_path):
    for split in ("train", "test"):
        shutil.copy(ROOT / f"data/math/{split}.parquet", tmp_path / f"{split}_exact.parquet")
    result = dry_run(METHOD_SCRIPTS["l1_exact"], tmp_path, L1_DATA_DIR=str(tmp_path))
    assert result.returncode == 2
    assert "extra_info['l1_target']=None is invalid" in result.stderr
    assert "scripts/data/prepare_l1.py" in result.stderr


def script_files() -> list[Path]:
    """Every training script and the file of shared settings they source."""
    return [COMMON_SCRIPT, LEAD_SCRIPT, GRPO_SCRIPT, *sorted(TRAIN_SCRIPTS.glob("*.sh"))]


def test_no_override_is_written_in_two_scripts():
    """Settings several methods share are named arrays of common.sh, written once."""
    paths = list(dict.fromkeys(script_files()))
    assert set(METHOD_SCRIPTS.values()) <= set(paths)
    assert len(recipe_lines(COMMON_SCRIPT)) > 25 and len(recipe_lines(LEAD_SCRIPT)) > 10
    written: dict[str, Path] = {}
    for path in paths:
        for line in recipe_lines(path):
            assert line not in written, f"{line} is in {written.get(line)} and {path}"
            written[line] = path
    for path in (LEAD_SCRIPT, GRPO_SCRIPT, *METHOD_SCRIPTS.values()):
        text = path.read_text()
        assert "common.sh" in text and "lead.integrations.verl.launch" not in text
        assert text.rstrip().splitlines()[-1].endswith('-- "$@"') and "launch_training " in text
    for path in METHOD_SCRIPTS.values():
        assert "The paper's" in path.read_text() and "The project's" in path.read_text()


SWEEP = TRAIN_SCRIPTS / "thinkprune_sweep.sh"


def stage_folder(root: Path, stage: int, cap: int) -> Path:
    return root / f"math_thinkprune_stage{stage}_cap{cap}_deepseek-r1-1.5b"


def test_the_thinkprune_sweep_chains_its_stages(tmp_path):
    data = tmp_path / "thinkprune"
    result = dry_run(SWEEP, tmp_path, THINKPRUNE_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    stages = runs(result.stdout)
    assert [stage["data.max_response_length"] for stage in stages] == ["4000", "3000", "2000"]
    assert [stage["trainer.total_training_steps"] for stage in stages] == ["180", "360", "540"]
    assert [stage["data.train_files"] for stage in stages] == [
        str(data / f"train_cap{cap}.parquet") for cap in (4000, 3000, 2000)
    ]
    assert [stage["trainer.resume_mode"] for stage in stages] == ["auto", "resume_path", "resume_path"]
    assert [stage["trainer.resume_from_path"] for stage in stages] == [
        "None",
        str(stage_folder(tmp_path, 1, 4000) / "global_step_180"),
        str(stage_folder(tmp_path, 2, 3000) / "global_step_360"),
    ]
    assert {stage["algorithm.adv_estimator"] for stage in stages} == {"grpo"}
    assert {stage["actor_rollout_ref.rollout.n"] for stage in stages} == {"16"}
    assert "=== stage 2: cap 3000, steps 181-360" in result.stdout
    assert not data.exists()  # a dry run builds nothing


def test_the_thinkprune_sweep_skips_finished_stages_and_resumes_a_partial_one(tmp_path):
    first, second = stage_folder(tmp_path, 1, 4000), stage_folder(tmp_path, 2, 3000)
    (first / "global_step_180" / "actor").mkdir(parents=True)
    (first / "latest_checkpointed_iteration.txt").write_text("180")
    (first / "training_finished").write_text("done\n")
    (second / "global_step_250" / "actor").mkdir(parents=True)
    (second / "latest_checkpointed_iteration.txt").write_text("250")
    result = dry_run(SWEEP, tmp_path, STAGE_STEPS="100")
    assert result.returncode == 0, result.stderr
    assert "skip: deepseek-r1-1.5B-math-ThinkPrune-stage1-cap4000 finished" in result.stdout
    assert "resume: deepseek-r1-1.5B-math-ThinkPrune-stage2-cap3000 from step 250" in result.stdout
    second_run, third_run = runs(result.stdout)
    assert (second_run["trainer.resume_mode"], second_run["trainer.resume_from_path"]) == ("auto", "None")
    assert second_run["trainer.total_training_steps"] == "280"  # stage 1 ended at 180
    assert second_run["trainer.default_local_dir"] == str(second)
    assert third_run["trainer.resume_from_path"] == str(second / "global_step_280")
    assert third_run["trainer.total_training_steps"] == "380"


def test_a_finished_stage_without_a_checkpoint_stops_the_sweep(tmp_path):
    first = stage_folder(tmp_path, 1, 4000)
    first.mkdir()
    (first / "training_finished").write_text("done\n")
    result = dry_run(SWEEP, tmp_path)
    assert result.returncode != 0
    assert "finished without a checkpoint" in result.stderr
    assert "DRY_RUN ok" not in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CAPS": "4000 3k"}, "CAPS='4000 3k' is invalid: '3k' is not a positive integer"),
        ({"CAPS": " "}, "CAPS='' is invalid"),
        ({"STAGE_STEPS": "0"}, "STAGE_STEPS='0' is invalid: allowed is a positive integer"),
        ({"CKPT_DIR": "/somewhere"}, "unset EXPERIMENT_NAME and CKPT_DIR for a sweep"),
    ],
    ids=["cap", "no-caps", "steps", "one-folder"],
)
def test_bad_sweep_settings_fail_before_python(tmp_path, env, message):
    result = dry_run(SWEEP, tmp_path, **env)
    assert result.returncode == 2
    assert message in result.stderr
    assert "command:" not in result.stdout


@pytest.mark.parametrize("variable", ["CAP", "END_STEP"])
def test_a_bad_thinkprune_stage_setting_fails_before_python(tmp_path, variable):
    result = dry_run(METHOD_SCRIPTS["thinkprune"], tmp_path, **{variable: "-1"})
    assert result.returncode == 2
    assert f"{variable}='-1' is invalid: allowed is a positive integer" in result.stderr
    assert "command:" not in result.stdout
