"""What a model argument points at, and turning verl checkpoints into Hugging Face folders.

Accepted: a Hugging Face model folder, a hub id, a verl checkpoint (``global_step_N`` or its
``actor`` folder) or a verl run folder holding ``global_step_N`` checkpoints. A checkpoint is merged
with verl's own model merger (``python -m verl.model_merger merge``) unless its ``actor/huggingface``
folder already holds full weights.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

STEP_PATTERN = re.compile(r"global_step_(\d+)")
HUB_ID_PATTERN = re.compile(r"[\w.-]+/[\w.-]+")
WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)


class CheckpointMergeError(RuntimeError):
    """verl's model merger failed on a checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    """A verl actor checkpoint of one training step."""

    step: int | None
    actor_dir: Path


@dataclass(frozen=True)
class ModelTarget:
    """A classified model argument: kind is "hf", "hub", "checkpoint" or "run"."""

    kind: str
    location: str
    checkpoints: tuple[Checkpoint, ...] = ()


def has_hf_weights(folder: Path) -> bool:
    """True when ``folder`` is a complete Hugging Face model (config plus weights)."""
    return (folder / "config.json").is_file() and any((folder / name).is_file() for name in WEIGHT_FILES)


def _step_of(folder: Path) -> int | None:
    match = STEP_PATTERN.fullmatch(folder.name)
    return int(match.group(1)) if match else None


def _is_actor_dir(folder: Path) -> bool:
    return (
        (folder / "fsdp_config.json").is_file()
        or any(folder.glob("model_world_size_*_rank_*.pt"))
        or (folder / "model" / "dist_ckpt").is_dir()
    )


def find_checkpoints(run_dir: Path) -> list[Checkpoint]:
    """The ``global_step_N/actor`` checkpoints of a verl run folder, by increasing step."""
    found = [
        Checkpoint(_step_of(child), child / "actor")
        for child in Path(run_dir).iterdir()
        if child.is_dir() and _step_of(child) is not None and _is_actor_dir(child / "actor")
    ]
    return sorted(found, key=lambda c: c.step)


def classify_model(argument: str) -> ModelTarget:
    """Work out what ``argument`` names; raises ValueError for a path that is none of the accepted kinds."""
    path = Path(argument)
    if not path.exists():
        if HUB_ID_PATTERN.fullmatch(argument) and not path.parent.exists():
            return ModelTarget("hub", argument)
        raise ValueError(f"model {argument!r}: no such folder, and not a hub id of the form owner/name")
    if not path.is_dir():
        raise ValueError(f"model {argument!r}: expected a folder, got a file")
    path = path.resolve()
    if has_hf_weights(path):
        return ModelTarget("hf", str(path))
    if _is_actor_dir(path):
        return ModelTarget("checkpoint", str(path), (Checkpoint(_step_of(path.parent), path),))
    if _is_actor_dir(path / "actor"):
        return ModelTarget("checkpoint", str(path), (Checkpoint(_step_of(path), path / "actor"),))
    checkpoints = find_checkpoints(path)
    if checkpoints:
        return ModelTarget("run", str(path), tuple(checkpoints))
    raise ValueError(
        f"model {argument!r}: not a Hugging Face model folder (config.json + weights), a verl checkpoint "
        "(global_step_N/actor), nor a run folder holding global_step_N checkpoints"
    )


def merger_backend(actor_dir: Path) -> str:
    """``fsdp`` or ``megatron``, from the files verl wrote into the actor folder."""
    if (actor_dir / "fsdp_config.json").is_file() or any(actor_dir.glob("model_world_size_*_rank_*.pt")):
        return "fsdp"
    if (actor_dir / "model" / "dist_ckpt").is_dir():
        return "megatron"
    raise ValueError(f"{actor_dir}: neither an FSDP nor a Megatron verl actor checkpoint")


def merge_command(actor_dir: Path, target_dir: Path) -> list[str]:
    """The verl model-merger command line that writes ``actor_dir`` as a Hugging Face model."""
    return [
        sys.executable,
        "-m",
        "verl.model_merger",
        "merge",
        "--backend",
        merger_backend(actor_dir),
        "--local_dir",
        str(actor_dir),
        "--target_dir",
        str(target_dir),
    ]


def materialize_checkpoint(checkpoint: Checkpoint, target_dir: Path) -> Path:
    """A Hugging Face folder for ``checkpoint``: its saved HF weights, an earlier merge, or a new merge."""
    saved = checkpoint.actor_dir / "huggingface"
    if has_hf_weights(saved):
        return saved
    if has_hf_weights(target_dir):
        return target_dir
    partial = target_dir.with_name(target_dir.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(merge_command(checkpoint.actor_dir, partial), capture_output=True, text=True)
    if result.returncode != 0 or not has_hf_weights(partial):
        raise CheckpointMergeError(
            f"merging {checkpoint.actor_dir} with verl's model merger failed (exit {result.returncode}):\n"
            f"{result.stderr[-2000:]}"
        )
    shutil.rmtree(target_dir, ignore_errors=True)
    partial.rename(target_dir)
    return target_dir
