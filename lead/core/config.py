"""Configuration of the LEAD advantage estimator.

Defaults reproduce the published LEAD run (paper Table 1). Every behaviour where the authors'
release differs from the paper is a separate, documented field.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LSTAR_MODES = ("max_sym", "upper_only", "max_asym")
AGGREGATORS = ("mean_correct", "min_correct", "median_correct", "mean_all")
WHITEN_MODES = ("token", "sequence", "none")


def _require_real(name: str, value: Any) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number (bools excluded)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"LEADConfig.{name}={value!r} is invalid: allowed is a finite real number")
    return float(value)


def _require_choice(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"LEADConfig.{name}={value!r} is invalid: allowed values are {', '.join(allowed)}")


@dataclass(frozen=True)
class LEADConfig:
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
    """

    alpha: float = 1.0
    beta: float = 0.95
    epsilon: float = 1e-8
    bmax: float = 8000
    lambda_min: float = 0.3
    lstar_mode: str = "max_sym"
    aggregator: str = "mean_correct"
    static_lambda_corr: float | None = None
    lstar_min: float = 1000
    short_guard: float = 500
    whiten: str = "token"

    def __post_init__(self) -> None:
        alpha = _require_real("alpha", self.alpha)
        if alpha <= 0:
            raise ValueError(f"LEADConfig.alpha={self.alpha!r} is invalid: allowed is alpha > 0")
        beta = _require_real("beta", self.beta)
        if not 0 <= beta < 1:
            raise ValueError(f"LEADConfig.beta={self.beta!r} is invalid: allowed is 0 <= beta < 1")
        if _require_real("epsilon", self.epsilon) <= 0:
            raise ValueError(f"LEADConfig.epsilon={self.epsilon!r} is invalid: allowed is epsilon > 0")
        bmax = _require_real("bmax", self.bmax)
        if bmax <= 0:
            raise ValueError(f"LEADConfig.bmax={self.bmax!r} is invalid: allowed is bmax > 0")
        lstar_min = _require_real("lstar_min", self.lstar_min)
        if not 0 < lstar_min <= bmax:
            raise ValueError(
                f"LEADConfig.lstar_min={self.lstar_min!r} is invalid: allowed is 0 < lstar_min <= bmax "
                f"(bmax={self.bmax!r})"
            )
        if _require_real("short_guard", self.short_guard) < 0:
            raise ValueError(
                f"LEADConfig.short_guard={self.short_guard!r} is invalid: allowed is short_guard >= 0"
            )
        if not 0 <= _require_real("lambda_min", self.lambda_min) <= 1:
            raise ValueError(
                f"LEADConfig.lambda_min={self.lambda_min!r} is invalid: allowed is 0 <= lambda_min <= 1"
            )
        if self.static_lambda_corr is not None and not (
            0 <= _require_real("static_lambda_corr", self.static_lambda_corr) <= 1
        ):
            raise ValueError(
                f"LEADConfig.static_lambda_corr={self.static_lambda_corr!r} is invalid: "
                "allowed is None or a number in [0, 1]"
            )
        _require_choice("lstar_mode", self.lstar_mode, LSTAR_MODES)
        _require_choice("aggregator", self.aggregator, AGGREGATORS)
        _require_choice("whiten", self.whiten, WHITEN_MODES)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any], prefix: str = "lead_") -> LEADConfig:
        """Build a config from prefixed keys, e.g. verl's ``algorithm`` section.

        Keys without ``prefix`` are ignored; ``lead_alpha`` sets ``alpha`` and so on. A prefixed key
        that names no field (a typo) raises ``ValueError`` listing the allowed names. Unset fields
        keep their defaults.
        """
        field_names = [field.name for field in dataclasses.fields(cls)]
        values: dict[str, Any] = {}
        for key, value in mapping.items():
            if not isinstance(key, str) or not key.startswith(prefix):
                continue
            name = key[len(prefix) :]
            if name not in field_names:
                allowed = ", ".join(prefix + field_name for field_name in field_names)
                raise ValueError(f"unknown LEAD option {key!r}: allowed names are {allowed}")
            values[name] = value
        return cls(**values)
