"""Reinforcement learning from the warm start with TRL's GRPO loop and any method's advantages."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datasets import Dataset
from transformers import PreTrainedModel, PreTrainedTokenizerFast, TrainerCallback
from transformers.trainer_callback import PrinterCallback, ProgressCallback
from trl import GRPOConfig

from lead.core.method import Estimator
from lead.demo.task import Problem, is_correct
from lead.integrations.trl import LEADGRPOTrainer

REWARD_NAME = "correct"


@dataclass(frozen=True)
class Completion:
    """One graded training completion: the step it was sampled at, its problem, length and outcome."""

    step: int
    prompt: str
    difficulty: int
    length: int
    correct: bool


class CorrectnessReward:
    """TRL reward function: 1.0 when the completion's answer equals the problem's sum, else 0.0.

    Records every graded completion (for the report's per-problem target lengths).
    """

    def __init__(self) -> None:
        self.__name__ = REWARD_NAME
        self.completions: list[Completion] = []

    def __call__(
        self,
        prompts: list[str],
        completions: list[str],
        completion_ids: list[list[int]],
        answer: list[int],
        difficulty: list[int],
        trainer_state: Any,
        **_: Any,
    ) -> list[float]:
        scores = [float(is_correct(text, target)) for text, target in zip(completions, answer, strict=True)]
        for prompt, ids, level, score in zip(prompts, completion_ids, difficulty, scores, strict=True):
            self.completions.append(
                Completion(trainer_state.global_step, prompt, level, len(ids), score > 0.5)
            )
        return scores


@dataclass(frozen=True)
class StepRow:
    """What the live table shows for one training step."""

    step: int
    accuracy: float
    mean_length: float
    lambda_corr: float | None
    lstar_mean: float | None


@dataclass
class StepLog(TrainerCallback):
    """Keeps every training log of TRL and hands a table row per step to ``on_row``."""

    on_row: Callable[[StepRow], None]
    history: list[dict[str, float]] = field(default_factory=list)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, float] | None = None, **_: Any
    ) -> None:
        if not logs or "completions/mean_length" not in logs:
            return
        self.history.append({"step": float(state.global_step), **logs})
        self.on_row(
            StepRow(
                step=state.global_step,
                accuracy=logs[f"rewards/{REWARD_NAME}/mean"],
                mean_length=logs["completions/mean_length"],
                lambda_corr=logs.get("lead/w_corr"),
                lstar_mean=logs.get("lead/lstar_mean_solvable"),
            )
        )


@dataclass(frozen=True)
class RLSettings:
    """Settings shared by every method's runs (same budget, same seeds)."""

    steps: int
    prompts_per_step: int
    num_generations: int
    max_completion_length: int
    learning_rate: float
    temperature: float
    seed: int


@dataclass
class RLRun:
    """A finished run: the trained model, TRL's per-step logs and the graded training completions."""

    estimator: Estimator
    model: PreTrainedModel
    history: list[dict[str, float]]
    completions: list[Completion]


def train_dataset(problems: Sequence[Problem]) -> Dataset:
    """TRL's prompt dataset: plain-text prompts, the columns the reward reads, and a stable problem id
    (the prompt text) for methods that keep per-problem state."""
    return Dataset.from_list(
        [
            {"prompt": p.prompt, "answer": p.answer, "difficulty": p.difficulty, "problem_id": p.prompt}
            for p in problems
        ]
    )


def run_rl(
    method: str | Estimator,
    warm_start: PreTrainedModel,
    tokenizer: PreTrainedTokenizerFast,
    problems: Sequence[Problem],
    settings: RLSettings,
    output_dir: str,
    on_row: Callable[[StepRow], None],
    method_options: Mapping[str, Any] | None = None,
) -> RLRun:
    """Train a copy of ``warm_start`` with ``LEADGRPOTrainer``: a registered method by name (with
    ``method_options`` on top of its defaults at the budget ``settings.max_completion_length``) or an
    estimator built for that budget.

    Every method, GRPO included, goes through the same trainer, so runs differ only in their
    advantages.
    """
    args = GRPOConfig(
        output_dir=output_dir,
        max_steps=settings.steps,
        per_device_train_batch_size=settings.prompts_per_step * settings.num_generations,
        num_generations=settings.num_generations,
        max_completion_length=settings.max_completion_length,
        temperature=settings.temperature,
        top_k=0,
        learning_rate=settings.learning_rate,
        lr_scheduler_type="constant",
        warmup_steps=0,
        beta=0.0,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        seed=settings.seed,
        data_seed=settings.seed,
        use_cpu=True,
        bf16=False,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    reward = CorrectnessReward()
    log = StepLog(on_row)
    trainer = LEADGRPOTrainer(
        model=copy.deepcopy(warm_start),
        reward_funcs=[reward],
        args=args,
        train_dataset=train_dataset(problems),
        processing_class=tokenizer,
        callbacks=[log],
        method=method,
        method_options=method_options,
    )
    trainer.remove_callback(PrinterCallback)
    trainer.remove_callback(ProgressCallback)
    trainer.train()
    model = trainer.model
    model.eval()
    return RLRun(trainer.estimator, model, log.history, reward.completions)
