"""LEAD controller state in verl checkpoints: ``global_step_N/lead_state.json``.

- v1 trainer: :class:`LEADCheckpointCallback` (``trainer.checkpoint_callback_class``) writes the state
  after every save; it is built on the driver before the trainer loads its checkpoint, and restores
  the state of the folder the trainer will resume from.
- legacy trainer: ``lead.integrations.verl.legacy.LEADRayPPOTrainer`` calls the same functions from
  its ``_save_checkpoint`` / ``_load_checkpoint``.

The resume folder is resolved like the trainers do (``trainer.resume_mode`` ``auto`` / ``resume_path``
/ ``disable``, ``find_latest_ckpt_path`` on ``trainer.default_local_dir``). A folder without LEAD state
(e.g. a GRPO checkpoint) resumes with a warning and a fresh controller.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from verl.trainer.ppo.checkpoint_callback import CheckpointCallback

from lead.integrations.verl.controller import get_controller, lead_config_from_algorithm
from lead.integrations.verl.plugin import ESTIMATOR_NAME

logger = logging.getLogger(__name__)

STATE_FILENAME = "lead_state.json"


def uses_lead(config: Any) -> bool:
    """Whether the full trainer config selects the LEAD estimator."""
    return str(config.algorithm.adv_estimator) == ESTIMATOR_NAME


def save_lead_state(global_step_dir: str) -> str | None:
    """Write the controller state into ``global_step_dir``; returns the file, or None if LEAD never ran."""
    controller = get_controller()
    if controller.estimator is None:
        logger.warning("No LEAD estimator call yet: no LEAD state saved in %s", global_step_dir)
        return None
    os.makedirs(global_step_dir, exist_ok=True)
    path = os.path.join(global_step_dir, STATE_FILENAME)
    tmp_path = path + ".tmp"
    with open(tmp_path, "w", encoding="utf-8") as handle:
        json.dump(controller.state_dict(), handle, indent=2, sort_keys=True)
    os.replace(tmp_path, path)
    return path


def _absolute(path: str) -> str:
    return path if os.path.isabs(path) else os.path.join(os.getcwd(), path)


def resolve_resume_folder(trainer_config: Any) -> str | None:
    """The ``global_step_N`` folder the trainer resumes from, or None when it starts from scratch."""
    from verl.utils.checkpoint.checkpoint_manager import find_latest_ckpt_path

    mode = trainer_config.resume_mode
    if mode == "disable":
        return None
    if mode == "auto":
        return find_latest_ckpt_path(_absolute(trainer_config.default_local_dir))
    if mode == "resume_path":
        path = trainer_config.resume_from_path
        if not isinstance(path, str) or "global_step_" not in path:
            raise ValueError(
                f"trainer.resume_from_path={path!r} is invalid with resume_mode=resume_path: "
                "allowed is a path to a global_step_N folder"
            )
        return _absolute(path)
    raise ValueError(
        f"trainer.resume_mode={mode!r} is invalid: allowed values are auto, resume_path, disable"
    )


def restore_lead_state(config: Any) -> bool:
    """Load the LEAD state of the run's resume folder into the controller; True if restored.

    No-op (False) when the run does not use LEAD or starts from scratch. A resume folder without a
    LEAD state file gives a warning and a fresh controller.
    """
    if not uses_lead(config):
        return False
    folder = resolve_resume_folder(config.trainer)
    if folder is None:
        return False
    path = os.path.join(folder, STATE_FILENAME)
    controller = get_controller()
    lead_config = lead_config_from_algorithm(config.algorithm)
    if not os.path.exists(path):
        logger.warning("Checkpoint %s has no %s: LEAD starts with a fresh controller", folder, STATE_FILENAME)
        controller.reset()
        controller.estimator_for(lead_config)
        return False
    with open(path, encoding="utf-8") as handle:
        controller.load_state_dict(json.load(handle), lead_config)
    logger.info("Restored LEAD state from %s (%d estimator calls)", path, controller.calls)
    return True


class LEADCheckpointCallback(CheckpointCallback):
    """v1 trainer callback: restores LEAD state on construction, saves it with every checkpoint."""

    def __init__(self, config: Any = None) -> None:
        super().__init__(config=config)
        if config is not None:
            restore_lead_state(config)

    def on_save(
        self, trainer: Any, global_step: int, checkpoint_dir: str, async_save: bool = False, **kwargs: Any
    ) -> None:
        """Write ``lead_state.json`` into the ``global_step_N`` folder just saved."""
        if self.config is None or uses_lead(self.config):
            save_lead_state(checkpoint_dir)
