"""What a run needs of every row of its data files, checked before anything starts.

- An L1 reward (``reward_kwargs.length_reward``) reads each row's target, and with ``l1_row`` its
  kind, from ``extra_info``: every row of ``data.train_files`` and ``data.val_files`` must have them
  (validation is scored by the same reward).
- A method that keeps per-problem state (``hapo``) recognises a problem by ``data_source`` and
  ``extra_info.index``: every training row needs an index, and no two rows may share the pair.

Files that are not on this machine are skipped (the dry run warns about them). Errors raise
``ValueError`` naming the file, the row and the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import OmegaConf

from lead.integrations.verl.problem_ids import problem_key
from lead.reward.l1_shaping import L1Shaping

DATA_KEYS = ("data.train_files", "data.val_files")


def local_files(config: Any, key: str) -> list[Path]:
    """The files of ``key`` (a path or a list of paths) that exist on this machine."""
    files = OmegaConf.select(config, key)
    paths = [files] if isinstance(files, str) else list(files or [])
    return [Path(path).expanduser() for path in paths if Path(path).expanduser().is_file()]


def _rows(path: Path) -> Iterator[tuple[int, Any, Any]]:
    """``(row number, data_source, extra_info)`` of every row of a parquet file."""
    frame = pd.read_parquet(path, columns=["data_source", "extra_info"])
    yield from zip(range(len(frame)), frame["data_source"], frame["extra_info"], strict=True)


def check_l1_rows(config: Any, l1: L1Shaping) -> None:
    """Every row of the run's data files has what ``l1``'s reward reads."""
    if not l1.enabled:
        return
    for key in DATA_KEYS:
        for path in local_files(config, key):
            for number, _, extra_info in _rows(path):
                try:
                    l1.row_kind_and_target(extra_info)
                except ValueError as error:
                    raise ValueError(f"{key}: {path}: row {number}: {error}") from None


def check_problem_ids(config: Any, method: str) -> None:
    """Every training row of ``method`` has a stable problem id, and no two rows share one."""
    seen: dict[str, str] = {}
    for path in local_files(config, "data.train_files"):
        for number, data_source, extra_info in _rows(path):
            where = f"data.train_files: {path}: row {number}"
            key = problem_key(data_source, extra_info)
            if key is None:
                raise ValueError(
                    f"{where}: extra_info.index is missing: adv_estimator={method} keeps per-problem state "
                    "and needs every training row's stable id (data_source and extra_info.index); allowed "
                    "is a row with an index, as the project's data builders write"
                )
            if key in seen:
                raise ValueError(
                    f"{where}: problem id {key!r} is also {seen[key]}: adv_estimator={method} would merge "
                    "the two problems' state; allowed is one (data_source, extra_info.index) per problem"
                )
            seen[key] = f"row {number} of {path}"
