"""Registers the project's methods as verl advantage estimators (``algorithm.adv_estimator=<name>``).

Every method of :data:`~lead.integrations.verl.method_config.PROJECT_ESTIMATORS` (``lead``,
``dler``, ``laser``, ...; not ``grpo``, which is verl's own) is registered under its name. Loaded in
every process by ``import verl`` through the ``verl.plugins`` entry point of this package (and,
where set, through ``VERL_USE_EXTERNAL_MODULES=lead.integrations.verl.plugin``, which makes import
errors fatal). verl swallows entry-point errors at debug level, so a failed registration is logged
here at error level before the exception propagates, and ``python -m lead.main_ppo`` checks the
registry with :func:`ensure_registered` before anything starts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch

from lead.integrations.verl.holder import get_holder
from lead.integrations.verl.method_config import PROJECT_ESTIMATORS, method_options
from lead.integrations.verl.metrics import install_tracking_hook
from lead.integrations.verl.problem_ids import problem_ids_from_uids
from lead.methods import METHODS

logger = logging.getLogger(__name__)

PADDING_UID_PREFIX = "pad"

VerlEstimator = Callable[..., tuple[torch.Tensor, torch.Tensor]]


def real_row_mask(index: Sequence[Any], response_mask: torch.Tensor) -> torch.Tensor:
    """(B,) bool: rows that are real samples.

    The v1 trainer pads a batch with no-op rows whose uid starts with ``"pad"`` and whose response
    mask is all zeros; they must not enter any statistic.
    """
    is_padding = [str(uid).startswith(PADDING_UID_PREFIX) for uid in index]
    return ~torch.tensor(is_padding, dtype=torch.bool, device=response_mask.device)


def finite_reward_rows(name: str, token_level_rewards: torch.Tensor) -> torch.Tensor:
    """(B,) bool: rows whose rewards are all finite.

    A NaN or infinite reward (from a custom reward function) must not stop a training run: such a
    row is left out of every statistic and gets zero advantage, like a padding row, with a warning
    and the count logged as ``<method>/nonfinite_reward_rows``.
    """
    finite = torch.isfinite(token_level_rewards).all(dim=-1)
    bad = int((~finite).sum())
    if bad:
        logger.warning("%s: %d response(s) with NaN or infinite rewards get zero advantage", name, bad)
    return finite


def compute_method_advantage(
    name: str,
    token_level_rewards: torch.Tensor,
    response_mask: torch.Tensor,
    index: Sequence[Any] | None,
    config: Mapping[str, Any] | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Advantages of method ``name`` for a verl batch; returns ``(advantages, returns)``, both (B, T).

    Args:
        token_level_rewards: (B, T) rewards; a row's sum is its correctness score (1.0 / 0.0).
        response_mask: (B, T) 1 on valid response tokens.
        index: (B,) prompt group ids (verl's ``uid``), an object array.
        config: verl's ``algorithm`` section, which holds the method's options.
    """
    if index is None:
        raise ValueError(
            f"adv_estimator={name} needs the prompt uid of every response (index=None was passed)"
        )
    if len(index) != token_level_rewards.shape[0]:
        raise ValueError(
            f"index has {len(index)} entries but token_level_rewards has {token_level_rewards.shape[0]} rows"
        )
    holder = get_holder()
    estimator = holder.estimator_for(name, method_options(name, config))
    install_tracking_hook()

    finite = finite_reward_rows(name, token_level_rewards)
    keep = real_row_mask(index, response_mask) & finite
    advantages = torch.zeros_like(token_level_rewards, dtype=torch.float32)
    if bool(keep.any()):
        kept_index = np.asarray(index, dtype=object)[keep.cpu().numpy()]
        problem_ids = problem_ids_from_uids(name, kept_index) if estimator.method.needs_problem_ids else None
        kept_advantages, metrics = estimator(
            token_level_rewards[keep], response_mask[keep], kept_index, problem_ids=problem_ids
        )
        advantages[keep] = kept_advantages.to(advantages.dtype)
        metrics[f"{name}/nonfinite_reward_rows"] = float((~finite).sum())
        holder.record(metrics)
    return advantages, advantages


def _verl_estimator(name: str) -> VerlEstimator:
    """The function verl calls for ``adv_estimator=name`` (verl's estimator signature)."""

    def estimate(
        token_level_rewards: torch.Tensor,
        response_mask: torch.Tensor,
        index: Sequence[Any] | None = None,
        config: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return compute_method_advantage(name, token_level_rewards, response_mask, index, config)

    estimate.__name__ = estimate.__qualname__ = f"compute_{name}_advantage"
    estimate.__doc__ = (
        f"verl estimator ``{name}``: {METHODS[name].rewards}; see :func:`compute_method_advantage`."
    )
    return estimate


VERL_ESTIMATORS: dict[str, VerlEstimator] = {name: _verl_estimator(name) for name in PROJECT_ESTIMATORS}
"""The function registered in verl for each project method, created once per process."""


def register() -> None:
    """Register every project method in verl's estimator registry; names already ours are skipped."""
    from verl.trainer.ppo import core_algos

    for name, function in VERL_ESTIMATORS.items():
        if core_algos.ADV_ESTIMATOR_REGISTRY.get(name) is not function:
            core_algos.register_adv_est(name)(function)


def ensure_registered(name: str) -> None:
    """Raise ``RuntimeError`` saying why if ``name`` is not the project's estimator in this process."""
    from verl.trainer.ppo import core_algos

    registered = core_algos.ADV_ESTIMATOR_REGISTRY.get(name)
    if registered is VERL_ESTIMATORS.get(name):
        return
    if registered is None:
        reason = (
            f"nothing is registered under {name!r}. The plugin is loaded by `import verl` through the "
            "'verl.plugins' entry point: install the project in this environment (`pip install -e .`) and "
            "do not set VERL_USE_EXTERNAL_PLUGINS=none"
        )
    else:
        reason = f"{name!r} is registered to another function ({registered!r})"
    raise RuntimeError(f"algorithm.adv_estimator={name} cannot run: {reason}")


try:
    register()
except Exception:
    logger.exception("plugin: registering the project's advantage estimators in verl failed")
    raise
