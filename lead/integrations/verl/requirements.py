"""What a training run with this plugin requires of the composed verl config.

Used by ``python -m lead.main_ppo`` before anything starts and by the dry run. Errors raise
``ValueError`` naming the key, its value and what is allowed; softer problems come back as warnings.
"""

from __future__ import annotations

from typing import Any

from omegaconf import OmegaConf

from lead.integrations.verl.checkpoint import resolve_resume_folder, uses_lead
from lead.integrations.verl.controller import lead_config_from_algorithm
from lead.reward.score import check_time_limits
from lead.reward.shaping import CONFIG_KEY, LengthShaping

LEAD_CALLBACK = "lead.integrations.verl.checkpoint.LEADCheckpointCallback"
REWARD_MANAGER_CLASS = "LEADRewardManager"


def _uses_lead_reward_manager(config: Any) -> bool:
    manager = config.reward.reward_manager
    return manager.source == "importlib" and manager.name == REWARD_MANAGER_CLASS


def _reward_shaping(config: Any) -> LengthShaping:
    """The length shaping the run's ``compute_score`` will apply (validated)."""
    return LengthShaping.from_reward_kwargs(OmegaConf.select(config, CONFIG_KEY))


def _check_length_source(config: Any, shaping: LengthShaping) -> None:
    """A length bonus needs response tokens: from LEADRewardManager or a tokenizer."""
    if not shaping.needs_length or _uses_lead_reward_manager(config):
        return
    if OmegaConf.select(config, f"{CONFIG_KEY}.tokenizer_path"):
        return
    raise ValueError(
        f"{CONFIG_KEY}.length_bonus={shaping.length_bonus} needs response lengths in tokens, which "
        f"reward.reward_manager.name={config.reward.reward_manager.name!r} does not pass: allowed is "
        f"reward.reward_manager.name={REWARD_MANAGER_CLASS} (source importlib, the project default) "
        f"or {CONFIG_KEY}.tokenizer_path"
    )


def _check_correctness_only(shaping: LengthShaping) -> None:
    """LEAD reads correctness from the reward, so the score must be the 0/1 correctness."""
    for name, allowed in (("length_bonus", 0.0), ("correct_weight", 1.0)):
        value = getattr(shaping, name)
        if value != allowed:
            raise ValueError(
                f"{CONFIG_KEY}.{name}={value} is invalid with adv_estimator=lead: the score must be the "
                f"0/1 correctness (LEAD computes its own efficiency reward); allowed is {allowed}"
            )


def check_training_config(config: Any) -> list[str]:
    """Validate ``config`` for this plugin; returns warnings, raises ``ValueError`` on errors."""
    warnings: list[str] = []
    resolve_resume_folder(config.trainer)  # an unknown trainer.resume_mode fails here, not in the trainer
    algorithm = config.algorithm
    filter_groups = algorithm.get("filter_groups") or {}
    if filter_groups.get("enable", False) and not config.trainer.use_v1:
        raise ValueError(
            "algorithm.filter_groups.enable=True is ignored by the legacy trainer (trainer.use_v1=False): "
            "allowed is filter_groups with trainer.use_v1=True, or filter_groups.enable=False"
        )
    shaping = _reward_shaping(config)
    _check_length_source(config, shaping)
    check_time_limits(OmegaConf.select(config, CONFIG_KEY))
    if not uses_lead(config):
        return warnings

    lead_config = lead_config_from_algorithm(algorithm)
    if algorithm.use_kl_in_reward:
        raise ValueError(
            "algorithm.use_kl_in_reward=True is invalid with adv_estimator=lead: LEAD reads correctness from "
            "the reward; allowed is False (use actor_rollout_ref.actor.use_kl_loss for KL regularisation)"
        )
    manager = config.reward.reward_manager
    if manager.source == "register" and manager.name == "dapo":
        raise ValueError(
            "reward.reward_manager.name='dapo' is invalid with adv_estimator=lead: its overlong shaping "
            "changes the correctness score; allowed are naive or LEADRewardManager"
        )
    _check_correctness_only(shaping)
    if config.reward.custom_reward_function.get("path") is None:
        warnings.append(
            "reward.custom_reward_function.path is null: verl's built-in scorer for the data source is used"
        )
    max_response_length = OmegaConf.select(config, "data.max_response_length")
    if max_response_length is not None and lead_config.bmax != max_response_length:
        warnings.append(
            f"algorithm.lead_bmax={lead_config.bmax:g} differs from "
            f"data.max_response_length={max_response_length}"
        )
    if config.trainer.use_v1 and config.trainer.get("checkpoint_callback_class") != LEAD_CALLBACK:
        warnings.append(
            f"trainer.checkpoint_callback_class is not {LEAD_CALLBACK}: the LEAD controller state is not "
            "saved with checkpoints, and a resumed run restarts its weights"
        )
    return warnings
