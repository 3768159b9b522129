"""verl's naive reward manager that hands the grader the response's length.

Selected in the project config (``reward.reward_manager.source=importlib``,
``name=LEADRewardManager``). Before the naive manager scores a sample, the sample's extra info gets

- ``response_length``: its valid response tokens (from the attention mask over the response, the
  tokens the naive manager decodes), always;
- ``sequence_chars``: the characters of its prompt plus response decoded with the tokenizer's
  ``decode`` defaults (special tokens kept), the authors' release's length measure, only when the
  run's length bonus counts ``length_unit=release_chars``,

so ``lead.reward.compute_score`` can apply the optional length bonus configured in
``reward.custom_reward_function.reward_kwargs`` without re-tokenising. The manager shapes nothing
itself. Every sample's reward extra info also carries these counts, so verl's validation logs
``val-aux/<data_source>/response_length/mean@N`` next to ``val-core/<data_source>/acc/mean@N``:
curves of length against accuracy per benchmark.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from omegaconf import OmegaConf
from verl import DataProto
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager

from lead.reward.shaping import CONFIG_KEY, LengthShaping


def response_length(data: DataProto) -> int:
    """Valid response tokens of the last sample of ``data`` (the one verl's reward managers score)."""
    item = data[-1]
    width = item.batch["responses"].shape[-1]
    return int(item.batch["attention_mask"][-width:].sum())


def sequence_chars(data: DataProto, tokenizer: Any) -> int:
    """Characters of the last sample's valid prompt plus response ids, decoded with special tokens.

    The prompt is left-padded and the response right-padded in verl's layout; the attention mask
    marks the valid ids of both.
    """
    item = data[-1]
    prompt_width = item.batch["prompts"].shape[-1]
    mask = item.batch["attention_mask"]
    prompt_ids = item.batch["prompts"][prompt_width - int(mask[:prompt_width].sum()) :]
    response_ids = item.batch["responses"][: int(mask[prompt_width:].sum())]
    ids = torch.cat([prompt_ids, response_ids]).tolist()
    return len(tokenizer.decode(ids, skip_special_tokens=False))


def with_extra_info(data: DataProto, fields: Mapping[str, int]) -> DataProto:
    """The last sample of ``data`` with ``fields`` added to its ``extra_info``.

    The extra info is a fresh dict: the rollouts of one prompt share their dataset dict, and their
    rewards are computed concurrently.
    """
    last = data[-1:]
    extra_info = last.non_tensor_batch.get("extra_info")
    info = extra_info[0] if extra_info is not None else None
    fresh = dict(info) if isinstance(info, Mapping) else {}
    fresh.update(fields)
    column = np.empty(1, dtype=object)
    column[0] = fresh
    last.non_tensor_batch["extra_info"] = column
    return last


class LEADRewardManager(NaiveRewardManager):
    """Naive reward manager that passes and reports the response's length."""

    def __init__(self, config: Any, tokenizer: Any, compute_score: Any, **kwargs: Any) -> None:
        super().__init__(config, tokenizer, compute_score, **kwargs)
        shaping = LengthShaping.from_reward_kwargs(OmegaConf.select(config, CONFIG_KEY))
        self.counts_sequence_chars = shaping.needs_sequence_chars

    async def run_single(self, data: DataProto) -> dict:
        """Score one sample: ``{"reward_score": float, "reward_extra_info": dict}``."""
        lengths = {"response_length": response_length(data)}
        if self.counts_sequence_chars:
            lengths["sequence_chars"] = await self.loop.run_in_executor(
                None, sequence_chars, data, self.tokenizer
            )
        result = await super().run_single(with_extra_info(data, lengths))
        return {**result, "reward_extra_info": {**result["reward_extra_info"], **lengths}}
