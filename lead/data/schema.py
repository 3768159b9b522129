"""verl's RL data schema for math problems, and a validating loader.

One row per problem:
``data_source`` (str), ``prompt`` (list of ``{"role", "content"}``; the user message is the problem
followed by ``INSTRUCTION``), ``ability`` (``"math"``), ``reward_model``
(``{"ground_truth": str, "style": "rule"}``) and ``extra_info`` (``{"index", "split", ...}``; the
evaluation files add ``benchmark``, ``problem_id`` and ``problem``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

INSTRUCTION = " Let's think step by step and output the final answer within \\boxed{}."
"""Appended to every problem (the prompt of the LEAD paper's training and evaluation)."""
COLUMNS = ("data_source", "prompt", "ability", "reward_model", "extra_info")
EVAL_EXTRA_KEYS = ("benchmark", "problem_id", "problem")


class SchemaError(ValueError):
    """A parquet file that does not follow the RL schema."""


def make_row(
    data_source: str, problem: str, ground_truth: str, extra_info: Mapping[str, Any]
) -> dict[str, Any]:
    """One schema row: the problem becomes a single user message ending with ``INSTRUCTION``."""
    return {
        "data_source": data_source,
        "prompt": [{"role": "user", "content": problem + INSTRUCTION}],
        "ability": "math",
        "reward_model": {"ground_truth": ground_truth, "style": "rule"},
        "extra_info": dict(extra_info),
    }


def _is_sequence(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, (str, bytes))


def _row_problem(row: Any, row_number: int, path: str) -> str | None:
    """First problem found in a row, as an error message (None if the row is valid)."""
    where = f"{path}: row {row_number}"
    if not isinstance(row.data_source, str) or not row.data_source:
        return f"{where}: data_source must be a non-empty string, got {row.data_source!r}"
    prompt = row.prompt
    if not _is_sequence(prompt) or len(prompt) == 0:
        return f"{where}: prompt must be a non-empty list of messages, got {type(prompt).__name__}"
    for message in prompt:
        if not isinstance(message, Mapping) or not {"role", "content"} <= set(message):
            return f"{where}: each prompt message needs 'role' and 'content', got {message!r}"
        if not isinstance(message["content"], str) or not message["content"].strip():
            return f"{where}: prompt message content must be a non-empty string"
    if not isinstance(row.ability, str):
        return f"{where}: ability must be a string, got {row.ability!r}"
    reward_model = row.reward_model
    if not isinstance(reward_model, Mapping) or "ground_truth" not in reward_model:
        return f"{where}: reward_model must be a dict with 'ground_truth', got {reward_model!r}"
    gold = reward_model["ground_truth"]
    golds = list(gold) if _is_sequence(gold) else [gold]
    if not golds or not all(isinstance(g, str) and g.strip() for g in golds):
        return f"{where}: reward_model.ground_truth must be a non-empty string or list of them, got {gold!r}"
    extra_info = row.extra_info
    if not isinstance(extra_info, Mapping) or not {"index", "split"} <= set(extra_info):
        return f"{where}: extra_info must be a dict with 'index' and 'split', got {extra_info!r}"
    return None


def validate_frame(frame: pd.DataFrame, path: str = "<frame>") -> None:
    """Raise SchemaError naming the file, row and field of the first violation."""
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise SchemaError(f"{path}: missing column(s) {missing}; the RL schema needs {list(COLUMNS)}")
    if len(frame) == 0:
        raise SchemaError(f"{path}: no rows")
    for row_number, row in enumerate(frame.itertuples(index=False)):
        problem = _row_problem(row, row_number, path)
        if problem is not None:
            raise SchemaError(problem)


def load_rl_parquet(path: str | Path) -> pd.DataFrame:
    """Read a parquet file in the RL schema and validate every row (SchemaError on any problem)."""
    path = Path(path)
    if not path.is_file():
        raise SchemaError(f"{path}: no such file")
    try:
        frame = pd.read_parquet(path)
    except Exception as error:  # pyarrow raises several types for corrupt files
        raise SchemaError(f"{path}: not a readable parquet file ({type(error).__name__}: {error})") from error
    validate_frame(frame, str(path))
    return frame


def write_rl_parquet(rows: Sequence[Mapping[str, Any]], path: str | Path) -> pd.DataFrame:
    """Validate ``rows`` and write them to ``path`` (deterministic bytes for the same rows)."""
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    validate_frame(frame, str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(path, index=False)
    return frame
