"""LEADGRPOTrainer in two real processes (torchrun, gloo on CPU): gathered statistics, own slices."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("distributed_lead_step.py")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def torchrun() -> list[str]:
    script = shutil.which("torchrun") or str(Path(sys.executable).with_name("torchrun"))
    return [script] if Path(script).exists() else [sys.executable, "-m", "torch.distributed.run"]


@pytest.mark.slow
def test_two_processes_get_their_slice_of_the_whole_batch_advantages(tmp_path) -> None:
    result_path = tmp_path / "result.json"
    command = [*torchrun(), "--nproc_per_node", "2", "--master_port", str(free_port()), str(SCRIPT)]
    completed = subprocess.run(
        [*command, str(result_path)], capture_output=True, text=True, timeout=600, cwd=tmp_path
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    result = json.loads(result_path.read_text())
    assert result["ranks"] == 2
    assert result["mixed_outcomes"] and result["nonzero_advantages"]
    assert result["ok"], result
    assert result["states_equal"]
