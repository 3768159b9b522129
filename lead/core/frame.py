"""The common frame of every advantage estimator: checked inputs in, ``(B, T)`` advantages out.

Every method (LEAD and its neighbours) sees a batch the same way: a response's correctness score is
its reward row sum (correct when > 0.5), its length the row sum of the response mask, its group the
prompt id of its row; rows of length 0 (padding) take no part and get zero advantage.
:func:`frame_batch` checks the inputs and selects the ``N`` valid rows once; a method computes one
value per valid response, ``(N,)``, and :meth:`BatchFrame.to_tokens` writes them back over each
response's valid tokens, ``(B, T)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from lead.core.grouping import Groups, factorize_index

CORRECT_THRESHOLD = 0.5


def check_tensors(token_level_rewards: Any, response_mask: Any) -> None:
    """Both inputs are 2-D tensors of one shape, the rewards of a real numeric dtype."""
    for name, value in (("token_level_rewards", token_level_rewards), ("response_mask", response_mask)):
        if not isinstance(value, torch.Tensor) or value.dim() != 2:
            shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
            raise ValueError(f"{name} is {shape}: allowed is a 2-D (batch, response_length) tensor")
    if token_level_rewards.shape != response_mask.shape:
        raise ValueError(
            f"response_mask has shape {tuple(response_mask.shape)}: allowed is the shape of "
            f"token_level_rewards, {tuple(token_level_rewards.shape)}"
        )
    if token_level_rewards.is_complex() or token_level_rewards.dtype == torch.bool:
        raise ValueError(
            f"token_level_rewards has dtype {token_level_rewards.dtype}: allowed are real numeric dtypes"
        )


def row_sums(values: torch.Tensor) -> torch.Tensor:
    """``(B, T) -> (B,)`` float64 row sums; half-precision inputs accumulate in float32 (exact counts)."""
    accumulate = torch.float32 if values.dtype in (torch.float16, torch.bfloat16) else None
    return values.sum(-1, dtype=accumulate).to(torch.float64)


def check_row_sums(scores: torch.Tensor, lengths: torch.Tensor) -> None:
    """Reject non-finite rewards and masks whose rows do not sum to a whole number of tokens."""
    finite = torch.isfinite(scores)
    if not bool(finite.all()):
        row = int(torch.argmin(finite.to(torch.uint8)))
        raise ValueError(
            f"token_level_rewards row {row} sums to {float(scores[row])}: allowed are finite rewards "
            "(no NaN or inf)"
        )
    bad_lengths = (lengths < 0) | (lengths != lengths.round())
    if bool(bad_lengths.any()):
        row = int(torch.argmax(bad_lengths.to(torch.uint8)))
        raise ValueError(
            f"response_mask row {row} sums to {float(lengths[row])}: allowed are 0/1 mask values"
        )


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

    The only step of an estimator that writes ``B x T`` values. ``mask_buffer`` (from
    :func:`cast_mask_buffer`) is overwritten in place and returned when given.
    """
    scale = row_values.to(dtype).unsqueeze(-1)
    if mask_buffer is not None:
        return mask_buffer.mul_(scale)
    return scale * response_mask


def _problem_id_array(problem_ids: Sequence[Any] | np.ndarray, batch_size: int) -> np.ndarray:
    """``(B,)`` object array of the problems' stable ids."""
    if isinstance(problem_ids, torch.Tensor):
        problem_ids = problem_ids.tolist()
    if not hasattr(problem_ids, "__len__") or len(problem_ids) != batch_size:
        size = len(problem_ids) if hasattr(problem_ids, "__len__") else type(problem_ids).__name__
        raise ValueError(
            f"problem_ids has {size} entries: allowed is one stable problem id per row ({batch_size})"
        )
    ids = np.empty(batch_size, dtype=object)
    ids[:] = list(problem_ids)
    if any(value is None for value in ids):
        row = next(position for position, value in enumerate(ids) if value is None)
        raise ValueError(f"problem_ids row {row} is None: allowed is a stable id (str or int) for every row")
    return ids


@dataclass(frozen=True)
class Responses:
    """The ``N`` valid responses of one batch, as every method scores them.

    Attributes:
        scores: ``(N,)`` float64 correctness scores (reward row sums).
        lengths: ``(N,)`` float64 lengths in response tokens (mask row sums, all > 0).
        correct: ``(N,)`` bool, ``scores > 0.5``.
        groups: the prompt group of each response.
        problem_ids: ``(N,)`` object array of stable problem ids (across steps and epochs), or None
            when the caller gave none.
        num_ignored_rows: rows of length 0 left out.
    """

    scores: torch.Tensor
    lengths: torch.Tensor
    correct: torch.Tensor
    groups: Groups
    problem_ids: np.ndarray | None
    num_ignored_rows: int

    def truncated(self, budget: float) -> torch.Tensor:
        """``(N,)`` bool: responses that reached the budget (hit the cap without finishing)."""
        return self.lengths >= budget


@dataclass(frozen=True)
class BatchFrame:
    """A checked batch: its valid responses and what it takes to write ``(N,)`` values back."""

    responses: Responses
    valid: torch.Tensor | None
    response_mask: torch.Tensor
    dtype: torch.dtype
    mask_buffer: torch.Tensor | None

    def to_tokens(self, values: torch.Tensor) -> torch.Tensor:
        """``(N,)`` per-response values as ``(B, T)`` advantages: each over its valid tokens, 0 elsewhere."""
        if self.valid is not None:
            values = torch.zeros(self.valid.shape, dtype=values.dtype, device=values.device).masked_scatter_(
                self.valid, values
            )
        return broadcast_to_tokens(values, self.response_mask, self.dtype, self.mask_buffer)


def frame_batch(
    token_level_rewards: torch.Tensor,
    response_mask: torch.Tensor,
    index: Sequence[Any] | np.ndarray | torch.Tensor,
    problem_ids: Sequence[Any] | np.ndarray | None = None,
) -> BatchFrame:
    """Check a batch and select its valid rows.

    Args:
        token_level_rewards: ``(B, T)``; a row's sum is the response's correctness score.
        response_mask: ``(B, T)`` 0/1 (any numeric or bool dtype); a row's sum is its length.
        index: ``B`` prompt group ids (str, int, UUID, numpy object array or tensor).
        problem_ids: ``B`` stable problem ids, or None.

    The advantages' dtype is the rewards' when floating point, else float32. Raises ``ValueError``
    naming the bad input; a batch with no valid row is one.
    """
    check_tensors(token_level_rewards, response_mask)
    batch_size = token_level_rewards.shape[0]
    dtype = token_level_rewards.dtype if token_level_rewards.is_floating_point() else torch.float32
    mask_buffer = cast_mask_buffer(response_mask, dtype)
    scores = row_sums(token_level_rewards)
    lengths = row_sums(mask_buffer if mask_buffer is not None else response_mask)
    check_row_sums(scores, lengths)
    codes = factorize_index(index, batch_size).to(scores.device)
    ids = None if problem_ids is None else _problem_id_array(problem_ids, batch_size)
    valid = lengths > 0
    num_valid = int(valid.sum())
    if num_valid == 0:
        raise ValueError(
            f"response_mask has no row with a valid token (batch of {batch_size} rows): "
            "allowed is a batch with at least one non-empty response"
        )
    if num_valid < batch_size:
        scores, lengths, codes = (values.masked_select(valid) for values in (scores, lengths, codes))
        if ids is not None:
            ids = ids[valid.cpu().numpy()]
    responses = Responses(
        scores=scores,
        lengths=lengths,
        correct=scores > CORRECT_THRESHOLD,
        groups=Groups.from_codes(codes),
        problem_ids=ids,
        num_ignored_rows=batch_size - num_valid,
    )
    return BatchFrame(
        responses=responses,
        valid=valid if num_valid < batch_size else None,
        response_mask=response_mask,
        dtype=dtype,
        mask_buffer=mask_buffer,
    )
