"""The README's option tables are the declarations' (``python -m lead.methods``), for every method."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lead.methods import METHODS
from lead.methods.docs import options_table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()


@pytest.mark.parametrize("name", [name for name in METHODS if name != "grpo"])
def test_the_readme_holds_the_declared_options_table(name):
    assert options_table(name) in README, (
        f"README's table of {name} is stale: paste `python -m lead.methods {name}`"
    )


def test_the_table_at_a_budget_shows_the_scaled_defaults():
    table = options_table("laser", budget=128)
    assert "| `target_length` | 4096 | 32 | x B / B_paper | `algorithm.laser.target_length` |" in table


def test_the_command_prints_every_method_and_refuses_bad_input():
    done = subprocess.run([sys.executable, "-m", "lead.methods"], capture_output=True, text=True, check=True)
    assert all(f"(`{name}`)" in done.stdout for name in METHODS)
    bad = subprocess.run([sys.executable, "-m", "lead.methods", "lasr"], capture_output=True, text=True)
    assert bad.returncode == 2 and "NAME 'lasr' is unknown: allowed values are lead, grpo" in bad.stderr
