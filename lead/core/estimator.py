"""The LEAD advantage estimator: composes the five stages of the algorithm."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from lead.core.combine import broadcast_to_tokens, cast_mask_buffer, combine_advantages, whiten
from lead.core.config import LEADConfig
from lead.core.efficiency import efficiency_rewards
from lead.core.grouping import Groups, factorize_index
from lead.core.metrics import step_metrics
from lead.core.normalization import group_normalize
from lead.core.psi import WeightController, pooled_moments, psi_statistics
from lead.core.target_length import solvable_groups, target_lengths

CORRECT_THRESHOLD = 0.5


def _check_tensors(token_level_rewards: Any, response_mask: Any) -> None:
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


def _row_sums(values: torch.Tensor) -> torch.Tensor:
    """``(B, T) -> (B,)`` float64 row sums; half-precision inputs accumulate in float32 (exact counts)."""
    accumulate = torch.float32 if values.dtype in (torch.float16, torch.bfloat16) else None
    return values.sum(-1, dtype=accumulate).to(torch.float64)


def _check_row_sums(scores: torch.Tensor, lengths: torch.Tensor) -> None:
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


class LEADEstimator:
    """LEAD advantages for batches of grouped responses; holds the adaptive-weight state.

    ``advantages, metrics = estimator(token_level_rewards, response_mask, index)``:

    - ``token_level_rewards``: ``(B, T)``; a response's correctness score is its row sum, and it is
      correct when the score is > 0.5.
    - ``response_mask``: ``(B, T)`` 0/1 (any numeric or bool dtype); a response's length is its row
      sum. Rows of length 0 (padding) enter no statistic and get zero advantage.
    - ``index``: ``B`` group ids (prompt uids: str, int, UUID, numpy object array or tensor).
    - ``advantages``: ``(B, T)``, the dtype of the rewards when floating point, else float32.
    - ``metrics``: ``dict[str, float]`` keyed ``lead/...`` (see :func:`lead.core.metrics.step_metrics`).

    Each call advances the weight controller by one step; ``state_dict`` / ``load_state_dict``
    save and restore it exactly.
    """

    def __init__(self, config: LEADConfig | None = None) -> None:
        self.config = config if config is not None else LEADConfig()
        self.controller = WeightController(
            beta=self.config.beta,
            lambda_min=self.config.lambda_min,
            static_lambda_corr=self.config.static_lambda_corr,
        )

    @torch.no_grad()
    def __call__(
        self,
        token_level_rewards: torch.Tensor,
        response_mask: torch.Tensor,
        index: Sequence[Any] | np.ndarray | torch.Tensor,
    ) -> tuple[torch.Tensor, dict[str, float]]:
        _check_tensors(token_level_rewards, response_mask)
        batch_size = token_level_rewards.shape[0]
        dtype = token_level_rewards.dtype if token_level_rewards.is_floating_point() else torch.float32
        mask_buffer = cast_mask_buffer(response_mask, dtype)
        scores = _row_sums(token_level_rewards)
        lengths = _row_sums(mask_buffer if mask_buffer is not None else response_mask)
        _check_row_sums(scores, lengths)
        codes = factorize_index(index, batch_size).to(scores.device)
        valid = lengths > 0
        num_valid = int(valid.sum())
        if num_valid == 0:
            raise ValueError(
                f"response_mask has no row with a valid token (batch of {batch_size} rows): "
                "allowed is a batch with at least one non-empty response"
            )
        if num_valid == batch_size:  # the usual case: no padding rows to leave out
            row_values, metrics = self._advantages_of_valid_rows(scores, lengths, codes, num_ignored_rows=0)
        else:
            valid_values, metrics = self._advantages_of_valid_rows(
                scores.masked_select(valid),
                lengths.masked_select(valid),
                codes.masked_select(valid),
                num_ignored_rows=batch_size - num_valid,
            )
            row_values = torch.zeros_like(scores).masked_scatter_(valid, valid_values)
        return broadcast_to_tokens(row_values, response_mask, dtype, mask_buffer), metrics

    def _advantages_of_valid_rows(
        self, scores: torch.Tensor, lengths: torch.Tensor, codes: torch.Tensor, *, num_ignored_rows: int
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """The whole algorithm on the ``N`` valid responses: ``(N,)`` advantages and the metrics."""
        config = self.config
        groups = Groups.from_codes(codes)
        correct = scores > CORRECT_THRESHOLD
        solvable = solvable_groups(correct, groups)
        targets = target_lengths(
            lengths,
            correct,
            groups,
            aggregator=config.aggregator,
            bmax=config.bmax,
            lstar_min=config.lstar_min,
            solvable=solvable,
        )
        efficiency = efficiency_rewards(
            lengths,
            correct,
            targets.index_select(0, groups.ids),
            mode=config.lstar_mode,
            short_guard=config.short_guard,
        )
        rewards = torch.stack([scores, efficiency])  # (2, N): correctness and efficiency
        # correctness statistics use every response, efficiency statistics the correct ones only
        (mu_corr, mu_eff), (sigma_corr, sigma_eff) = pooled_moments(
            rewards, groups, torch.stack([torch.ones_like(correct), correct])
        )
        psi = psi_statistics(
            mu_corr, sigma_corr, mu_eff, sigma_eff, alpha=config.alpha, epsilon=config.epsilon
        )
        weights = self.controller.update(psi.target_w_corr, psi.target_w_eff)
        advantage_corr, advantage_eff = group_normalize(rewards, groups)
        combined = combine_advantages(advantage_corr, advantage_eff, weights.corr, weights.eff)
        metrics = step_metrics(
            correct=correct,
            lengths=lengths,
            efficiency=efficiency,
            targets=targets,
            solvable=solvable,
            psi=psi,
            weights=weights,
            controller=self.controller,
            num_ignored_rows=num_ignored_rows,
        )
        return whiten(combined, lengths, config.whiten), metrics

    def state_dict(self) -> dict[str, Any]:
        """The controller state as plain Python values (safe for JSON, torch.save, pickle)."""
        return self.controller.state_dict()

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`; the next call continues the same weight sequence."""
        self.controller.load_state_dict(state)
