"""verl's naive reward manager that hands the grader the true response length in tokens.

Selected in the project config (``reward.reward_manager.source=importlib``,
``name=LEADRewardManager``). Before the naive manager scores a sample, the sample's
``extra_info["response_length"]`` is set to its valid response tokens (from the attention mask over
the response, the tokens the naive manager decodes), so ``lead.reward.compute_score`` can apply the
optional length bonus configured in ``reward.custom_reward_function.reward_kwargs`` without
re-tokenising. The manager shapes nothing itself. Every sample's reward extra info also carries
``response_length``, so verl's validation logs ``val-aux/<data_source>/response_length/mean@N`` next
to ``val-core/<data_source>/acc/mean@N``: curves of length against accuracy per benchmark.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from verl import DataProto
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager


def response_length(data: DataProto) -> int:
    """Valid response tokens of the last sample of ``data`` (the one verl's reward managers score)."""
    item = data[-1]
    width = item.batch["responses"].shape[-1]
    return int(item.batch["attention_mask"][-width:].sum())


def with_response_length(data: DataProto, length: int) -> DataProto:
    """The last sample of ``data`` with ``extra_info["response_length"] = length``.

    The extra info is a fresh dict: the rollouts of one prompt share their dataset dict, and their
    rewards are computed concurrently.
    """
    last = data[-1:]
    extra_info = last.non_tensor_batch.get("extra_info")
    info = extra_info[0] if extra_info is not None else None
    fresh = dict(info) if isinstance(info, Mapping) else {}
    fresh["response_length"] = length
    column = np.empty(1, dtype=object)
    column[0] = fresh
    last.non_tensor_batch["extra_info"] = column
    return last


class LEADRewardManager(NaiveRewardManager):
    """Naive reward manager that passes and reports the response length in tokens."""

    async def run_single(self, data: DataProto) -> dict:
        """Score one sample: ``{"reward_score": float, "reward_extra_info": dict}``."""
        length = response_length(data)
        result = await super().run_single(with_response_length(data, length))
        return {**result, "reward_extra_info": {**result["reward_extra_info"], "response_length": length}}
