"""The report folder's bookkeeping: which settings it belongs to, and the runs already finished.

Layout::

    study.json                    the settings and task every run in the folder was made with
    warm_start/model.pt           the warm start's weights, trained once
    warm_start/evaluation.json    its held-out evaluation
    runs/<configuration>/seed<k>.json   one finished run (written atomically, so a file is a whole run)

A folder whose ``study.json`` records other settings, or holding a run whose method options differ
from this study's, is refused (:class:`FolderMismatch`): its runs answer another question.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

STUDY_FILE = "study.json"
FORMAT_VERSION = 1


class FolderMismatch(ValueError):
    """The report folder holds runs of another configuration."""


def write_json(path: Path, payload: Any) -> None:
    """Write ``payload`` as JSON atomically (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(payload, indent=1, sort_keys=True))
    os.replace(partial, path)


def claim_folder(out: Path, record: Mapping[str, Any]) -> None:
    """Record ``record`` (settings and task) in ``out/study.json``, or check that it matches.

    Raises :class:`FolderMismatch` naming the first differing key when the folder belongs to
    another study; a new or empty folder is claimed.
    """
    path = out / STUDY_FILE
    if path.exists():
        recorded = json.loads(path.read_text())
        for key in sorted(set(recorded) | set(record)):
            if recorded.get(key) != record.get(key):
                raise FolderMismatch(
                    f"--out={out} holds runs made with {key}={recorded.get(key)!r}, but this study has "
                    f"{key}={record.get(key)!r}: allowed is a new folder or one made with the same settings"
                )
        return
    if out.exists() and (out / "runs").exists():
        raise FolderMismatch(
            f"--out={out} holds runs but no {STUDY_FILE}: allowed is a new folder or one made by this study"
        )
    write_json(path, dict(record))


def run_path(out: Path, configuration: str, seed: int) -> Path:
    return out / "runs" / configuration / f"seed{seed}.json"


def finished_run(out: Path, configuration: str, seed: int, options: Mapping[str, Any]) -> dict | None:
    """The finished run's record, or None when it has not run yet.

    Raises :class:`FolderMismatch` when the recorded method options differ from ``options``.
    """
    path = run_path(out, configuration, seed)
    if not path.exists():
        return None
    record = json.loads(path.read_text())
    options = json.loads(json.dumps(dict(options)))  # as JSON stores them
    if record["options"] != options:
        changed = sorted(
            key
            for key in set(record["options"]) | set(options)
            if record["options"].get(key) != options.get(key)
        )
        key = changed[0]
        raise FolderMismatch(
            f"--out={out} holds run {configuration} seed {seed} made with {key}="
            f"{record['options'].get(key)!r}, but this study has {key}={options.get(key)!r}: allowed is "
            "a new folder or one made with the same method options"
        )
    return record
