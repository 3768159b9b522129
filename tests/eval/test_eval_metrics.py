"""pass@k, per-benchmark metrics and the Accuracy-Efficiency Score against hand-computed values."""

import math

import pytest

from lead.eval.metrics import (
    AESWeights,
    accuracy_efficiency_score,
    aes_against_base,
    average_metrics,
    benchmark_metrics,
    pass_at_k,
)
from lead.eval.samples import SampleRecord


def record(problem_id: str, index: int, correct: bool, tokens: int, finish: str = "stop") -> SampleRecord:
    return SampleRecord("bench", problem_id, index, 0, "r", tokens, finish, "x", True, correct)


@pytest.mark.parametrize(
    ("n", "c", "k", "expected"),
    [
        (5, 2, 1, 0.4),  # 1 - C(3,1)/C(5,1) = 1 - 3/5
        (5, 2, 2, 0.7),  # 1 - C(3,2)/C(5,2) = 1 - 3/10
        (5, 2, 3, 0.9),  # 1 - C(3,3)/C(5,3) = 1 - 1/10
        (5, 2, 4, 1.0),  # fewer than k wrong samples
        (10, 0, 10, 0.0),
        (10, 10, 1, 1.0),
        (3, 1, 2, 2 / 3),  # 1 - C(2,2)/C(3,2) = 1 - 1/3
    ],
)
def test_pass_at_k_matches_hand_values(n, c, k, expected):
    assert pass_at_k(n, c, k) == pytest.approx(expected)


@pytest.mark.parametrize(("n", "c", "k"), [(3, 4, 1), (3, 1, 0), (3, 1, 4), (3, -1, 1)])
def test_pass_at_k_rejects_impossible_counts(n, c, k):
    with pytest.raises(ValueError, match="pass@k"):
        pass_at_k(n, c, k)


def test_benchmark_metrics_by_hand():
    records = [
        record("a", 0, True, 100),
        record("a", 1, True, 300),
        record("b", 0, True, 200),
        record("b", 1, False, 1000, "length"),
        record("c", 0, False, 400),
        record("c", 1, False, 1000, "length"),
    ]
    m = benchmark_metrics(records, n=2)
    assert m["num_problems"] == 3
    assert m["pass@1"] == pytest.approx(0.5)
    # per-problem accuracies 1, 0.5, 0: sample variance 0.25, standard error sqrt(0.25 / 3)
    assert m["pass@1_stderr"] == pytest.approx(math.sqrt(0.25 / 3))
    assert m["pass@k"]["1"] == pytest.approx(0.5)
    assert m["pass@k"]["2"] == pytest.approx(2 / 3)
    assert m["mean_tokens"] == pytest.approx(3000 / 6)
    assert m["mean_tokens_correct"] == pytest.approx(200)
    assert m["truncation_rate"] == pytest.approx(2 / 6)


def test_benchmark_metrics_requires_complete_problems():
    with pytest.raises(ValueError, match="exactly n=2"):
        benchmark_metrics([record("a", 0, True, 1), record("a", 1, True, 1), record("b", 0, True, 1)], n=2)


def test_no_correct_sample_gives_no_correct_length():
    m = benchmark_metrics([record("a", 0, False, 7)], n=1)
    assert m["mean_tokens_correct"] is None
    assert m["pass@1_stderr"] is None


@pytest.mark.parametrize(
    ("accuracy", "length", "weights", "expected"),
    [
        (0.55, 4000, AESWeights(), 0.6 + 3 * 0.1),  # dL = 0.6, dA = +0.1
        (0.45, 4000, AESWeights(), 0.6 - 5 * 0.1),  # dA = -0.1 is penalised with c
        (0.50, 12000, AESWeights(), -0.2),  # longer, same accuracy
        (0.55, 4000, AESWeights(a=2, b=1, c=1), 1.2 + 0.1),
    ],
)
def test_aes_matches_o1_pruner_definition(accuracy, length, weights, expected):
    assert accuracy_efficiency_score(accuracy, length, 0.5, 10000, weights) == pytest.approx(expected)


def test_aes_is_undefined_for_a_zero_base():
    assert accuracy_efficiency_score(0.4, 100, 0.0, 1000) is None


def test_aes_against_base_uses_shared_benchmarks_and_their_average():
    mine = {"x": {"pass@1": 0.6, "mean_tokens": 500}, "y": {"pass@1": 0.2, "mean_tokens": 1500}}
    base = {"x": {"pass@1": 0.5, "mean_tokens": 1000}, "y": {"pass@1": 0.2, "mean_tokens": 3000}, "z": {}}
    aes = aes_against_base(mine, base, AESWeights())
    assert aes["benchmarks"] == ["x", "y"]
    assert aes["per_benchmark"]["x"] == pytest.approx(0.5 + 3 * 0.2)
    assert aes["per_benchmark"]["y"] == pytest.approx(0.5)
    # averages: mine 0.4 at 1000 tokens, base 0.35 at 2000 tokens
    assert aes["average"] == pytest.approx(0.5 + 3 * (0.05 / 0.35))
    assert average_metrics(mine)["pass@1"] == pytest.approx(0.4)


def test_aes_against_base_without_shared_benchmark_is_an_error():
    with pytest.raises(ValueError, match="no benchmark in common"):
        aes_against_base({"x": {}}, {"y": {}}, AESWeights())
