"""The evaluation protocol: benchmarks, sampling settings and prompt templates.

Defaults follow the Sober Reasoning protocol used by the LEAD paper: temperature 0.8, top-p 0.9,
pass@1 averaged over n samples per problem (n = 3 for MATH-500 and OlympiadBench, n = 10 for
AIME 2024, AIME 2025 and AMC 2023), the model's chat template.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from lead.data.schema import INSTRUCTION

SOBER_TEMPLATE = (
    "Solve the following math problem efficiently and clearly.  The last line of your response should "
    "be of the following format: 'Therefore, the final answer is: $\\boxed{{ANSWER}}$. I hope it is "
    "correct' (without quotes) where ANSWER is just the final number or expression that solves the "
    "problem. Think step by step before answering.\n\n{problem}"
)

PROMPT_TEMPLATES = ("train", "sober")


@dataclass(frozen=True)
class BenchmarkSpec:
    """A benchmark: its name, the parquet file (in the project's RL schema) and samples per problem."""

    name: str
    path: Path
    n: int


DEFAULT_N = {"math500": 3, "aime24": 10, "aime25": 10, "amc23": 10, "olympiadbench": 3}
DEFAULT_BENCHMARKS = tuple(DEFAULT_N)
CUSTOM_BENCHMARK_N = 3


@dataclass(frozen=True)
class SamplingConfig:
    """Sampling settings shared by every backend (temperature 0 means greedy decoding)."""

    temperature: float = 0.8
    top_p: float = 0.9
    max_new_tokens: int = 32768
    seed: int = 0

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature must be >= 0, got {self.temperature}")
        if not 0 < self.top_p <= 1:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be >= 1, got {self.max_new_tokens}")

    def to_dict(self) -> dict:
        return asdict(self)


def default_data_dir() -> Path:
    """The repository's ``data/eval`` folder, found relative to the installed ``lead`` package."""
    return Path(__file__).resolve().parents[2] / "data" / "eval"


def resolve_benchmarks(
    names_or_paths: list[str] | None, data_dir: Path | None = None, n: int | None = None
) -> list[BenchmarkSpec]:
    """Turn benchmark names (the five shipped ones) or parquet paths into specs.

    A parquet path gets its file stem as name and ``CUSTOM_BENCHMARK_N`` samples per problem;
    ``n`` overrides the number of samples for every benchmark.
    """
    if n is not None and n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    specs = []
    for item in names_or_paths or DEFAULT_BENCHMARKS:
        if item in DEFAULT_N:
            path = data_dir / f"{item}.parquet"
            if not path.is_file():
                raise ValueError(
                    f"benchmark {item!r}: file {path} not found; pass --data-dir pointing at the "
                    "repository's data/eval folder"
                )
            specs.append(BenchmarkSpec(item, path, n or DEFAULT_N[item]))
        elif item.endswith(".parquet"):
            path = Path(item)
            if not path.is_file():
                raise ValueError(f"benchmark file {path} not found")
            specs.append(BenchmarkSpec(path.stem, path.resolve(), n or CUSTOM_BENCHMARK_N))
        else:
            raise ValueError(
                f"unknown benchmark {item!r}; allowed: {', '.join(DEFAULT_BENCHMARKS)} or a path to a "
                ".parquet file in the project's RL schema"
            )
    names = [spec.name for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"benchmark names must be unique, got duplicates {duplicates}")
    return specs


def build_messages(template: str, prompt: list[dict], problem: str | None) -> list[dict]:
    """The chat messages for one problem.

    ``train`` uses the dataset's prompt as is (the training prompt); ``sober`` wraps the bare
    problem text in the Sober Reasoning instruction. The bare problem comes from
    ``extra_info.problem`` or, failing that, from the user message with the training suffix removed.
    """
    if template == "train":
        return [{"role": m["role"], "content": m["content"]} for m in prompt]
    if template == "sober":
        if problem is None:
            problem = prompt[-1]["content"].removesuffix(INSTRUCTION)
        return [{"role": "user", "content": SOBER_TEMPLATE.format(problem=problem)}]
    raise ValueError(f"prompt template must be one of {PROMPT_TEMPLATES}, got {template!r}")
