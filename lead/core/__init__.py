"""The framework-free core (torch and numpy only): LEAD and the frame every method shares.

``LEADEstimator(LEADConfig(...))(token_level_rewards, response_mask, index)`` returns
``(advantages, metrics)``. Each stage of LEAD is a small function in its own module:
:mod:`~lead.core.target_length`, :mod:`~lead.core.efficiency`, :mod:`~lead.core.normalization`,
:mod:`~lead.core.psi` and :mod:`~lead.core.combine`. What every method shares: the batch frame
(:mod:`~lead.core.frame`), the normalisations (:mod:`~lead.core.normalization`), declared options
(:mod:`~lead.core.options`) and the one estimator class (:mod:`~lead.core.method`).
"""

from lead.core.config import AGGREGATORS, LSTAR_MODES, WHITEN_MODES, LEADConfig
from lead.core.estimator import LEAD, LEADEstimator
from lead.core.method import Estimator, Method, MethodState, Scored

__all__ = [
    "AGGREGATORS",
    "LEAD",
    "LSTAR_MODES",
    "WHITEN_MODES",
    "Estimator",
    "LEADConfig",
    "LEADEstimator",
    "Method",
    "MethodState",
    "Scored",
]
