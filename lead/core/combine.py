"""Stage 5: weighted combination of LEAD's two advantages (whitening: :mod:`lead.core.normalization`)."""

from __future__ import annotations

import torch


def combine_advantages(
    advantage_corr: torch.Tensor, advantage_eff: torch.Tensor, weight_corr: float, weight_eff: float
) -> torch.Tensor:
    """``lambda_c * A_corr + lambda_e * A_eff``; inputs and output ``(N,)``."""
    return weight_corr * advantage_corr + weight_eff * advantage_eff
