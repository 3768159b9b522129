"""Registers LEAD as verl's ``lead`` advantage estimator.

Loaded in every process by ``import verl`` through the ``verl.plugins`` entry point of this package
(and, where set, through ``VERL_USE_EXTERNAL_MODULES=lead.integrations.verl.plugin``, which makes
import errors fatal). verl swallows entry-point errors at debug level, so a failed registration is
logged here at error level before the exception propagates, and ``python -m lead.main_ppo`` checks
the registry with :func:`ensure_registered` before anything starts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import torch

from lead.integrations.verl.controller import get_controller, lead_config_from_algorithm
from lead.integrations.verl.metrics import install_tracking_hook

logger = logging.getLogger(__name__)

ESTIMATOR_NAME = "lead"
PADDING_UID_PREFIX = "pad"


def real_row_mask(index: Sequence[Any], response_mask: torch.Tensor) -> torch.Tensor:
    """(B,) bool: rows that are real samples.

    The v1 trainer pads a batch with no-op rows whose uid starts with ``"pad"`` and whose response
    mask is all zeros; they must not enter any LEAD statistic.
    """
    is_padding = [str(uid).startswith(PADDING_UID_PREFIX) for uid in index]
    return ~torch.tensor(is_padding, dtype=torch.bool, device=response_mask.device)


def finite_reward_rows(token_level_rewards: torch.Tensor) -> torch.Tensor:
    """(B,) bool: rows whose rewards are all finite.

    A NaN or infinite reward (from a custom reward function) must not stop a training run: such a
    row is left out of every LEAD statistic and gets zero advantage, like a padding row, with a
    warning and the count logged as ``lead/nonfinite_reward_rows``.
    """
    finite = torch.isfinite(token_level_rewards).all(dim=-1)
    bad = int((~finite).sum())
    if bad:
        logger.warning("lead: %d response(s) with NaN or infinite rewards get zero advantage", bad)
    return finite


def compute_lead_advantage(
    token_level_rewards: torch.Tensor,
    response_mask: torch.Tensor,
    index: Sequence[Any] | None = None,
    config: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> tuple[torch.Tensor, torch.Tensor]:
    """verl estimator: LEAD advantages for a batch; returns ``(advantages, returns)``, both (B, T).

    Args:
        token_level_rewards: (B, T) rewards; a row's sum is its correctness score (1.0 / 0.0).
        response_mask: (B, T) 1 on valid response tokens.
        index: (B,) prompt group ids (verl's ``uid``), an object array.
        config: verl's ``algorithm`` section; its ``lead_*`` keys configure LEAD.
        **kwargs: other arguments verl may pass; unused.
    """
    if index is None:
        raise ValueError("adv_estimator=lead needs the prompt uid of every response (index=None was passed)")
    if len(index) != token_level_rewards.shape[0]:
        raise ValueError(
            f"index has {len(index)} entries but token_level_rewards has {token_level_rewards.shape[0]} rows"
        )
    controller = get_controller()
    estimator = controller.estimator_for(lead_config_from_algorithm(config))
    install_tracking_hook()

    finite = finite_reward_rows(token_level_rewards)
    keep = real_row_mask(index, response_mask) & finite
    advantages = torch.zeros_like(token_level_rewards, dtype=torch.float32)
    if bool(keep.any()):
        kept_index = np.asarray(index, dtype=object)[keep.cpu().numpy()]
        kept_advantages, metrics = estimator(token_level_rewards[keep], response_mask[keep], kept_index)
        advantages[keep] = kept_advantages.to(advantages.dtype)
        metrics["lead/nonfinite_reward_rows"] = float((~finite).sum())
        controller.record(metrics)
    return advantages, advantages


def register() -> None:
    """Register :func:`compute_lead_advantage` under ``"lead"``; a no-op if already registered."""
    from verl.trainer.ppo import core_algos

    if core_algos.ADV_ESTIMATOR_REGISTRY.get(ESTIMATOR_NAME) is compute_lead_advantage:
        return
    core_algos.register_adv_est(ESTIMATOR_NAME)(compute_lead_advantage)


def ensure_registered() -> None:
    """Raise ``RuntimeError`` saying why if ``"lead"`` is not verl's LEAD estimator in this process."""
    from verl.trainer.ppo import core_algos

    registered = core_algos.ADV_ESTIMATOR_REGISTRY.get(ESTIMATOR_NAME)
    if registered is compute_lead_advantage:
        return
    if registered is None:
        reason = (
            "nothing is registered under 'lead'. The plugin is loaded by `import verl` through the "
            "'verl.plugins' entry point: install the project in this environment (`pip install -e .`) and "
            "do not set VERL_USE_EXTERNAL_PLUGINS=none"
        )
    else:
        reason = f"'lead' is registered to another function ({registered!r})"
    raise RuntimeError(f"algorithm.adv_estimator=lead cannot run: {reason}")


try:
    register()
except Exception:
    logger.exception("LEAD plugin: registering the 'lead' advantage estimator in verl failed")
    raise
