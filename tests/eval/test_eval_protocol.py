"""Benchmarks, prompt templates and seeds of the evaluation protocol, on the shipped data files."""

import pytest

from lead.data.schema import INSTRUCTION, load_rl_parquet
from lead.eval.problems import load_problems, sample_seed
from lead.eval.protocol import SamplingConfig, default_data_dir, resolve_benchmarks


def test_default_benchmarks_are_the_papers_five_with_their_n():
    specs = resolve_benchmarks(None)
    assert [(s.name, s.n) for s in specs] == [
        ("math500", 3),
        ("aime24", 10),
        ("aime25", 10),
        ("amc23", 10),
        ("olympiadbench", 3),
    ]
    assert all(s.path.parent == default_data_dir() and s.path.is_file() for s in specs)


def test_sampling_defaults_follow_sober_reasoning():
    sampling = SamplingConfig()
    assert (sampling.temperature, sampling.top_p, sampling.max_new_tokens) == (0.8, 0.9, 32768)


@pytest.mark.parametrize(("field", "kwargs"), [("top_p", {"top_p": 0}), ("temperature", {"temperature": -1})])
def test_bad_sampling_values_are_rejected(field, kwargs):
    with pytest.raises(ValueError, match=field):
        SamplingConfig(**kwargs)


def test_unknown_benchmark_error_names_the_allowed_ones():
    with pytest.raises(
        ValueError, match=r"unknown benchmark 'gsm8k'.*math500, aime24, aime25, amc23, olympiadbench"
    ):
        resolve_benchmarks(["gsm8k"])


def test_missing_files_are_reported(tmp_path):
    with pytest.raises(ValueError, match="--data-dir"):
        resolve_benchmarks(["aime24"], data_dir=tmp_path)
    with pytest.raises(ValueError, match="not found"):
        resolve_benchmarks([str(tmp_path / "nothing.parquet")])


def test_parquet_path_and_n_override(benchmark_file):
    specs = resolve_benchmarks(["aime25", str(benchmark_file)], n=2)
    assert [(s.name, s.n) for s in specs] == [("aime25", 2), ("toy", 2)]
    with pytest.raises(ValueError, match="duplicates"):
        resolve_benchmarks([str(benchmark_file), str(benchmark_file)])


def test_train_template_is_the_dataset_prompt():
    spec = resolve_benchmarks(["aime24"])[0]
    problems = load_problems(spec, "train", limit=3)
    frame = load_rl_parquet(spec.path)
    assert len(problems) == 3
    for problem, (_, row) in zip(problems, frame.head(3).iterrows(), strict=True):
        assert problem.messages == [dict(m) for m in row["prompt"]]
        assert problem.messages[-1]["content"].endswith(INSTRUCTION)
        assert problem.problem_id == row["extra_info"]["problem_id"]
        assert problem.ground_truth == row["reward_model"]["ground_truth"]


def test_sober_template_wraps_the_bare_problem():
    spec = resolve_benchmarks(["amc23"])[0]
    problem = load_problems(spec, "sober", limit=1)[0]
    bare = load_rl_parquet(spec.path).iloc[0]["extra_info"]["problem"]
    (message,) = problem.messages
    assert message["role"] == "user"
    assert message["content"].startswith("Solve the following math problem efficiently and clearly.")
    assert "'Therefore, the final answer is: $\\boxed{ANSWER}$. I hope it is correct'" in message["content"]
    assert message["content"].endswith("\n\n" + bare)
    assert INSTRUCTION not in message["content"]


def test_unknown_template_is_rejected(benchmark_file):
    spec = resolve_benchmarks([str(benchmark_file)])[0]
    with pytest.raises(ValueError, match=r"train.*sober"):
        load_problems(spec, "chatty")


def test_sample_seeds_are_stable_and_distinct():
    seeds = {sample_seed(0, "aime24", str(p), k) for p in range(30) for k in range(10)}
    assert len(seeds) == 300
    assert sample_seed(0, "aime24", "60", 3) == sample_seed(0, "aime24", "60", 3)
    assert sample_seed(1, "aime24", "60", 3) != sample_seed(0, "aime24", "60", 3)
