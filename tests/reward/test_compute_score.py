"""compute_score: verl's signature and result keys, the length bonus, and verl's real reward path."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from tokenizers import Tokenizer, decoders, models, pre_tokenizers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from lead.reward import compute_score

KEYS = {
    "score",
    "acc",
    "pred",
    "has_answer",
    "timed_out",
    "unreadable",
    "queue_timed_out",
    "queue_seconds",
    "length_bonus",
}


@pytest.fixture(scope="module")
def tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real byte-level tokenizer saved to disk: one token per UTF-8 byte (so "é" is 2 tokens)."""
    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {symbol: index for index, symbol in enumerate(alphabet)}
    vocab["<eos>"] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    path = tmp_path_factory.mktemp("byte_tokenizer")
    PreTrainedTokenizerFast(tokenizer_object=core, eos_token="<eos>", pad_token="<eos>").save_pretrained(path)
    return path


@pytest.mark.parametrize(
    ("response", "gold", "expected"),
    [
        ("so \\boxed{\\dfrac{1}{2}}", "0.5", (1.0, 1.0, "\\dfrac{1}{2}", True, False)),
        ("so \\boxed{3}", "0.5", (0.0, 0.0, "3", True, False)),
        ("no answer", "0.5", (0.0, 0.0, "", False, False)),
        ("\\boxed{9^{9^{9^{9}}}}", "0.5", (0.0, 0.0, "9^{9^{9^{9}}}", True, True)),
        (None, "0.5", (0.0, 0.0, "", False, False)),
        ("\\boxed{1}", None, (0.0, 0.0, "1", True, False)),
    ],
)
def test_same_keys_for_every_sample(response: object, gold: object, expected: tuple) -> None:
    result = compute_score("deepscaler", response, gold, {"index": 0}, timeout=1.0)  # type: ignore[arg-type]
    assert set(result) == KEYS
    assert (
        result["score"],
        result["acc"],
        result["pred"],
        result["has_answer"],
        result["timed_out"],
    ) == expected
    assert isinstance(result["has_answer"], bool) and isinstance(result["pred"], str)


def _response(filler: str) -> str:
    return f"{filler}\\boxed{{7}}"


def test_length_bonus_counts_tokens_with_a_tokenizer_path(tokenizer_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    short, accented = _response("ok "), _response("é" * 20)
    assert len(tokenizer.encode(accented, add_special_tokens=False)) == len(accented) + 20
    kwargs = {"length_bonus": 0.5, "length_threshold": len(accented), "tokenizer_path": str(tokenizer_dir)}
    assert compute_score("deepscaler", short, "7", **kwargs)["score"] == 1.5
    # As many characters as the threshold, but 20 tokens more: no bonus.
    long = compute_score("deepscaler", accented, "7", **kwargs)
    assert (long["score"], long["acc"], long["length_bonus"]) == (1.0, 1.0, 0.0)
    wrong = compute_score("deepscaler", _response("ok "), "8", **kwargs)
    assert (wrong["score"], wrong["length_bonus"]) == (0.0, 0.0)


def test_length_bonus_from_a_given_length_or_tokenizer(tokenizer_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    bonus = {"length_bonus": 0.25, "length_threshold": 100}
    assert compute_score("d", _response(""), "7", response_length=100, **bonus)["score"] == 1.25
    assert compute_score("d", _response(""), "7", response_length=101, **bonus)["score"] == 1.0
    assert compute_score("d", _response(""), "7", {"response_length": 50}, **bonus)["score"] == 1.25
    # The caller's count wins over re-tokenising (the reward manager passes the response mask's count).
    given = compute_score("d", _response(""), "7", {"response_length": 101}, tokenizer=tokenizer, **bonus)
    assert given["score"] == 1.0
    assert compute_score("d", _response("a" * 200), "7", tokenizer=tokenizer, **bonus)["score"] == 1.0
    assert compute_score("d", _response(""), "7", tokenizer=tokenizer, **bonus)["score"] == 1.25


@pytest.mark.parametrize(
    ("gold", "tokens", "requires_correct", "expected"),
    [
        ("7", 10, True, (0.8, 0.2)),
        ("7", 11, True, (0.6, 0.0)),
        ("8", 10, True, (0.0, 0.0)),
        ("8", 10, False, (0.2, 0.2)),
        ("8", 11, False, (0.0, 0.0)),
        ("7", 10, False, (0.8, 0.2)),
    ],
)
def test_weighted_bonus_with_and_without_the_correctness_condition(
    gold: str, tokens: int, requires_correct: bool, expected: tuple
) -> None:
    """Table 2 of the paper at r = 1/3: lambda_c = 0.6 on correctness, lambda_e = 0.2 on the bonus."""
    kwargs = {"correct_weight": 0.6, "length_bonus": 0.2, "length_threshold": 10}
    result = compute_score(
        "d", _response(""), gold, response_length=tokens, bonus_requires_correct=requires_correct, **kwargs
    )
    assert set(result) == KEYS
    assert (result["score"], result["length_bonus"]) == pytest.approx(expected)
    assert result["acc"] == (1.0 if gold == "7" else 0.0)


def test_bonus_is_off_by_default() -> None:
    result = compute_score("deepscaler", _response(""), "7", response_length=1)
    assert (result["score"], result["length_bonus"]) == (1.0, 0.0)
    # No length is needed, nor counted, without a bonus.
    assert compute_score("deepscaler", _response(""), "7", correct_weight=0.5)["score"] == 0.5


@pytest.mark.parametrize(
    ("chars", "expected"),
    [(8000, (2.0, 1.0)), (8001, (1.0, 0.0)), (8003, (1.0, 0.0)), (7999, (2.0, 1.0))],
)
def test_release_unit_is_a_quarter_of_the_sequence_characters(chars: int, expected: tuple) -> None:
    """len(prompt + response) / 4 <= 2000 with float division: 8001 characters are 2000.25 "tokens"."""
    kwargs = {"length_bonus": 1.0, "length_threshold": 2000, "length_unit": "release_chars"}
    keyword = compute_score("d", _response(""), "7", sequence_chars=chars, **kwargs)
    from_info = compute_score("d", _response(""), "7", {"sequence_chars": chars}, **kwargs)
    assert (keyword["score"], keyword["length_bonus"]) == expected
    assert (from_info["score"], from_info["length_bonus"]) == expected


def test_release_unit_ignores_the_token_count() -> None:
    """Under release_chars only the sequence's characters decide; a short token count does not help."""
    kwargs = {"length_bonus": 1.0, "length_threshold": 10, "length_unit": "release_chars"}
    result = compute_score("d", _response(""), "7", {"response_length": 1, "sequence_chars": 44}, **kwargs)
    assert (result["score"], result["length_bonus"]) == (1.0, 0.0)
    tokens = compute_score(
        "d",
        _response(""),
        "7",
        {"response_length": 1, "sequence_chars": 44},
        length_bonus=1.0,
        length_threshold=10,
    )
    assert tokens["score"] == 2.0


KEY = "reward.custom_reward_function.reward_kwargs"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"length_bonus": -0.1}, f"{KEY}.length_bonus=-0.1 is invalid: allowed is a finite number >= 0"),
        ({"length_bonus": float("nan")}, f"{KEY}.length_bonus=nan is invalid"),
        ({"correct_weight": True}, f"{KEY}.correct_weight=True is invalid"),
        ({"length_bonus": 0.5, "length_threshold": 0}, f"{KEY}.length_threshold=0 is invalid: allowed is an"),
        ({"length_threshold": 2.5}, f"{KEY}.length_threshold=2.5 is invalid"),
        ({"bonus_requires_correct": "no"}, f"{KEY}.bonus_requires_correct='no' is invalid: allowed is true"),
        ({"length_bonus": 0.5}, "length_bonus > 0 needs the response length in tokens"),
        (
            {"length_unit": "chars"},
            f"{KEY}.length_unit='chars' is invalid: allowed values are tokens, release_chars",
        ),
        (
            {"length_bonus": 0.5, "length_unit": "release_chars", "response_length": 3},
            f"{KEY}.length_unit=release_chars needs the characters of the decoded prompt plus response",
        ),
        ({"timeout": 0}, "timeout must be a positive number"),
    ],
)
def test_invalid_configuration_is_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        compute_score("deepscaler", _response(""), "7", **kwargs)


def test_a_missing_length_is_a_configuration_error_even_for_wrong_answers() -> None:
    """The error comes on the first call, whatever the sample, not on the first correct one."""
    with pytest.raises(ValueError, match="needs the response length in tokens"):
        compute_score("deepscaler", _response(""), "8", length_bonus=0.5)


def test_through_verls_custom_reward_function_loader(tokenizer_dir: Path) -> None:
    from verl.trainer.ppo.reward import get_custom_reward_fn

    config = OmegaConf.create(
        {
            "reward": {
                "custom_reward_function": {
                    "path": "pkg://lead.reward",
                    "name": "compute_score",
                    "reward_kwargs": {
                        "length_bonus": 0.5,
                        "length_threshold": 64,
                        "tokenizer_path": str(tokenizer_dir),
                    },
                }
            }
        }
    )
    score_fn = get_custom_reward_fn(config)
    short = score_fn(data_source="deepscaler", solution_str="\\boxed{7}", ground_truth="7", extra_info={})
    long = score_fn(
        data_source="deepscaler", solution_str="x" * 100 + "\\boxed{7}", ground_truth="7", extra_info={}
    )
    assert (short["score"], long["score"]) == (1.5, 1.0)


def test_verls_naive_reward_loop_scores_in_executor_threads(tokenizer_dir: Path) -> None:
    """verl's reward loop runs compute_score in a thread pool; math-verify answers must still grade."""
    from verl import DataProto
    from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
    from verl.trainer.ppo.reward import get_custom_reward_fn

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)
    config = OmegaConf.create(
        {"reward": {"custom_reward_function": {"path": "pkg://lead.reward", "name": "compute_score"}}}
    )
    manager = NaiveRewardManager(OmegaConf.create({}), tokenizer, get_custom_reward_fn(config))
    scores = []
    for response, gold in [("so \\boxed{\\sqrt{8}}", "2\\sqrt{2}"), ("so \\boxed{\\sqrt{7}}", "2\\sqrt{2}")]:
        prompt_ids = tokenizer.encode("Q?", add_special_tokens=False)
        response_ids = tokenizer.encode(response, add_special_tokens=False)
        data = DataProto.from_dict(
            tensors={
                "prompts": torch.tensor([prompt_ids]),
                "responses": torch.tensor([response_ids]),
                "attention_mask": torch.ones(1, len(prompt_ids) + len(response_ids), dtype=torch.long),
            },
            non_tensors={
                "data_source": np.array(["deepscaler"], dtype=object),
                "reward_model": np.array([{"ground_truth": gold, "style": "rule"}], dtype=object),
                "extra_info": np.array([{"index": 0}], dtype=object),
            },
        )
        output = manager.loop.run_until_complete(manager.run_single(data))
        assert set(output["reward_extra_info"]) == KEYS
        scores.append(output["reward_score"])
    assert scores == [1.0, 0.0]
