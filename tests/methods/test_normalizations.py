"""The spec's normalisations: against the loop oracle, and equal to verl's estimators on the same rewards."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from methods_support import assert_rows_close, method_batches, oracle_common, tensors
from verl.trainer.ppo.core_algos import (
    compute_grpo_outcome_advantage,
    compute_reinforce_plus_plus_baseline_outcome_advantage,
    compute_rloo_vectorized_outcome_advantage,
)

from lead.core.frame import frame_batch
from lead.core.normalization import NORMALIZATIONS, normalize

BUDGET = 8


def shaped_rewards(rows: list, draw) -> list:
    """Rows with real-valued rewards (as the methods' shaped rewards are)."""
    return [
        oracle_common.Row(
            row.label, draw(st.sampled_from([-1.0, -0.5, 0.0, 0.25, 1.0, 1.5])), row.length, row.problem
        )
        for row in rows
    ]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET), data=st.data(), name=st.sampled_from(sorted(NORMALIZATIONS)))
def test_each_normalization_matches_the_oracle(rows, data, name):
    rows = shaped_rewards(rows, data.draw)
    rewards, mask, index, _ = tensors(rows)
    responses = frame_batch(rewards, mask, index).responses
    ours = normalize(name, responses.scores, responses.groups, responses.lengths).tolist()
    valid = oracle_common.valid_positions(rows)
    expected = oracle_common.normalized(name, {p: rows[p].score for p in valid}, rows)
    assert_rows_close(ours, [expected[p] for p in valid])


VERL = {
    "group": compute_grpo_outcome_advantage,
    "batch": compute_reinforce_plus_plus_baseline_outcome_advantage,
    "rloo": compute_rloo_vectorized_outcome_advantage,
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=method_batches(BUDGET), data=st.data(), name=st.sampled_from(sorted(VERL)))
def test_equals_verl_on_the_same_rewards(rows, data, name):
    rows = [row for row in shaped_rewards(rows, data.draw) if row.length > 0]
    rewards, mask, index, _ = tensors(rows)
    if name == "batch" and mask.sum() <= 1:
        return  # verl's masked whitening needs two tokens
    responses = frame_batch(rewards, mask, index).responses
    ours = normalize(name, responses.scores, responses.groups, responses.lengths)
    theirs, _ = VERL[name](rewards, mask, np.array(index, dtype=object))
    torch.testing.assert_close(ours.float().unsqueeze(-1) * mask, theirs, rtol=1e-5, atol=1e-5)


def test_unknown_normalization_names_the_allowed_ones():
    responses = frame_batch(torch.ones(1, 1), torch.ones(1, 1), ["a"]).responses
    with pytest.raises(
        ValueError, match="normalization='z' is invalid: allowed values are group, mean, rloo"
    ):
        normalize("z", responses.scores, responses.groups, responses.lengths)
