"""The process-level LEAD controller behind verl's ``lead`` advantage estimator.

verl calls a registered estimator as a plain function, once per advantage computation, in the
trainer's driver process. The controller keeps what has to outlive those calls: the
:class:`lead.LEADEstimator` (whose EMA weights are the state saved with checkpoints), the number of
calls, and the metrics of the calls since the trainer last logged.

With the v1 trainer's ``separate_async`` mode (``parameter_sync_step = k > 1``) the estimator runs
``k`` times per global step, once per mini-batch; each call is one controller update (one EMA step).
The metrics logged for a global step are those of its last call, plus
``lead/estimator_calls_in_step`` (``k``) and ``lead/estimator_calls`` (all calls so far).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

from lead import LEADConfig, LEADEstimator

logger = logging.getLogger(__name__)

STATE_FORMAT_VERSION = 1


def lead_config_from_algorithm(algorithm: Mapping[str, Any] | None) -> LEADConfig:
    """Build the LEAD config from verl's ``algorithm`` section (``lead_*`` keys; defaults if absent)."""
    if algorithm is None:
        return LEADConfig()
    return LEADConfig.from_mapping(algorithm, prefix="lead_")


class LEADController:
    """Holds one :class:`LEADEstimator` per process, its call count and its pending metrics."""

    def __init__(self) -> None:
        self.estimator: LEADEstimator | None = None
        self.config: LEADConfig | None = None
        self.calls = 0
        self._pending: list[dict[str, float]] = []

    def estimator_for(self, config: LEADConfig) -> LEADEstimator:
        """Return the estimator for ``config``, creating it on first use.

        A different config replaces the estimator with a fresh one (its state cannot carry over).
        """
        if self.estimator is not None and self.config == config:
            return self.estimator
        if self.estimator is not None:
            logger.warning("LEAD config changed within the process; starting a fresh LEAD controller")
        self.estimator = LEADEstimator(config)
        self.config = config
        self.calls = 0
        self._pending.clear()
        return self.estimator

    def record(self, metrics: Mapping[str, float]) -> None:
        """Count one estimator call and keep its metrics until the trainer logs."""
        self.calls += 1
        self._pending.append(dict(metrics))

    def pop_step_metrics(self) -> dict[str, float]:
        """Metrics of the calls since the last pop: the last call's, plus call counts; ``{}`` if none."""
        if not self._pending:
            return {}
        metrics = dict(self._pending[-1])
        metrics["lead/estimator_calls_in_step"] = float(len(self._pending))
        metrics["lead/estimator_calls"] = float(self.calls)
        self._pending.clear()
        return metrics

    def state_dict(self) -> dict[str, Any]:
        """Plain-Python state for a checkpoint; requires an estimator."""
        if self.estimator is None or self.config is None:
            raise ValueError("LEAD controller has no estimator yet: nothing to save")
        return {
            "format_version": STATE_FORMAT_VERSION,
            "config": dataclasses.asdict(self.config),
            "estimator_calls": self.calls,
            "estimator": self.estimator.state_dict(),
        }

    def load_state_dict(self, state: Mapping[str, Any], config: LEADConfig) -> None:
        """Restore a saved state into a fresh estimator built from the run's ``config``."""
        version = state.get("format_version")
        if version != STATE_FORMAT_VERSION:
            raise ValueError(
                f"LEAD state format_version={version!r} is not supported: allowed is {STATE_FORMAT_VERSION}"
            )
        saved_config = state.get("config")
        if saved_config != dataclasses.asdict(config):
            logger.warning(
                "Resuming LEAD with a config that differs from the checkpoint's: saved %s, now %s",
                saved_config,
                dataclasses.asdict(config),
            )
        self.estimator = LEADEstimator(config)
        self.config = config
        self.estimator.load_state_dict(state["estimator"])
        self.calls = int(state.get("estimator_calls", 0))
        self._pending.clear()

    def reset(self) -> None:
        """Forget everything (a new run in the same process)."""
        self.estimator = None
        self.config = None
        self.calls = 0
        self._pending.clear()


_CONTROLLER = LEADController()


def get_controller() -> LEADController:
    """The controller of this process."""
    return _CONTROLLER
