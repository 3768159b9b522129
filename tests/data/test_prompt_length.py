"""``python -m lead.data.check --tokenizer``: prompts over max_prompt_length, counted as verl counts them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from omegaconf import OmegaConf
from transformers import AutoTokenizer

from lead.data.prompt_length import overlong_prompts

ROOT = Path(__file__).resolve().parents[2]
MATH500 = ROOT / "data/math/test.parquet"


def check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lead.data.check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def prompt_contents(path: Path) -> list[str]:
    return [messages[0]["content"] for messages in pd.read_parquet(path)["prompt"]]


@pytest.mark.slow
def test_check_counts_prompts_over_the_limit(char_tokenizer_dir: Path, char_prompt_tokens) -> None:
    lengths = [char_prompt_tokens(content) for content in prompt_contents(MATH500)]
    over = sum(length > 1024 for length in lengths)
    assert over > 0
    result = check(str(MATH500.relative_to(ROOT)), "--tokenizer", str(char_tokenizer_dir))
    assert result.returncode == 0, result.stderr
    assert f"; {over}/500 prompts over 1024 tokens (longest {max(lengths)})" in result.stdout

    aime = ROOT / "data/eval/aime24.parquet"
    lengths = [char_prompt_tokens(content) for content in prompt_contents(aime)]
    result = check(str(aime), "--tokenizer", str(char_tokenizer_dir), "--max-prompt-length", "300")
    assert result.returncode == 0, result.stderr
    assert f"; {sum(length > 300 for length in lengths)}/30 prompts over 300 tokens" in result.stdout


@pytest.mark.slow
def test_count_is_what_verls_filter_drops(char_tokenizer_dir: Path, tmp_path: Path) -> None:
    """verl's RLHFDataset with data.filter_overlong_prompts=True keeps exactly the other rows."""
    from verl.utils.dataset.rl_dataset import RLHFDataset

    path = tmp_path / "rows.parquet"
    pd.read_parquet(ROOT / "data/eval/aime24.parquet").to_parquet(path)
    tokenizer = AutoTokenizer.from_pretrained(char_tokenizer_dir)
    limit = 400
    config = OmegaConf.create(
        {"max_prompt_length": limit, "filter_overlong_prompts": True, "filter_overlong_prompts_workers": 1}
    )
    dataset = RLHFDataset(str(path), tokenizer, config)
    overlong = overlong_prompts(pd.read_parquet(path)["prompt"], tokenizer, limit)
    assert 0 < overlong.count < 30
    assert len(dataset) == 30 - overlong.count


@pytest.mark.slow
@pytest.mark.parametrize(
    ("tokenizer", "message"),
    [("templateless", "it has no chat template"), ("missing", "none could be loaded from it")],
)
def test_a_tokenizer_that_cannot_count_is_a_usage_error(
    tokenizer: str, message: str, templateless_tokenizer_dir: Path, tmp_path: Path
) -> None:
    path = templateless_tokenizer_dir if tokenizer == "templateless" else tmp_path / "no-tokenizer-here"
    result = check(str(MATH500), "--tokenizer", str(path))
    assert result.returncode == 2
    assert f"--tokenizer: tokenizer '{path}' is invalid: {message}" in result.stderr
    assert result.stdout == ""


def test_max_prompt_length_must_be_positive() -> None:
    result = check(str(MATH500), "--max-prompt-length", "0")
    assert result.returncode == 2
    assert "--max-prompt-length: invalid value '0': allowed is an integer > 0" in result.stderr
