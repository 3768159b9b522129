"""Held-out evaluation: sampled accuracy and mean completion length, with a fixed seed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerFast

from lead.demo.task import Problem, is_correct


@dataclass(frozen=True)
class Evaluation:
    """Accuracy (fraction correct) and mean length in tokens (EOS included) over every sample.

    ``longest_correct_by_difficulty`` is the longest correct sample per difficulty (0 when none is
    correct); ``truncation_rate`` the fraction of samples cut at the budget without EOS.
    """

    accuracy: float
    mean_length: float
    num_samples: int
    lengths_by_difficulty: dict[int, float]
    accuracy_by_difficulty: dict[int, float]
    longest_correct_by_difficulty: dict[int, int]
    truncation_rate: float


@torch.no_grad()
def evaluate(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerFast,
    problems: Sequence[Problem],
    *,
    samples_per_problem: int,
    max_new_tokens: int,
    temperature: float,
    seed: int,
    batch_size: int = 256,
) -> Evaluation:
    """Sample ``samples_per_problem`` completions per problem and grade them.

    A completion that never emits EOS is cut at ``max_new_tokens`` and counts as that long.
    """
    model.eval()
    torch.manual_seed(seed)
    prompts = [problem for problem in problems for _ in range(samples_per_problem)]
    results: list[tuple[Problem, bool, int]] = []
    truncated = 0
    for start in range(0, len(prompts), batch_size):
        chunk = prompts[start : start + batch_size]
        encoded = tokenizer([p.prompt for p in chunk], return_tensors="pt", padding=True)
        generated = model.generate(
            **encoded,
            do_sample=True,
            temperature=temperature,
            top_k=0,
            top_p=1.0,
            max_new_tokens=max_new_tokens,
            pad_token_id=tokenizer.pad_token_id,
            eos_token_id=tokenizer.eos_token_id,
        )
        completions = generated[:, encoded["input_ids"].shape[1] :]
        for problem, ids in zip(chunk, completions.tolist(), strict=True):
            finished = tokenizer.eos_token_id in ids
            length = ids.index(tokenizer.eos_token_id) + 1 if finished else len(ids)
            truncated += not finished
            text = tokenizer.decode(ids[:length], skip_special_tokens=True)
            results.append((problem, is_correct(text, problem.answer), length))
    difficulties = sorted({problem.difficulty for problem, _, _ in results})

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    return Evaluation(
        accuracy=mean([float(ok) for _, ok, _ in results]),
        mean_length=mean([float(n) for _, _, n in results]),
        num_samples=len(results),
        lengths_by_difficulty={
            k: mean([float(n) for p, _, n in results if p.difficulty == k]) for k in difficulties
        },
        accuracy_by_difficulty={
            k: mean([float(ok) for p, ok, _ in results if p.difficulty == k]) for k in difficulties
        },
        longest_correct_by_difficulty={
            k: max([n for p, ok, n in results if p.difficulty == k and ok], default=0) for k in difficulties
        },
        truncation_rate=truncated / len(results),
    )
