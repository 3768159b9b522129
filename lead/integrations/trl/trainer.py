"""``LEADGRPOTrainer``: TRL's ``GRPOTrainer`` with advantages from any of the project's methods."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

import torch
from accelerate.utils import gather_object
from transformers.trainer_utils import PREFIX_CHECKPOINT_DIR
from trl import GRPOTrainer

from lead.core import Estimator, LEADConfig, LEADEstimator
from lead.methods import make_estimator
from lead.methods.state_file import STATE_FILENAME, read_state_file, restore_estimator, write_state_file

logger = logging.getLogger(__name__)


def estimator_inputs(
    correctness: torch.Tensor, lengths: torch.Tensor, num_generations: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The estimators' inputs for a gathered batch laid out like TRL's: groups of ``num_generations`` rows.

    ``correctness``: ``(N,)`` raw scores of the designated reward function (NaN = not scored);
    ``lengths``: ``(N,)`` completion lengths. Returns ``(token_level_rewards, response_mask, index)``:
    ``(N, T)`` rewards holding each score at the row's last valid token, the ``(N, T)`` mask of the
    first ``length`` tokens (empty for unscored rows, which the estimators then ignore), and ``(N,)``
    group ids. ``T`` is the longest length (at least 1).
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
    """GRPO training whose advantages come from one of the project's methods (LEAD by default).

    Correctness is the raw value of one designated reward function (``correctness_reward``: its index
    in ``reward_funcs`` or its name); a completion is correct when that value is > 0.5. Lengths come
    from the completion mask, groups are the ``num_generations`` completions of a prompt, and a
    method that keeps per-problem state (``hapo``) reads stable problem ids from the dataset column
    ``problem_id_column``. Other reward functions are still computed and logged but do not enter the
    advantage, and TRL's ``scale_rewards`` / ``multi_objective_aggregation`` are bypassed on training
    batches (evaluation batches keep TRL's advantages and do not advance the estimator).

    With several processes, every process gathers the correctness scores, lengths (and problem ids)
    of the whole generation batch, runs the estimator on it (so all processes hold the same state)
    and keeps its own slice, like TRL does with its own advantages. The method's metrics join TRL's
    logs; its state is written to ``lead_state.json`` (:mod:`lead.methods.state_file`, the format the
    verl plugin writes too) in every checkpoint and restored when training resumes from one.

    Args:
        method: a registered method name (``"lead"``, ``"dler"``, ``"laser_d"``, ...; see
            :data:`lead.methods.METHODS`) or an :class:`~lead.core.Estimator`.
        method_options: options of a named method; unset ones take its paper defaults scaled to
            the budget ``args.max_completion_length`` (:meth:`lead.core.options.MethodOptions.for_budget`).
        lead_config: LEAD's settings as a :class:`LEADConfig` (same as ``method=LEADEstimator(lead_config)``).
        correctness_reward: index or name of the reward function that scores correctness.
        problem_id_column: the dataset column of stable problem ids, for methods that need them.
        *args, **kwargs: passed to ``GRPOTrainer``.
    """

    def __init__(
        self,
        *args: Any,
        method: str | Estimator = "lead",
        method_options: Mapping[str, Any] | None = None,
        lead_config: LEADConfig | None = None,
        correctness_reward: int | str = 0,
        problem_id_column: str = "problem_id",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.correctness_index = self._resolve_correctness_reward(correctness_reward)
        self.estimator = self._build_estimator(method, method_options, lead_config)
        self.problem_id_column = problem_id_column
        if self.estimator.method.needs_problem_ids:
            self._require_problem_id_column()
        self._gathered_rewards: torch.Tensor | None = None

    def _build_estimator(
        self,
        method: str | Estimator,
        method_options: Mapping[str, Any] | None,
        lead_config: LEADConfig | None,
    ) -> Estimator:
        budget = self.max_completion_length
        if lead_config is not None:
            if method != "lead" or method_options:
                raise ValueError(
                    f"lead_config is only for method='lead' without method_options (got method={method!r})"
                )
            method = LEADEstimator(lead_config)
        if isinstance(method, Estimator):
            if method_options:
                raise ValueError(
                    "method_options are for a method given by name: allowed is None with an estimator"
                )
            if method.options.generation_budget() != budget:
                logger.warning(
                    "%s budget %s differs from max_completion_length=%s; the budget should match it",
                    method.name,
                    method.options.generation_budget(),
                    budget,
                )
            return method
        return make_estimator(method, budget=budget, **dict(method_options or {}))

    def _require_problem_id_column(self) -> None:
        columns = getattr(self.train_dataset, "column_names", None)
        if columns is not None and self.problem_id_column not in columns:
            raise ValueError(
                f"method {self.estimator.name!r} keeps per-problem state and reads stable problem ids "
                f"from the dataset column problem_id_column={self.problem_id_column!r}, which the "
                f"training dataset lacks: allowed are its columns {list(columns)}"
            )

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
        problem_ids = None
        if self.estimator.method.needs_problem_ids:
            problem_ids = gather_object([row[self.problem_id_column] for row in inputs])
        sequence_advantages, metrics = self.sequence_advantages(correctness, lengths, problem_ids)
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

    def sequence_advantages(
        self, correctness: torch.Tensor, lengths: torch.Tensor, problem_ids: list | None = None
    ) -> tuple[torch.Tensor, dict[str, float]]:
        """One estimator step on a gathered batch: ``(N,)`` advantages (one per completion) and the metrics.

        Every method gives the same advantage on every valid token of a completion, so the
        estimator's ``(N, T)`` output is reduced to its per-row value, the shape TRL's losses expect.
        Completions with no valid token (masked, or unscored) get 0. A batch without any valid
        completion gets zero advantages and no estimator step.
        """
        token_level_rewards, response_mask, index = estimator_inputs(
            correctness, lengths, self.num_generations
        )
        row_lengths = response_mask.sum(dim=1)
        if not bool((row_lengths > 0).any()):
            logger.warning(
                "%s: no scored completion with a valid token in this batch; advantages are 0",
                self.estimator.name,
            )
            return torch.zeros_like(row_lengths), {}
        advantages, metrics = self.estimator(
            token_level_rewards, response_mask, index, problem_ids=problem_ids
        )
        return advantages.sum(dim=1) / row_lengths.clamp(min=1), metrics

    def _save_checkpoint(self, model: torch.nn.Module, trial: Any) -> None:
        super()._save_checkpoint(model, trial)
        if self.args.should_save:
            folder = os.path.join(
                self._get_output_dir(trial=trial), f"{PREFIX_CHECKPOINT_DIR}-{self.state.global_step}"
            )
            write_state_file(folder, self.estimator)

    def _load_optimizer_and_scheduler(self, checkpoint: str | None) -> None:
        super()._load_optimizer_and_scheduler(checkpoint)
        if checkpoint is None:
            return
        path = os.path.join(checkpoint, STATE_FILENAME)
        if os.path.exists(path):
            restore_estimator(self.estimator, read_state_file(path), source=path)
        else:
            logger.warning(
                "%s: %s has no %s; its state starts fresh", self.estimator.name, checkpoint, STATE_FILENAME
            )
