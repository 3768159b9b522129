"""Property tests: the vectorised estimator agrees with the slow loop-based oracle (tests/core/oracle.py)."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lead import LEADConfig, LEADEstimator
from lead.core.config import AGGREGATORS, LSTAR_MODES, WHITEN_MODES

_spec = importlib.util.spec_from_file_location("lead_core_oracle", Path(__file__).with_name("oracle.py"))
oracle = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(oracle)

ADVANTAGE_TOLERANCE = 1e-5
METRIC_TOLERANCE = 1e-6
INDEX_KINDS = ("str", "int", "uuid", "object_array", "tensor")


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    bmax = draw(st.integers(1, 16))
    return {
        "alpha": draw(st.sampled_from([0.5, 1.0, 2.0])),
        "beta": draw(st.sampled_from([0.0, 0.5, 0.95])),
        "epsilon": draw(st.sampled_from([1e-8, 1e-3])),
        "bmax": bmax,
        "lambda_min": draw(st.sampled_from([0.0, 0.3, 0.6, 1.0])),
        "lstar_mode": draw(st.sampled_from(LSTAR_MODES)),
        "aggregator": draw(st.sampled_from(AGGREGATORS)),
        "static_lambda_corr": draw(st.one_of(st.none(), st.sampled_from([0.0, 0.2, 0.5, 1.0]))),
        "lstar_min": draw(st.integers(1, bmax)),
        "short_guard": draw(st.integers(0, 12)),
        "whiten": draw(st.sampled_from(WHITEN_MODES)),
    }


@st.composite
def batches(draw: st.DrawFn) -> tuple[list[list[float]], list[list[float]], list[int]]:
    """Rewards, mask and integer group labels of a batch with every awkward feature on offer:
    unequal groups, groups of one, all-correct/all-wrong groups or batches, equal lengths,
    non-contiguous masks, fractional scores and zero-length padding rows (own or shared labels)."""
    width = draw(st.integers(1, 12))
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=5))
    batch_kind = draw(st.sampled_from(["mixed", "all_correct", "all_wrong"]))
    equal_length = draw(st.one_of(st.none(), st.integers(1, width)))
    score_values = draw(st.sampled_from([(0.0, 1.0), (0.0, 0.2, 0.8, 1.0)]))
    contiguous = draw(st.booleans())
    rows: list[tuple[int, float, list[float]]] = []
    for label, size in enumerate(sizes):
        kind = (
            draw(st.sampled_from(["mixed", "all_correct", "all_wrong"]))
            if batch_kind == "mixed"
            else batch_kind
        )
        for _ in range(size):
            length = equal_length if equal_length is not None else draw(st.integers(1, width))
            if kind == "mixed":
                score = draw(st.sampled_from(score_values))
            else:
                score = 1.0 if kind == "all_correct" else 0.0
            if contiguous:
                mask_row = [1.0] * length + [0.0] * (width - length)
            else:
                positions = draw(st.permutations(range(width)))[:length]
                mask_row = [1.0 if t in positions else 0.0 for t in range(width)]
            rows.append((label, score, mask_row))
    for padding in range(draw(st.integers(0, 3))):
        label = draw(st.sampled_from([1000 + padding, 0]))
        rows.append((label, 0.0, [0.0] * width))
    order = draw(st.permutations(range(len(rows))))
    rewards, mask, labels = [], [], []
    for position in order:
        label, score, mask_row = rows[position]
        reward_row = [0.0] * width
        if any(mask_row):
            reward_row[max(t for t in range(width) if mask_row[t])] = score
        rewards.append(reward_row)
        mask.append(mask_row)
        labels.append(label)
    return rewards, mask, labels


def as_index(labels: list[int], kind: str) -> Any:
    if kind == "str":
        return [f"prompt-{label}" for label in labels]
    if kind == "int":
        return labels
    if kind == "uuid":
        return [uuid.UUID(int=label) for label in labels]
    if kind == "object_array":
        return np.array([f"uid-{label}" for label in labels], dtype=object)
    return torch.tensor(labels)


def assert_step_matches(
    estimator: LEADEstimator, state: dict[str, Any], config: dict, batch: tuple, kind: str
) -> dict[str, Any]:
    rewards, mask, labels = batch
    advantages, metrics = estimator(torch.tensor(rewards), torch.tensor(mask), as_index(labels, kind))
    expected_advantages, expected_metrics, expected_state = oracle.oracle_step(
        rewards, mask, labels, config, state
    )
    torch.testing.assert_close(
        advantages.double(),
        torch.tensor(expected_advantages, dtype=torch.float64),
        atol=ADVANTAGE_TOLERANCE,
        rtol=0,
    )
    assert set(metrics) == set(expected_metrics)
    for name, expected in expected_metrics.items():
        assert metrics[name] == pytest.approx(expected, rel=METRIC_TOLERANCE, abs=METRIC_TOLERANCE), name
    actual_state = estimator.state_dict()
    assert actual_state["initialized"] is True and actual_state["step"] == expected_state["step"]
    for key in ("ema_w_corr", "ema_w_eff"):
        assert actual_state[key] == pytest.approx(
            expected_state[key], rel=METRIC_TOLERANCE, abs=METRIC_TOLERANCE
        )
    return expected_state


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    config=configs(),
    steps=st.lists(batches(), min_size=1, max_size=3),
    kind=st.sampled_from(INDEX_KINDS),
)
def test_estimator_matches_oracle_over_consecutive_steps(config, steps, kind):
    estimator = LEADEstimator(LEADConfig(**config))
    state = oracle.initial_state()
    for batch in steps:
        state = assert_step_matches(estimator, state, config, batch, kind)


@settings(max_examples=60, deadline=None)
@given(config=configs(), batch=batches())
def test_default_recipe_scale_config_matches_oracle(config, batch):
    """The published defaults (bmax 8000, lstar_min 1000) with lengths scaled into that range."""
    rewards, mask, labels = batch
    scaled_mask = [[value for value in row for _ in range(700)] for row in mask]
    scaled_rewards = [[0.0] * (700 * len(row) - 1) + [sum(row)] for row in rewards]
    defaults = {**config, "bmax": 8000, "lstar_min": 1000, "short_guard": 500, "alpha": 1.0, "beta": 0.95}
    estimator = LEADEstimator(LEADConfig(**defaults))
    assert_step_matches(
        estimator, oracle.initial_state(), defaults, (scaled_rewards, scaled_mask, labels), "str"
    )
