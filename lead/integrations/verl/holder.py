"""The process-level holder of the estimator behind verl's advantage-estimator functions.

verl calls a registered estimator as a plain function, once per advantage computation, in the
trainer's driver process. The holder keeps what has to outlive those calls: the
:class:`lead.core.Estimator` of the run's method and options (whose state is saved with
checkpoints), the number of calls, and the metrics of the calls since the trainer last logged.

With the v1 trainer's ``separate_async`` mode (``parameter_sync_step = k > 1``) the estimator runs
``k`` times per global step, once per mini-batch; each call is one estimator step. The metrics
logged for a global step are those of its last call, plus ``<method>/estimator_calls_in_step`` (``k``)
and ``<method>/estimator_calls`` (all calls so far).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from lead.core import Estimator
from lead.core.options import MethodOptions
from lead.methods import METHODS
from lead.methods.state_file import restore_estimator, state_payload

logger = logging.getLogger(__name__)


class EstimatorHolder:
    """Holds one :class:`Estimator` per process, its call count and its pending metrics."""

    def __init__(self) -> None:
        self.estimator: Estimator | None = None
        self.calls = 0
        self._pending: list[dict[str, float]] = []

    def estimator_for(self, name: str, options: MethodOptions) -> Estimator:
        """The estimator of method ``name`` with ``options``, created on first use.

        Another method or other options replace the estimator with a fresh one (its state cannot
        carry over).
        """
        current = self.estimator
        if current is not None and current.name == name and current.options == options:
            return current
        if current is not None:
            logger.warning(
                "%s: the method or its options changed within the process; starting a fresh one", name
            )
        self.estimator = Estimator(METHODS[name], options)
        self.calls = 0
        self._pending.clear()
        return self.estimator

    def record(self, metrics: Mapping[str, float]) -> None:
        """Count one estimator call and keep its metrics until the trainer logs."""
        self.calls += 1
        self._pending.append(dict(metrics))

    def pop_step_metrics(self) -> dict[str, float]:
        """Metrics of the calls since the last pop: the last call's, plus call counts; ``{}`` if none."""
        if not self._pending or self.estimator is None:
            return {}
        metrics = dict(self._pending[-1])
        metrics[f"{self.estimator.name}/estimator_calls_in_step"] = float(len(self._pending))
        metrics[f"{self.estimator.name}/estimator_calls"] = float(self.calls)
        self._pending.clear()
        return metrics

    def state_payload(self) -> dict[str, Any]:
        """The state file's content (:mod:`lead.methods.state_file`); requires an estimator."""
        if self.estimator is None:
            raise ValueError("no estimator has run in this process yet: there is no state to save")
        return state_payload(self.estimator, self.calls)

    def restore(self, name: str, options: MethodOptions, payload: Mapping[str, Any], source: str) -> None:
        """Restore a saved payload into a fresh estimator of the run's method and options."""
        self.reset()
        estimator = self.estimator_for(name, options)
        self.calls = restore_estimator(estimator, payload, source=source)

    def reset(self) -> None:
        """Forget everything (a new run in the same process)."""
        self.estimator = None
        self.calls = 0
        self._pending.clear()


_HOLDER = EstimatorHolder()


def get_holder() -> EstimatorHolder:
    """The holder of this process."""
    return _HOLDER
