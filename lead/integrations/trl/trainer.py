"""``LEADGRPOTrainer``: TRL's ``GRPOTrainer`` with advantages from the LEAD core."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import torch
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR
from trl import GRPOTrainer

from lead.core import LEADConfig, LEADEstimator

logger = logging.getLogger(__name__)

STATE_FILE = "lead_state.json"
RELEASE_BUDGET_PER_FLOOR = 8  # the release's budget (8000 tokens) over its target-length floor (1000)


def lead_inputs(
    correctness: torch.Tensor, lengths: torch.Tensor, num_generations: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The core's inputs for a gathered batch laid out like TRL's: groups of ``num_generations`` rows.

    ``correctness``: ``(N,)`` raw scores of the designated reward function (NaN = not scored);
    ``lengths``: ``(N,)`` completion lengths. Returns ``(token_level_rewards, response_mask, index)``:
    ``(N, T)`` rewards holding each score at the row's last valid token, the ``(N, T)`` mask of the
    first ``length`` tokens (empty for unscored rows, which the core then ignores), and ``(N,)`` group
    ids. ``T`` is the longest length (at least 1).
    """
    if correctness.shape != lengths.shape or correctness.dim() != 1:
        raise ValueError(
            f"correctness {tuple(correctness.shape)} and lengths {tuple(lengths.shape)}: allowed are two "
            "1-D tensors of the same size"
        )
    if num_generations < 1 or correctness.numel() % num_generations != 0:
        raise ValueError(
            f"num_generations={num_generations} with a batch of {correctness.numel()} completions: allowed "
            "is a positive group size that divides the batch"
        )
    scored = ~torch.isnan(correctness)
    lengths = torch.where(scored, lengths.long(), torch.zeros_like(lengths, dtype=torch.long))
    width = max(1, int(lengths.max()))
    positions = torch.arange(width, device=lengths.device)
    response_mask = (positions.unsqueeze(0) < lengths.unsqueeze(1)).float()
    is_last_token = positions.unsqueeze(0) == (lengths - 1).unsqueeze(1)
    token_level_rewards = is_last_token.float() * torch.nan_to_num(correctness, nan=0.0).float().unsqueeze(1)
    index = torch.arange(correctness.numel(), device=lengths.device) // num_generations
    return token_level_rewards, response_mask, index


class LEADGRPOTrainer(GRPOTrainer):
    """GRPO training whose advantages are LEAD's (arXiv 2605.09806), computed by :class:`lead.LEADEstimator`.

    Correctness is the raw value of one designated reward function (``correctness_reward``: its index
    in ``reward_funcs`` or its name); a completion is correct when that value is > 0.5. Lengths come
    from the completion mask, groups are the ``num_generations`` completions of a prompt. Other
    reward functions are still computed and logged but do not enter the advantage, and TRL's
    ``scale_rewards`` / ``multi_objective_aggregation`` are bypassed on training batches (evaluation
    batches keep TRL's advantages and do not advance the controller).

    With several processes, every process gathers the correctness scores and lengths of the whole
    generation batch, runs the estimator on it (so all processes hold the same controller state) and
    keeps its own slice, like TRL does with its own advantages. ``lead/*`` metrics join TRL's logs;
    the controller state is written to ``lead_state.json`` in every checkpoint and restored when
    training resumes from one.

    Args:
        lead_config: the estimator's settings. Default: ``LEADConfig()`` with ``bmax`` set to
            ``args.max_completion_length`` and ``lstar_min`` the release's 1000 tokens, or an eighth
            of the budget when that is smaller (the release's 1000 / 8000 ratio).
        correctness_reward: index or name of the reward function that scores correctness.
        *args, **kwargs: passed to ``GRPOTrainer``.
    """

    def __init__(
        self,
        *args: Any,
        lead_config: LEADConfig | None = None,
        correctness_reward: int | str = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.correctness_index = self._resolve_correctness_reward(correctness_reward)
        if lead_config is None:
            budget = self.max_completion_length
            floor = min(LEADConfig.lstar_min, max(1, budget // RELEASE_BUDGET_PER_FLOOR))
            lead_config = LEADConfig(bmax=budget, lstar_min=floor)
        elif lead_config.bmax != self.max_completion_length:
            logger.warning(
                "LEADConfig.bmax=%s differs from max_completion_length=%s; LEAD's budget should match it",
                lead_config.bmax,
                self.max_completion_length,
            )
        self.lead_estimator = LEADEstimator(lead_config)
        self._gathered_rewards: torch.Tensor | None = None

    def _resolve_correctness_reward(self, correctness_reward: int | str) -> int:
        names = list(self.reward_func_names)
        if isinstance(correctness_reward, str):
            if correctness_reward not in names:
                raise ValueError(
                    f"correctness_reward={correctness_reward!r} names no reward function: allowed are {names}"
                )
            return names.index(correctness_reward)
        if isinstance(correctness_reward, bool) or not 0 <= correctness_reward < len(names):
            raise ValueError(
                f"correctness_reward={correctness_reward!r} is out of range: allowed are indices "
                f"0..{len(names) - 1} or names {names}"
            )
        return correctness_reward

    def _calculate_rewards(
        self, inputs: list[dict[str, Any]], prompts: list, completions: list, completion_ids_list: list
    ) -> torch.Tensor:
        rewards_per_func = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        self._gathered_rewards = rewards_per_func
        return rewards_per_func

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        output = super()._generate_and_score_completions(inputs)
        if not self.model.training:
            return output
        completion_mask = output["completion_mask"]
        correctness = self._gathered_rewards[:, self.correctness_index]
        self._gathered_rewards = None
        lengths = self.accelerator.gather(completion_mask.sum(dim=1))
        sequence_advantages, metrics = self.lead_sequence_advantages(correctness, lengths)
        local_size = completion_mask.shape[0]
        start = self.accelerator.process_index * local_size
        output["advantages"] = sequence_advantages[start : start + local_size].to(completion_mask.device)
        logged = self._logs["advantages"]  # TRL just appended its own advantages for this batch
        for _ in range(min(len(logged), len(sequence_advantages))):
            logged.pop()
        logged.extend(sequence_advantages.tolist())
        for name, value in metrics.items():
            self._metrics["train"][name].append(value)
        return output

    def lead_sequence_advantages(
        self, correctness: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """One LEAD step on a gathered batch: ``(N,)`` advantages (one per completion) and the metrics.

        LEAD's advantage is the same on every valid token of a completion, so the core's ``(N, T)``
        output is reduced to its per-row value, the shape TRL's losses expect. Completions with no
        valid token (masked, or unscored) get 0. A batch without any valid completion gets zero
        advantages and no controller step.
        """
        token_level_rewards, response_mask, index = lead_inputs(correctness, lengths, self.num_generations)
        row_lengths = response_mask.sum(dim=1)
        if not bool((row_lengths > 0).any()):
            logger.warning("LEAD: no scored completion with a valid token in this batch; advantages are 0")
            return torch.zeros_like(row_lengths), {}
        advantages, metrics = self.lead_estimator(token_level_rewards, response_mask, index)
        return advantages.sum(dim=1) / row_lengths.clamp(min=1), metrics

    def _save_checkpoint(self, model: torch.nn.Module, trial: Any) -> None:
        super()._save_checkpoint(model, trial)
        if self.args.should_save:
            folder = os.path.join(
                self._get_output_dir(trial=trial), f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
            )
            with open(os.path.join(folder, STATE_FILE), "w") as handle:
                json.dump(self.lead_estimator.state_dict(), handle)

    def _load_optimizer_and_scheduler(self, checkpoint: str | None) -> None:
        super()._load_optimizer_and_scheduler(checkpoint)
        if checkpoint is None:
            return
        path = os.path.join(checkpoint, STATE_FILE)
        if os.path.exists(path):
            with open(path) as handle:
                self.lead_estimator.load_state_dict(json.load(handle))
        else:
            logger.warning("LEAD: %s has no %s; the weight controller starts fresh", checkpoint, STATE_FILE)
