"""The framework-free LEAD core (torch and numpy only).

``LEADEstimator(LEADConfig(...))(token_level_rewards, response_mask, index)`` returns
``(advantages, metrics)``. Each stage of the algorithm is a small function in its own module:
:mod:`~lead.core.target_length`, :mod:`~lead.core.efficiency`, :mod:`~lead.core.normalization`,
:mod:`~lead.core.psi` and :mod:`~lead.core.combine`.
"""

from lead.core.config import AGGREGATORS, LSTAR_MODES, WHITEN_MODES, LEADConfig
from lead.core.estimator import LEADEstimator

__all__ = ["AGGREGATORS", "LSTAR_MODES", "WHITEN_MODES", "LEADConfig", "LEADEstimator"]
