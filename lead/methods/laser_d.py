"""LASER-D (Liu et al., arXiv 2505.15612): LASER's bonus with a target length per difficulty bucket.

A group's accuracy ``p_q`` puts it in a bucket d: easy ``p_q >= 2/3``, medium ``1/3 <= p_q < 2/3``,
hard ``p_q < 1/3``; a truncated response counts as wrong in ``p_q`` as it does in LASER's base term
``C_i`` (:mod:`lead.methods.laser`), as in the authors' code, which counts ``C_i = +1``. The reward is

    ``r_i = C_i + a * [C_i = +1] * [L_i <= T_d(q)]``,  group-normalised.

Targets are chosen before scoring steps 1, 1 + k, 1 + 2k, ... (``k = refresh_interval``, 20): among
the candidates ``L_T, L_T + s, ..., B`` (``s = B / 16``; 4096 to 16,384 by 1,024 in the paper),
``T_d`` is the smallest ``l`` with ``cov_d(l) * n_d >= 1``, where ``cov_d(l)`` is the fraction of
bucket d's responses (right or wrong) with ``L <= l`` and ``n_d = ceil(2G/3), ceil(G/3), 1`` for easy,
medium, hard. At every step ``T_d`` is capped at the batch's longest response, which is also ``T_d``
when no candidate qualifies (so the cap changes the reported target, never a reward).

Where ``cov_d`` comes from differs from the paper, which samples a fixed monitor set of training
prompts before step 1 and every 20 steps: an estimator cannot generate, so the coverage window is the
responses of the steps since the previous refresh, this one included (at step 1 the first batch
alone, at step 21 steps 2 to 21). The window is kept as counts per bucket and candidate, ``(3, K)``
integers, which is all the rule needs: its size does not grow with the batch or the interval.

``G`` is ``group_size`` when set (``rollout.n``), else the largest group seen in the window: groups
only lose members (padding, filtering), so the largest is the nominal size. LASER-D's exploration
variant (LASER-DE: a bonus for long, wrong, non-repetitive responses) needs a repetition test on the
tokens, which an advantage estimator does not see; it is not included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lead.core.frame import Responses
from lead.core.grouping import Groups, segment_sum
from lead.core.method import Method, MethodState, Scored
from lead.core.options import MethodOptions, option
from lead.methods.laser import (
    PAPER_BUDGET,
    bonus_option,
    budget_option,
    check_target_within_budget,
    finished_correct,
    length_bonus_rewards,
    reward_metrics,
    target_length_option,
)

BUCKETS = ("easy", "medium", "hard")
BUCKET_RULES = ("reward", "monitor")
ROUNDINGS = ("ceil", "floor")


@dataclass(frozen=True)
class LaserDOptions(MethodOptions):
    """LASER-D's settings (paper defaults at its 16,384-token budget).

    Attributes:
        budget: the generation budget ``B``: truncation and the last candidate.
        target_length: ``L_T``, the first (smallest) candidate target.
        candidate_step: ``s``, the spacing of the candidates ``L_T, L_T + s, ...`` up to ``B``.
        bonus: ``a``, the bonus.
        refresh_interval: targets are chosen at steps 1, 1 + k, 1 + 2k, ...
        quota_rounding: ``n_d`` for easy and medium: ``"ceil"`` (paper: 6 / 3 at G = 8) or
            ``"floor"`` (the authors' code and every released script: 5 / 2).
        coverage_buckets: the buckets of the coverage counts: ``"reward"`` (paper: the reward's
            buckets) or ``"monitor"`` (the authors' monitor: hard ``p_q <= 1/3``, medium
            ``p_q <= 2/3``; differs only when G is a multiple of 3).
        group_size: ``G`` in ``n_d``; None infers it as the largest group in the window.
    """

    METHOD: ClassVar[str] = "laser_d"
    TITLE: ClassVar[str] = "LASER-D"
    PAPER_BUDGET: ClassVar[float] = PAPER_BUDGET

    budget: float = budget_option()
    target_length: float = target_length_option("L_T: the smallest candidate target length")
    candidate_step: float = option(
        1024, "spacing s of the candidate targets L_T, L_T + s, ..., B", low=0, low_open=True, scale="length"
    )
    bonus: float = bonus_option()
    refresh_interval: int = option(
        20, "targets are chosen at steps 1, 1 + k, 1 + 2k, ...", kind="integer", low=1
    )
    quota_rounding: str = option(
        "ceil", "n_d = ceil (paper) or floor (authors' code) of 2G/3, G/3", kind="choice", choices=ROUNDINGS
    )
    coverage_buckets: str = option(
        "reward",
        "buckets of the coverage counts: reward (paper) or monitor (authors' p <= 1/3, p <= 2/3)",
        kind="choice",
        choices=BUCKET_RULES,
    )
    group_size: int | None = option(
        None,
        "G in n_d (rollout.n); None: the largest group in the window",
        kind="integer",
        low=1,
        optional=True,
    )

    def check(self) -> None:
        check_target_within_budget(self)

    def candidates(self) -> list[float]:
        """``L_T + k s`` for ``k = 0, 1, ...`` below ``B``, then ``B``: ascending."""
        count = int((self.budget - self.target_length) // self.candidate_step) + 1
        ladder = [self.target_length + k * self.candidate_step for k in range(count)]
        return [length for length in ladder if length < self.budget] + [float(self.budget)]

    def quotas(self, group_size: int) -> torch.Tensor:
        """``n_d`` for easy, medium, hard, ``(3,)`` int64: ``ceil`` or ``floor`` of 2G/3, G/3, then 1."""
        up = 2 if self.quota_rounding == "ceil" else 0
        return torch.tensor([(2 * group_size + up) // 3, (group_size + up) // 3, 1])


def difficulty_buckets(successes: torch.Tensor, groups: Groups, rule: str) -> torch.Tensor:
    """Bucket of each group, ``(G,)`` int64 (0 easy, 1 medium, 2 hard), compared exactly in integers.

    ``successes`` ``(N,)`` bool are the correct, finished responses. ``"reward"``: easy ``3c >= 2n``,
    medium ``3c >= n``, else hard; ``"monitor"``: hard ``3c <= n``, medium ``3c <= 2n``, else easy
    (``c`` successes in a group of ``n``).
    """
    correct = segment_sum(successes.to(torch.float64), groups.ids, groups.num_groups)
    sizes = groups.sizes()
    if rule == "reward":
        return 2 - (3 * correct >= sizes).long() - (3 * correct >= 2 * sizes).long()
    return (3 * correct <= sizes).long() + (3 * correct <= 2 * sizes).long()


def coverage_counts(
    lengths: torch.Tensor, buckets: torch.Tensor, candidates: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``covered[d, k]`` = responses of bucket d with ``L <= candidates[k]`` ``(3, K)``, and the
    responses per bucket ``(3,)``, both int64; from lengths ``(N,)`` float64 and buckets ``(N,)`` int64."""
    size = candidates.numel()
    first_fitting = torch.searchsorted(candidates, lengths)  # first k with L <= candidates[k], or K
    cells = torch.bincount(buckets * (size + 1) + first_fitting, minlength=3 * (size + 1)).view(3, size + 1)
    return cells[:, :size].cumsum(1), cells.sum(1)


class LaserDState(MethodState):
    """The chosen targets, the coverage counts since the last refresh, and what the last refresh saw.

    Attributes:
        targets: ``(3,)`` float64, the chosen candidate per bucket; ``inf`` when none qualified.
        coverage: ``(3,)`` at the last refresh, ``cov_d`` at the chosen candidate (at ``B`` when none
            qualified; 0 for an empty bucket).
        refresh_responses, refresh_group_size: the responses per bucket ``(3,)`` and ``G`` it used.
        refreshed_at: the step of the last refresh (0: none yet).
        covered, totals, largest_group: the window, see :func:`coverage_counts`.
    """

    def __init__(self, options: LaserDOptions) -> None:
        self.options = options
        self.candidates = torch.tensor(options.candidates(), dtype=torch.float64)
        self.targets = torch.full((3,), float("inf"), dtype=torch.float64)
        self.coverage = torch.zeros(3, dtype=torch.float64)
        self.refresh_responses = torch.zeros(3, dtype=torch.long)
        self.refresh_group_size = 0
        self.refreshed_at = 0
        self.covered = torch.zeros(3, self.candidates.numel(), dtype=torch.long)
        self.totals = torch.zeros(3, dtype=torch.long)
        self.largest_group = 0

    def observe(self, responses: Responses, step: int) -> None:
        """Add this step's responses to the window; at a refresh step choose the targets and empty it.

        The state lives on the CPU whatever the batch's device.
        """
        successes = finished_correct(responses, self.options.budget)
        rule = self.options.coverage_buckets
        buckets = responses.groups.gather(difficulty_buckets(successes, responses.groups, rule))
        covered, totals = coverage_counts(responses.lengths.cpu(), buckets.cpu(), self.candidates)
        self.covered += covered
        self.totals += totals
        self.largest_group = max(self.largest_group, int(responses.groups.sizes().max()))
        if (step - 1) % self.options.refresh_interval == 0:
            self.refresh(step)

    def refresh(self, step: int) -> None:
        """``T_d`` = the first candidate with ``covered * n_d >= total > 0`` (exact, in integers)."""
        group_size = self.options.group_size or self.largest_group
        totals = self.totals.unsqueeze(1)
        qualifies = (self.covered * self.options.quotas(group_size).unsqueeze(1) >= totals) & (totals > 0)
        found = qualifies.any(1)
        chosen = torch.where(found, qualifies.long().argmax(1), self.candidates.numel() - 1)
        self.targets = torch.where(found, self.candidates[chosen], float("inf"))
        fitting = self.covered.gather(1, chosen.unsqueeze(1)).squeeze(1)
        self.coverage = fitting.double() / self.totals.clamp_min(1).double()
        self.refresh_responses = self.totals.clone()
        self.refresh_group_size = group_size
        self.refreshed_at = step
        self.covered.zero_()
        self.totals.zero_()
        self.largest_group = 0

    def state_dict(self) -> dict[str, Any]:
        return {
            "candidates": self.candidates.tolist(),
            "targets": [None if target == float("inf") else target for target in self.targets.tolist()],
            "coverage": self.coverage.tolist(),
            "refresh_responses": self.refresh_responses.tolist(),
            "refresh_group_size": self.refresh_group_size,
            "refreshed_at": self.refreshed_at,
            "window_covered": self.covered.tolist(),
            "window_totals": self.totals.tolist(),
            "window_largest_group": self.largest_group,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        expected = set(self.state_dict())
        if set(state) != expected:
            raise ValueError(f"laser_d state has keys {sorted(state)}: allowed are {sorted(expected)}")
        if list(state["candidates"]) != self.candidates.tolist():
            raise ValueError(
                f"laser_d state candidates={list(state['candidates'])} are invalid: allowed are this "
                f"estimator's candidates {self.candidates.tolist()} (same budget and ladder options)"
            )
        self.targets = _checked(state, "targets", torch.float64, (3,))
        self.coverage = _checked(state, "coverage", torch.float64, (3,))
        self.refresh_responses = _checked(state, "refresh_responses", torch.long, (3,))
        self.covered = _checked(state, "window_covered", torch.long, tuple(self.covered.shape))
        self.totals = _checked(state, "window_totals", torch.long, (3,))
        self.refresh_group_size = _checked_count(state, "refresh_group_size")
        self.refreshed_at = _checked_count(state, "refreshed_at")
        self.largest_group = _checked_count(state, "window_largest_group")


def _checked(state: Mapping[str, Any], key: str, dtype: torch.dtype, shape: tuple[int, ...]) -> torch.Tensor:
    """``state[key]`` as a non-negative tensor of ``shape`` (None read as ``inf``), else ``ValueError``."""
    values = state[key]
    if isinstance(values, list):
        values = [float("inf") if value is None else value for value in values]
    try:
        tensor = torch.tensor(values, dtype=dtype)
    except (TypeError, ValueError, RuntimeError):
        tensor = None
    if tensor is None or tuple(tensor.shape) != shape or bool((tensor < 0).any()):
        raise ValueError(
            f"laser_d state {key}={state[key]!r} is invalid: allowed are non-negative numbers of shape "
            f"{tuple(shape)}"
        )
    return tensor


def _checked_count(state: Mapping[str, Any], key: str) -> int:
    value = state[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"laser_d state {key}={value!r} is invalid: allowed is an integer >= 0")
    return value


def laser_d_rewards(responses: Responses, options: LaserDOptions, state: LaserDState, step: int) -> Scored:
    """``r_i = C_i + a [C_i = +1] [L_i <= T_d(q)]``, ``(N,)``, with the state's targets capped at the
    batch's longest response."""
    buckets = difficulty_buckets(finished_correct(responses, options.budget), responses.groups, "reward")
    targets = state.targets.to(responses.lengths.device).clamp_max(responses.lengths.max())
    rewards, terms, rewarded = length_bonus_rewards(
        responses, options.budget, responses.groups.gather(targets[buckets]), options.bonus
    )
    metrics = reward_metrics("laser_d", rewards, terms, rewarded)
    per_bucket = {
        "target": targets.tolist(),
        "num_prompts": torch.bincount(buckets, minlength=3).tolist(),
        "coverage": state.coverage.tolist(),
        "refresh_responses": state.refresh_responses.tolist(),
    }
    for key, values in per_bucket.items():
        for name, value in zip(BUCKETS, values, strict=True):
            metrics[f"laser_d/{key}_{name}"] = float(value)
    metrics["laser_d/refresh_group_size"] = float(state.refresh_group_size)
    metrics["laser_d/steps_since_refresh"] = float(step - state.refreshed_at)
    return Scored(rewards, metrics)


METHOD = Method(
    name="laser_d",
    options=LaserDOptions,
    score=laser_d_rewards,
    normalization="group",
    new_state=LaserDState,
    rewards="LASER's bonus with a target per difficulty bucket, refreshed from recent responses' lengths",
)
