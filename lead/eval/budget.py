"""Generation budgets that fit the model's context.

A sample may generate ``min(max_new_tokens, context_length - prompt_tokens)`` new tokens, so a
prompt and its response always fit the engine's context; a prompt that leaves no room is skipped
rather than sent (vLLM rejects the whole batched call for one such prompt). Every sample records
the budget it had, and the results summarise them per benchmark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from lead.eval.backends.base import GenerationRequest
from lead.eval.samples import SampleRecord


def effective_max_new_tokens(prompt_tokens: int, max_new_tokens: int, context_length: int | None) -> int:
    """``min(max_new_tokens, context_length - prompt_tokens)``; zero or less when nothing fits."""
    if context_length is None:
        return max_new_tokens
    return min(max_new_tokens, context_length - prompt_tokens)


@dataclass(frozen=True)
class BudgetPlan:
    """The requests that fit the context, with clamped budgets, and the ones that do not.

    ``kept[i]`` is the index, among the planned requests, of ``requests[i]``; ``skipped`` holds the
    indices of requests whose prompt leaves no room for a single new token.
    """

    requests: list[GenerationRequest]
    kept: list[int]
    skipped: list[int]
    clamped: int


def plan_budgets(requests: Sequence[GenerationRequest], context_length: int | None) -> BudgetPlan:
    """Clamp each request's ``max_new_tokens`` to the room its prompt leaves in ``context_length``."""
    fitted, kept, skipped, clamped = [], [], [], 0
    for index, request in enumerate(requests):
        budget = effective_max_new_tokens(len(request.prompt_ids), request.max_new_tokens, context_length)
        if budget < 1:
            skipped.append(index)
            continue
        clamped += budget < request.max_new_tokens
        fitted.append(replace(request, max_new_tokens=budget))
        kept.append(index)
    return BudgetPlan(fitted, kept, skipped, clamped)


def budget_metrics(records: Sequence[SampleRecord], max_new_tokens: int, skipped_problems: int) -> dict:
    """Budgets of one benchmark's scored samples: requested, effective min and mean, clamped count.

    Samples logged before budgets were recorded carry none and are left out of min, mean and count.
    """
    budgets = [r.max_new_tokens for r in records if r.max_new_tokens is not None]
    return {
        "max_new_tokens": max_new_tokens,
        "effective_max_new_tokens_min": min(budgets) if budgets else None,
        "effective_max_new_tokens_mean": sum(budgets) / len(budgets) if budgets else None,
        "clamped_samples": sum(budget < max_new_tokens for budget in budgets),
        "skipped_problems": skipped_problems,
    }
