"""Ray task runners of ``python -m lead.main_ppo``: verl's runners plus the project's checks and state.

Both check, inside the Ray actor that trains, that the run's estimator is registered before any
worker starts, and log the grader's ``lead/grader_*`` metrics every step, whatever the estimator.
The legacy runner trains with :class:`LEADRayPPOTrainer` (the method's state in its checkpoints);
the v1 runner relies on ``trainer.checkpoint_callback_class`` for that, and builds its trainer with
the prompt counts of :mod:`~lead.integrations.verl.prompt_usage`. For a method with per-problem
state, both trainers put each row's stable problem id into its uid
(:mod:`~lead.integrations.verl.problem_ids`).
"""

from __future__ import annotations

from typing import Any

from verl.trainer.main_ppo import TaskRunnerV1
from verl.trainer.main_ppo_v0 import BaseTaskRunner, TaskRunner

from lead.integrations.verl.grader_metrics import legacy_grader_metrics, v1_grader_metrics
from lead.integrations.verl.legacy import legacy_trainer_class, legacy_trainer_for
from lead.integrations.verl.method_config import project_method
from lead.integrations.verl.plugin import ensure_registered
from lead.integrations.verl.problem_ids import ProblemIdUidV1Mixin
from lead.integrations.verl.prompt_usage import PromptUsageMixin, v1_trainers_with
from lead.methods import METHODS


def check_estimator(config: Any) -> None:
    """The run's project estimator (if any) is registered in this process."""
    method = project_method(config)
    if method is not None:
        ensure_registered(method)


def v1_mixins(config: Any) -> tuple[type, ...]:
    """The mixins of the v1 trainer for a run's config."""
    method = project_method(config)
    if method is not None and METHODS[method].needs_problem_ids:
        return (ProblemIdUidV1Mixin, PromptUsageMixin)
    return (PromptUsageMixin,)


class LEADTaskRunnerV1(TaskRunnerV1.__ray_actor_class__):
    """verl's v1 task runner, refusing to start without the run's estimator, logging prompt counts."""

    def run(self, config: Any) -> None:
        check_estimator(config)
        with v1_trainers_with(v1_mixins(config)), v1_grader_metrics():
            super().run(config)


class LEADTaskRunner(TaskRunner.__ray_actor_class__):
    """verl's legacy task runner, training with the project's legacy trainer."""

    def __init__(self) -> None:
        # verl's TaskRunner.__init__ only calls BaseTaskRunner.__init__, through a zero-argument
        # super() that fails once Ray ships a subclass to the actor process; call it directly.
        BaseTaskRunner.__init__(self)

    def run(self, config: Any) -> None:
        check_estimator(config)
        with legacy_trainer_class(legacy_trainer_for(config)), legacy_grader_metrics():
            super().run(config)
