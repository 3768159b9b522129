"""LEADGRPOTrainer against the LEAD core, with real TRL, a real tiny model and a real tokenizer."""

from __future__ import annotations

import json
import math

import pytest
import torch
from datasets import Dataset
from trl import GRPOConfig

from lead import LEADConfig, LEADEstimator
from lead.demo.model import build_tiny_model
from lead.demo.tokenizer import build_tokenizer
from lead.integrations.trl import estimator_inputs
from lead.methods import METHODS, make_estimator
from lead.methods.state_file import STATE_FILENAME
from lead.trl import LEADGRPOTrainer

NUM_GENERATIONS = 4
PROMPTS = ["add 1 2 :", "add 3 4 5 :", "add 9 8 :", "add 2 6 7 1 :"]
MAX_COMPLETION = 12


def first_token_even(completion_ids: list[list[int]], **_: object) -> list[float]:
    """Stands in for a correctness check: deterministic given the sampled tokens, mixed outcomes."""
    return [float(ids[0] % 2 == 0) for ids in completion_ids]


def always_half(completions: list[str], **_: object) -> list[float]:
    """A second reward function that must not be used as correctness."""
    return [0.5] * len(completions)


def make_trainer(tmp_path, *, max_steps: int = 1, save_steps: int | None = None, **kwargs) -> LEADGRPOTrainer:
    if "method" not in kwargs:
        kwargs.setdefault("lead_config", LEADConfig(bmax=MAX_COMPLETION, lstar_min=1, short_guard=0))
    tokenizer = build_tokenizer()
    args = GRPOConfig(
        output_dir=str(tmp_path),
        max_steps=max_steps,
        per_device_train_batch_size=len(PROMPTS) * NUM_GENERATIONS,
        num_generations=NUM_GENERATIONS,
        max_completion_length=MAX_COMPLETION,
        learning_rate=1e-3,
        beta=0.0,
        logging_steps=1,
        save_strategy="steps" if save_steps else "no",
        save_steps=save_steps or 500,
        report_to="none",
        seed=3,
        use_cpu=True,
        bf16=False,
        disable_tqdm=True,
    )
    return LEADGRPOTrainer(
        model=build_tiny_model(tokenizer, seed=0, hidden_size=32, num_layers=1, num_heads=2),
        reward_funcs=[always_half, first_token_even],
        args=args,
        train_dataset=kwargs.pop(
            "train_dataset",
            Dataset.from_list([{"prompt": p, "problem_id": f"p{i}"} for i, p in enumerate(PROMPTS)] * 4),
        ),
        processing_class=tokenizer,
        correctness_reward=kwargs.pop("correctness_reward", "first_token_even"),
        **kwargs,
    )


def test_estimator_inputs_put_the_score_on_the_last_token_and_drop_unscored_rows() -> None:
    rewards, mask, index = estimator_inputs(
        torch.tensor([1.0, 0.0, float("nan"), 1.0]), torch.tensor([3, 1, 2, 2]), num_generations=2
    )
    assert mask.tolist() == [[1, 1, 1], [1, 0, 0], [0, 0, 0], [1, 1, 0]]
    assert rewards.tolist() == [[0, 0, 1], [0, 0, 0], [0, 0, 0], [0, 1, 0]]
    assert index.tolist() == [0, 0, 1, 1]
    with pytest.raises(ValueError, match="num_generations"):
        estimator_inputs(torch.ones(3), torch.ones(3), num_generations=2)


def test_unknown_correctness_reward_is_rejected(tmp_path) -> None:
    with pytest.raises(ValueError, match="correctness_reward='accuracy'"):
        make_trainer(tmp_path, correctness_reward="accuracy")
    with pytest.raises(ValueError, match="correctness_reward=2"):
        make_trainer(tmp_path, correctness_reward=2)


def test_default_config_takes_the_completion_budget(tmp_path) -> None:
    trainer = make_trainer(tmp_path, lead_config=None)
    assert trainer.estimator.options.bmax == MAX_COMPLETION
    assert trainer.estimator.options.lstar_min == MAX_COMPLETION / 8  # the release's 1000 at 8000, scaled


def test_advantages_on_a_generated_batch_equal_the_cores(tmp_path) -> None:
    trainer = make_trainer(tmp_path)
    trainer.model.train()
    torch.manual_seed(0)
    rows = [{"prompt": prompt} for prompt in PROMPTS for _ in range(NUM_GENERATIONS)]
    output = trainer._generate_and_score_completions(rows)

    completion_mask = output["completion_mask"]
    completion_ids = output["completion_ids"]
    correctness = torch.tensor(
        first_token_even(
            [ids[mask.bool()].tolist() for ids, mask in zip(completion_ids, completion_mask, strict=True)]
        )
    )
    assert 0 < correctness.sum() < len(rows), "the batch should mix correct and wrong completions"
    lengths = completion_mask.sum(dim=1)
    token_rewards = torch.zeros(completion_mask.shape)
    token_rewards[torch.arange(len(rows)), lengths - 1] = correctness
    group_ids = [prompt for prompt in PROMPTS for _ in range(NUM_GENERATIONS)]
    expected, expected_metrics = LEADEstimator(trainer.estimator.options)(
        token_rewards, completion_mask, group_ids
    )

    advantages = output["advantages"]
    assert advantages.shape == (len(rows),)
    torch.testing.assert_close(
        advantages.unsqueeze(1) * completion_mask, expected.float(), rtol=1e-5, atol=1e-6
    )
    assert list(trainer._logs["advantages"]) == pytest.approx(advantages.tolist())
    assert trainer._metrics["train"]["lead/w_corr"] == [pytest.approx(expected_metrics["lead/w_corr"])]
    assert trainer._metrics["train"]["lead/accuracy_batch"] == [pytest.approx(float(correctness.mean()))]


def test_checkpoint_saves_and_resume_restores_the_controller(tmp_path) -> None:
    uninterrupted = make_trainer(tmp_path / "a", max_steps=2, save_steps=1)
    uninterrupted.train()
    lead_logs = [row for row in uninterrupted.state.log_history if "lead/w_corr" in row]
    assert [row["lead/step"] for row in lead_logs] == [1.0, 2.0]
    assert all(math.isfinite(row["lead/lstar_mean"]) for row in lead_logs)
    first = json.loads((tmp_path / "a" / "checkpoint-1" / STATE_FILENAME).read_text())["estimator"]
    final = json.loads((tmp_path / "a" / "checkpoint-2" / STATE_FILENAME).read_text())["estimator"]
    assert final == uninterrupted.estimator.state_dict()
    assert first != final

    resumed = make_trainer(tmp_path / "a", max_steps=2)
    assert resumed.estimator.state_dict() != first
    resumed.train(resume_from_checkpoint=str(tmp_path / "a" / "checkpoint-1"))
    resumed_logs = [row for row in resumed.state.log_history if "lead/w_corr" in row]
    assert resumed_logs[-1]["lead/step"] == 2.0
    assert resumed.estimator.state_dict() == pytest.approx(final)


def test_a_batch_without_scored_completions_gets_zero_advantages_and_no_controller_step(tmp_path) -> None:
    trainer = make_trainer(tmp_path)
    state_before = trainer.estimator.state_dict()
    unscored = torch.full((2 * NUM_GENERATIONS,), float("nan"))
    advantages, metrics = trainer.sequence_advantages(unscored, torch.full_like(unscored, 5.0))
    assert advantages.tolist() == [0.0] * (2 * NUM_GENERATIONS)
    assert metrics == {}
    assert trainer.estimator.state_dict() == state_before

    scored = torch.tensor([1.0, 0.0, float("nan"), 1.0] * 2)
    advantages, metrics = trainer.sequence_advantages(scored, torch.tensor([3.0, 5, 4, 2] * 2))
    assert advantages[2] == 0 and advantages[6] == 0
    assert metrics["lead/num_ignored_rows"] == 2


def generated_batch(trainer: LEADGRPOTrainer) -> tuple[dict, list[dict]]:
    trainer.model.train()
    torch.manual_seed(0)
    rows = [
        {"prompt": prompt, "problem_id": f"p{i}"}
        for i, prompt in enumerate(PROMPTS)
        for _ in range(NUM_GENERATIONS)
    ]
    return trainer._generate_and_score_completions(rows), rows


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_method_by_name_gives_its_estimators_advantages(tmp_path, name) -> None:
    trainer = make_trainer(tmp_path, method=name)
    assert trainer.estimator.name == name
    assert trainer.estimator.options == make_estimator(name, budget=MAX_COMPLETION).options
    output, rows = generated_batch(trainer)
    mask = output["completion_mask"]
    correctness = torch.tensor(
        first_token_even(
            [ids[m.bool()].tolist() for ids, m in zip(output["completion_ids"], mask, strict=True)]
        )
    )
    rewards = torch.zeros(mask.shape)
    rewards[torch.arange(len(rows)), mask.sum(dim=1) - 1] = correctness
    expected, metrics = make_estimator(name, budget=MAX_COMPLETION)(
        rewards, mask, [row["prompt"] for row in rows], problem_ids=[row["problem_id"] for row in rows]
    )
    torch.testing.assert_close(
        output["advantages"].unsqueeze(1) * mask, expected.float(), rtol=1e-5, atol=1e-6
    )
    assert trainer._metrics["train"][f"{name}/accuracy_batch"] == [
        pytest.approx(metrics[f"{name}/accuracy_batch"])
    ]
    assert trainer.estimator.step == 1


def test_method_options_and_estimator_objects_are_taken_as_given(tmp_path) -> None:
    assert (
        make_trainer(tmp_path, method="lead", method_options={"lstar_min": 2}).estimator.options.lstar_min
        == 2
    )
    estimator = make_estimator("grpo")
    assert make_trainer(tmp_path, method=estimator).estimator is estimator
    with pytest.raises(ValueError, match="method='gpro' is unknown: allowed values are lead, grpo"):
        make_trainer(tmp_path, method="gpro")
    with pytest.raises(ValueError, match=r"unknown LEAD option 'lstar_mni'"):
        make_trainer(tmp_path, method="lead", method_options={"lstar_mni": 2})


def test_a_method_with_per_problem_state_needs_the_problem_id_column(tmp_path) -> None:
    with pytest.raises(ValueError, match=r"problem_id_column='problem_id', which the training dataset lacks"):
        make_trainer(
            tmp_path, method="hapo", train_dataset=Dataset.from_list([{"prompt": p} for p in PROMPTS])
        )
    trainer = make_trainer(
        tmp_path,
        method="hapo",
        problem_id_column="question",
        train_dataset=Dataset.from_list([{"prompt": p, "question": p} for p in PROMPTS]),
    )
    assert trainer.problem_id_column == "question"
