"""HAPO, history-aware policy optimisation (arXiv 2505.11225).

Each problem x keeps ``h_x``, the shortest correct response length seen for it in earlier steps
(none at first), keyed by its stable problem id (the same in every step and epoch, unlike the
per-step uid). A response is rewarded for beating that history::

    u_i   = cos(pi/2 * min(L_i / h_x, 2))
    len_i = max(-0.7, u_i) if correct,  min(0, u_i) if wrong,  0 while h_x is none
    r_i   = c_i + w * len_i                                    (w = 1)

then group-normalised. After scoring, ``h_x <- min(h_x, shortest correct length of x this step)``
(every group of x in the batch counts). The table is saved with the checkpoint; the authors' code
starts it empty again on resume. Their runs use TRL's GRPO (std + 1e-4 rather than 1e-6) and
lengths without the end token: trainer details, not options of this reward.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import torch

from lead.core.frame import Responses
from lead.core.method import Method, MethodState, Scored
from lead.core.options import MethodOptions, option
from lead.methods.problem_history import ShortestLengthTable, problem_keys

RATIO_CAP = 2.0


@dataclass(frozen=True)
class HAPOOptions(MethodOptions):
    """Options of HAPO's history-aware length reward (paper defaults; lengths are ratios, never scaled)."""

    METHOD: ClassVar[str] = "hapo"
    TITLE: ClassVar[str] = "HAPO"

    length_weight: float = option(1.0, "weight w of the length term in c + w * len (paper: 1)", low=0)
    correct_floor: float = option(
        -0.7, "lowest length term of a correct response (paper: -0.7)", low=-1, high=0
    )


class HAPOState(MethodState):
    """The per-problem history ``h_x``: shortest correct length seen so far."""

    def __init__(self, options: HAPOOptions) -> None:
        self.history = ShortestLengthTable()

    def update(self, responses: Responses, scored: Scored, step: int) -> None:
        keys, lengths = scored.state_update
        self.history.merge_minimum(keys, lengths)

    def state_dict(self) -> dict[str, Any]:
        return self.history.state_dict()

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.history.load_state_dict(state, "hapo")


def history_length_rewards(responses: Responses, options: HAPOOptions, state: HAPOState, step: int) -> Scored:
    """``(N,)`` rewards ``c_i + w * len_i`` against each problem's history (module docstring).

    The state update handed on is the correct responses' problem keys and lengths, ``(M,)`` each.
    """
    lengths, correct = responses.lengths, responses.correct
    keys = problem_keys(responses.problem_ids)
    history = torch.from_numpy(state.history.lookup(keys)).to(lengths.device)
    known = ~torch.isnan(history)
    cosine = torch.cos(math.pi / 2 * (lengths / history).clamp(max=RATIO_CAP))
    length_terms = torch.where(correct, cosine.clamp(min=options.correct_floor), cosine.clamp(max=0.0))
    length_terms = torch.where(known, length_terms, torch.zeros_like(lengths))
    rewards = correct.to(lengths.dtype) + options.length_weight * length_terms
    num_known = known.sum()
    reward_mean, length_term_mean, history_mean = torch.stack(
        [
            rewards.mean(),
            length_terms.mean(),
            torch.where(known, history, 0.0).sum() / num_known.clamp_min(1),
        ]
    ).tolist()
    metrics = {
        "hapo/reward_mean": reward_mean,
        "hapo/length_term_mean": length_term_mean,
        "hapo/history_size": float(len(state.history)),
        "hapo/history_hits": float(num_known),
        "hapo/history_length_mean": history_mean,
    }
    correct_rows = correct.cpu().numpy()
    update = (keys[correct_rows], lengths.cpu().numpy()[correct_rows])
    return Scored(rewards, metrics, state_update=update)


METHOD = Method(
    name="hapo",
    options=HAPOOptions,
    score=history_length_rewards,
    normalization="group",
    new_state=HAPOState,
    needs_problem_ids=True,
    rewards="correctness plus a cosine length term against the problem's shortest correct length so far",
)
