"""LASER (Liu et al., arXiv 2505.15612): a step bonus for correct responses within a target length.

Each response gets a base term ``C_i``: ``-1`` when truncated (``L_i >= B``, whatever the grader
said: a cut response has no final answer), else ``+1`` correct, ``-0.5`` wrong. The reward is

    ``r_i = C_i + a * [C_i = +1] * [L_i <= L_T]``

normalised in its group (GRPO). Paper: ``a = 0.5`` and ``L_T = 4096`` at a 16,384-token budget, so
``L_T = B / 4`` at another budget. The estimator sees correctness and length only, so a response the
grader found without an answer but not truncated counts as wrong (``-0.5``). :mod:`lead.methods.laser_d`
reuses the base term, the bonus and the metrics with a target per difficulty bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lead.core.frame import Responses
from lead.core.method import Method, Scored
from lead.core.options import MethodOptions, option

CORRECT_TERM = 1.0
WRONG_TERM = -0.5
TRUNCATED_TERM = -1.0
PAPER_BUDGET = 16384


def budget_option() -> Any:
    """The generation budget ``B`` as an option (LASER and LASER-D declare it alike)."""
    return option(
        PAPER_BUDGET,
        "generation budget B (verl max_response_length, TRL max_completion_length): "
        "a response of B tokens is truncated",
        low=0,
        low_open=True,
        scale="budget",
    )


def target_length_option(help: str) -> Any:
    """``L_T``: 4096 at the paper's budget, ``B / 4`` at another."""
    return option(4096, help, low=0, low_open=True, scale="length")


def bonus_option() -> Any:
    """``a``: the bonus of a correct response within its target."""
    return option(0.5, "bonus a of a correct, finished response within its target length", low=0)


def check_target_within_budget(options: Any) -> None:
    """``0 < target_length <= budget``, else ``ValueError`` naming both."""
    if options.target_length > options.budget:
        raise ValueError(
            f"{type(options).__name__}.target_length={options.target_length!r} is invalid: allowed is "
            f"0 < target_length <= budget (budget={options.budget!r})"
        )


@dataclass(frozen=True)
class LaserOptions(MethodOptions):
    """LASER's settings (paper defaults at its 16,384-token budget).

    Attributes:
        budget: the generation budget ``B``; responses of ``B`` tokens are truncated.
        target_length: ``L_T``; correct responses of at most this many tokens get the bonus.
        bonus: ``a``, the bonus.
    """

    METHOD: ClassVar[str] = "laser"
    TITLE: ClassVar[str] = "LASER"
    PAPER_BUDGET: ClassVar[float] = PAPER_BUDGET

    budget: float = budget_option()
    target_length: float = target_length_option("L_T: correct responses of at most this length get the bonus")
    bonus: float = bonus_option()

    def check(self) -> None:
        check_target_within_budget(self)


def finished_correct(responses: Responses, budget: float) -> torch.Tensor:
    """``[C_i = +1]``, ``(N,)`` bool: correct and not truncated."""
    return responses.correct & ~responses.truncated(budget)


def base_terms(responses: Responses, budget: float) -> torch.Tensor:
    """``C_i``, ``(N,)`` float64: ``-1`` truncated, else ``+1`` correct and ``-0.5`` wrong."""
    terms = torch.where(
        responses.correct,
        torch.tensor(CORRECT_TERM, dtype=torch.float64),
        torch.tensor(WRONG_TERM, dtype=torch.float64),
    )
    return terms.masked_fill(responses.truncated(budget), TRUNCATED_TERM)


def length_bonus_rewards(
    responses: Responses, budget: float, targets: torch.Tensor | float, bonus: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """``r_i = C_i + a [C_i = +1] [L_i <= T_i]`` with targets ``T`` (scalar or ``(N,)``).

    Returns ``(rewards, terms, rewarded)``, each ``(N,)``: the rewards, the base terms ``C_i`` and
    whether response i got the bonus.
    """
    terms = base_terms(responses, budget)
    rewarded = (terms == CORRECT_TERM) & (responses.lengths <= targets)
    return terms + bonus * rewarded.to(terms.dtype), terms, rewarded


def reward_metrics(
    prefix: str, rewards: torch.Tensor, terms: torch.Tensor, rewarded: torch.Tensor
) -> dict[str, float]:
    """``reward_mean``, ``truncated_rate``, ``bonus_rate`` (of all responses) and
    ``bonus_rate_correct`` (of the correct, finished ones; 0 without any), keyed ``<prefix>/...``."""
    finished_correct = (terms == CORRECT_TERM).to(rewards.dtype)
    reward_mean, truncated_rate, bonus_count, correct_count = torch.stack(
        [
            rewards.mean(),
            (terms == TRUNCATED_TERM).to(rewards.dtype).mean(),
            rewarded.to(rewards.dtype).sum(),
            finished_correct.sum(),
        ]
    ).tolist()
    return {
        f"{prefix}/reward_mean": reward_mean,
        f"{prefix}/truncated_rate": truncated_rate,
        f"{prefix}/bonus_rate": bonus_count / rewards.numel(),
        f"{prefix}/bonus_rate_correct": bonus_count / correct_count if correct_count else 0.0,
    }


def laser_rewards(responses: Responses, options: LaserOptions, state: Any, step: int) -> Scored:
    """``r_i = C_i + a [C_i = +1] [L_i <= L_T]``, ``(N,)``, for group normalisation."""
    rewards, terms, rewarded = length_bonus_rewards(
        responses, options.budget, options.target_length, options.bonus
    )
    metrics = reward_metrics("laser", rewards, terms, rewarded)
    metrics["laser/target_length"] = float(options.target_length)
    return Scored(rewards, metrics)


METHOD = Method(
    name="laser",
    options=LaserOptions,
    score=laser_rewards,
    normalization="group",
    rewards="correctness (+1 / -0.5, truncated -1) plus a bonus for correct responses within a fixed length",
)
