"""``python -m lead.main_ppo``: checks before launch, environment forwarding, launcher, legacy runner."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from verl.trainer.main_ppo_v0 import TaskRunner

from lead.integrations.verl.launch import build_overrides
from lead.integrations.verl.legacy import LEADRayPPOTrainer, legacy_trainer_class
from lead.integrations.verl.main import PLUGIN_MODULE, forward_environment
from lead.integrations.verl.requirements import check_training_config

KWARGS = "reward.custom_reward_function.reward_kwargs"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (["algorithm.use_kl_in_reward=True"], "use_kl_in_reward"),
        (["reward.reward_manager.source=register", "reward.reward_manager.name=dapo"], "dapo"),
        ([f"{KWARGS}.length_bonus=0.5"], f"{KWARGS}.length_bonus=0.5 is invalid with adv_estimator=lead"),
        ([f"{KWARGS}.correct_weight=0.5"], f"{KWARGS}.correct_weight=0.5 is invalid with adv_estimator=lead"),
        (["algorithm.filter_groups.enable=True", "trainer.use_v1=False"], "filter_groups"),
        (["trainer.resume_mode=disabled"], "resume_mode"),
        (["algorithm.lead_beta=1.0"], "beta"),
        (
            ["actor_rollout_ref.rollout.agent.default_agent_loop=tool_agent"],
            "default_agent_loop='tool_agent' is invalid with adv_estimator=lead: an agent loop with several",
        ),
        (["trainer.max_actor_ckpt_to_keep=0"], "trainer.max_actor_ckpt_to_keep=0 is invalid"),
        (["trainer.max_actor_ckpt_to_keep=three"], "trainer.max_actor_ckpt_to_keep='three' is invalid"),
    ],
)
def test_invalid_lead_configs_are_rejected(lead_config, overrides, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        check_training_config(lead_config(*overrides))


def test_soft_problems_are_warnings(lead_config):
    warnings = check_training_config(
        lead_config("data.max_response_length=4000", "trainer.checkpoint_callback_class=null")
    )
    assert any("lead_bmax=12 differs from data.max_response_length=4000" in warning for warning in warnings)
    assert any("checkpoint_callback_class" in warning for warning in warnings)
    assert check_training_config(lead_config("data.max_response_length=12")) == []
    sampled = check_training_config(
        lead_config("data.max_response_length=12", "actor_rollout_ref.rollout.val_kwargs.do_sample=True")
    )
    assert sampled == [
        "actor_rollout_ref.rollout.val_kwargs.do_sample=True does not switch sampling on in verl 0.9.1: "
        "validation samples at val_kwargs.temperature=0 (0 is greedy)"
    ]


def test_grpo_runs_may_use_agent_loops_and_keep_checkpoints(lead_config):
    config = lead_config(
        "algorithm.adv_estimator=grpo",
        "actor_rollout_ref.rollout.agent.default_agent_loop=tool_agent",
        "trainer.max_actor_ckpt_to_keep=3",
    )
    assert check_training_config(config) == []


def test_grpo_runs_accept_a_length_bonus(lead_config):
    config = lead_config(
        "algorithm.adv_estimator=grpo", f"{KWARGS}.correct_weight=0.2", f"{KWARGS}.length_bonus=0.8"
    )
    assert check_training_config(config) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            [f"{KWARGS}.length_threshold=0"],
            f"{KWARGS}.length_threshold=0 is invalid: allowed is an integer > 0",
        ),
        (
            [f"{KWARGS}.length_bonus=-1"],
            f"{KWARGS}.length_bonus=-1 is invalid: allowed is a finite number >= 0",
        ),
        (
            [
                f"{KWARGS}.length_bonus=1.0",
                "reward.reward_manager.source=register",
                "reward.reward_manager.name=naive",
            ],
            f"{KWARGS}.length_bonus=1.0 needs response lengths in tokens",
        ),
        (
            [
                f"{KWARGS}.length_bonus=1.0",
                f"{KWARGS}.length_unit=release_chars",
                f"+{KWARGS}.tokenizer_path=/models/r1-1.5b",
                "reward.reward_manager.source=register",
                "reward.reward_manager.name=naive",
            ],
            f"{KWARGS}.length_unit=release_chars needs the characters of each decoded prompt plus response",
        ),
        ([f"{KWARGS}.length_unit=words"], f"{KWARGS}.length_unit='words' is invalid: allowed values are"),
    ],
)
def test_invalid_length_bonus_is_rejected_before_launch(lead_config, overrides, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_training_config(lead_config("algorithm.adv_estimator=grpo", *overrides))


def test_a_tokenizer_path_lets_verls_naive_manager_use_the_bonus(lead_config):
    config = lead_config(
        "algorithm.adv_estimator=grpo",
        f"{KWARGS}.length_bonus=1.0",
        f"+{KWARGS}.tokenizer_path=/models/r1-1.5b",
        "reward.reward_manager.source=register",
        "reward.reward_manager.name=naive",
    )
    assert check_training_config(config) == []


def test_environment_reaches_every_ray_worker_without_secrets(lead_config, monkeypatch):
    monkeypatch.setenv("VERL_USE_EXTERNAL_MODULES", "other.module")
    monkeypatch.setenv("WANDB_RUN_ID", "run-7")
    monkeypatch.setenv("WANDB_API_KEY", "secret-key")
    config = lead_config()
    forward_environment(config)
    env_vars = config.ray_kwargs.ray_init.runtime_env.env_vars
    assert env_vars["VERL_USE_EXTERNAL_MODULES"] == f"other.module,{PLUGIN_MODULE}"
    assert env_vars["WANDB_RUN_ID"] == "run-7"
    assert "WANDB_API_KEY" not in env_vars


def test_a_user_module_list_for_ray_workers_keeps_the_plugin(lead_config, monkeypatch):
    monkeypatch.setenv("VERL_USE_EXTERNAL_MODULES", "env.module")
    monkeypatch.setenv("WANDB_RUN_ID", "run-7")
    config = lead_config(
        "+ray_kwargs.ray_init.runtime_env.env_vars.VERL_USE_EXTERNAL_MODULES='user.a,user.b'",
        "+ray_kwargs.ray_init.runtime_env.env_vars.WANDB_RUN_ID=run-8",
    )
    forward_environment(config)
    env_vars = config.ray_kwargs.ray_init.runtime_env.env_vars
    assert env_vars["VERL_USE_EXTERNAL_MODULES"] == f"user.a,user.b,env.module,{PLUGIN_MODULE}"
    assert env_vars["WANDB_RUN_ID"] == "run-8"


def test_launcher_orders_recipe_logger_and_extra_overrides():
    argv = ["a=1", "b=2", "--", "a=3"]
    assert build_overrides(argv, {}) == ["a=1", "b=2", "trainer.logger=[console]", "a=3"]
    assert build_overrides(argv, {"WANDB_API_KEY": "k"})[2] == "trainer.logger=[console,wandb]"
    assert build_overrides(["a=1"], {"LOGGER": "console, tensorboard"}) == [
        "a=1",
        "trainer.logger=[console,tensorboard]",
    ]


def test_legacy_runner_builds_the_lead_trainer():
    run_globals = TaskRunner.__ray_actor_class__.run.__globals__
    original = run_globals["RayPPOTrainer"]
    with legacy_trainer_class(LEADRayPPOTrainer):
        assert run_globals["RayPPOTrainer"] is LEADRayPPOTrainer
    assert run_globals["RayPPOTrainer"] is original


@pytest.mark.slow
def test_main_stops_before_ray_on_an_invalid_lead_config():
    overrides = ["algorithm.adv_estimator=lead", "algorithm.use_kl_in_reward=True"]
    result = subprocess.run(
        [sys.executable, "-m", "lead.main_ppo", *overrides],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "algorithm.use_kl_in_reward=True is invalid with adv_estimator=lead" in result.stderr
    assert "ray init kwargs" not in result.stdout
