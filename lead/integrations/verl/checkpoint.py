"""The estimator's state in verl checkpoints: ``global_step_N/lead_state.json``, for every method.

The file is the project's one state format (:mod:`lead.methods.state_file`; the TRL trainer writes
the same), so a state saved by either loads in the other.

- v1 trainer: :class:`EstimatorStateCallback` (``trainer.checkpoint_callback_class``) writes the
  state after every save; it is built on the driver before the trainer loads its checkpoint, and
  restores the state of the folder the trainer will resume from.
- legacy trainer: ``lead.integrations.verl.legacy.LEADRayPPOTrainer`` calls the same functions from
  its ``_save_checkpoint`` / ``_load_checkpoint``.

The resume folder is resolved like the trainers do (``trainer.resume_mode`` ``auto`` / ``resume_path``
/ ``disable``, ``find_latest_ckpt_path`` on ``trainer.default_local_dir``). A resume folder without
the method's state stops the run with :class:`MissingMethodStateError`: the v1 trainer writes
``latest_checkpointed_iteration.txt`` before the callback writes the state, so a run that stopped
between the two (or a checkpoint of another method's run) would otherwise continue with a fresh
state. The error names the folder and the two ways out: resume from an earlier step that has its
state, or set ``trainer.fresh_method_state=true`` to start the method's state fresh.
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from verl.trainer.ppo.checkpoint_callback import CheckpointCallback

from lead.integrations.verl.holder import get_holder
from lead.integrations.verl.method_config import method_options, project_method
from lead.methods.state_file import STATE_FILENAME, read_state_file, write_state_file

logger = logging.getLogger(__name__)

FRESH_STATE_KEY = "trainer.fresh_method_state"
_STEP_FOLDER = re.compile(r"global_step_(\d+)")


class MissingMethodStateError(ValueError):
    """A run resumes from a checkpoint that lacks the state its method keeps beside the checkpoint."""


def uses_project_method(config: Any) -> bool:
    """Whether the full trainer config selects one of the project's estimators."""
    return project_method(config) is not None


def save_method_state(global_step_dir: str) -> str | None:
    """Write the estimator's state into ``global_step_dir``; the file, or None if no estimator ran yet."""
    holder = get_holder()
    if holder.estimator is None:
        logger.warning("No estimator call yet: no method state saved in %s", global_step_dir)
        return None
    return str(write_state_file(global_step_dir, holder.estimator, holder.calls))


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


def _step(folder: str) -> int | None:
    match = _STEP_FOLDER.fullmatch(os.path.basename(os.path.normpath(folder)))
    return int(match.group(1)) if match else None


def earlier_resumable_step(folder: str) -> str | None:
    """The latest ``global_step_M`` beside ``folder`` (M smaller) with an actor and a method state, or None.

    verl's ``max_actor_ckpt_to_keep`` deletes old ``actor/`` folders but leaves the rest of the step
    folder, so both are checked.
    """
    step, parent = _step(folder), os.path.dirname(os.path.normpath(folder))
    if step is None or not os.path.isdir(parent):
        return None
    folders = {_step(name): name for name in os.listdir(parent)}
    for earlier in sorted((other for other in folders if other is not None and other < step), reverse=True):
        path = os.path.join(parent, folders[earlier])
        if os.path.isdir(os.path.join(path, "actor")) and os.path.exists(os.path.join(path, STATE_FILENAME)):
            return path
    return None


def missing_state_message(method: str, folder: str) -> str:
    """Why a run of ``method`` cannot resume from ``folder`` and what to do instead."""
    earlier = earlier_resumable_step(folder)
    resume = (
        f"resume from {earlier} (trainer.resume_mode=resume_path trainer.resume_from_path={earlier})"
        if earlier
        else "resume from an earlier global_step_N folder that has one (none with actor/ and "
        f"{STATE_FILENAME} is left beside it)"
    )
    return (
        f"checkpoint {folder} has no {STATE_FILENAME}, the state of method {method!r} (the run stopped "
        f"between saving the checkpoint and its state, or the checkpoint is not from a {method} run): "
        f"{resume}, or start the method's state fresh from this checkpoint with {FRESH_STATE_KEY}=true"
    )


def starts_fresh(config: Any) -> bool:
    """``trainer.fresh_method_state`` (validated): start the method's state fresh on resume."""
    value = config.trainer.get("fresh_method_state", False)
    if not isinstance(value, bool):
        raise ValueError(f"{FRESH_STATE_KEY}={value!r} is invalid: allowed is true or false")
    return value


def state_to_restore(config: Any, folder: str) -> str | None:
    """The ``lead_state.json`` of the resume ``folder``; None to start fresh (with a warning).

    Raises :class:`MissingMethodStateError` when the file is missing, unless
    ``trainer.fresh_method_state=true``.
    """
    path = os.path.join(folder, STATE_FILENAME)
    if os.path.exists(path):
        return path
    method = project_method(config)
    if not starts_fresh(config):
        raise MissingMethodStateError(missing_state_message(method, folder))
    logger.warning(
        "Checkpoint %s has no %s: %s starts with a fresh state (%s=true)",
        folder,
        STATE_FILENAME,
        method,
        FRESH_STATE_KEY,
    )
    return None


def restore_method_state(config: Any) -> bool:
    """Load the method's state of the run's resume folder into the holder; True if restored.

    No-op (False) when the run uses none of the project's methods or starts from scratch. A resume
    folder without the state raises :class:`MissingMethodStateError`, or with
    ``trainer.fresh_method_state=true`` gives a fresh estimator (False). A state of another method
    is refused, naming both.
    """
    method = project_method(config)
    if method is None:
        return False
    folder = resolve_resume_folder(config.trainer)
    if folder is None:
        return False
    path = state_to_restore(config, folder)
    holder = get_holder()
    options = method_options(method, config.algorithm)
    if path is None:
        holder.reset()
        holder.estimator_for(method, options)
        return False
    holder.restore(method, options, read_state_file(path), source=path)
    logger.info("Restored the %s state from %s (%d estimator calls)", method, path, holder.calls)
    return True


class EstimatorStateCallback(CheckpointCallback):
    """v1 trainer callback: restores the method's state on construction, saves it with every checkpoint."""

    def __init__(self, config: Any = None) -> None:
        super().__init__(config=config)
        if config is not None:
            restore_method_state(config)

    def on_save(
        self, trainer: Any, global_step: int, checkpoint_dir: str, async_save: bool = False, **kwargs: Any
    ) -> None:
        """Write ``lead_state.json`` into the ``global_step_N`` folder just saved."""
        if self.config is None or uses_project_method(self.config):
            save_method_state(checkpoint_dir)
