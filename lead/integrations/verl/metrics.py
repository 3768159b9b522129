"""Getting the estimator's ``<method>/*`` metrics into the trainer's logger, in both verl trainers.

An estimator has no metrics channel in verl 0.9.1: it returns only advantages and returns. Both
trainers (legacy ``RayPPOTrainer.fit`` and the v1 ``PPOTrainer.fit``) log exactly once per training
step through ``verl.utils.tracking.Tracking.log``, in the same driver process that runs the
estimator, and every backend (console, wandb, tensorboard, ...) is fed from that call.

The seam: :func:`install_tracking_hook` wraps ``Tracking.log`` once per process so that each call
also carries the metrics of the estimator calls since the previous log (``EstimatorHolder
.pop_step_metrics``). Calls with no pending metrics (validation before training, verl's own
estimators) pass through unchanged. It is installed by the estimator on its first call, so runs
that use none of the project's methods are not touched.
"""

from __future__ import annotations

import functools
from typing import Any

from lead.integrations.verl.holder import get_holder

_HOOK_MARKER = "_method_metrics_hook"


def install_tracking_hook() -> None:
    """Wrap ``Tracking.log`` to add the estimator's pending ``<method>/*`` metrics; idempotent."""
    from verl.utils.tracking import Tracking

    original = Tracking.log
    if getattr(original, _HOOK_MARKER, False):
        return

    @functools.wraps(original)
    def log_with_method_metrics(self: Any, data: dict, step: int, backend: Any = None) -> None:
        method_metrics = get_holder().pop_step_metrics()
        if method_metrics:
            data = {**data, **method_metrics}
        return original(self, data=data, step=step, backend=backend)

    setattr(log_with_method_metrics, _HOOK_MARKER, True)
    Tracking.log = log_with_method_metrics
