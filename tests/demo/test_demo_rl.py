"""The demo's RL step with real TRL: the policy's weights move, lengths and outcomes are recorded."""

from __future__ import annotations

import random

import pytest
import torch

from lead.demo.model import build_tiny_model
from lead.demo.rl import RLSettings, StepRow, run_rl
from lead.demo.task import sample_problems
from lead.demo.tokenizer import build_tokenizer


def tiny_rl_settings(steps: int, seed: int) -> RLSettings:
    """A few fast RL steps on a tiny model: 2 prompts x 4 generations of at most 16 tokens."""
    return RLSettings(
        steps=steps,
        prompts_per_step=2,
        num_generations=4,
        max_completion_length=16,
        learning_rate=1e-2,
        temperature=1.0,
        seed=seed,
    )


@pytest.mark.parametrize("method", ["grpo", "lead"])
def test_one_rl_step_moves_the_weights_and_records_lengths(method: str, tmp_path) -> None:
    tokenizer = build_tokenizer()
    warm_start = build_tiny_model(tokenizer, seed=0, hidden_size=32, num_layers=1, num_heads=2)
    before = {name: tensor.clone() for name, tensor in warm_start.state_dict().items()}
    settings = tiny_rl_settings(steps=1, seed=0)
    rows: list[StepRow] = []
    run = run_rl(method, warm_start, tokenizer, sample_problems(random.Random(0), 8, 2, 4), settings,
                 str(tmp_path), rows.append)  # fmt: skip
    assert run.estimator.name == method and run.estimator.step == 1

    after = run.model.state_dict()
    changed = any(not torch.equal(before[name], after[name]) for name in before)
    outcomes_by_prompt: dict[str, set[bool]] = {}
    for completion in run.completions:
        outcomes_by_prompt.setdefault(completion.prompt, set()).add(completion.correct)
    has_correctness_signal = any(len(outcomes) == 2 for outcomes in outcomes_by_prompt.values())
    # LEAD's efficiency term gives a signal even when no answer is right; GRPO's correctness alone
    # gives none then, so a fresh model's GRPO step is a no-op.
    assert changed == (method == "lead" or has_correctness_signal)
    assert all(torch.equal(before[name], tensor) for name, tensor in warm_start.state_dict().items()), (
        "the warm start itself must stay untouched"
    )
    assert len(run.completions) == 8
    assert all(1 <= c.length <= 16 for c in run.completions)
    assert [row.step for row in rows] == [1]
    assert rows[0].mean_length == pytest.approx(sum(c.length for c in run.completions) / 8)
    assert (rows[0].lambda_corr is not None) == (method == "lead")


def test_same_seed_gives_the_same_run(tmp_path) -> None:
    tokenizer = build_tokenizer()
    warm_start = build_tiny_model(tokenizer, seed=0, hidden_size=32, num_layers=1, num_heads=2)
    settings = tiny_rl_settings(steps=2, seed=5)
    problems = sample_problems(random.Random(0), 8, 2, 4)
    first, second = (
        run_rl("lead", warm_start, tokenizer, problems, settings, str(tmp_path / name), lambda row: None)
        for name in ("first", "second")
    )
    assert first.completions == second.completions
    assert [row["lead/w_corr"] for row in first.history] == [row["lead/w_corr"] for row in second.history]
    for name, tensor in first.model.state_dict().items():
        assert torch.equal(tensor, second.model.state_dict()[name]), name
