"""Supervised warm start: teach the tiny model to solve the task while over-thinking."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerFast

from lead.demo.task import Problem, overthinking_solution, sample_problem

IGNORE_INDEX = -100
BUCKETS = 8  # batches drawn at once and grouped by length


def encode_example(
    tokenizer: PreTrainedTokenizerFast, prompt: str, completion: str
) -> tuple[list[int], list[int]]:
    """Token ids of prompt + completion + EOS, and labels that score only the completion and EOS."""
    prompt_ids = tokenizer(prompt)["input_ids"]
    completion_ids = [*tokenizer(completion)["input_ids"], tokenizer.eos_token_id]
    return prompt_ids + completion_ids, [IGNORE_INDEX] * len(prompt_ids) + completion_ids


def collate(examples: Sequence[tuple[list[int], list[int]]], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad a batch: input_ids, attention_mask and labels, each (B, T)."""
    width = max(len(ids) for ids, _ in examples)
    input_ids = torch.full((len(examples), width), pad_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), width), dtype=torch.long)
    for row, (ids, row_labels) in enumerate(examples):
        input_ids[row, : len(ids)] = torch.tensor(ids)
        labels[row, : len(ids)] = torch.tensor(row_labels)
        attention_mask[row, : len(ids)] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


def _length_bucketed_batches(
    tokenizer: PreTrainedTokenizerFast,
    rng: random.Random,
    batch_size: int,
    *,
    min_digits: int,
    max_digits: int,
    held_out: set[Problem],
) -> list[list[tuple[list[int], list[int]]]]:
    """``BUCKETS`` batches of fresh examples, grouped by length (little padding), in random order."""
    examples = []
    while len(examples) < BUCKETS * batch_size:
        problem = sample_problem(rng, min_digits, max_digits)
        if problem not in held_out:
            examples.append(encode_example(tokenizer, problem.prompt, overthinking_solution(problem, rng)))
    examples.sort(key=lambda example: len(example[0]))
    batches = [examples[start : start + batch_size] for start in range(0, len(examples), batch_size)]
    rng.shuffle(batches)
    return batches


def train_warm_start(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerFast,
    *,
    steps: int,
    batch_size: int,
    learning_rate: float,
    min_digits: int,
    max_digits: int,
    held_out: set[Problem],
    seed: int,
    on_step: Callable[[], None] = lambda: None,
) -> list[float]:
    """Train in place on freshly drawn over-thinking solutions (never a held-out problem).

    Linear warm-up over the first 5% of steps, then cosine decay; ``on_step`` is called after each
    step. Returns the loss of every step.
    """
    rng = random.Random(seed)
    torch.manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    warmup = max(1, steps // 20)

    def lr_factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1.0 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    model.train()
    losses = []
    batches: list[list[tuple[list[int], list[int]]]] = []
    for _ in range(steps):
        if not batches:
            batches = _length_bucketed_batches(
                tokenizer, rng, batch_size, min_digits=min_digits, max_digits=max_digits, held_out=held_out
            )
        loss = model(**collate(batches.pop(), tokenizer.pad_token_id)).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        on_step()
    model.eval()
    return losses
