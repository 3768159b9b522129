"""LEAD: Length-Efficient Adaptive and Dynamic reasoning.

The public API is the framework-free core: ``LEADConfig`` and ``LEADEstimator``.
Integrations (verl, TRL), the grader, the evaluation harness and the CPU demo live in
sub-packages and import the core, never the reverse.
"""

from lead.core import LEADConfig, LEADEstimator

__all__ = ["LEADConfig", "LEADEstimator"]
__version__ = "0.1.0"
