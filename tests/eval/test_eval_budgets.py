"""Honest budgets: max new tokens clamped to the room the prompt leaves in the context, prompts that
do not fit skipped and counted, the same budgets from both backends, and resume unchanged."""

import json

import pytest

from lead.eval.backends.base import GenerationRequest
from lead.eval.budget import budget_metrics, effective_max_new_tokens, plan_budgets
from lead.eval.cli import main
from lead.eval.samples import SampleRecord

SMALL_CONTEXT = 94  # of the small_context_model_dir fixture
# chat prompts of 76, 84, 88 and 202 tokens: room 18, 10, 6 and none in the 94-token context
BUDGET_PROBLEMS = [
    ("short", "2+2?", "4"),
    ("fits", "What is 2+2?", "4"),
    ("tight", "What is 8/2 now?", "4"),
    ("long", "What is " + "1+" * 60 + "1?", "61"),
]


@pytest.mark.parametrize(
    ("prompt", "requested", "context", "expected"),
    [(10, 16, None, 16), (10, 16, 100, 16), (90, 16, 100, 10), (100, 16, 100, 0), (120, 16, 100, -20)],
)
def test_effective_max_new_tokens(prompt, requested, context, expected):
    assert effective_max_new_tokens(prompt, requested, context) == expected


def test_plan_clamps_and_skips():
    requests = [GenerationRequest([0] * length, seed, 16) for seed, length in enumerate([76, 84, 94, 88])]
    plan = plan_budgets(requests, SMALL_CONTEXT)
    assert plan.kept == [0, 1, 3] and plan.skipped == [2] and plan.clamped == 2
    assert [r.max_new_tokens for r in plan.requests] == [16, 10, 6]
    assert [r.seed for r in plan.requests] == [0, 1, 3]
    unlimited = plan_budgets(requests, None)
    assert unlimited.requests == requests and unlimited.skipped == [] and unlimited.clamped == 0


def test_budget_metrics_leave_out_samples_without_a_recorded_budget():
    def record(budget):
        return SampleRecord("b", "p", 0, 0, "r", 3, "stop", "1", True, True, budget)

    assert budget_metrics([record(16), record(10), record(None)], 16, skipped_problems=2) == {
        "max_new_tokens": 16,
        "effective_max_new_tokens_min": 10,
        "effective_max_new_tokens_mean": 13,
        "clamped_samples": 1,
        "skipped_problems": 2,
    }


@pytest.fixture
def budget_benchmark(tmp_path, benchmark_writer):
    return benchmark_writer(tmp_path / "data" / "toy.parquet", "toy", BUDGET_PROBLEMS)


def run(model, benchmark, out, backend, *extra):
    args = [str(model), "--benchmarks", str(benchmark), "--n", "2", "--max-new-tokens", "16"]
    return main([*args, "--backend", backend, "--device", "cpu", "--out", str(out), *extra])


def read_samples(out):
    lines = (out / "samples.jsonl").read_text().splitlines()
    return {(s["problem_id"], s["sample_index"]): s for s in map(json.loads, lines)}


EXPECTED_BUDGET = {
    "max_new_tokens": 16,
    "effective_max_new_tokens_min": 6,
    "effective_max_new_tokens_mean": pytest.approx(32 / 3),
    "clamped_samples": 4,
    "skipped_problems": 1,
}


def test_transformers_budgets_follow_the_models_context(small_context_model_dir, budget_benchmark, tmp_path):
    out = tmp_path / "out"
    with pytest.warns(UserWarning, match=r"4 of 8 samples .*as few as 6\); .* are skipped: 1 \(toy/long\)"):
        assert run(small_context_model_dir, budget_benchmark, out, "transformers") == 0
    budgets = {
        key: (s["max_new_tokens"], s["num_tokens"], s["finish_reason"])
        for key, s in read_samples(out).items()
    }
    assert budgets == {
        (problem, k): outcome
        for problem, outcome in [
            ("short", (16, 10, "stop")),
            ("fits", (10, 10, "stop")),
            ("tight", (6, 6, "length")),
        ]
        for k in range(2)
    }
    results = json.loads((out / "results.json").read_text())
    toy = results["benchmarks"]["toy"]
    assert toy["budget"] == EXPECTED_BUDGET
    assert (toy["num_problems"], toy["pass@1"]) == (3, pytest.approx(2 / 3))
    assert results["samples_generated"] == 6 and results["settings"]["context_length"] == SMALL_CONTEXT
    table = (out / "results.md").read_text()
    assert "| toy | 16 | 6 | 11 | 4 | 1 |" in table

    log = (out / "samples.jsonl").read_bytes()
    with pytest.warns(UserWarning, match="longer than the context are skipped: 1"):
        run(small_context_model_dir, budget_benchmark, out, "transformers")  # resume: only the skipped one
    assert (out / "samples.jsonl").read_bytes() == log
    resumed = json.loads((out / "results.json").read_text())
    assert resumed["samples_generated"] == 0 and resumed["benchmarks"] == results["benchmarks"]


def test_vllm_requests_are_clamped_and_report_the_same_budgets(
    standin_vllm, small_context_model_dir, budget_benchmark, tmp_path
):
    """The stand-in engine rejects a whole call holding a too-long prompt, as vLLM does."""
    log = standin_vllm()
    out = tmp_path / "vllm"
    with pytest.warns(UserWarning, match="longer than the context are skipped: 1"):
        assert run(small_context_model_dir, budget_benchmark, out, "vllm") == 0
    assert [len(p["prompt_token_ids"]) for p in log.prompts] == [76, 76, 84, 84, 88, 88]
    assert [kwargs["max_tokens"] for kwargs in log.sampling_kwargs] == [16, 16, 10, 10, 6, 6]
    toy = json.loads((out / "results.json").read_text())["benchmarks"]["toy"]
    assert toy["budget"] == EXPECTED_BUDGET

    reference = tmp_path / "transformers"
    with pytest.warns(UserWarning):
        run(small_context_model_dir, budget_benchmark, reference, "transformers")
    assert toy == json.loads((reference / "results.json").read_text())["benchmarks"]["toy"]
    assert read_samples(out) == read_samples(reference)


def test_max_model_len_option_sets_the_transformers_context(tiny_model_dir, budget_benchmark, tmp_path):
    out = tmp_path / "out"
    with pytest.warns(UserWarning, match="context holds 94 tokens"):
        run(tiny_model_dir, budget_benchmark, out, "transformers", "--max-model-len", str(SMALL_CONTEXT))
    assert json.loads((out / "results.json").read_text())["benchmarks"]["toy"]["budget"] == EXPECTED_BUDGET


def test_a_benchmark_with_no_prompt_that_fits_is_refused(
    small_context_model_dir, benchmark_writer, tmp_path, capsys
):
    too_long = benchmark_writer(tmp_path / "long.parquet", "long", BUDGET_PROBLEMS[3:])
    with pytest.raises(SystemExit) as exit_info, pytest.warns(UserWarning):
        run(small_context_model_dir, too_long, tmp_path / "out", "transformers")
    assert exit_info.value.code == 2
    assert "benchmark 'long': none of its 1 prompts fits the model's context" in capsys.readouterr().err


def test_bad_max_model_len_is_explained(tiny_model_dir, budget_benchmark, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(tiny_model_dir, budget_benchmark, tmp_path / "out", "transformers", "--max-model-len", "0")
    assert exit_info.value.code == 2
    assert "max_model_len must be >= 1 or unset (the model's), got 0" in capsys.readouterr().err
