"""Per-step diagnostics, as flat ``dict[str, float]``: those every method shares, and LEAD's own."""

from __future__ import annotations

from collections.abc import Callable

import torch

from lead.core.frame import Responses
from lead.core.psi import ControllerStep, PSIStatistics


def _reduce_or_zero(
    values: torch.Tensor, *reductions: Callable[[torch.Tensor], torch.Tensor]
) -> list[torch.Tensor]:
    """Each reduction of the non-empty 1-D ``values``, as 0-d tensors; all 0 when ``values`` is empty."""
    if values.numel() == 0:
        return [values.new_zeros(()) for _ in reductions]
    return [reduce(values) for reduce in reductions]


def _median(values: torch.Tensor) -> torch.Tensor:
    """Median of a non-empty 1-D tensor: halfway between the two middle values for an even count.

    Interpolates the two middle order statistics with ``torch.lerp``, as ``torch.quantile(values,
    0.5)`` does (same value to the last bit), in four tensor operations instead of about twenty.
    """
    ordered = values.sort().values
    count = ordered.numel()
    return torch.lerp(ordered[(count - 1) // 2], ordered[count // 2], 0.5 if count % 2 == 0 else 0.0)


def shared_metrics(prefix: str, responses: Responses, step: int) -> dict[str, float]:
    """What every method logs each step, keyed ``<prefix>/...``.

    ``step`` (1-based), ``accuracy_batch``, ``resp_len_mean``, ``resp_len_mean_correct`` (0 without a
    correct response), ``num_valid_responses`` and ``num_ignored_rows`` (padding rows left out).
    """
    lengths, correct = responses.lengths, responses.correct
    accuracy, mean_length, mean_length_correct = torch.stack(
        [
            correct.to(lengths.dtype).mean(),
            lengths.mean(),
            *_reduce_or_zero(lengths.masked_select(correct), torch.mean),
        ]
    ).tolist()
    return {
        f"{prefix}/step": float(step),
        f"{prefix}/accuracy_batch": accuracy,
        f"{prefix}/resp_len_mean": mean_length,
        f"{prefix}/resp_len_mean_correct": mean_length_correct,
        f"{prefix}/num_valid_responses": float(lengths.shape[0]),
        f"{prefix}/num_ignored_rows": float(responses.num_ignored_rows),
    }


def step_metrics(
    *,
    correct: torch.Tensor,
    efficiency: torch.Tensor,
    targets: torch.Tensor,
    solvable: torch.Tensor,
    psi: PSIStatistics,
    controller_step: ControllerStep,
) -> dict[str, float]:
    """LEAD's own metrics of one step (the shared ones come from :func:`shared_metrics`).

    Args:
        correct, efficiency: ``(N,)`` per valid response: correctness (bool), efficiency reward.
        targets, solvable: ``(G,)`` per group: target length, whether any response is correct.
        psi: the batch's PSI statistics; controller_step: the weights used and the new EMA.

    ``w_corr``/``w_eff`` are the weights used (after the floor or the static override),
    ``ema_w_corr``/``ema_w_eff`` the stored EMA. Statistics over an empty set (no solvable group,
    no correct response) are reported as 0; ``num_solvable_prompts`` tells them apart.
    """
    statistics = [
        *_reduce_or_zero(targets.masked_select(solvable), torch.mean, _median, torch.min, torch.max),
        *_reduce_or_zero(efficiency.masked_select(correct), torch.mean, torch.min, torch.max),
        targets.mean(),
        efficiency.mean(),
    ]
    (
        lstar_mean_solvable,
        lstar_median_solvable,
        lstar_min_solvable,
        lstar_max_solvable,
        r_eff_mean_correct,
        r_eff_min_correct,
        r_eff_max_correct,
        lstar_mean,
        r_eff_mean,
    ) = torch.stack(statistics).tolist()  # one conversion to Python floats for all of them
    num_solvable = int(solvable.sum())
    weights = controller_step.weights
    return {
        "lead/w_corr": weights.corr,
        "lead/w_eff": weights.eff,
        "lead/ema_w_corr": controller_step.ema_w_corr,
        "lead/ema_w_eff": controller_step.ema_w_eff,
        "lead/target_w_corr": psi.target_w_corr,
        "lead/target_w_eff": psi.target_w_eff,
        "lead/mu_corr": psi.mu_corr,
        "lead/sigma_corr": psi.sigma_corr,
        "lead/mu_eff": psi.mu_eff,
        "lead/sigma_eff": psi.sigma_eff,
        "lead/cv_corr": psi.cv_corr,
        "lead/cv_eff": psi.cv_eff,
        "lead/cv_corr_norm": psi.cv_corr_norm,
        "lead/cv_eff_norm": psi.cv_eff_norm,
        "lead/potential_corr": psi.potential_corr,
        "lead/potential_eff": psi.potential_eff,
        "lead/D_corr": psi.d_corr,
        "lead/D_eff": psi.d_eff,
        "lead/lstar_mean": lstar_mean,
        "lead/lstar_mean_solvable": lstar_mean_solvable,
        "lead/lstar_median_solvable": lstar_median_solvable,
        "lead/lstar_min_solvable": lstar_min_solvable,
        "lead/lstar_max_solvable": lstar_max_solvable,
        "lead/num_solvable_prompts": float(num_solvable),
        "lead/num_unsolved_prompts": float(targets.shape[0] - num_solvable),
        "lead/r_eff_mean": r_eff_mean,
        "lead/r_eff_mean_correct": r_eff_mean_correct,
        "lead/r_eff_min_correct": r_eff_min_correct,
        "lead/r_eff_max_correct": r_eff_max_correct,
    }
