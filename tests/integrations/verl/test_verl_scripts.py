"""DRY_RUN of every training and ablation script, in a subprocess: the published recipes, resolved."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

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


def test_the_scripts_share_one_copy_of_the_common_recipe():
    """Each script lists only what its method changes: no override is written in two places."""
    common, lead, grpo = (recipe_lines(path) for path in (COMMON_SCRIPT, LEAD_SCRIPT, GRPO_SCRIPT))
    assert len(common) > 25 and len(lead) > 10 and len(grpo) > 10
    assert not common & lead and not common & grpo and not lead & grpo
    for script in (LEAD_SCRIPT, GRPO_SCRIPT):
        text = script.read_text()
        assert "scripts/train/common.sh" in text and "launch_training " in text
        assert "lead.integrations.verl.launch" not in text


def test_bad_ratio_fails_before_python(tmp_path):
    ratio = dry_run(ROOT / "ablations/grpo_ratio/run.sh", tmp_path, RATIO="a lot")
    assert ratio.returncode != 0
    assert "RATIO='a lot' is invalid" in ratio.stderr
    assert "command:" not in ratio.stdout
