"""What a training run with this plugin requires of the composed verl config.

Used by ``python -m lead.main_ppo`` before anything starts and by the dry run. Errors raise
``ValueError`` naming the key, its value and what is allowed; softer problems come back as warnings.
"""

from __future__ import annotations

from typing import Any

from omegaconf import OmegaConf

from lead.integrations.verl.checkpoint import resolve_resume_folder, starts_fresh, state_to_restore
from lead.integrations.verl.method_config import budget_key, method_options, project_method
from lead.reward.score import check_time_limits
from lead.reward.shaping import CONFIG_KEY, LengthShaping

STATE_CALLBACK = "lead.integrations.verl.checkpoint.EstimatorStateCallback"
REWARD_MANAGER_CLASS = "LEADRewardManager"
SINGLE_TURN_AGENT_LOOP = "single_turn_agent"


def _uses_lead_reward_manager(config: Any) -> bool:
    manager = config.reward.reward_manager
    return manager.source == "importlib" and manager.name == REWARD_MANAGER_CLASS


def _reward_shaping(config: Any) -> LengthShaping:
    """The length shaping the run's ``compute_score`` will apply (validated)."""
    return LengthShaping.from_reward_kwargs(OmegaConf.select(config, CONFIG_KEY))


def _check_length_source(config: Any, shaping: LengthShaping) -> None:
    """A length bonus needs its length: response tokens or the decoded sequence's characters."""
    if not shaping.needs_length or _uses_lead_reward_manager(config):
        return
    manager = f"reward.reward_manager.name={config.reward.reward_manager.name!r}"
    if shaping.needs_sequence_chars:
        raise ValueError(
            f"{CONFIG_KEY}.length_unit=release_chars needs the characters of each decoded prompt plus "
            f"response, which {manager} does not pass: allowed is reward.reward_manager.name="
            f"{REWARD_MANAGER_CLASS} (source importlib, the project default) or "
            f"{CONFIG_KEY}.length_unit=tokens"
        )
    if OmegaConf.select(config, f"{CONFIG_KEY}.tokenizer_path"):
        return
    raise ValueError(
        f"{CONFIG_KEY}.length_bonus={shaping.length_bonus} needs response lengths in tokens, which "
        f"{manager} does not pass: allowed is "
        f"reward.reward_manager.name={REWARD_MANAGER_CLASS} (source importlib, the project default) "
        f"or {CONFIG_KEY}.tokenizer_path"
    )


def _check_checkpoints_to_keep(config: Any) -> None:
    """verl keeps every checkpoint unless the value is a positive integer; anything else is a typo."""
    value = config.trainer.get("max_actor_ckpt_to_keep")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value <= 0):
        raise ValueError(
            f"trainer.max_actor_ckpt_to_keep={value!r} is invalid: allowed is a positive integer, or null "
            "to keep every checkpoint"
        )


def _check_single_turn(config: Any, method: str) -> None:
    """The methods group one response per rollout: agent loops with several outputs per prompt add turns."""
    agent_loop = OmegaConf.select(config, "actor_rollout_ref.rollout.agent.default_agent_loop")
    if agent_loop != SINGLE_TURN_AGENT_LOOP:
        raise ValueError(
            f"actor_rollout_ref.rollout.agent.default_agent_loop={agent_loop!r} is invalid with "
            f"adv_estimator={method}: an agent loop with several outputs per prompt (multi-turn, tools) "
            f"would count every turn as a response of the prompt's group; allowed is {SINGLE_TURN_AGENT_LOOP}"
        )


def _validation_warnings(config: Any) -> list[str]:
    """verl 0.9.1 samples validation with val_kwargs.temperature/top_p/top_k only."""
    val_kwargs = OmegaConf.select(config, "actor_rollout_ref.rollout.val_kwargs")
    if val_kwargs is None or not val_kwargs.get("do_sample", False):
        return []
    return [
        "actor_rollout_ref.rollout.val_kwargs.do_sample=True does not switch sampling on in verl 0.9.1: "
        f"validation samples at val_kwargs.temperature={val_kwargs.get('temperature')} (0 is greedy)"
    ]


def _check_correctness_only(shaping: LengthShaping, method: str) -> None:
    """The methods read correctness from the reward, so the score must be the 0/1 correctness."""
    for name, allowed in (("length_bonus", 0.0), ("correct_weight", 1.0)):
        value = getattr(shaping, name)
        if value != allowed:
            raise ValueError(
                f"{CONFIG_KEY}.{name}={value} is invalid with adv_estimator={method}: the score must be the "
                f"0/1 correctness (the method computes its own length reward); allowed is {allowed}"
            )


def check_training_config(config: Any) -> list[str]:
    """Validate ``config`` for this plugin; returns warnings, raises ``ValueError`` on errors."""
    warnings = _validation_warnings(config)
    resume_folder = resolve_resume_folder(config.trainer)  # a bad resume_mode fails here, not in the trainer
    starts_fresh(config)
    _check_checkpoints_to_keep(config)
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
    method = project_method(config)
    if method is None:
        return warnings

    options = method_options(method, algorithm)
    _check_single_turn(config, method)
    if resume_folder is not None:
        state_to_restore(config, resume_folder)  # a checkpoint without the state stops here, before Ray
    if algorithm.use_kl_in_reward:
        raise ValueError(
            f"algorithm.use_kl_in_reward=True is invalid with adv_estimator={method}: the method reads "
            "correctness from the reward; allowed is False (use actor_rollout_ref.actor.use_kl_loss for KL "
            "regularisation)"
        )
    manager = config.reward.reward_manager
    if manager.source == "register" and manager.name == "dapo":
        raise ValueError(
            f"reward.reward_manager.name='dapo' is invalid with adv_estimator={method}: its overlong shaping "
            "changes the correctness score; allowed are naive or LEADRewardManager"
        )
    _check_correctness_only(shaping, method)
    if config.reward.custom_reward_function.get("path") is None:
        warnings.append(
            "reward.custom_reward_function.path is null: verl's built-in scorer for the data source is used"
        )
    max_response_length = OmegaConf.select(config, "data.max_response_length")
    if max_response_length is not None and options.generation_budget() != max_response_length:
        warnings.append(
            f"{budget_key(method)}={options.generation_budget():g} differs from "
            f"data.max_response_length={max_response_length}"
        )
    if config.trainer.use_v1 and config.trainer.get("checkpoint_callback_class") != STATE_CALLBACK:
        warnings.append(
            f"trainer.checkpoint_callback_class is not {STATE_CALLBACK}: the {method} state is not saved "
            "with checkpoints, and a resumed run starts it afresh"
        )
    return warnings
