"""Stage 2: the efficiency reward ``r_i`` of each response, given its group's target length."""

from __future__ import annotations

import torch

from lead.core.config import LSTAR_MODES


def efficiency_rewards(
    lengths: torch.Tensor,
    correct: torch.Tensor,
    targets: torch.Tensor,
    *,
    mode: str,
    short_guard: float,
) -> torch.Tensor:
    """Efficiency reward per response, ``(N,)`` float64, in ``[-1, 1]``.

    Args:
        lengths: ``(N,)`` float64 response lengths ``l``.
        correct: ``(N,)`` bool correctness (used by ``"max_asym"`` only).
        targets: ``(N,)`` float64 target length ``L`` of each response's group (> 0).
        mode: ``"max_sym"``: ``max(-1, 1 - |l - L| / L)`` for every response (paper).
            ``"upper_only"``: ``clamp(1 - l / L, -1, 0)`` (global-budget ablation).
            ``"max_asym"``: correct responses get ``max(0, 1 - l / L)``, or 0 when
            ``l < short_guard``; wrong ones get ``clamp(1 - l / L, -1, 0)`` (release config default).
        short_guard: length below which correct responses earn nothing in ``"max_asym"``.
    """
    if mode == "max_sym":
        return (1.0 - (lengths - targets).abs() / targets).clamp(min=-1.0)
    relative_saving = 1.0 - lengths / targets
    if mode == "upper_only":
        return relative_saving.clamp(min=-1.0, max=0.0)
    if mode == "max_asym":
        reward_correct = torch.where(
            lengths < short_guard, torch.zeros_like(lengths), relative_saving.clamp(min=0.0)
        )
        return torch.where(correct, reward_correct, relative_saving.clamp(min=-1.0, max=0.0))
    raise ValueError(f"lstar_mode={mode!r} is invalid: allowed values are {', '.join(LSTAR_MODES)}")
