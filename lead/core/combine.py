"""Stage 5: weighted combination of the two advantages, whitening, and broadcast to tokens."""

from __future__ import annotations

import torch

from lead.core.config import WHITEN_MODES

WHITEN_VARIANCE_EPSILON = 1e-8


def combine_advantages(
    advantage_corr: torch.Tensor, advantage_eff: torch.Tensor, weight_corr: float, weight_eff: float
) -> torch.Tensor:
    """``lambda_c * A_corr + lambda_e * A_eff``; inputs and output ``(N,)``."""
    return weight_corr * advantage_corr + weight_eff * advantage_eff


def whiten(values: torch.Tensor, lengths: torch.Tensor, mode: str) -> torch.Tensor:
    """Whiten per-response advantages ``(N,)``, as if each were broadcast over its valid tokens.

    ``"token"`` (published): mean and unbiased variance over all valid tokens of the batch, computed
    from the ``(N,)`` values weighted by their lengths ``(N,)`` (identical to the masked token-level
    statistics of a 0/1 mask). ``"sequence"``: each response counts once. ``"none"``: unchanged.
    The result is ``(A - mean) / sqrt(var + 1e-8)``. With a single valid token (``"token"``) or a
    single valid response (``"sequence"``) the unbiased variance is undefined and every value
    equals the mean: the advantages are all 0.
    """
    if mode == "none":
        return values
    if mode == "token":
        weights = lengths
    elif mode == "sequence":
        weights = torch.ones_like(values)
    else:
        raise ValueError(f"whiten={mode!r} is invalid: allowed values are {', '.join(WHITEN_MODES)}")
    total_weight = weights.sum()
    if float(total_weight) <= 1.0:
        return torch.zeros_like(values)
    centred = values - (weights * values).sum() / total_weight
    variance = (weights * centred.square()).sum() / (total_weight - 1.0)
    return centred / torch.sqrt(variance + WHITEN_VARIANCE_EPSILON)


def cast_mask_buffer(response_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor | None:
    """A ``(B, T)`` copy of the mask in the output ``dtype`` when the dtypes differ (e.g. verl's int64
    masks), else ``None``. On CPU, multiplying such a mask by floats makes a temporary float copy
    anyway; making it once up front lets the lengths be summed from it and the advantages be written
    into it in place. Bool masks are cheaper to use directly and get ``None`` too.
    """
    if response_mask.dtype in (dtype, torch.bool):
        return None
    return response_mask.to(dtype)


def broadcast_to_tokens(
    row_values: torch.Tensor,
    response_mask: torch.Tensor,
    dtype: torch.dtype,
    mask_buffer: torch.Tensor | None = None,
) -> torch.Tensor:
    """``row_values[:, None] * response_mask`` as a ``(B, T)`` tensor of ``dtype``.

    The only step of the estimator that writes ``B x T`` values. ``mask_buffer`` (from
    :func:`cast_mask_buffer`) is overwritten in place and returned when given.
    """
    scale = row_values.to(dtype).unsqueeze(-1)
    if mask_buffer is not None:
        return mask_buffer.mul_(scale)
    return scale * response_mask
