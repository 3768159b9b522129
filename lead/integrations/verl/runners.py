"""Ray task runners of ``python -m lead.main_ppo``: verl's runners plus the LEAD checks and state.

Both check, inside the Ray actor that trains, that the ``lead`` estimator is registered before any
worker starts, and log the grader's ``lead/grader_*`` metrics every step, whatever the estimator.
The legacy runner also trains with :class:`LEADRayPPOTrainer` (LEAD state in its checkpoints); the
v1 runner relies on ``trainer.checkpoint_callback_class`` for that.
"""

from __future__ import annotations

from typing import Any

from verl.trainer.main_ppo import TaskRunnerV1
from verl.trainer.main_ppo_v0 import BaseTaskRunner, TaskRunner

from lead.integrations.verl.checkpoint import uses_lead
from lead.integrations.verl.grader_metrics import legacy_grader_metrics, v1_grader_metrics
from lead.integrations.verl.legacy import LEADRayPPOTrainer, legacy_trainer_class
from lead.integrations.verl.plugin import ensure_registered


class LEADTaskRunnerV1(TaskRunnerV1.__ray_actor_class__):
    """verl's v1 task runner, refusing to start a LEAD run without the estimator."""

    def run(self, config: Any) -> None:
        if uses_lead(config):
            ensure_registered()
        with v1_grader_metrics():
            super().run(config)


class LEADTaskRunner(TaskRunner.__ray_actor_class__):
    """verl's legacy task runner, training with :class:`LEADRayPPOTrainer`."""

    def __init__(self) -> None:
        # verl's TaskRunner.__init__ only calls BaseTaskRunner.__init__, through a zero-argument
        # super() that fails once Ray ships a subclass to the actor process; call it directly.
        BaseTaskRunner.__init__(self)

    def run(self, config: Any) -> None:
        if uses_lead(config):
            ensure_registered()
        with legacy_trainer_class(LEADRayPPOTrainer), legacy_grader_metrics():
            super().run(config)
