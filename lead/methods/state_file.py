"""One versioned state file for every method and framework: ``lead_state.json``.

verl (``global_step_N/``) and TRL (``checkpoint-N/``) checkpoints hold the same file, so a state
saved by one loads in the other::

    {"format_version": 2, "method": "laser_d", "options": {...}, "estimator_calls": 40,
     "estimator": {"step": 40, ...the method's state...}}

``estimator_calls`` counts estimator calls, which can exceed the trainer's steps (verl's
``parameter_sync_step > 1``). Older files are still read: the verl plugin's version 1
(``{"format_version": 1, "config": ..., "estimator_calls": ..., "estimator": ...}``) and the TRL
trainer's bare LEAD state (``{"ema_w_corr": ..., "ema_w_eff": ..., "initialized": ..., "step": ...}``),
both LEAD's.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lead.core.method import Estimator

logger = logging.getLogger(__name__)

STATE_FILENAME = "lead_state.json"
STATE_FORMAT_VERSION = 2
_BARE_LEAD_KEYS = {"ema_w_corr", "ema_w_eff", "initialized", "step"}


def state_payload(estimator: Estimator, estimator_calls: int | None = None) -> dict[str, Any]:
    """What :func:`write_state_file` writes for ``estimator`` (calls default to its step count)."""
    return {
        "format_version": STATE_FORMAT_VERSION,
        "method": estimator.name,
        "options": estimator.options.as_dict(),
        "estimator_calls": estimator.step if estimator_calls is None else estimator_calls,
        "estimator": estimator.state_dict(),
    }


def write_state_file(
    folder: str | os.PathLike, estimator: Estimator, estimator_calls: int | None = None
) -> Path:
    """Write ``folder/lead_state.json`` atomically (a crash never leaves half a file); returns the path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / STATE_FILENAME
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(state_payload(estimator, estimator_calls), indent=2, sort_keys=True))
    os.replace(partial, path)
    return path


def upgrade_payload(payload: Any) -> dict[str, Any]:
    """A payload of any supported version as a version-2 payload; ``ValueError`` if unreadable."""
    if isinstance(payload, Mapping) and set(payload) == _BARE_LEAD_KEYS:
        return {
            "format_version": 2,
            "method": "lead",
            "options": None,
            "estimator_calls": payload["step"],
            "estimator": dict(payload),
        }
    version = payload.get("format_version") if isinstance(payload, Mapping) else None
    if version == 1:
        return {
            "format_version": 2,
            "method": "lead",
            "options": payload.get("config"),
            "estimator_calls": payload.get("estimator_calls", 0),
            "estimator": payload["estimator"],
        }
    if version == STATE_FORMAT_VERSION and {"method", "estimator"} <= set(payload):
        return dict(payload)
    raise ValueError(
        f"state format_version={version!r} is not supported: allowed are 1 and {STATE_FORMAT_VERSION} "
        "(or a bare LEAD state)"
    )


def read_state_file(path: str | os.PathLike) -> dict[str, Any]:
    """The version-2 payload of a state file of any supported version."""
    with open(path, encoding="utf-8") as handle:
        try:
            payload = json.load(handle)
        except json.JSONDecodeError as error:
            raise ValueError(f"state file {path} is not valid JSON: {error}") from error
    try:
        return upgrade_payload(payload)
    except ValueError as error:
        raise ValueError(f"state file {path}: {error}") from error


def restore_estimator(estimator: Estimator, payload: Mapping[str, Any], source: str = "checkpoint") -> int:
    """Load a version-2 payload into ``estimator``; returns the saved ``estimator_calls``.

    The payload's method must be the estimator's (``ValueError`` naming both otherwise); options that
    differ from the saved ones are allowed (a changed run) and logged as a warning.
    """
    if payload["method"] != estimator.name:
        raise ValueError(
            f"{source} holds the state of method {payload['method']!r}, but this run uses "
            f"{estimator.name!r}: resume with the same method, or start its state fresh"
        )
    saved_options = payload.get("options")
    if saved_options is not None and saved_options != estimator.options.as_dict():
        logger.warning(
            "Resuming %s with options that differ from the %s's: saved %s, now %s",
            estimator.name,
            source,
            saved_options,
            estimator.options.as_dict(),
        )
    estimator.load_state_dict(payload["estimator"])
    return int(payload.get("estimator_calls", estimator.step))
