"""L1's length-controlled rewards (arXiv 2503.04697); its training prompts: :mod:`lead.data.l1`.

Every L1 training prompt states a target of N thinking tokens, after the problem's own instruction:
"Think for N tokens." (L1-Exact) or "Think for maximum N tokens." (L1-Max). With ``c`` the
correctness (1 or 0) and ``L`` the response's true length in tokens (every response token, thinking
and answer: in verl the response's attention-mask sum, end token included, which is also what the
release counts)::

    l1_exact:  r = c - alpha * |N - L|                      alpha = 0.0003 (paper)
    l1_max:    r = c * clip(alpha * (N - L) + 0.5, 0, 1)    alpha = 0.001

The paper gives no alpha for L1-Max; 0.001 is what the released reward computes (commit 294b0b1:
``(clip(-(L - N) / 500, -1, 1) + 1) / 2``). The released L1-Exact reward divides by 3000, i.e.
``alpha = 1/3000`` (:data:`RELEASED_EXACT_ALPHA`), instead of the paper's 0.0003.

Data: N is uniform over the integers of [100, 4000], as released. L1-Max is trained on both kinds:
in ``"mix"`` each row's kind is a fair coin, as released, and each row is rewarded by its own kind.
A row records its target and kind in ``extra_info["l1_target"]`` (int) and
``extra_info["l1_kind"]`` (``"exact"`` or ``"max"``).

Small budgets: the range and both alphas belong to the release's L1-Exact run, 4,096 response
tokens (L1-Max continued from it at 8,192 with the same values). :func:`scaled_defaults` scales the
range by ``B / 4096`` and the alphas by ``4096 / B``.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

L1_KINDS = ("exact", "max")
L1_MODES = ("exact", "max", "mix")
PAPER_BUDGET = 4096
EXACT_ALPHA = 0.0003
MAX_ALPHA = 0.001
RELEASED_EXACT_ALPHA = 1 / 3000
TARGET_RANGE = (100, 4000)
TARGET_KEY, KIND_KEY = "l1_target", "l1_kind"


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _correctness(value: Any) -> float:
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if not _is_real(value) or not 0 <= value <= 1:
        raise ValueError(f"l1 correct={value!r} is invalid: allowed is true/false or a number in [0, 1]")
    return float(value)


def check_tokens(name: str, value: Any, low: int) -> int:
    """``value`` as an int of tokens >= ``low``; ``ValueError`` naming ``name`` otherwise."""
    if not _is_real(value) or not float(value).is_integer() or value < low:
        raise ValueError(f"l1 {name}={value!r} is invalid: allowed is an integer >= {low} (tokens)")
    return int(value)


def _alpha(value: Any) -> float:
    if not _is_real(value) or value < 0:
        raise ValueError(f"l1 alpha={value!r} is invalid: allowed is a finite number >= 0")
    return float(value)


def check_kind(value: Any) -> str:
    """``value`` if it is one of :data:`L1_KINDS`; ``ValueError`` otherwise."""
    if value not in L1_KINDS:
        raise ValueError(f"l1 kind={value!r} is invalid: allowed values are {', '.join(L1_KINDS)}")
    return value


def l1_exact(correct: Any, target_tokens: Any, response_tokens: Any, alpha: float = EXACT_ALPHA) -> float:
    """L1-Exact: ``c - alpha * |N - L|``."""
    c = _correctness(correct)
    distance = abs(
        check_tokens("target_tokens", target_tokens, 1) - check_tokens("response_tokens", response_tokens, 0)
    )
    return c - _alpha(alpha) * distance


def l1_max(correct: Any, target_tokens: Any, response_tokens: Any, alpha: float = MAX_ALPHA) -> float:
    """L1-Max: ``c * clip(alpha * (N - L) + 0.5, 0, 1)``."""
    c = _correctness(correct)
    headroom = check_tokens("target_tokens", target_tokens, 1) - check_tokens(
        "response_tokens", response_tokens, 0
    )
    return c * min(1.0, max(0.0, _alpha(alpha) * headroom + 0.5))


def l1_reward(
    kind: str, correct: Any, target_tokens: Any, response_tokens: Any, alpha: float | None = None
) -> float:
    """The reward of a row of ``kind`` (``"exact"`` or ``"max"``); ``alpha=None`` is that kind's default."""
    reward = l1_exact if check_kind(kind) == "exact" else l1_max
    if alpha is None:
        return reward(correct, target_tokens, response_tokens)
    return reward(correct, target_tokens, response_tokens, alpha)


@dataclass(frozen=True)
class L1Defaults:
    """L1's constants at one generation budget: the target range (tokens) and both alphas (per token)."""

    min_target: int
    max_target: int
    exact_alpha: float
    max_alpha: float


def scaled_defaults(budget: float | None = None) -> L1Defaults:
    """The release's values (``budget=None``) or their scaling to ``budget`` response tokens."""
    if budget is None:
        return L1Defaults(*TARGET_RANGE, EXACT_ALPHA, MAX_ALPHA)
    if not _is_real(budget) or budget <= 0:
        raise ValueError(f"l1 budget={budget!r} is invalid: allowed is a number of tokens > 0")
    lengths, slopes = budget / PAPER_BUDGET, PAPER_BUDGET / budget
    low = max(1, round(TARGET_RANGE[0] * lengths))
    return L1Defaults(
        low, max(low, round(TARGET_RANGE[1] * lengths)), EXACT_ALPHA * slopes, MAX_ALPHA * slopes
    )
