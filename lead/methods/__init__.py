"""LEAD's neighbouring efficient-reasoning methods, behind one interface.

>>> from lead.methods import make_estimator, METHODS
>>> estimator = make_estimator("lead", budget=8000)

``estimator(token_level_rewards, response_mask, index, problem_ids=None)`` returns
``(advantages, metrics)`` for every method; ``state_dict`` / ``load_state_dict`` save and restore
its state. Each method is one module here (``grpo``, ...); :mod:`lead.methods.registry` lists them.
"""

from lead.methods.registry import METHODS, get_method, make_estimator

__all__ = ["METHODS", "get_method", "make_estimator"]
