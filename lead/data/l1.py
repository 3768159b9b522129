"""L1's training rows (arXiv 2503.04697): every prompt states a target of N thinking tokens.

"Think for N tokens." (L1-Exact) or "Think for maximum N tokens." (L1-Max) follows the problem's own
instruction; ``extra_info`` records the target and the kind for the reward (:mod:`lead.reward.l1`).
N is uniform over the integers of a range (the release's [100, 4000]); in ``"mix"`` each row's kind
is a fair coin, as L1-Max is trained.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from lead.data.instructions import with_instructions
from lead.reward.l1 import KIND_KEY, L1_MODES, TARGET_KEY, check_kind, check_tokens


def l1_instruction(kind: str, target_tokens: Any) -> str:
    """``"Think for N tokens."`` (exact) or ``"Think for maximum N tokens."`` (max)."""
    tokens = check_tokens("target_tokens", target_tokens, 1)
    return (
        f"Think for {tokens} tokens."
        if check_kind(kind) == "exact"
        else f"Think for maximum {tokens} tokens."
    )


def draw_targets(
    num_rows: int, mode: str, seed: int, min_target: int, max_target: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(num_rows,)`` int64 targets uniform in ``[min_target, max_target]`` and ``(num_rows,)`` kinds.

    ``mode`` ``"exact"`` or ``"max"`` gives every row that kind; ``"mix"`` a fair coin per row.
    """
    if mode not in L1_MODES:
        raise ValueError(f"l1 mode={mode!r} is invalid: allowed values are {', '.join(L1_MODES)}")
    low = check_tokens("min_target", min_target, 1)
    high = check_tokens("max_target", max_target, low)
    generator = np.random.default_rng(seed)
    targets = generator.integers(low, high, size=num_rows, endpoint=True)
    if mode == "mix":
        kinds = np.where(generator.random(num_rows) < 0.5, "max", "exact")
    else:
        kinds = np.full(num_rows, mode)
    return targets, kinds


def l1_rows(
    rows: Iterable[Mapping[str, Any]], mode: str, seed: int, min_target: int, max_target: int
) -> list[dict[str, Any]]:
    """L1 training rows from RL-schema rows, in order (see :func:`draw_targets`): each last message
    asks for its target (:func:`l1_instruction`) and each ``extra_info`` records the target and kind."""
    rows = list(rows)
    targets, kinds = draw_targets(len(rows), mode, seed, min_target, max_target)
    pairs = [(str(kind), int(target)) for kind, target in zip(kinds, targets, strict=True)]
    return with_instructions(
        rows,
        (l1_instruction(kind, target) for kind, target in pairs),
        ({TARGET_KEY: target, KIND_KEY: kind} for kind, target in pairs),
    )
