"""The grader's outcomes as training metrics, every step, in both verl trainers, for every estimator.

The grader runs in verl's reward-loop worker actors, not in the driver that logs. What it found for
each response travels to the driver with the response, as reward extra info (every key of
``lead.reward.compute_score``'s result): the legacy ``RayPPOTrainer`` keeps each key as a column of
``batch.non_tensor_batch``; the v1 ``PPOTrainer`` keeps each response's dict in the TransferQueue,
as ``extra_fields["reward_extra_info"]``. verl's validation reports every key already
(``val-aux/<source>/<key>/mean@N``); for training steps, :func:`grader_step_metrics` turns the
step's responses into

- ``lead/grader_timeout_rate``: share graded wrong because a comparison ran out of time;
- ``lead/grader_queue_timeout_rate``: share graded wrong because no math-verify worker came free;
- ``lead/grader_unreadable_rate``: share graded wrong whose answer math-verify could not read;
- ``lead/grader_no_answer_rate``: share without a final answer;
- ``lead/grader_queue_seconds_mean`` and ``_max``: waits for math-verify workers.

The context managers add them to the metrics each trainer computes from its step's batch (the
legacy trainer's ``compute_data_metrics`` call, the v1 trainer's ``_compute_metrics``), which the
trainer then logs. Keys a reward function does not return give no metric.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import numbers
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

REWARD_EXTRA_INFO = "reward_extra_info"
SHARE_OF_TRUE = {
    "timed_out": "lead/grader_timeout_rate",
    "queue_timed_out": "lead/grader_queue_timeout_rate",
    "unreadable": "lead/grader_unreadable_rate",
}
SHARE_OF_FALSE = {"has_answer": "lead/grader_no_answer_rate"}
QUEUE_SECONDS = "queue_seconds"


def _known_values(column: Sequence[Any]) -> np.ndarray:
    """(N,) float64: the entries that are numbers or booleans (verl fills None for a response without
    the key; another reward function may use the name for something else)."""
    known = [float(value) for value in column if isinstance(value, numbers.Real | np.bool_)]
    return np.array(known, dtype=np.float64)


def grader_step_metrics(columns: Mapping[str, Sequence[Any]]) -> dict[str, float]:
    """``lead/grader_*`` metrics of one step from per-response columns (key -> (N,) values)."""
    metrics: dict[str, float] = {}
    for key, name in (*SHARE_OF_TRUE.items(), *SHARE_OF_FALSE.items()):
        values = _known_values(columns[key]) if key in columns else np.empty(0)
        if values.size:
            share_of_true = float(values.mean())
            metrics[name] = share_of_true if key in SHARE_OF_TRUE else 1.0 - share_of_true
    seconds = _known_values(columns[QUEUE_SECONDS]) if QUEUE_SECONDS in columns else np.empty(0)
    if seconds.size:
        metrics["lead/grader_queue_seconds_mean"] = float(seconds.mean())
        metrics["lead/grader_queue_seconds_max"] = float(seconds.max())
    return metrics


def columns_of_extra_fields(extra_fields: Sequence[Any]) -> dict[str, list[Any]]:
    """Per-response reward extra info (v1: each response's ``extra_fields``) as columns.

    A response without a key has None in that column.
    """
    infos = []
    for fields in extra_fields:
        fields = getattr(fields, "data", fields)  # a TransferQueue entry may come wrapped
        info = fields.get(REWARD_EXTRA_INFO) if isinstance(fields, Mapping) else None
        infos.append(info if isinstance(info, Mapping) else {})
    keys = {key for info in infos for key in info}
    return {key: [info.get(key) for info in infos] for key in keys}


def v1_step_columns(batch: Any) -> dict[str, list[Any]]:
    """The reward extra info of a v1 step's real (not padding) responses, read from the TransferQueue.

    ``batch`` is the step's ``KVBatchMeta`` (``keys``, ``tags``, ``partition_id``).
    """
    import transfer_queue as tq

    real = [key for key, tag in zip(batch.keys, batch.tags, strict=True) if not tag.get("is_padding", False)]
    if not real:
        return {}
    try:
        data = tq.kv_batch_get(keys=real, partition_id=batch.partition_id, select_fields=["extra_fields"])
        extra_fields = list(data["extra_fields"])
    except (KeyError, ValueError) as error:  # metrics must never stop training
        logger.warning("lead: no grader metrics this step, the responses have no extra_fields (%s)", error)
        return {}
    return columns_of_extra_fields(extra_fields)


@contextlib.contextmanager
def legacy_grader_metrics() -> Iterator[None]:
    """In the block, ``RayPPOTrainer.fit``'s data metrics of every step include the grader's."""
    from verl.trainer.ppo import ray_trainer

    original = ray_trainer.compute_data_metrics

    @functools.wraps(original)
    def compute_data_metrics(batch: Any, use_critic: bool = True) -> dict[str, Any]:
        return {**original(batch=batch, use_critic=use_critic), **grader_step_metrics(batch.non_tensor_batch)}

    ray_trainer.compute_data_metrics = compute_data_metrics
    try:
        yield
    finally:
        ray_trainer.compute_data_metrics = original


@contextlib.contextmanager
def v1_grader_metrics() -> Iterator[None]:
    """In the block, the v1 ``PPOTrainer``'s metrics of every step include the grader's."""
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    original = PPOTrainer._compute_metrics

    @functools.wraps(original)
    def compute_metrics(self: Any, batch: Any, metrics: dict, *args: Any, **kwargs: Any) -> Any:
        result = original(self, batch, metrics, *args, **kwargs)
        metrics.update(grader_step_metrics(v1_step_columns(batch)))
        return result

    PPOTrainer._compute_metrics = compute_metrics
    try:
        yield
    finally:
        PPOTrainer._compute_metrics = original
