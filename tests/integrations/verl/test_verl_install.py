"""The project's ``vllm`` extra is the GPU set the installed verl pins in its own ``vllm`` extra."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def verl_extra(extra: str) -> set[str]:
    """What verl's metadata requires for ``extra`` and not for a plain install, verl itself left out."""
    requirements = [Requirement(line) for line in importlib.metadata.requires("verl") or []]
    return {
        f"{requirement.name}{requirement.specifier}"
        for requirement in requirements
        if requirement.marker is not None
        and requirement.marker.evaluate({"extra": extra})
        and not requirement.marker.evaluate({"extra": ""})
        and requirement.name != "verl"
    }


def project() -> dict:
    return tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]


def test_vllm_extra_matches_the_pins_of_the_installed_verl():
    ours = {str(Requirement(line)) for line in project()["optional-dependencies"]["vllm"]}
    theirs = verl_extra("vllm")
    assert "vllm==0.24.0" in theirs and "torch==2.11.0" in theirs
    assert ours == theirs


def test_the_project_depends_on_the_installed_verl():
    (verl,) = [Requirement(line) for line in project()["dependencies"] if Requirement(line).name == "verl"]
    assert str(verl.specifier) == f"=={importlib.metadata.version('verl')}"
    assert verl.extras == {"verl-core"}
