"""A stateful method's TRL run killed with SIGKILL after a checkpoint resumes to the same state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lead.methods.state_file import STATE_FILENAME

SCRIPT = Path(__file__).with_name("resumable_run.py")
REPO = Path(__file__).resolve().parents[3]


def run(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=environment,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return completed


def saved_state(folder: Path) -> dict:
    return json.loads((folder / STATE_FILENAME).read_text())["estimator"]


@pytest.mark.slow
def test_hapo_killed_after_a_checkpoint_resumes_to_the_uninterrupted_state(tmp_path) -> None:
    run(str(tmp_path / "whole"), "hapo", "4", cwd=tmp_path)
    uninterrupted = saved_state(tmp_path / "whole" / "checkpoint-4")
    assert uninterrupted["step"] == 4 and uninterrupted["problem_ids"], "the run must build a history table"

    killed_dir = tmp_path / "killed"
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(killed_dir), "hapo", "4", "--hang-at", "2"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 600
    while not (killed_dir / "hanging").exists():
        assert process.poll() is None, process.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "the run never reached its checkpoint"
        time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    assert process.wait(timeout=60) == -signal.SIGKILL
    assert not (killed_dir / "checkpoint-4").exists()
    assert saved_state(killed_dir / "checkpoint-2")["step"] == 2

    run(str(killed_dir), "hapo", "4", "--resume", str(killed_dir / "checkpoint-2"), cwd=tmp_path)
    assert saved_state(killed_dir / "checkpoint-4") == uninterrupted
