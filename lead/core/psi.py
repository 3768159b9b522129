"""Stage 4: Potential-Scaled Instability (PSI) weights and their EMA controller."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from lead.core.grouping import Groups, segment_mean_var

MOMENT_EPSILON = 1e-8


def pooled_moments(
    values: torch.Tensor, groups: Groups, members: torch.Tensor
) -> tuple[list[float], list[float]]:
    """Batch mean and standard deviation of each reward, every group weighted equally.

    ``values`` ``(K, N)`` holds K rewards of the N responses; ``members`` ``(K, N)`` bool selects
    the responses each reward's statistics use. By the law of total variance over groups:
    ``mu = mean_q(m_q)`` and ``sigma = sqrt(mean_q(v_q) + var_q(m_q) + 1e-8)``, with group means
    ``m_q`` and population variances ``v_q``, over the groups with at least one member. A reward
    without members (e.g. efficiency when no response is correct) gets ``mu = sigma = 0``.
    Returns ``(mu, sigma)``, each a list of K floats.
    """
    means, variances, counts = segment_mean_var(
        values, groups.ids, groups.num_groups, unbiased=False, members=members
    )
    present = (counts > 0).to(values.dtype)
    num_present = present.sum(-1)
    mu = (means * present).sum(-1) / num_present.clamp_min(1.0)
    total_variance = ((variances + (means - mu.unsqueeze(-1)).square()) * present).sum(-1)
    sigma = torch.where(
        num_present > 0,
        torch.sqrt(total_variance / num_present.clamp_min(1.0) + MOMENT_EPSILON),
        torch.zeros_like(mu),
    )
    return mu.tolist(), sigma.tolist()


@dataclass(frozen=True)
class PSIStatistics:
    """Every intermediate value of the PSI weights of one batch (``_corr``/``_eff`` per reward)."""

    mu_corr: float
    sigma_corr: float
    mu_eff: float
    sigma_eff: float
    cv_corr: float
    cv_eff: float
    cv_corr_norm: float
    cv_eff_norm: float
    potential_corr: float
    potential_eff: float
    d_corr: float
    d_eff: float
    target_w_corr: float
    target_w_eff: float


def psi_statistics(
    mu_corr: float, sigma_corr: float, mu_eff: float, sigma_eff: float, *, alpha: float, epsilon: float
) -> PSIStatistics:
    """Target weights from the batch moments of the correctness and efficiency rewards.

    Instability ``cv_k = sigma_k / (|mu_k| + eps)``, normalised ``cvn_k = cv_k / (cv_c + cv_e + eps)``;
    potential ``P_c = (1 - clamp(mu_c, 0, 1))^alpha``, ``P_e = (1 - (clamp(mu_e, -1, 1) + 1) / 2)^alpha``;
    ``D_k = cvn_k * P_k``; target ``w*_k = D_k / (D_c + D_e + eps)``.
    """
    cv_corr = sigma_corr / (abs(mu_corr) + epsilon)
    cv_eff = sigma_eff / (abs(mu_eff) + epsilon)
    cv_total = cv_corr + cv_eff + epsilon
    cv_corr_norm, cv_eff_norm = cv_corr / cv_total, cv_eff / cv_total
    potential_corr = (1.0 - min(max(mu_corr, 0.0), 1.0)) ** alpha
    potential_eff = (1.0 - (min(max(mu_eff, -1.0), 1.0) + 1.0) / 2.0) ** alpha
    d_corr, d_eff = cv_corr_norm * potential_corr, cv_eff_norm * potential_eff
    d_total = d_corr + d_eff + epsilon
    return PSIStatistics(
        mu_corr=mu_corr,
        sigma_corr=sigma_corr,
        mu_eff=mu_eff,
        sigma_eff=sigma_eff,
        cv_corr=cv_corr,
        cv_eff=cv_eff,
        cv_corr_norm=cv_corr_norm,
        cv_eff_norm=cv_eff_norm,
        potential_corr=potential_corr,
        potential_eff=potential_eff,
        d_corr=d_corr,
        d_eff=d_eff,
        target_w_corr=d_corr / d_total,
        target_w_eff=d_eff / d_total,
    )


@dataclass(frozen=True)
class RewardWeights:
    """Weights of the correctness and efficiency advantages used in one step."""

    corr: float
    eff: float


@dataclass(frozen=True)
class ControllerStep:
    """One proposed controller step: the new EMA weights and the weights to use now."""

    ema_w_corr: float
    ema_w_eff: float
    weights: RewardWeights


class WeightController:
    """EMA of the PSI target weights, with the correctness floor; the only state of LEAD.

    The first step (state not yet initialised) gives ``beta * (0.5, 0.5) + (1 - beta) * w*``, later
    steps ``beta * w_prev + (1 - beta) * w*``. The weights used are ``lambda_c = max(w_c, lambda_min)``
    and ``lambda_e = 1 - lambda_c``; the floor is not stored. With ``static_lambda_corr`` set, the
    weights used are ``(static, 1 - static)`` at every step and the stored EMA records that pair.
    A step is proposed (:meth:`propose`, no change) and then committed (:meth:`commit`).
    """

    STATE_KEYS = ("ema_w_corr", "ema_w_eff", "initialized")

    def __init__(self, *, beta: float, lambda_min: float, static_lambda_corr: float | None = None) -> None:
        self.beta = beta
        self.lambda_min = lambda_min
        self.static_lambda_corr = static_lambda_corr
        self.ema_w_corr = 0.5
        self.ema_w_eff = 0.5
        self.initialized = False

    def propose(self, target_w_corr: float, target_w_eff: float) -> ControllerStep:
        """The step this batch's target weights give, without changing the controller."""
        if self.static_lambda_corr is not None:
            static = self.static_lambda_corr
            return ControllerStep(static, 1.0 - static, RewardWeights(corr=static, eff=1.0 - static))
        previous_corr, previous_eff = (self.ema_w_corr, self.ema_w_eff) if self.initialized else (0.5, 0.5)
        ema_corr = self.beta * previous_corr + (1.0 - self.beta) * target_w_corr
        ema_eff = self.beta * previous_eff + (1.0 - self.beta) * target_w_eff
        used_corr = max(ema_corr, self.lambda_min)
        return ControllerStep(ema_corr, ema_eff, RewardWeights(corr=used_corr, eff=1.0 - used_corr))

    def commit(self, step: ControllerStep) -> None:
        """Make a proposed step the controller's state."""
        self.ema_w_corr, self.ema_w_eff = step.ema_w_corr, step.ema_w_eff
        self.initialized = True

    def update(self, target_w_corr: float, target_w_eff: float) -> RewardWeights:
        """Propose and commit one step; return the weights to use now."""
        step = self.propose(target_w_corr, target_w_eff)
        self.commit(step)
        return step.weights

    def state_dict(self) -> dict[str, Any]:
        """Plain Python values: the EMA weights and whether a step has run."""
        return {"ema_w_corr": self.ema_w_corr, "ema_w_eff": self.ema_w_eff, "initialized": self.initialized}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore a state produced by :meth:`state_dict`; validates every entry first."""
        if not isinstance(state, dict) or set(state) != set(self.STATE_KEYS):
            found = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(
                f"LEAD state {found!r} is invalid: allowed is a dict with keys {self.STATE_KEYS}"
            )
        for key in ("ema_w_corr", "ema_w_eff"):
            value = state[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"LEAD state {key}={value!r} is invalid: allowed is a finite number")
        if not isinstance(state["initialized"], bool):
            raise ValueError(f"LEAD state initialized={state['initialized']!r} is invalid: allowed is a bool")
        self.ema_w_corr = float(state["ema_w_corr"])
        self.ema_w_eff = float(state["ema_w_eff"])
        self.initialized = state["initialized"]
