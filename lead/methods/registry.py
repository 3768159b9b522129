"""The registry of advantage methods: name -> :class:`lead.core.method.Method`.

To add a method: write ``lead/methods/<name>.py`` with its options (a frozen
:class:`lead.core.options.MethodOptions` dataclass whose fields are declared with
:func:`lead.core.options.option`: default, bounds, help, budget scaling), its scoring function
(``score(responses, options, state, step) -> Scored``, the equation in its docstring), its
normalisation and, if it keeps state across steps, a :class:`lead.core.method.MethodState`; end the
module with ``METHOD = Method(...)`` and add that value to :data:`METHODS` below. Nothing else
lists methods: verl, TRL, the demo and the CLIs read this dict.
"""

from __future__ import annotations

from typing import Any

from lead.core.estimator import LEAD
from lead.core.method import Estimator, Method
from lead.methods import arora_zanette, dler, grpo, hapo, kimi, laser, laser_d, shorter_better

METHODS: dict[str, Method] = {
    method.name: method
    for method in (
        LEAD,
        grpo.METHOD,
        dler.METHOD,
        laser.METHOD,
        laser_d.METHOD,
        kimi.METHOD,
        arora_zanette.METHOD,
        shorter_better.METHOD,
        hapo.METHOD,
    )
}
"""Every method by name, in the order docs and reports list them."""


def get_method(name: str) -> Method:
    """The method registered as ``name``; ``ValueError`` listing the known names otherwise."""
    if name not in METHODS:
        raise ValueError(f"method={name!r} is unknown: allowed values are {', '.join(METHODS)}")
    return METHODS[name]


def make_estimator(name: str, budget: float | None = None, **options: Any) -> Estimator:
    """An estimator of the method ``name`` at the generation budget ``budget``.

    ``budget`` is the generation cap (verl's ``max_response_length``, TRL's
    ``max_completion_length``); every other option has its paper's default, scaled to ``budget``
    where it is an absolute length or a per-token constant, and can be set as a keyword argument.
    Unknown names and bad values raise ``ValueError`` naming them and what is allowed.

    >>> import torch
    >>> from lead.methods import make_estimator
    >>> estimator = make_estimator("grpo", budget=4)
    >>> rewards = torch.tensor([[0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    >>> mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]])
    >>> advantages, metrics = estimator(rewards, mask, ["q", "q"])
    >>> [round(value, 4) for value in advantages[0].tolist()]  # the correct response, on its 2 tokens
    [0.7071, 0.7071, 0.0, 0.0]
    >>> metrics["grpo/accuracy_batch"]
    0.5
    >>> make_estimator("lead", budget=4000).options.lstar_min  # the release's 1000 at 8000, scaled
    500
    """
    method = get_method(name)
    return Estimator(method, method.options.for_budget(budget, **options))
