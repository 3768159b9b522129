"""LEAD's per-problem target lengths L*_q of a run's training batches, by the core's target rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import torch

from lead.core import LEADConfig
from lead.core.grouping import Groups, factorize_index
from lead.core.target_length import target_lengths
from lead.demo.rl import Completion


def group_targets(completions: Sequence[Completion], config: LEADConfig) -> list[tuple[int, int, float]]:
    """``(step, difficulty, L*_q)`` for every prompt group of every step, by the core's target rule.

    A group is the completions of one prompt at one step; unsolved groups (target = budget) are left
    out, as their target carries no length information.
    """
    by_step: dict[int, list[Completion]] = defaultdict(list)
    for completion in completions:
        by_step[completion.step].append(completion)
    rows = []
    for step, batch in sorted(by_step.items()):
        codes = factorize_index([c.prompt for c in batch], len(batch))
        groups = Groups.from_codes(codes)
        correct = torch.tensor([c.correct for c in batch])
        targets = target_lengths(
            torch.tensor([float(c.length) for c in batch], dtype=torch.float64),
            correct,
            groups,
            aggregator=config.aggregator,
            bmax=config.bmax,
            lstar_min=config.lstar_min,
        )
        difficulty = {int(code): c.difficulty for code, c in zip(groups.ids, batch, strict=True)}
        solved = {int(code) for code, c in zip(groups.ids, batch, strict=True) if c.correct}
        rows.extend((step, difficulty[g], float(targets[g])) for g in sorted(solved))
    return rows
