"""The legacy verl trainer (``trainer.use_v1=False``) with the method's state in its checkpoints.

``RayPPOTrainer`` has no checkpoint callback; :class:`LEADRayPPOTrainer` adds the state of the
run's method to ``_save_checkpoint`` and restores it after ``_load_checkpoint``. For a method with
per-problem state it also puts each row's stable problem id into its uid
(:class:`~lead.integrations.verl.problem_ids.ProblemIdUidLegacyMixin`). verl's legacy
``TaskRunner.run`` builds ``RayPPOTrainer`` by the name it imported into
``verl.trainer.main_ppo_v0``; :func:`legacy_trainer_class` points that name at the project's
trainer while the runner runs.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from verl.trainer.ppo.ray_trainer import RayPPOTrainer

from lead.integrations.verl.checkpoint import restore_method_state, save_method_state, uses_project_method
from lead.integrations.verl.method_config import project_method
from lead.integrations.verl.problem_ids import ProblemIdUidLegacyMixin
from lead.methods import METHODS


class LEADRayPPOTrainer(RayPPOTrainer):
    """``RayPPOTrainer`` that saves and restores the method's state with every checkpoint."""

    def _save_checkpoint(self) -> None:
        super()._save_checkpoint()
        if uses_project_method(self.config):
            folder = f"global_step_{self.global_steps}"
            save_method_state(os.path.join(self.config.trainer.default_local_dir, folder))

    def _load_checkpoint(self) -> Any:
        result = super()._load_checkpoint()
        restore_method_state(self.config)
        return result


class LEADProblemIdRayPPOTrainer(ProblemIdUidLegacyMixin, LEADRayPPOTrainer):
    """:class:`LEADRayPPOTrainer` whose uids carry stable problem ids (``hapo``)."""


def legacy_trainer_for(config: Any) -> type[RayPPOTrainer]:
    """The project's legacy trainer class for a run's config."""
    method = project_method(config)
    if method is not None and METHODS[method].needs_problem_ids:
        return LEADProblemIdRayPPOTrainer
    return LEADRayPPOTrainer


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
