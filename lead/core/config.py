"""Configuration of the LEAD advantage estimator.

Defaults reproduce the published LEAD run (paper Table 1). Every behaviour where the authors'
release differs from the paper is a separate, documented field. Each field is declared once
(:func:`lead.core.options.option`); validation, budget scaling and construction from verl's
``algorithm.lead_*`` keys come from :class:`lead.core.options.MethodOptions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from lead.core.normalization import WHITEN_MODES
from lead.core.options import MethodOptions, option

LSTAR_MODES = ("max_sym", "upper_only", "max_asym")
AGGREGATORS = ("mean_correct", "min_correct", "median_correct", "mean_all")


@dataclass(frozen=True)
class LEADConfig(MethodOptions):
    """All settings of :class:`lead.LEADEstimator`; validated on construction.

    Attributes:
        alpha: exponent of the potential (headroom) terms of the PSI weights; > 0.
        beta: EMA factor of the adaptive weights, in [0, 1).
        epsilon: small constant in the PSI ratios (instability, normalisation, weights); > 0.
        bmax: token budget ``B_max``; upper clamp of the target length and the target of unsolved
            groups. Should match the trainer's maximum response length.
        lambda_min: floor of the correctness weight actually used, in [0, 1].
        lstar_mode: efficiency reward. ``"max_sym"`` (paper, published run): peak at the target,
            penalises both longer and shorter responses. ``"upper_only"`` (global-budget ablation):
            only penalises responses longer than the target. ``"max_asym"`` (default of the
            release's config file, not the paper): rewards correct responses shorter than the target
            (except those shorter than ``short_guard``) and penalises wrong ones longer than it.
        aggregator: how a group's responses give its raw target length: ``"mean_correct"`` (paper),
            ``"min_correct"``, ``"median_correct"`` or ``"mean_all"`` (correctness-blind ablation).
        static_lambda_corr: if set, a fixed correctness weight in [0, 1] used at every step instead
            of the adaptive PSI weights (static ablation, paper Table 2); the efficiency weight is
            ``1 - static_lambda_corr`` and no floor applies.
        lstar_min: lower clamp of the target length. The release hard-codes 1000 tokens; small
            models and short tasks need a lower one. Must be > 0 and <= ``bmax``.
        short_guard: in ``"max_asym"`` mode, correct responses shorter than this many tokens get an
            efficiency reward of 0 (500 in the release); >= 0.
        whiten: final normalisation of the combined advantage: ``"token"`` (published: mean and
            unbiased variance over all valid tokens, so long responses weigh more), ``"sequence"``
            (each valid response counts once) or ``"none"``.

    ``LEADConfig.for_budget(B)`` gives the defaults at a budget ``B``: ``bmax = B`` and the two
    absolute lengths scaled by ``B / 8000`` (``lstar_min = B / 8``, ``short_guard = B / 16``).
    """

    METHOD: ClassVar[str] = "lead"
    TITLE: ClassVar[str] = "LEAD"
    PAPER_BUDGET: ClassVar[float] = 8000

    alpha: float = option(1.0, "exponent of the potential (headroom) term of PSI", low=0, low_open=True)
    beta: float = option(0.95, "EMA factor of the PSI weights", low=0, high=1, high_open=True)
    epsilon: float = option(1e-8, "stabiliser of the PSI ratios", low=0, low_open=True)
    bmax: float = option(
        8000, "largest target length B_max; match the generation budget", low=0, low_open=True, scale="budget"
    )
    lambda_min: float = option(0.3, "floor of the correctness weight", low=0, high=1)
    lstar_mode: str = option(
        "max_sym",
        "efficiency reward: max_sym (paper), upper_only (global-budget ablation), max_asym (release config)",
        kind="choice",
        choices=LSTAR_MODES,
    )
    aggregator: str = option(
        "mean_correct", "target length of a group (paper Table 3)", kind="choice", choices=AGGREGATORS
    )
    static_lambda_corr: float | None = option(
        None, "fixed correctness weight instead of PSI (paper Table 2)", low=0, high=1, optional=True
    )
    lstar_min: float = option(
        1000, "smallest target length (hard-coded 1000 in the release)", low=0, low_open=True, scale="length"
    )
    short_guard: float = option(
        500, "max_asym only: correct responses shorter than this get 0", low=0, scale="length"
    )
    whiten: str = option(
        "token", "final whitening: token (published), sequence or none", kind="choice", choices=WHITEN_MODES
    )

    def check(self) -> None:
        if self.lstar_min > self.bmax:
            raise ValueError(
                f"LEADConfig.lstar_min={self.lstar_min!r} is invalid: allowed is 0 < lstar_min <= bmax "
                f"(bmax={self.bmax!r})"
            )

    @classmethod
    def from_mapping(
        cls, mapping: Mapping[str, Any] | None, prefix: str = "lead_", *, budget: float | None = None
    ) -> LEADConfig:
        """Build a config from prefixed keys, e.g. verl's ``algorithm`` section (``lead_alpha`` sets
        ``alpha``); see :meth:`MethodOptions.from_mapping`."""
        return super().from_mapping(mapping, prefix, budget=budget)
