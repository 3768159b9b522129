"""The legacy verl trainer (``trainer.use_v1=False``) with LEAD state in its checkpoints.

``RayPPOTrainer`` has no checkpoint callback; this subclass adds the LEAD state to
``_save_checkpoint`` and restores it after ``_load_checkpoint``. verl's legacy ``TaskRunner.run``
builds ``RayPPOTrainer`` by the name it imported into ``verl.trainer.main_ppo_v0``;
:func:`legacy_trainer_class` points that name at this subclass while the runner runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from verl.trainer.ppo.ray_trainer import RayPPOTrainer

from lead.integrations.verl.checkpoint import restore_lead_state, save_lead_state, uses_lead


class LEADRayPPOTrainer(RayPPOTrainer):
    """``RayPPOTrainer`` that saves and restores the LEAD controller with every checkpoint."""

    def _save_checkpoint(self) -> None:
        super()._save_checkpoint()
        if uses_lead(self.config):
            folder = f"global_step_{self.global_steps}"
            save_lead_state(os.path.join(self.config.trainer.default_local_dir, folder))

    def _load_checkpoint(self) -> Any:
        result = super()._load_checkpoint()
        restore_lead_state(self.config)
        return result


@contextlib.contextmanager
def legacy_trainer_class(trainer_class: type[RayPPOTrainer]) -> Iterator[None]:
    """Make verl's legacy ``TaskRunner.run`` build ``trainer_class`` inside the block."""
    from verl.trainer import main_ppo_v0

    original = main_ppo_v0.RayPPOTrainer
    main_ppo_v0.RayPPOTrainer = trainer_class
    try:
        yield
    finally:
        main_ppo_v0.RayPPOTrainer = original
