"""LASER's reward as a slow reference, written from METHODS_SPEC with plain loops: shared by the
oracles of ``laser`` and ``laser_d``, which differ only in where a response's target comes from."""

from __future__ import annotations

from collections.abc import Callable

import oracle_common


def base_term(row: oracle_common.Row, budget: float) -> float:
    """``C_i``: -1 truncated (whatever the grader said), +1 correct, -0.5 wrong."""
    if row.length >= budget:
        return -1.0
    return 1.0 if row.score > 0.5 else -0.5


def bonus_rewards(
    rows: list, budget: float, target_of: Callable[[int], float], bonus: float
) -> tuple[dict[int, float], dict[str, float]]:
    """``r_i = C_i + a [C_i = +1] [L_i <= T_i]`` per valid position (``T_i = target_of(i)``), and the
    step's ``reward_mean``, ``truncated_rate``, ``bonus_rate``, ``bonus_rate_correct``."""
    rewards, terms, within = {}, [], []
    for position in oracle_common.valid_positions(rows):
        term = base_term(rows[position], budget)
        gets_bonus = term == 1.0 and rows[position].length <= target_of(position)
        rewards[position] = term + (bonus if gets_bonus else 0.0)
        terms.append(term)
        within.append(gets_bonus)
    finished_correct = terms.count(1.0)
    metrics = {
        "reward_mean": sum(rewards.values()) / len(rewards),
        "truncated_rate": terms.count(-1.0) / len(terms),
        "bonus_rate": sum(within) / len(terms),
        "bonus_rate_correct": sum(within) / finished_correct if finished_correct else 0.0,
    }
    return rewards, metrics
