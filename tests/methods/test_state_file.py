"""The one state file (``lead_state.json``): version 2 for every method, older LEAD files still read."""

from __future__ import annotations

import json
import logging

import pytest
import torch

from lead import LEADConfig, LEADEstimator
from lead.methods import make_estimator
from lead.methods.state_file import (
    STATE_FILENAME,
    read_state_file,
    restore_estimator,
    state_payload,
    write_state_file,
)


def stepped(estimator, steps: int = 3):
    rewards = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    mask = torch.tensor([[1, 1, 0], [1, 1, 1], [1, 0, 0], [1, 1, 1]])
    for _ in range(steps):
        estimator(rewards, mask, ["a", "a", "b", "b"], problem_ids=["x", "x", "y", "y"])
    return estimator


def test_a_written_file_restores_the_same_state(tmp_path):
    saved = stepped(make_estimator("lead", budget=3, lstar_min=1))
    path = write_state_file(tmp_path / "global_step_3", saved, estimator_calls=5)
    assert path.name == STATE_FILENAME and not list(path.parent.glob("*.tmp"))
    payload = json.loads(path.read_text())
    assert payload == {**state_payload(saved, 5), "options": json.loads(json.dumps(saved.options.as_dict()))}
    assert (
        payload["format_version"] == 2 and payload["method"] == "lead" and payload["estimator"]["step"] == 3
    )
    fresh = make_estimator("lead", budget=3, lstar_min=1)
    assert restore_estimator(fresh, read_state_file(path)) == 5
    assert fresh.state_dict() == saved.state_dict()


def test_version_1_verl_files_and_bare_trl_states_are_still_read(tmp_path):
    saved = stepped(LEADEstimator(LEADConfig(bmax=3, lstar_min=1)))
    version_1 = {
        "format_version": 1,
        "config": saved.options.as_dict(),
        "estimator_calls": 4,
        "estimator": saved.state_dict(),
    }
    bare = saved.state_dict()
    assert set(bare) == {"ema_w_corr", "ema_w_eff", "initialized", "step"}
    for name, content in (("v1.json", version_1), ("bare.json", bare)):
        (tmp_path / name).write_text(json.dumps(content))
        fresh = LEADEstimator(LEADConfig(bmax=3, lstar_min=1))
        calls = restore_estimator(fresh, read_state_file(tmp_path / name))
        assert fresh.state_dict() == saved.state_dict()
        assert calls == (4 if name == "v1.json" else 3)


def test_another_methods_state_is_refused_naming_both(tmp_path):
    path = write_state_file(tmp_path, stepped(make_estimator("grpo")))
    with pytest.raises(ValueError, match="holds the state of method 'grpo', but this run uses 'lead'"):
        restore_estimator(make_estimator("lead"), read_state_file(path))


def test_changed_options_resume_with_a_warning(tmp_path, caplog):
    path = write_state_file(tmp_path, stepped(make_estimator("lead", budget=3, lstar_min=1)))
    with caplog.at_level(logging.WARNING):
        restore_estimator(make_estimator("lead", budget=3, lstar_min=2), read_state_file(path))
    assert "options that differ" in caplog.text


@pytest.mark.parametrize("content", ['{"format_version": 7, "method": "lead"}', "[1, 2]", "{not json"])
def test_unreadable_files_name_the_file(tmp_path, content):
    path = tmp_path / STATE_FILENAME
    path.write_text(content)
    with pytest.raises(ValueError, match=f"state file {path}"):
        read_state_file(path)
