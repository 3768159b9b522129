"""``python -m lead.main_ppo``: verl 0.9.1's PPO trainer with the project's config and runners.

The Hydra config (``config/lead_ppo_trainer.yaml``) extends verl's ``ppo_trainer`` with every
method's options, the project's grader and reward manager, and the checkpoint callback. Before
starting Ray this checks the config (:mod:`~lead.integrations.verl.requirements`) and the
estimator's registration, then runs verl's ``run_ppo`` with the project's task runners. The plugin module is
forwarded to every Ray worker through ``VERL_USE_EXTERNAL_MODULES`` (imported with errors raised),
on every node of the cluster.
"""

from __future__ import annotations

import logging
import os

import hydra
from omegaconf import DictConfig, open_dict

from lead.integrations.verl.method_config import project_method
from lead.integrations.verl.requirements import check_training_config

logger = logging.getLogger(__name__)

CONFIG_NAME = "lead_ppo_trainer"
PLUGIN_MODULE = "lead.integrations.verl.plugin"
# Non-secret environment forwarded to the Ray workers of every node (the wandb key is never forwarded).
FORWARDED_ENV = ("WANDB_RESUME", "WANDB_RUN_ID", "WANDB_ENTITY", "WANDB_MODE", "WANDB_DIR", "HF_HOME")


def with_plugin_module(*module_lists: str) -> str:
    """``VERL_USE_EXTERNAL_MODULES`` value importing every module of ``module_lists`` and the plugin.

    Each list is comma-separated; the result keeps the first occurrence of each module, in order.
    """
    names = [name.strip() for modules in module_lists for name in modules.split(",") if name.strip()]
    return ",".join(dict.fromkeys([*names, PLUGIN_MODULE]))


def forward_environment(config: DictConfig) -> None:
    """Add the plugin module and the forwarded variables to ``ray_kwargs.ray_init.runtime_env.env_vars``.

    Variables the user set there win, except ``VERL_USE_EXTERNAL_MODULES``: the user's modules are
    kept and the plugin module is added, so remote nodes still register the estimator.
    """
    forwarded = {name: os.environ[name] for name in FORWARDED_ENV if os.environ.get(name)}
    runtime_env = config.ray_kwargs.ray_init.runtime_env
    with open_dict(runtime_env):
        user_env = {key: str(value) for key, value in (runtime_env.get("env_vars") or {}).items()}
        modules = with_plugin_module(
            user_env.get("VERL_USE_EXTERNAL_MODULES", ""), os.environ.get("VERL_USE_EXTERNAL_MODULES", "")
        )
        runtime_env["env_vars"] = {**forwarded, **user_env, "VERL_USE_EXTERNAL_MODULES": modules}


def run(config: DictConfig) -> None:
    """Check ``config`` and train with verl's ``run_ppo``."""
    import ray
    from verl.trainer.main_ppo import run_ppo
    from verl.trainer.ppo.utils import need_critic, need_reference_policy
    from verl.utils.config import validate_config
    from verl.utils.device import auto_set_device

    from lead.integrations.verl.plugin import ensure_registered
    from lead.integrations.verl.runners import LEADTaskRunner, LEADTaskRunnerV1

    auto_set_device(config)
    for warning in check_training_config(config):
        logger.warning(warning)
    method = project_method(config)
    if method is not None:
        ensure_registered(method)
    validate_config(
        config=config, use_reference_policy=need_reference_policy(config), use_critic=need_critic(config)
    )
    forward_environment(config)
    runner_class = LEADTaskRunnerV1 if config.trainer.use_v1 else LEADTaskRunner
    run_ppo(config, task_runner_class=ray.remote(runner_class))


@hydra.main(config_path="config", config_name=CONFIG_NAME, version_base=None)
def main(config: DictConfig) -> None:
    """Hydra entry point."""
    run(config)
