"""The LEAD advantage estimator: the five stages of the algorithm as one :class:`Method`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch

from lead.core.combine import combine_advantages
from lead.core.config import LEADConfig
from lead.core.efficiency import efficiency_rewards
from lead.core.frame import Responses
from lead.core.method import Estimator, Method, MethodState, Scored
from lead.core.metrics import step_metrics
from lead.core.normalization import group_normalize, whiten
from lead.core.psi import WeightController, pooled_moments, psi_statistics
from lead.core.target_length import solvable_groups, target_lengths


class LEADState(MethodState):
    """LEAD's state: the PSI weight controller (its EMA weights), committed after each step."""

    def __init__(self, config: LEADConfig) -> None:
        self.controller = WeightController(
            beta=config.beta, lambda_min=config.lambda_min, static_lambda_corr=config.static_lambda_corr
        )

    def update(self, responses: Responses, scored: Scored, step: int) -> None:
        self.controller.commit(scored.state_update)

    def state_dict(self) -> dict[str, Any]:
        return self.controller.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.controller.load_state_dict(dict(state))


def lead_advantages(responses: Responses, config: LEADConfig, state: LEADState, step: int) -> Scored:
    """The whole algorithm on the ``N`` valid responses: ``(N,)`` advantages and LEAD's metrics.

    1. target length ``L*_q`` per group; 2. efficiency reward per response; 3. both rewards
    normalised in their groups; 4. PSI weights (the controller's proposed step, committed after
    scoring); 5. ``lambda_c * A_corr + lambda_e * A_eff``, whitened.
    """
    groups, lengths, correct = responses.groups, responses.lengths, responses.correct
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
        lengths, correct, groups.gather(targets), mode=config.lstar_mode, short_guard=config.short_guard
    )
    rewards = torch.stack([responses.scores, efficiency])  # (2, N): correctness and efficiency
    # correctness statistics use every response, efficiency statistics the correct ones only
    (mu_corr, mu_eff), (sigma_corr, sigma_eff) = pooled_moments(
        rewards, groups, torch.stack([torch.ones_like(correct), correct])
    )
    psi = psi_statistics(mu_corr, sigma_corr, mu_eff, sigma_eff, alpha=config.alpha, epsilon=config.epsilon)
    controller_step = state.controller.propose(psi.target_w_corr, psi.target_w_eff)
    weights = controller_step.weights
    advantage_corr, advantage_eff = group_normalize(rewards, groups)
    combined = combine_advantages(advantage_corr, advantage_eff, weights.corr, weights.eff)
    metrics = step_metrics(
        correct=correct,
        efficiency=efficiency,
        targets=targets,
        solvable=solvable,
        psi=psi,
        controller_step=controller_step,
    )
    return Scored(whiten(combined, lengths, config.whiten), metrics, state_update=controller_step)


LEAD = Method(
    name="lead",
    options=LEADConfig,
    score=lead_advantages,
    normalization="none",
    new_state=LEADState,
    rewards="correctness and closeness to a per-prompt target length, mixed by adaptive PSI weights",
)


class LEADEstimator(Estimator):
    """LEAD advantages for batches of grouped responses; holds the adaptive-weight state.

    ``advantages, metrics = estimator(token_level_rewards, response_mask, index)``; see
    :class:`lead.core.method.Estimator` for the contract. ``metrics`` are keyed ``lead/...``. Each
    call advances the weight controller by one step; ``state_dict`` / ``load_state_dict`` save and
    restore it exactly (the EMA weights, whether initialised, and the step count).
    """

    def __init__(self, config: LEADConfig | None = None) -> None:
        super().__init__(LEAD, config if config is not None else LEADConfig())

    @property
    def config(self) -> LEADConfig:
        return self.options

    @property
    def controller(self) -> WeightController:
        return self.state.controller
