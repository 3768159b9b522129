"""A per-problem table of lengths kept across training steps, looked up and updated without loops.

Problems are named by stable ids, ``str`` or ``int`` (numpy integers included). Internally each id
becomes a text key tagged with its type, ``"s:<text>"`` or ``"i:<digits>"``, so ``"5"`` and ``5``
stay two problems; the table is two arrays sorted by key, searched with ``np.searchsorted`` and
merged with ``np.unique``. Its ``state_dict`` gives the ids back as JSON strings and JSON integers,
which JSON keeps apart, so the table survives a JSON round trip exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import repeat
from typing import Any

import numpy as np
import torch

from lead.core.grouping import segment_extreme

TEXT_TAG, INTEGER_TAG = "s:", "i:"
STATE_KEYS = ("problem_ids", "shortest_correct_lengths")


def _instances(values: np.ndarray, types: type | tuple[type, ...]) -> np.ndarray:
    """``(N,)`` bool: which of the ``(N,)`` objects are instances of ``types``."""
    return np.fromiter(map(isinstance, values, repeat(types)), dtype=bool, count=values.size)


def _is_positive_length(value: Any) -> bool:
    return (
        not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value) and value > 0
    )


def problem_keys(problem_ids: np.ndarray, name: str = "problem_ids") -> np.ndarray:
    """``(N,)`` type-tagged text keys of ``(N,)`` problem ids; ``ValueError`` for an id that is not a
    str or an int, naming ``name``, the id and the allowed types."""
    problem_ids = np.asarray(problem_ids, dtype=object).reshape(-1)
    is_text = _instances(problem_ids, str)
    is_integer = ~is_text
    if is_integer.any():
        others = problem_ids[is_integer]
        is_integer[is_integer] = _instances(others, (int, np.integer)) & ~_instances(others, (bool, np.bool_))
    if not bool((is_text | is_integer).all()):
        value = problem_ids[int(np.argmin(is_text | is_integer))]
        raise ValueError(
            f"{name} entry {value!r} ({type(value).__name__}) is invalid: allowed are str or int ids"
        )
    if problem_ids.size == 0:
        return np.array([], dtype=str)
    return np.char.add(np.where(is_text, TEXT_TAG, INTEGER_TAG), problem_ids.astype(str))


def _problem_id(key: str) -> str | int:
    """The id a tagged key stands for."""
    return key[len(TEXT_TAG) :] if key.startswith(TEXT_TAG) else int(key[len(INTEGER_TAG) :])


class ShortestLengthTable:
    """Problem key -> shortest length seen, as ``keys`` (sorted, unique) and ``lengths`` (float64)."""

    def __init__(self) -> None:
        self.keys = np.array([], dtype=str)
        self.lengths = np.array([], dtype=np.float64)

    def __len__(self) -> int:
        return int(self.keys.size)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """``(N,)`` float64 stored lengths of ``(N,)`` keys; NaN where a key has none."""
        if self.keys.size == 0:
            return np.full(keys.shape, np.nan)
        positions = np.minimum(np.searchsorted(self.keys, keys), self.keys.size - 1)
        return np.where(self.keys[positions] == keys, self.lengths[positions], np.nan)

    def merge_minimum(self, keys: np.ndarray, lengths: np.ndarray) -> None:
        """``table[k] <- min(table[k], min of lengths with key k)`` for each key in ``(M,)`` keys."""
        if keys.size == 0:
            return
        all_keys = np.concatenate([self.keys, keys])
        all_lengths = torch.from_numpy(np.concatenate([self.lengths, lengths]).astype(np.float64))
        unique, inverse = np.unique(all_keys, return_inverse=True)
        minima = segment_extreme(all_lengths, torch.from_numpy(inverse.reshape(-1)), unique.size, "amin")
        self.keys, self.lengths = unique, minima.numpy()

    def state_dict(self) -> dict[str, list]:
        """``{"problem_ids": [str or int, ...], "shortest_correct_lengths": [float, ...]}``, by key."""
        return {
            "problem_ids": [_problem_id(key) for key in self.keys.tolist()],
            "shortest_correct_lengths": self.lengths.tolist(),
        }

    def load_state_dict(self, state: Mapping[str, Any], owner: str) -> None:
        """Restore from :meth:`state_dict`; ``ValueError`` naming ``owner`` and the bad entry."""
        if not isinstance(state, Mapping) or set(state) != set(STATE_KEYS):
            found = sorted(state) if isinstance(state, Mapping) else type(state).__name__
            raise ValueError(
                f"{owner} state keys {found!r} are invalid: allowed are step, {', '.join(STATE_KEYS)}"
            )
        ids, lengths = state["problem_ids"], state["shortest_correct_lengths"]
        if not isinstance(ids, list) or not isinstance(lengths, list) or len(ids) != len(lengths):
            raise ValueError(
                f"{owner} state problem_ids and shortest_correct_lengths are invalid: allowed are two "
                "lists of equal length"
            )
        for position, length in enumerate(lengths):
            if not _is_positive_length(length):
                raise ValueError(
                    f"{owner} state shortest_correct_lengths[{position}]={length!r} is invalid: "
                    "allowed is a finite number of tokens > 0"
                )
        keys = problem_keys(np.fromiter(ids, dtype=object, count=len(ids)), f"{owner} state problem_ids")
        order = np.argsort(keys, kind="stable")
        keys, values = keys[order], np.asarray(lengths, dtype=np.float64).reshape(-1)[order]
        repeated = np.flatnonzero(keys[1:] == keys[:-1])
        if repeated.size:
            raise ValueError(
                f"{owner} state problem_ids has {_problem_id(str(keys[repeated[0]]))!r} twice: "
                "allowed is each problem once"
            )
        self.keys, self.lengths = keys, values
