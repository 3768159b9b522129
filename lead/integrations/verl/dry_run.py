"""Compose and validate a training configuration without launching anything (no GPU needed).

``python -m lead.integrations.verl.dry_run [overrides...]`` composes the config of
``python -m lead.main_ppo`` with the same overrides (unknown keys are rejected by the struct config),
runs verl's ``validate_config`` and the plugin's checks (the selected method's options through its
declared options class), loads the reward function, reward manager and checkpoint callback the run
would use, then prints the command and the resolved values of the keys that define a run as
``key = value`` lines, the method's options as the estimator will use them (defaults resolved at
the run's budget). Exit status 0 when valid; 2 with a message naming the bad key or value otherwise.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from lead.integrations.verl.main import CONFIG_NAME

CONFIG_DIR = Path(__file__).resolve().parent / "config"

SHOWN_KEYS = (
    "algorithm.adv_estimator",
    "algorithm.length_budget",
    "algorithm.use_kl_in_reward",
    "algorithm.filter_groups.enable",
    "algorithm.filter_groups.metric",
    "data.train_files",
    "data.val_files",
    "data.train_batch_size",
    "data.val_batch_size",
    "data.max_prompt_length",
    "data.filter_overlong_prompts",
    "data.max_response_length",
    "actor_rollout_ref.model.path",
    "actor_rollout_ref.model.use_remove_padding",
    "actor_rollout_ref.model.enable_gradient_checkpointing",
    "actor_rollout_ref.actor.optim.lr",
    "actor_rollout_ref.actor.ppo_mini_batch_size",
    "actor_rollout_ref.actor.ppo_epochs",
    "actor_rollout_ref.actor.use_dynamic_bsz",
    "actor_rollout_ref.actor.ppo_max_token_len_per_gpu",
    "actor_rollout_ref.actor.use_kl_loss",
    "actor_rollout_ref.actor.kl_loss_coef",
    "actor_rollout_ref.actor.kl_loss_type",
    "actor_rollout_ref.actor.clip_ratio_low",
    "actor_rollout_ref.actor.clip_ratio_high",
    "actor_rollout_ref.actor.fsdp_config.param_offload",
    "actor_rollout_ref.actor.fsdp_config.optimizer_offload",
    "actor_rollout_ref.ref.fsdp_config.param_offload",
    "actor_rollout_ref.rollout.name",
    "actor_rollout_ref.rollout.tensor_model_parallel_size",
    "actor_rollout_ref.rollout.gpu_memory_utilization",
    "actor_rollout_ref.rollout.temperature",
    "actor_rollout_ref.rollout.n",
    "actor_rollout_ref.rollout.response_length",
    "actor_rollout_ref.rollout.val_kwargs.n",
    "actor_rollout_ref.rollout.val_kwargs.temperature",
    "actor_rollout_ref.rollout.val_kwargs.top_p",
    "actor_rollout_ref.rollout.val_kwargs.top_k",
    "actor_rollout_ref.rollout.agent.default_agent_loop",
    "reward.custom_reward_function.path",
    "reward.custom_reward_function.name",
    "reward.custom_reward_function.reward_kwargs.timeout",
    "reward.custom_reward_function.reward_kwargs.fallback",
    "reward.custom_reward_function.reward_kwargs.correct_weight",
    "reward.custom_reward_function.reward_kwargs.length_bonus",
    "reward.custom_reward_function.reward_kwargs.length_threshold",
    "reward.custom_reward_function.reward_kwargs.bonus_requires_correct",
    "reward.custom_reward_function.reward_kwargs.length_unit",
    "reward.custom_reward_function.reward_kwargs.length_reward",
    "reward.custom_reward_function.reward_kwargs.l1_exact_alpha",
    "reward.custom_reward_function.reward_kwargs.l1_max_alpha",
    "reward.custom_reward_function.reward_kwargs.l1_budget",
    "reward.reward_manager.source",
    "reward.reward_manager.name",
    "trainer.use_v1",
    "trainer.logger",
    "trainer.project_name",
    "trainer.experiment_name",
    "trainer.n_gpus_per_node",
    "trainer.nnodes",
    "trainer.total_epochs",
    "trainer.total_training_steps",
    "trainer.save_freq",
    "trainer.max_actor_ckpt_to_keep",
    "trainer.test_freq",
    "trainer.val_before_train",
    "trainer.resume_mode",
    "trainer.resume_from_path",
    "trainer.fresh_method_state",
    "trainer.critic_warmup",
    "trainer.default_local_dir",
    "trainer.checkpoint_callback_class",
)


def compose_config(overrides: Sequence[str]) -> DictConfig:
    """The config ``python -m lead.main_ppo`` would run with ``overrides``."""
    from hydra import compose, initialize_config_dir

    with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base=None):
        return compose(config_name=CONFIG_NAME, overrides=list(overrides))


def validate(config: DictConfig) -> list[str]:
    """Everything checked before a launch; returns warnings, raises on an invalid config."""
    from verl.trainer.ppo.reward import get_custom_reward_fn, resolve_reward_manager_cls
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config
    from verl.utils.import_utils import load_class_from_fqn

    from lead.integrations.verl.method_config import project_method
    from lead.integrations.verl.plugin import ensure_registered
    from lead.integrations.verl.requirements import check_training_config

    warnings = check_training_config(config)
    method = project_method(config)
    if method is not None:
        ensure_registered(method)
    validate_config(
        config=config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config)
    )
    get_custom_reward_fn(config)
    resolve_reward_manager_cls(config)
    callback = config.trainer.get("checkpoint_callback_class")
    if callback:
        load_class_from_fqn(callback, "CheckpointCallback")
    for key in ("data.train_files", "data.val_files"):
        files = OmegaConf.select(config, key)
        for path in [files] if isinstance(files, str) else list(files or []):
            if not Path(path).expanduser().exists():
                warnings.append(f"{key}: {path} does not exist on this machine")
    return warnings


def shown_values(config: DictConfig) -> dict[str, str]:
    """``key -> printed value`` of :data:`SHOWN_KEYS`, with the selected method's resolved options
    after ``algorithm.adv_estimator`` and L1's alphas as the reward will use them."""
    from lead.integrations.verl.method_config import project_method, resolved_options
    from lead.reward.l1_shaping import L1Shaping
    from lead.reward.shaping import CONFIG_KEY

    method = project_method(config)
    l1 = L1Shaping.from_reward_kwargs(OmegaConf.select(config, CONFIG_KEY)).resolved()
    shown: dict[str, str] = {}
    for key in SHOWN_KEYS:
        prefix, _, name = key.rpartition(".")
        value = l1[name] if prefix == CONFIG_KEY and name in l1 else OmegaConf.select(config, key)
        shown[key] = format_value(value)
        if key == "algorithm.adv_estimator" and method is not None:
            shown.update(
                {name: str(value) for name, value in resolved_options(method, config.algorithm).items()}
            )
    return shown


def format_value(value: object) -> str:
    """A resolved value as printed: containers as plain lists / dicts, scalars with ``str``."""
    if isinstance(value, DictConfig) or OmegaConf.is_list(value):
        return str(OmegaConf.to_container(value, resolve=True))
    return str(value)


def main(argv: Sequence[str] | None = None) -> int:
    """Dry run: print command and resolved values; 0 if valid, 2 otherwise."""
    overrides = list(sys.argv[1:] if argv is None else argv)
    print("command: " + shlex.join(["python", "-m", "lead.main_ppo", *overrides]))
    try:
        config = compose_config(overrides)
        warnings = validate(config)
        resolved = shown_values(config)
    except Exception as error:  # every failure becomes one message naming the bad key or value
        print(f"DRY_RUN error: {type(error).__name__}: {error}", file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {warning}")
    for key, value in resolved.items():
        print(f"{key} = {value}")
    print("DRY_RUN ok: configuration valid, nothing launched")
    return 0


if __name__ == "__main__":
    sys.exit(main())
