"""LEAD state in verl checkpoints: save into ``global_step_N/``, resume in a new process, both trainers."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from verl.trainer.ppo.checkpoint_callback import build_checkpoint_callback
from verl.trainer.ppo.ray_trainer import compute_advantage
from verl.trainer.ppo.v1.utils import compute_advantage_for_multi_trajectories

from lead import LEADEstimator
from lead.integrations.verl.checkpoint import (
    STATE_FILENAME,
    EstimatorStateCallback,
    MissingMethodStateError,
    restore_method_state,
)
from lead.integrations.verl.holder import get_holder
from lead.integrations.verl.requirements import check_training_config

# Runs in a fresh interpreter: resumes like a restarted trainer, runs one more step, saves the result.
RESUME_IN_NEW_PROCESS = r"""
import json, sys
import torch
from torchdata.stateful_dataloader import StatefulDataLoader
from verl import DataProto
from verl.trainer.ppo.checkpoint_callback import build_checkpoint_callback
from verl.trainer.ppo.ray_trainer import compute_advantage
from verl.trainer.ppo.v1.utils import compute_advantage_for_multi_trajectories
from lead.integrations.verl.holder import get_holder
from lead.integrations.verl.dry_run import compose_config
from lead.integrations.verl.legacy import LEADRayPPOTrainer

trainer_path, overrides, batch_file, out_file = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4]
config = compose_config(overrides)
batch = DataProto.load_from_disk(batch_file)
if trainer_path == "v1":
    build_checkpoint_callback(config)
    keys = [f"{uid}_0_{row}" for row, uid in enumerate(batch.non_tensor_batch["uid"])]
    out = compute_advantage_for_multi_trajectories(
        batch, batch_keys=keys, adv_estimator="lead", config=config.algorithm
    )
else:
    class WorkerGroup:
        def load_checkpoint(self, local_path, del_local_after_load=False):
            pass

    trainer = object.__new__(LEADRayPPOTrainer)
    trainer.config, trainer.use_critic = config, False
    trainer.actor_rollout_wg = WorkerGroup()
    trainer.train_dataloader = StatefulDataLoader(list(range(40)), batch_size=4)
    trainer._load_checkpoint()
    out = compute_advantage(batch, adv_estimator="lead", config=config.algorithm)
holder = get_holder()
torch.save({"advantages": out.batch["advantages"], "state": holder.state_payload()}, out_file)
"""


class RecordingWorkerGroup:
    """Stands in for the actor worker group (GPU-only): records where the trainer saves the actor."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    def save_checkpoint(self, local_path, remote_path, global_step, max_ckpt_to_keep=None) -> None:
        os.makedirs(local_path, exist_ok=True)
        self.saved.append(local_path)


@pytest.fixture(autouse=True)
def fresh_holder():
    get_holder().reset()
    yield
    get_holder().reset()


def v1_step(batch, config):
    keys = [f"{uid}_0_{row}" for row, uid in enumerate(batch.non_tensor_batch["uid"])]
    return compute_advantage_for_multi_trajectories(
        batch, batch_keys=keys, adv_estimator="lead", config=config.algorithm
    )


def legacy_step(batch, config):
    return compute_advantage(batch, adv_estimator="lead", config=config.algorithm)


def resume_in_new_process(trainer_path: str, overrides: list[str], batch, tmp_path: Path) -> dict:
    batch_file, out_file = tmp_path / "next_batch.pt", tmp_path / "resumed.pt"
    batch.save_to_disk(str(batch_file))
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            RESUME_IN_NEW_PROCESS,
            trainer_path,
            json.dumps(overrides),
            batch_file,
            out_file,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return torch.load(out_file, weights_only=False)


def save_like_the_legacy_trainer(config, step: int) -> RecordingWorkerGroup:
    """Run verl's ``RayPPOTrainer._save_checkpoint`` (through the LEAD subclass) at ``step``."""
    from torchdata.stateful_dataloader import StatefulDataLoader

    from lead.integrations.verl.legacy import LEADRayPPOTrainer

    trainer = object.__new__(LEADRayPPOTrainer)
    trainer.config, trainer.use_critic, trainer.global_steps = config, False, step
    trainer.actor_rollout_wg = RecordingWorkerGroup()
    trainer.train_dataloader = StatefulDataLoader(list(range(40)), batch_size=4)
    trainer._save_checkpoint()
    return trainer.actor_rollout_wg


@pytest.mark.slow
@pytest.mark.parametrize("trainer_path", ["v1", "legacy"])
def test_resume_continues_the_uninterrupted_weight_sequence(
    trainer_path, tmp_path, lead_config, make_batch, small_lead_overrides
):
    overrides = [f"trainer.default_local_dir={tmp_path / 'ckpt'}", "trainer.resume_mode=auto"]
    config = lead_config(*overrides)
    step = v1_step if trainer_path == "v1" else legacy_step
    if trainer_path == "v1":
        callback = build_checkpoint_callback(config)
        assert isinstance(callback, EstimatorStateCallback)
    for seed in range(3):
        step(make_batch(seed), config)
    folder = tmp_path / "ckpt" / "global_step_3"
    if trainer_path == "v1":
        folder.mkdir(parents=True)
        (tmp_path / "ckpt" / "latest_checkpointed_iteration.txt").write_text("3")
        callback.on_save(trainer=None, global_step=3, checkpoint_dir=str(folder))
    else:
        workers = save_like_the_legacy_trainer(config, step=3)
        assert workers.saved == [str(folder / "actor")]
    saved = json.loads((folder / STATE_FILENAME).read_text())
    assert saved["estimator_calls"] == 3

    next_batch = make_batch(3)
    uninterrupted = step(next_batch, config).batch["advantages"]
    resumed = resume_in_new_process(trainer_path, [*small_lead_overrides, *overrides], next_batch, tmp_path)
    torch.testing.assert_close(resumed["advantages"], uninterrupted, rtol=0, atol=0)
    assert resumed["state"] == get_holder().state_payload()
    assert resumed["state"]["estimator_calls"] == 4


class StopBeforeTheState:
    """A checkpoint callback of a run that dies right after verl wrote the checkpoint and its tracker."""

    def on_save(self, trainer, global_step, checkpoint_dir, async_save=False, **kwargs) -> None:
        raise KeyboardInterrupt("killed between the checkpoint and the LEAD state")


def save_like_the_v1_trainer(config, step: int, callback) -> None:
    """Run verl's v1 ``PPOTrainer._save_checkpoint`` at ``step`` with ``callback``."""
    from torchdata.stateful_dataloader import StatefulDataLoader
    from verl.trainer.ppo.v1 import PPOTrainerSync

    trainer = object.__new__(PPOTrainerSync)
    trainer.config, trainer.use_critic, trainer.global_steps = config, False, step
    trainer.trainer_mode, trainer.checkpoint_callback = "sync", callback
    trainer.actor_rollout_wg = RecordingWorkerGroup()
    trainer.train_dataloader = StatefulDataLoader(list(range(40)), batch_size=4)
    trainer._save_checkpoint()


def test_a_run_killed_between_checkpoint_and_state_does_not_resume_silently(
    tmp_path, lead_config, make_batch
):
    config = lead_config(f"trainer.default_local_dir={tmp_path}", "trainer.resume_mode=auto")
    v1_step(make_batch(0), config)
    save_like_the_v1_trainer(config, step=20, callback=EstimatorStateCallback(config=config))
    v1_step(make_batch(1), config)
    with pytest.raises(KeyboardInterrupt):
        save_like_the_v1_trainer(config, step=40, callback=StopBeforeTheState())
    assert (tmp_path / "latest_checkpointed_iteration.txt").read_text() == "40"
    assert not (tmp_path / "global_step_40" / STATE_FILENAME).exists()

    get_holder().reset()
    earlier = tmp_path / "global_step_20"
    for resume in (lambda: restore_method_state(config), lambda: EstimatorStateCallback(config=config)):
        with pytest.raises(MissingMethodStateError) as error:
            resume()
        message = str(error.value)
        assert f"checkpoint {tmp_path / 'global_step_40'} has no {STATE_FILENAME}" in message
        assert f"trainer.resume_mode=resume_path trainer.resume_from_path={earlier}" in message
        assert "trainer.fresh_method_state=true" in message
    with pytest.raises(MissingMethodStateError, match="global_step_40 has no"):
        check_training_config(config)  # before launch: python -m lead.main_ppo and the dry run
    assert get_holder().estimator is None

    resumed = lead_config(
        f"trainer.default_local_dir={tmp_path}",
        "trainer.resume_mode=resume_path",
        f"trainer.resume_from_path={earlier}",
    )
    assert restore_method_state(resumed) is True
    assert get_holder().calls == 1


def test_no_earlier_step_to_offer_without_an_actor(tmp_path, lead_config):
    """verl's max_actor_ckpt_to_keep deletes old actor/ folders: such a step cannot be resumed."""
    config = lead_config(f"trainer.default_local_dir={tmp_path}", "trainer.resume_mode=auto")
    (tmp_path / "global_step_10").mkdir()
    (tmp_path / "global_step_10" / STATE_FILENAME).write_text("{}")
    (tmp_path / "global_step_20").mkdir()
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("20")
    with pytest.raises(
        MissingMethodStateError, match=re.escape("none with actor/ and lead_state.json is left")
    ):
        restore_method_state(config)


def test_fresh_method_state_resumes_a_checkpoint_without_state(tmp_path, lead_config, caplog):
    config = lead_config(
        f"trainer.default_local_dir={tmp_path}",
        "trainer.resume_mode=auto",
        "trainer.fresh_method_state=true",
        "data.max_response_length=12",
    )
    (tmp_path / "global_step_20").mkdir()
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("20")
    assert check_training_config(config) == []
    with caplog.at_level(logging.WARNING):
        assert restore_method_state(config) is False
    assert f"has no {STATE_FILENAME}: lead starts with a fresh state" in caplog.text
    holder = get_holder()
    assert holder.calls == 0
    assert holder.estimator.state_dict() == LEADEstimator(holder.estimator.options).state_dict()
    with pytest.raises(
        ValueError, match=re.escape("trainer.fresh_method_state='yes' is invalid: allowed is true or false")
    ):
        check_training_config(lead_config("trainer.fresh_method_state=yes"))


def test_resume_path_and_disable_modes(tmp_path, lead_config, make_batch):
    folder = tmp_path / "global_step_7"
    saving = lead_config(f"trainer.default_local_dir={tmp_path}")
    v1_step(make_batch(0), saving)
    EstimatorStateCallback(config=None).on_save(trainer=None, global_step=7, checkpoint_dir=str(folder))
    saved_state = get_holder().state_payload()

    get_holder().reset()
    disabled = lead_config(f"trainer.default_local_dir={tmp_path}", "trainer.resume_mode=disable")
    assert restore_method_state(disabled) is False
    assert get_holder().estimator is None

    explicit = lead_config(
        f"trainer.default_local_dir={tmp_path / 'elsewhere'}",
        "trainer.resume_mode=resume_path",
        f"trainer.resume_from_path={folder}",
    )
    assert restore_method_state(explicit) is True
    assert get_holder().state_payload() == saved_state
    os.remove(folder / STATE_FILENAME)
    bad = lead_config("trainer.resume_mode=resume_path", f"trainer.resume_from_path={tmp_path}")
    with pytest.raises(ValueError, match="resume_from_path"):
        restore_method_state(bad)
