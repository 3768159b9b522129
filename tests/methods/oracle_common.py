"""Slow reference pieces shared by the methods' oracles, written from METHODS_SPEC with plain loops.

They share no code with ``lead.core``: a batch is a list of :class:`Row` values, groups are dicts of
row positions, and whitening expands every response into its individual tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

GROUP_EPSILON = 1e-6
WHITEN_EPSILON = 1e-8


@dataclass(frozen=True)
class Row:
    """One response of a test batch: group label, correctness score, length, stable problem id."""

    label: Any
    score: float
    length: int
    problem: Any = None

    @property
    def correct(self) -> bool:
        return self.score > 0.5


def valid_positions(rows: list[Row]) -> list[int]:
    return [position for position, row in enumerate(rows) if row.length > 0]


def groups_of(rows: list[Row]) -> dict[str, list[int]]:
    """Group label (as text) -> positions of its valid rows, in batch order."""
    members: dict[str, list[int]] = {}
    for position in valid_positions(rows):
        members.setdefault(str(rows[position].label), []).append(position)
    return members


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def group_normalized(rewards: dict[int, float], rows: list[Row]) -> dict[int, float]:
    out = {}
    for positions in groups_of(rows).values():
        values = [rewards[p] for p in positions]
        if len(values) == 1:
            centre, spread = 0.0, 1.0
        else:
            centre = _mean(values)
            spread = math.sqrt(sum((v - centre) ** 2 for v in values) / (len(values) - 1))
        for p in positions:
            out[p] = (rewards[p] - centre) / (spread + GROUP_EPSILON)
    return out


def mean_baselined(rewards: dict[int, float], rows: list[Row]) -> dict[int, float]:
    out = {}
    for positions in groups_of(rows).values():
        centre = 0.0 if len(positions) == 1 else _mean([rewards[p] for p in positions])
        for p in positions:
            out[p] = rewards[p] - centre
    return out


def leave_one_out(rewards: dict[int, float], rows: list[Row]) -> dict[int, float]:
    out = {}
    for positions in groups_of(rows).values():
        for p in positions:
            others = [rewards[q] for q in positions if q != p]
            out[p] = rewards[p] - _mean(others) if others else 0.0
    return out


def token_whitened(values: dict[int, float], rows: list[Row], *, population: bool) -> dict[int, float]:
    tokens = [values[p] for p in values for _ in range(rows[p].length)]
    centre = _mean(tokens)
    squares = sum((t - centre) ** 2 for t in tokens)
    if population:
        scale = math.sqrt(max(squares / len(tokens), WHITEN_EPSILON))
    else:
        if len(tokens) <= 1:
            return dict.fromkeys(values, 0.0)
        scale = math.sqrt(squares / (len(tokens) - 1) + WHITEN_EPSILON)
    return {p: (v - centre) / scale for p, v in values.items()}


def normalized(name: str, rewards: dict[int, float], rows: list[Row]) -> dict[int, float]:
    """The spec's normalisation ``name`` of per-position rewards (valid positions only)."""
    if name == "group":
        return group_normalized(rewards, rows)
    if name == "mean":
        return mean_baselined(rewards, rows)
    if name == "rloo":
        return leave_one_out(rewards, rows)
    if name == "rloo_whiten":
        return token_whitened(leave_one_out(rewards, rows), rows, population=True)
    if name == "batch":
        return token_whitened(mean_baselined(rewards, rows), rows, population=False)
    raise ValueError(name)


def per_row(values: dict[int, float], rows: list[Row]) -> list[float]:
    """One value per row of the batch, 0 for padding rows."""
    return [values.get(position, 0.0) for position in range(len(rows))]
