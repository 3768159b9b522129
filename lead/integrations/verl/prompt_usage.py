"""Prompts the v1 trainer draws from the training data: per step, in total and in passes.

verl's v1 trainer counts epochs in steps: ``steps_per_epoch = len(train dataset) //
data.train_batch_size``, ``training/epoch = (step - 1) // steps_per_epoch``, and
``trainer.total_epochs`` bounds the steps. Without dynamic sampling a step draws one batch of
``data.train_batch_size`` prompts. With it (``algorithm.filter_groups.enable=True``) every group
the filter drops is replaced by fresh prompts from the dataloader, which restarts when it runs out,
so ``total_epochs`` epochs are that many times ``steps_per_epoch`` full steps on more data than
``total_epochs`` passes. Every step therefore logs:

- ``data/prompts_in_step``: prompts drawn since the previous step;
- ``data/prompts_consumed``: prompts drawn since the run started, resumes included;
- ``data/dataset_passes``: ``prompts_consumed / len(train dataset)``.

The total is saved as ``global_step_N/prompt_usage.json`` with every checkpoint and restored on
resume. :func:`v1_trainers_with` makes verl's v1 task runner build its trainer with
:class:`PromptUsageMixin` (and any other mixins of the project's runner).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from typing import Any

from lead.integrations.verl.checkpoint import resolve_resume_folder

logger = logging.getLogger(__name__)

USAGE_FILENAME = "prompt_usage.json"


class PromptUsageMixin:
    """Mixed in before a verl v1 trainer class: counts, logs, saves and restores the prompts drawn."""

    prompts_consumed: int = 0
    _prompts_logged: int = 0

    def _fetch_one_gen_batch(self) -> Any:
        batch = super()._fetch_one_gen_batch()
        self.prompts_consumed += len(batch)
        return batch

    def _consume_sync_metrics(self) -> dict:
        metrics = super()._consume_sync_metrics()
        in_step = self.prompts_consumed - self._prompts_logged
        self._prompts_logged = self.prompts_consumed
        return {
            **metrics,
            "data/prompts_in_step": float(in_step),
            "data/prompts_consumed": float(self.prompts_consumed),
            "data/dataset_passes": self.prompts_consumed / len(self.train_dataset),
        }

    def _save_checkpoint(self) -> None:
        super()._save_checkpoint()
        folder = os.path.join(self.config.trainer.default_local_dir, f"global_step_{self.global_steps}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, USAGE_FILENAME), "w", encoding="utf-8") as handle:
            json.dump({"prompts_consumed": self.prompts_consumed}, handle)

    def _load_checkpoint(self) -> Any:
        result = super()._load_checkpoint()
        folder = resolve_resume_folder(self.config.trainer) if self.global_steps else None
        if folder is not None:
            path = os.path.join(folder, USAGE_FILENAME)
            if os.path.exists(path):
                with open(path, encoding="utf-8") as handle:
                    self.prompts_consumed = int(json.load(handle)["prompts_consumed"])
            else:
                self.prompts_consumed = self.global_steps * self.config.data.train_batch_size
                logger.warning(
                    "Checkpoint %s has no %s: data/prompts_consumed restarts from %d (steps x "
                    "data.train_batch_size; a lower bound with dynamic sampling)",
                    folder,
                    USAGE_FILENAME,
                    self.prompts_consumed,
                )
        self._prompts_logged = self.prompts_consumed
        return result


def with_mixins(trainer_cls: type, mixins: tuple[type, ...] = (PromptUsageMixin,)) -> type:
    """``trainer_cls`` with ``mixins`` before it (same name, so verl's logs read the same)."""
    return type(trainer_cls.__name__, (*mixins, trainer_cls), {"__module__": __name__})


@contextlib.contextmanager
def v1_trainers_with(mixins: tuple[type, ...] = (PromptUsageMixin,)) -> Iterator[None]:
    """Inside the block, ``verl.trainer.ppo.v1.get_trainer_cls`` returns trainers with ``mixins``.

    verl's ``TaskRunnerV1.run`` looks the function up on that module when it runs.
    """
    from verl.trainer.ppo import v1

    original = v1.get_trainer_cls
    v1.get_trainer_cls = lambda mode: with_mixins(original(mode), mixins)
    try:
        yield
    finally:
        v1.get_trainer_cls = original
