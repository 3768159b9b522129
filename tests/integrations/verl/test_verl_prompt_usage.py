"""Prompts drawn from the training data with verl's v1 trainer code: counted, logged, saved, restored."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest
from verl.trainer.ppo.v1 import PPOTrainerSync

from lead.integrations.verl.prompt_usage import (
    USAGE_FILENAME,
    PromptUsageMixin,
    v1_trainers_with,
    with_mixins,
)

ROOT = Path(__file__).resolve().parents[3]
ROWS = 5


class RecordingWorkerGroup:
    """Stands in for the actor worker group (GPU-only)."""

    def save_checkpoint(self, local_path, remote_path, global_step, max_ckpt_to_keep=None) -> None:
        Path(local_path).mkdir(parents=True, exist_ok=True)

    def load_checkpoint(self, local_path, del_local_after_load=False) -> None:
        pass


class NoCallback:
    def on_save(self, **kwargs) -> None:
        pass


@pytest.fixture(scope="module")
def train_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "train.parquet"
    pd.read_parquet(ROOT / "data/math/test.parquet").head(ROWS).to_parquet(path)
    return path


def make_trainer(config, dynamic_sampling: bool):
    """A v1 sync trainer with the mixin and verl's own dataloaders; nothing that needs a GPU."""
    trainer = object.__new__(with_mixins(PPOTrainerSync))
    trainer.config, trainer.trainer_mode, trainer.use_critic = config, "sync", False
    trainer.tokenizer, trainer.processor = None, None  # RLHFDataset tokenizes nothing without the filter
    trainer.actor_rollout_wg, trainer.checkpoint_callback = RecordingWorkerGroup(), NoCallback()
    trainer.global_steps, trainer.parameter_sync_step = 0, 1
    trainer._init_dataloader()
    assert trainer.config.data.gen_batch_size == (1 if dynamic_sampling else None)
    return trainer


@pytest.fixture
def config_for(lead_config, train_file, tmp_path):
    def compose(*overrides: str):
        return lead_config(
            "algorithm.adv_estimator=grpo",
            f"data.train_files={train_file}",
            f"data.val_files={train_file}",
            "data.train_batch_size=2",
            "data.dataloader_num_workers=0",
            "data.filter_overlong_prompts=False",
            f"trainer.default_local_dir={tmp_path / 'ckpt'}",
            *overrides,
        )

    return compose


def test_dynamic_sampling_refills_count_every_prompt_and_every_pass(config_for):
    trainer = make_trainer(config_for("algorithm.filter_groups.enable=True"), dynamic_sampling=True)
    assert trainer.steps_per_epoch == ROWS // 2
    for _ in range(6):  # one step: the batch, then refills after filtered groups, past the dataset's end
        trainer._next_train_batch(2)
    assert trainer._consume_sync_metrics() == {
        "data/prompts_in_step": 12.0,
        "data/prompts_consumed": 12.0,
        "data/dataset_passes": 12 / ROWS,
    }
    trainer._next_train_batch(2)
    metrics = trainer._consume_sync_metrics()
    assert (metrics["data/prompts_in_step"], metrics["data/prompts_consumed"]) == (2.0, 14.0)


def test_without_dynamic_sampling_a_step_is_one_batch(config_for):
    trainer = make_trainer(config_for(), dynamic_sampling=False)
    trainer._next_train_batch()
    assert trainer._consume_sync_metrics()["data/prompts_in_step"] == 2.0


def test_the_count_is_saved_and_restored_on_resume(config_for, tmp_path, caplog):
    config = config_for("algorithm.filter_groups.enable=True", "trainer.resume_mode=auto")
    trainer = make_trainer(config, dynamic_sampling=True)
    for _ in range(7):
        trainer._next_train_batch(1)
    trainer.global_steps = 3
    trainer._save_checkpoint()
    saved = tmp_path / "ckpt" / "global_step_3" / USAGE_FILENAME
    assert json.loads(saved.read_text()) == {"prompts_consumed": 7}

    resumed = make_trainer(config, dynamic_sampling=True)
    resumed._load_checkpoint()
    assert resumed.global_steps == 3
    resumed._next_train_batch(1)
    assert resumed._consume_sync_metrics()["data/prompts_in_step"] == 1.0
    assert resumed.prompts_consumed == 8

    saved.unlink()
    without_count = make_trainer(config, dynamic_sampling=True)
    with caplog.at_level(logging.WARNING):
        without_count._load_checkpoint()
    assert without_count.prompts_consumed == 3 * 2
    assert f"has no {USAGE_FILENAME}: data/prompts_consumed restarts from 6" in caplog.text


def test_verls_v1_task_runner_builds_trainers_with_the_count():
    from verl.trainer.ppo import v1

    original = v1.get_trainer_cls
    with v1_trainers_with():
        from verl.trainer.ppo.v1 import get_trainer_cls

        trainer_cls = get_trainer_cls("sync")
        assert issubclass(trainer_cls, PromptUsageMixin) and issubclass(trainer_cls, PPOTrainerSync)
        assert trainer_cls.__name__ == "PPOTrainerSync"
    assert v1.get_trainer_cls is original
