"""One estimator class for every method: a method is its options, a scoring function, a
normalisation and, if it has one, a state.

:class:`Estimator` does what every method shares: it frames the batch
(:func:`lead.core.frame.frame_batch`), counts steps, scores the valid responses with the method,
normalises the scores into advantages, then updates the method's state (score first, then update
state: a state change never affects the step that caused it, unless the method's state says so in
:meth:`MethodState.observe`), and adds the shared metrics. A method is a :class:`Method` value; the
registry in :mod:`lead.methods` is the only place that lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from lead.core.frame import Responses, frame_batch
from lead.core.metrics import shared_metrics
from lead.core.normalization import NORMALIZATIONS, normalize
from lead.core.options import MethodOptions


@dataclass(frozen=True)
class Scored:
    """A method's output for one step.

    Attributes:
        values: ``(N,)`` float64 rewards to be normalised, or the advantages themselves when the
            method's normalisation is ``"none"``.
        metrics: the method's own metrics, keyed ``<method>/...``.
        state_update: what the method's state needs from scoring to update itself (or None).
    """

    values: torch.Tensor
    metrics: dict[str, float] = field(default_factory=dict)
    state_update: Any = None


class MethodState:
    """Base of a method's state: what it keeps across steps, saved with checkpoints.

    ``observe`` runs before a step is scored (for a state that scoring must already reflect, such as
    targets recomputed from this step's responses), ``update`` after it. Both default to doing
    nothing. ``state_dict`` must return plain Python values (JSON-safe) and must not use the key
    ``"step"`` (the estimator's own).
    """

    def observe(self, responses: Responses, step: int) -> None:
        """Before scoring step ``step`` (1-based)."""

    def update(self, responses: Responses, scored: Scored, step: int) -> None:
        """After scoring step ``step``."""

    def state_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        raise NotImplementedError


ScoreFunction = Callable[[Responses, Any, Any, int], Scored]


@dataclass(frozen=True)
class Method:
    """An advantage method as data.

    Attributes:
        name: registered name, also the metrics prefix.
        options: its :class:`MethodOptions` class.
        score: ``score(responses, options, state, step) -> Scored``.
        normalization: a name of :data:`lead.core.normalization.NORMALIZATIONS`, ``"none"`` when
            ``score`` returns advantages, or a function of the options giving one of those.
        new_state: ``new_state(options) -> MethodState`` for a stateful method, else None.
        needs_problem_ids: the method keys its state on stable problem ids.
        rewards: what it rewards, in one line (docs and reports).
    """

    name: str
    options: type[MethodOptions]
    score: ScoreFunction
    normalization: str | Callable[[Any], str]
    new_state: Callable[[Any], MethodState] | None = None
    needs_problem_ids: bool = False
    rewards: str = ""

    def normalization_for(self, options: Any) -> str:
        """The normalisation used with ``options``."""
        return self.normalization(options) if callable(self.normalization) else self.normalization


class Estimator:
    """Advantages of one method for batches of grouped responses; holds the method's state.

    ``advantages, metrics = estimator(token_level_rewards, response_mask, index, problem_ids=None)``:

    - ``token_level_rewards``: ``(B, T)``; a response's correctness score is its row sum, correct
      when > 0.5.
    - ``response_mask``: ``(B, T)`` 0/1 (any numeric or bool dtype); a response's length is its row
      sum. Rows of length 0 (padding) enter no statistic and get zero advantage.
    - ``index``: ``B`` group ids (prompt uids: str, int, UUID, numpy object array or tensor).
    - ``problem_ids``: ``B`` stable problem ids, for methods that keep per-problem state.
    - ``advantages``: ``(B, T)``, the dtype of the rewards when floating point, else float32.
    - ``metrics``: ``dict[str, float]`` keyed ``<method>/...``.

    Each call is one step; ``state_dict`` / ``load_state_dict`` save and restore the step count and
    the method's state exactly.
    """

    def __init__(self, method: Method, options: MethodOptions | None = None) -> None:
        self.method = method
        self.options = options if options is not None else method.options()
        if not isinstance(self.options, method.options):
            raise ValueError(
                f"options of type {type(self.options).__name__} are invalid for method {method.name!r}: "
                f"allowed is {method.options.__name__}"
            )
        self.normalization = method.normalization_for(self.options)
        if self.normalization != "none" and self.normalization not in NORMALIZATIONS:
            raise ValueError(
                f"normalization={self.normalization!r} is invalid: allowed values are none, "
                + ", ".join(NORMALIZATIONS)
            )
        self.state: MethodState | None = method.new_state(self.options) if method.new_state else None
        self.step = 0

    @property
    def name(self) -> str:
        return self.method.name

    @torch.no_grad()
    def __call__(
        self,
        token_level_rewards: torch.Tensor,
        response_mask: torch.Tensor,
        index: Sequence[Any] | np.ndarray | torch.Tensor,
        problem_ids: Sequence[Any] | np.ndarray | None = None,
    ) -> tuple[torch.Tensor, dict[str, float]]:
        if self.method.needs_problem_ids and problem_ids is None:
            raise ValueError(
                f"problem_ids=None is invalid for method {self.name!r}: allowed is one stable problem id "
                "per row (the same id for the same problem in every step and epoch)"
            )
        frame = frame_batch(token_level_rewards, response_mask, index, problem_ids)
        responses = frame.responses
        step = self.step + 1
        if self.state is not None:
            self.state.observe(responses, step)
        scored = self.method.score(responses, self.options, self.state, step)
        values = scored.values
        if self.normalization != "none":
            values = normalize(self.normalization, values, responses.groups, responses.lengths)
        if self.state is not None:
            self.state.update(responses, scored, step)
        self.step = step
        metrics = {**shared_metrics(self.name, responses, step), **scored.metrics}
        return frame.to_tokens(values), metrics

    def state_dict(self) -> dict[str, Any]:
        """The step count and the method's state, as plain Python values (JSON-safe)."""
        return {"step": self.step, **(self.state.state_dict() if self.state is not None else {})}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a state from :meth:`state_dict`; the next call continues the same sequence."""
        if not isinstance(state, Mapping) or "step" not in state:
            found = sorted(state) if isinstance(state, Mapping) else type(state).__name__
            raise ValueError(f"{self.name} state {found!r} is invalid: allowed is a dict with a 'step' key")
        step = state["step"]
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise ValueError(f"{self.name} state step={step!r} is invalid: allowed is an integer >= 0")
        rest = {key: value for key, value in state.items() if key != "step"}
        if self.state is not None:
            self.state.load_state_dict(rest)
        elif rest:
            raise ValueError(
                f"{self.name} state has keys {sorted(rest)}: allowed is only 'step' "
                "(the method keeps no state)"
            )
        self.step = step
