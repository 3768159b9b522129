"""The settings shared by ``lead-study`` and ``lead-demo``: task, warm start, RL budget, evaluation.

Every method and seed runs with the same settings; they are fixed before the runs and recorded in
the report folder (``study.json``), so a folder only ever holds runs of one setting. Each field is
declared with its allowed values (:func:`lead.core.options.option`), which the command lines check
before any work starts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from lead.core.options import Option, option
from lead.demo.task import MAX_DIGITS, MIN_DIGITS, distinct_problems, shortest_correct_length

MODEL_POSITIONS = 256
"""Positions of the tiny model: the prompt and the completion must fit."""


@dataclass(frozen=True)
class StudySettings:
    """Every knob of a study; the defaults are sized for the full study to take under 30 minutes on 2
    idle CPU cores.

    Measured in CPU seconds (one thread): the warm start about 330 (1000 steps; 500 steps reach half
    its held-out accuracy), a run's set-up and evaluation about 8, an RL step 1.3 to 2 (more for
    methods that keep the warm start's lengths). 57 runs of 20 steps on 2 workers and the warm start
    come to 25 to 28 minutes.

    The RL runs draw their prompts from ``train_problems`` distinct problems, 40 by default, so 20
    steps of 8 prompts train 4 epochs: the paper's runs train several epochs over a fixed set (7 for
    LEAD), and a method that learns from a problem's earlier visits (HAPO's shortest correct length
    so far) needs problems that come back; with a fresh problem at every draw HAPO's length reward
    is never set and HAPO is GRPO.
    """

    min_digits: int = option(MIN_DIGITS, "easiest problems: digits to add", kind="integer", low=2, high=9)
    max_digits: int = option(MAX_DIGITS, "hardest problems: digits to add", kind="integer", low=2, high=9)
    warm_start_seed: int = option(0, "seed of the warm start (model, data)", kind="integer", low=0)
    sft_steps: int = option(1000, "supervised warm-start steps", kind="integer", low=1)
    sft_batch_size: int = option(64, "warm-start batch size", kind="integer", low=1)
    sft_learning_rate: float = option(3e-3, "warm-start learning rate", low=0, low_open=True, high=1)
    rl_steps: int = option(20, "RL steps of every run", kind="integer", low=1)
    prompts_per_step: int = option(8, "prompts per RL step", kind="integer", low=1)
    num_generations: int = option(8, "completions per prompt (group size)", kind="integer", low=2)
    max_completion_length: int = option(128, "generation budget B in tokens", kind="integer", low=1)
    rl_learning_rate: float = option(2e-4, "RL learning rate", low=0, low_open=True, high=1)
    temperature: float = option(
        1.0, "sampling temperature (RL and evaluation)", low=0, low_open=True, high=10
    )
    train_problems: int = option(
        40, "distinct training problems (20 steps of 8 prompts see each 4 times)", kind="integer", low=1
    )
    eval_problems: int = option(20, "held-out problems per difficulty", kind="integer", low=1)
    eval_samples: int = option(4, "samples per held-out problem", kind="integer", low=1)
    eval_seed: int = option(0, "sampling seed of every evaluation", kind="integer", low=0)

    @classmethod
    def declared(cls) -> list[tuple[str, Any, Option]]:
        """``(name, default, declaration)`` of every setting."""
        return [(f.name, f.default, f.metadata["option"]) for f in dataclasses.fields(cls)]

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


QUICK = {"sft_steps": 100, "rl_steps": 3, "eval_problems": 4, "eval_samples": 2, "train_problems": 8}
"""``--quick``: a smoke test of the whole pipeline (every configuration of ``lead-study`` in about two
minutes on 2 cores); its numbers mean nothing."""

DEMO_DEFAULTS = {"max_digits": 5, "sft_steps": 600}
"""``lead-demo``'s defaults on top of the study's: the same task at 2..5 digits (the shortest correct
solution from 9 to 27 tokens), which a 600-step warm start learns about as well as 1000 steps learn
2..7 digits (87% and 78% held-out accuracy), so the demo fits 5 minutes on 2 cores; everything else
is the study's."""


def rule_errors(settings: dict[str, Any]) -> list[tuple[str, str]]:
    """Rules between settings: ``(setting, allowed)`` for each one broken (the first setting named).

    ``settings`` holds every field, each already within its own bounds.
    """
    low, high = settings["min_digits"], settings["max_digits"]
    if low > high:
        return [("max_digits", f"allowed is an integer with min_digits={low} <= max_digits <= 9")]
    errors = []
    hardest = shortest_correct_length(high)
    longest = MODEL_POSITIONS - (high + 2)
    budget = settings["max_completion_length"]
    if not hardest <= budget <= longest:
        errors.append(
            (
                "max_completion_length",
                f"allowed is an integer with {hardest} <= max_completion_length <= {longest} (the hardest "
                f"problems' shortest solution, and the model's {MODEL_POSITIONS} positions less the prompt)",
            )
        )
    if settings["eval_problems"] > distinct_problems(low):
        errors.append(
            (
                "eval_problems",
                f"allowed is an integer with 1 <= eval_problems <= {distinct_problems(low)} (the distinct "
                f"problems with {low} digits)",
            )
        )
    available = (
        sum(distinct_problems(k) for k in range(low, high + 1)) - (high - low + 1) * settings["eval_problems"]
    )
    if settings["train_problems"] > available:
        errors.append(
            (
                "train_problems",
                f"allowed is an integer with 1 <= train_problems <= {available} (the distinct problems "
                "left after the held-out ones)",
            )
        )
    return errors
