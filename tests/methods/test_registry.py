"""The one interface of every method: registry, options, budget scaling, state round trip, docs."""

from __future__ import annotations

import doctest
import json
import random

import pytest
import torch
from methods_support import Row, tensors

import lead.methods.registry
from lead.core.method import Estimator
from lead.methods import METHODS, make_estimator

BUDGET = 16


def test_docstring_examples_run():
    result = doctest.testmod(lead.methods.registry, raise_on_error=False)
    assert result.attempted >= 5 and result.failed == 0


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(ValueError, match="method='dlr' is unknown: allowed values are lead, grpo"):
        make_estimator("dlr")


@pytest.mark.parametrize("name", sorted(METHODS))
def test_unknown_option_names_the_allowed_ones(name):
    with pytest.raises(ValueError, match=r"unknown .* option 'no_such_option': allowed names are"):
        make_estimator(name, budget=BUDGET, no_such_option=1)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_every_option_is_declared_with_help_and_a_valid_default(name):
    options_class = METHODS[name].options
    assert name == options_class.METHOD and options_class.TITLE
    for option_name, default, declaration in options_class.declared():
        assert declaration.help, option_name
        declaration.check(options_class.__name__, option_name, default)
    assert isinstance(make_estimator(name), Estimator)


@pytest.mark.parametrize("budget", [0, -4, float("nan"), "8", True])
def test_bad_budgets_are_refused(budget):
    with pytest.raises(ValueError, match=r"budget=.* is invalid: allowed is a number of tokens > 0"):
        make_estimator("lead", budget=budget)


def test_no_budget_keeps_the_paper_defaults_and_a_budget_scales_them():
    assert make_estimator("lead").options == make_estimator("lead", budget=8000).options
    scaled = make_estimator("lead", budget=128).options
    assert (scaled.bmax, scaled.lstar_min, scaled.short_guard) == (128, 16.0, 8.0)
    assert make_estimator("lead", budget=128, lstar_min=1).options.lstar_min == 1


def random_rows(generator: random.Random, prompts: int, group: int, problems: int) -> list:
    rows = []
    for prompt in range(prompts):
        problem = generator.randrange(problems)
        skill = generator.random()
        for _ in range(group):
            rows.append(
                Row(
                    label=f"{prompt}-{generator.random()}",
                    score=float(generator.random() < skill),
                    length=generator.randint(1, BUDGET),
                    problem=problem,
                )
            )
    rows.append(Row(label="pad", score=0.0, length=0, problem=0))
    return rows


def run_steps(estimator: Estimator, batches: list) -> list[torch.Tensor]:
    outputs = []
    for rows in batches:
        rewards, mask, index, problems = tensors(rows, width=BUDGET)
        outputs.append(estimator(rewards, mask, index, problem_ids=problems)[0])
    return outputs


@pytest.mark.parametrize("name", sorted(METHODS))
def test_state_through_json_resumes_the_same_sequence(name):
    generator = random.Random(7)
    batches = [random_rows(generator, prompts=6, group=4, problems=5) for _ in range(7)]
    uninterrupted = run_steps(make_estimator(name, budget=BUDGET), batches)
    first = make_estimator(name, budget=BUDGET)
    resumed = run_steps(first, batches[:4])
    second = make_estimator(name, budget=BUDGET)
    second.load_state_dict(json.loads(json.dumps(first.state_dict())))
    assert second.state_dict() == first.state_dict()
    resumed += run_steps(second, batches[4:])
    for step, (a, b) in enumerate(zip(uninterrupted, resumed, strict=True)):
        assert torch.equal(a, b), f"{name} differs at step {step + 1}"
    assert second.state_dict()["step"] == len(batches)


@pytest.mark.parametrize("name", sorted(METHODS))
def test_metrics_are_prefixed_and_padding_rows_get_zero(name):
    rows = random_rows(random.Random(3), prompts=3, group=4, problems=3)
    rewards, mask, index, problems = tensors(rows, width=BUDGET)
    advantages, metrics = make_estimator(name, budget=BUDGET)(rewards, mask, index, problem_ids=problems)
    assert advantages.shape == rewards.shape and torch.all(advantages[-1] == 0)
    assert all(key.startswith(f"{name}/") for key in metrics)
    assert metrics[f"{name}/num_ignored_rows"] == 1.0


@pytest.mark.parametrize("name", sorted(METHODS))
def test_options_never_shadow_the_options_api_and_report_their_budget(name):
    options_class = METHODS[name].options
    api = {member for member in dir(options_class) if not member.startswith("_")}
    declared = {option_name for option_name, _, _ in options_class.declared()}
    assert not declared & (api - declared), "an option name hides a method of MethodOptions"
    scaled = [
        option_name
        for option_name, _, declaration in options_class.declared()
        if declaration.scale == "budget"
    ]
    budget = make_estimator(name, budget=BUDGET).options.generation_budget()
    assert budget == (BUDGET if scaled else None)
