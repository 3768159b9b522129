"""verl's reward managers with the project's grader on real MATH-500 rows and a locally built tokenizer."""

from __future__ import annotations

import asyncio
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import PreTrainedTokenizerFast
from verl import DataProto
from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
from verl.trainer.ppo.reward import load_reward_manager

from lead.integrations.verl.reward_manager import LEADRewardManager
from lead.reward import compute_score

TEST_PARQUET = Path(__file__).resolve().parents[3] / "data" / "math" / "test.parquet"
PAD, EOS = "<pad>", "<eos>"


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return pd.read_parquet(TEST_PARQUET).head(3)


@pytest.fixture(scope="module")
def responses(rows) -> list[str]:
    """Right (short), right (long) and wrong answers to the first rows' problems."""
    answers = [row["reward_model"]["ground_truth"] for _, row in rows.iterrows()]
    return [
        f"Short. The answer is \\boxed{{{answers[0]}}}.",
        "Let me think step by step. " * 12 + f"So the answer is \\boxed{{{answers[1]}}}.",
        "I guess the answer is \\boxed{123456789}.",
    ]


@pytest.fixture(scope="module")
def tokenizer(rows, responses) -> PreTrainedTokenizerFast:
    """A byte-level BPE tokenizer trained here on the prompts and responses (no hub access)."""
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    texts = [row["prompt"][0]["content"] for _, row in rows.iterrows()] + responses
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=[PAD, EOS], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token=PAD, eos_token=EOS)


def sample(tokenizer, row: pd.Series, response: str, prompt_width: int = 160, response_width: int = 120):
    """One scored sample as verl's reward loop hands it over: left-padded prompt, right-padded response."""
    prompt_ids = tokenizer.encode(row["prompt"][0]["content"])[-prompt_width:]
    response_ids = [*tokenizer.encode(response), tokenizer.eos_token_id][:response_width]
    pad = tokenizer.pad_token_id
    prompts = [pad] * (prompt_width - len(prompt_ids)) + prompt_ids
    padded_response = response_ids + [pad] * (response_width - len(response_ids))
    attention = [0] * (prompt_width - len(prompt_ids)) + [1] * (len(prompt_ids) + len(response_ids))
    attention += [0] * (response_width - len(response_ids))
    data = DataProto.from_dict(
        tensors={
            "prompts": torch.tensor([prompts]),
            "responses": torch.tensor([padded_response]),
            "attention_mask": torch.tensor([attention]),
        },
        non_tensors={
            "data_source": np.array([row["data_source"]], dtype=object),
            "reward_model": np.array([row["reward_model"]], dtype=object),
            "extra_info": np.array([dict(row["extra_info"])], dtype=object),
        },
    )
    return data, len(response_ids)


def score_all(manager, tokenizer, rows, responses) -> list[tuple[dict, int]]:
    results = []
    for (_, row), response in zip(rows.iterrows(), responses, strict=True):
        data, length = sample(tokenizer, row, response)
        results.append((manager.loop.run_until_complete(manager.run_single(data)), length))
    return results


def test_naive_manager_with_the_grader_scores_correctness(lead_config, tokenizer, rows, responses):
    manager = NaiveRewardManager(lead_config(), tokenizer, compute_score)
    scored = score_all(manager, tokenizer, rows, responses)
    assert [result["reward_score"] for result, _ in scored] == [1.0, 1.0, 0.0]
    for (result, _), (_, row), response in zip(scored, rows.iterrows(), responses, strict=True):
        expected = compute_score(row["data_source"], response, row["reward_model"]["ground_truth"])
        assert result["reward_extra_info"]["acc"] == expected["acc"]
        assert result["reward_extra_info"]["pred"] == expected["pred"]


def test_project_config_wires_the_lead_manager_and_grader(lead_config, tokenizer, rows, responses):
    manager = load_reward_manager(lead_config(), tokenizer)
    assert isinstance(manager, LEADRewardManager)
    scored = score_all(manager, tokenizer, rows, responses)
    assert [result["reward_score"] for result, _ in scored] == [1.0, 1.0, 0.0]
    for result, length in scored:
        assert result["reward_extra_info"]["response_length"] == length


KWARGS = "reward.custom_reward_function.reward_kwargs"
BONUS_CASES = [(True, [1.5, 0.5, 0.0]), (False, [1.5, 0.5, 1.0])]


@pytest.mark.parametrize(("requires_correct", "expected"), BONUS_CASES, ids=["paper", "release"])
def test_length_bonus_of_the_grpo_baselines(
    lead_config, tokenizer, rows, responses, requires_correct, expected
):
    """The bonus configured in reward_kwargs reaches compute_score through verl's loader."""
    pairs = zip(rows.iterrows(), responses, strict=True)
    short, long, wrong = (sample(tokenizer, row, text)[1] for (_, row), text in pairs)
    threshold = max(short, wrong)
    assert threshold < long
    config = lead_config(
        "algorithm.adv_estimator=grpo",
        f"{KWARGS}.correct_weight=0.5",
        f"{KWARGS}.length_bonus=1.0",
        f"{KWARGS}.length_threshold={threshold}",
        f"{KWARGS}.bonus_requires_correct={requires_correct}",
    )
    manager = load_reward_manager(config, tokenizer)
    assert isinstance(manager, LEADRewardManager)
    scored = score_all(manager, tokenizer, rows, responses)
    assert [result["reward_score"] for result, _ in scored] == expected
    for (result, length), score in zip(scored, expected, strict=True):
        info = result["reward_extra_info"]
        assert info["response_length"] == length
        assert info["score"] == score
        assert info["length_bonus"] == score - 0.5 * info["acc"]


def test_bonus_counts_the_response_mask_not_the_decoded_text(lead_config, tokenizer, rows, responses):
    """The EOS token is in the mask but not in the decoded text: the threshold is on the mask's count."""
    row = rows.iloc[0]
    data, length = sample(tokenizer, row, responses[0])
    assert len(tokenizer.encode(responses[0])) == length - 1
    scores = []
    for threshold in (length, length - 1):
        config = lead_config(
            "algorithm.adv_estimator=grpo",
            f"{KWARGS}.length_bonus=1.0",
            f"{KWARGS}.length_threshold={threshold}",
        )
        manager = load_reward_manager(config, tokenizer)
        scores.append(manager.loop.run_until_complete(manager.run_single(data))["reward_score"])
    assert scores == [2.0, 1.0]


def test_rollouts_sharing_one_extra_info_dict_get_their_own_lengths(lead_config, tokenizer, rows):
    """The rollouts of one prompt share their dataset dict and are scored concurrently."""
    row = rows.iloc[0]
    gold = row["reward_model"]["ground_truth"]
    short, long = f"\\boxed{{{gold}}}", "Thinking. " * 10 + f"\\boxed{{{gold}}}"
    (short_data, short_length), (long_data, long_length) = (
        sample(tokenizer, row, text) for text in (short, long)
    )
    shared = dict(row["extra_info"])
    for data in (short_data, long_data):
        data.non_tensor_batch["extra_info"][0] = shared
    config = lead_config(
        "algorithm.adv_estimator=grpo",
        f"{KWARGS}.length_bonus=1.0",
        f"{KWARGS}.length_threshold={short_length}",
    )
    manager = load_reward_manager(config, tokenizer)

    async def score_both():
        return await asyncio.gather(manager.run_single(short_data), manager.run_single(long_data))

    results = manager.loop.run_until_complete(score_both())
    assert [result["reward_score"] for result in results] == [2.0, 1.0]
    assert [result["reward_extra_info"]["response_length"] for result in results] == [
        short_length,
        long_length,
    ]
    assert shared == dict(row["extra_info"])


def test_the_manager_shapes_nothing_itself(lead_config, tokenizer, rows, responses):
    """Scores equal compute_score's with the same kwargs and the mask's token count."""
    config = lead_config(
        "algorithm.adv_estimator=grpo", f"{KWARGS}.length_bonus=0.25", f"{KWARGS}.length_threshold=30"
    )
    manager = load_reward_manager(config, tokenizer)
    kwargs = dict(config.reward.custom_reward_function.reward_kwargs)
    for (result, length), (_, row), response in zip(
        score_all(manager, tokenizer, rows, responses), rows.iterrows(), responses, strict=True
    ):
        gold = row["reward_model"]["ground_truth"]
        expected = compute_score(row["data_source"], response, gold, response_length=length, **kwargs)
        assert result["reward_score"] == expected["score"]
        assert {key: result["reward_extra_info"][key] for key in expected} == expected


def test_validation_logs_length_and_accuracy_per_benchmark(lead_config, tokenizer):
    from verl.trainer.ppo.v1 import PPOTrainer

    eval_dir = TEST_PARQUET.parents[1] / "eval"
    math500 = pd.read_parquet(eval_dir / "math500.parquet").iloc[0]
    aime24 = pd.read_parquet(eval_dir / "aime24.parquet").iloc[0]
    cases = [
        (math500, f"Done: \\boxed{{{math500['reward_model']['ground_truth']}}}."),
        (aime24, "Thinking " * 20 + "\\boxed{-1}"),
    ]
    manager = load_reward_manager(lead_config(), tokenizer)
    infos: dict[str, list] = {}
    lengths = []
    for row, response in cases:
        data, length = sample(tokenizer, row, response)
        result = manager.loop.run_until_complete(manager.run_single(data))
        infos.setdefault("reward", []).append(result["reward_score"])
        for key, value in result["reward_extra_info"].items():
            infos.setdefault(key, []).append(value)
        lengths.append(length)
    # The per-data-source aggregation of verl's v1 validation (PPOTrainer._val_metrics_update).
    sources, uids = ["math500", "aime24"], ["u0", "u1"]
    metrics = PPOTrainer._val_metrics_update(None, sources, uids, infos, sample_turns=[])
    assert metrics["val-core/math500/acc/mean@1"] == 1.0
    assert metrics["val-core/aime24/acc/mean@1"] == 0.0
    assert metrics["val-aux/math500/response_length/mean@1"] == lengths[0]
    assert metrics["val-aux/aime24/response_length/mean@1"] == lengths[1]


def grpo_advantages(scores: list[float]) -> torch.Tensor:
    """verl's GRPO advantage of one group of responses with these scores, one value per response."""
    from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage

    rewards = torch.tensor(scores).unsqueeze(1)
    index = np.array(["prompt"] * len(scores), dtype=object)
    advantages, _ = compute_grpo_outcome_advantage(rewards, torch.ones_like(rewards), index)
    return advantages[:, 0]


def test_release_unit_separates_correct_responses_inside_the_cap(lead_config, tokenizer, rows):
    """GRPO baseline, threshold = generation cap: constant bonus in tokens, not in the release's unit."""
    row = rows.iloc[0]
    gold = row["reward_model"]["ground_truth"]
    cap = 120  # the response width of ``sample``: no response can be longer
    group = [
        sample(tokenizer, row, "Let me think step by step. " * k + f"\\boxed{{{gold}}}")
        for k in (0, 4, 8, 12)
    ]
    assert all(length < cap for _, length in group)
    scores = {}
    for unit in ("tokens", "release_chars"):
        config = lead_config(
            "algorithm.adv_estimator=grpo",
            f"{KWARGS}.length_bonus=1.0",
            f"{KWARGS}.length_threshold={cap}",
            f"{KWARGS}.length_unit={unit}",
        )
        manager = load_reward_manager(config, tokenizer)
        results = [manager.loop.run_until_complete(manager.run_single(data)) for data, _ in group]
        scores[unit] = [result["reward_score"] for result in results]
    chars = [result["reward_extra_info"]["sequence_chars"] for result in results]
    assert scores["tokens"] == [2.0] * 4
    assert torch.equal(grpo_advantages(scores["tokens"]), grpo_advantages([1.0] * 4))  # plain correctness
    assert (
        scores["release_chars"]
        == [2.0 if count / 4 <= cap else 1.0 for count in chars]
        == [2.0, 2.0, 1.0, 1.0]
    )
    advantages = grpo_advantages(scores["release_chars"])
    assert bool((advantages[:2] > 0).all()) and bool((advantages[2:] < 0).all())


def test_release_unit_counts_the_decoded_prompt_and_response_with_special_tokens(
    lead_config, tokenizer, rows
):
    """The release decoded ``prompt_ids + response_ids`` with ``decode``'s defaults: <eos> is counted."""
    row = rows.iloc[0]
    prompt, response = row["prompt"][0]["content"], f"So \\boxed{{{row['reward_model']['ground_truth']}}}."
    data, _ = sample(tokenizer, row, response, prompt_width=400)
    assert len(tokenizer.encode(prompt)) < 400  # the whole prompt, left-padded
    expected_chars = len(prompt) + len(response) + len(EOS)
    config = lead_config(
        "algorithm.adv_estimator=grpo",
        f"{KWARGS}.length_bonus=1.0",
        f"{KWARGS}.length_unit=release_chars",
        f"{KWARGS}.length_threshold={expected_chars // 4}",
    )
    manager = load_reward_manager(config, tokenizer)
    result = manager.loop.run_until_complete(manager.run_single(data))
    assert result["reward_extra_info"]["sequence_chars"] == expected_chars
    assert expected_chars % 4 != 0  # so float division puts it over a threshold of chars // 4
    assert result["reward_score"] == 1.0
    config = lead_config(
        "algorithm.adv_estimator=grpo",
        f"{KWARGS}.length_bonus=1.0",
        f"{KWARGS}.length_unit=release_chars",
        f"{KWARGS}.length_threshold={expected_chars // 4 + 1}",
    )
    manager = load_reward_manager(config, tokenizer)
    assert manager.loop.run_until_complete(manager.run_single(data))["reward_score"] == 2.0


def test_token_runs_do_not_decode_the_prompt(lead_config, tokenizer, rows, responses):
    manager = load_reward_manager(lead_config(), tokenizer)
    (result, _), *_ = score_all(manager, tokenizer, rows, responses)
    assert "sequence_chars" not in result["reward_extra_info"]


@pytest.fixture(scope="module")
def l1_rows_file(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """MATH-500's first rows with L1 targets, written to and read back from a real parquet file."""
    from lead.data.l1 import l1_rows
    from lead.data.schema import write_rl_parquet

    source = pd.read_parquet(TEST_PARQUET).head(12).to_dict(orient="records")
    path = tmp_path_factory.mktemp("l1") / "test_mix.parquet"
    write_rl_parquet(l1_rows(source, "mix", seed=1, min_target=10, max_target=60), path)
    return pd.read_parquet(path)


def l1_expected(kind: str, correct: bool, target: int, length: int, exact_alpha=0.0003, max_alpha=0.001):
    """L1's two rewards as the spec writes them."""
    if kind == "exact":
        return float(correct) - exact_alpha * abs(target - length)
    return float(correct) * min(1.0, max(0.0, max_alpha * (target - length) + 0.5))


def l1_scored(manager, tokenizer, frame: pd.DataFrame) -> list[tuple[dict, int, pd.Series, bool]]:
    """Every row answered right (long) and wrong (short) through ``manager``."""
    results = []
    for _, row in frame.iterrows():
        gold = row["reward_model"]["ground_truth"]
        for correct, text in (
            (True, "Let me think. " * 6 + f"\\boxed{{{gold}}}"),
            (False, "\\boxed{123456789}"),
        ):
            data, length = sample(tokenizer, row, text)
            results.append((manager.loop.run_until_complete(manager.run_single(data)), length, row, correct))
    return results


@pytest.mark.parametrize("reward", ["l1_row", "l1_exact", "l1_max"])
def test_l1_rewards_of_real_rows_through_verls_loader(lead_config, tokenizer, l1_rows_file, reward):
    """The reward manager's token count (end token included) and each row's target make the score."""
    kind_of_reward = {"l1_exact": "exact", "l1_max": "max"}
    frame = l1_rows_file
    if reward in kind_of_reward:
        frame = frame[frame["extra_info"].map(lambda info: info["l1_kind"]) == kind_of_reward[reward]]
    assert len(frame) >= 3
    config = lead_config(
        "algorithm.adv_estimator=grpo", "data.max_response_length=4096", f"{KWARGS}.length_reward={reward}"
    )
    manager = load_reward_manager(config, tokenizer)
    scored = l1_scored(manager, tokenizer, frame)
    kinds = set()
    for result, length, row, correct in scored:
        info, target, kind = (
            result["reward_extra_info"],
            row["extra_info"]["l1_target"],
            row["extra_info"]["l1_kind"],
        )
        kinds.add(kind)
        assert (info["response_length"], info["l1_target"], info["acc"]) == (length, target, float(correct))
        assert result["reward_score"] == pytest.approx(l1_expected(kind, correct, target, length), abs=1e-12)
    assert kinds == ({"exact", "max"} if reward == "l1_row" else {kind_of_reward[reward]})
    assert len({round(result["reward_score"], 9) for result, *_ in scored}) > 3  # lengths and targets matter


def test_l1_alphas_follow_the_runs_budget(lead_config, tokenizer, l1_rows_file):
    """reward_kwargs.l1_budget is ${data.max_response_length}: at 8192 the default alphas halve."""
    config = lead_config(
        "algorithm.adv_estimator=grpo", "data.max_response_length=8192", f"{KWARGS}.length_reward=l1_row"
    )
    manager = load_reward_manager(config, tokenizer)
    for result, length, row, correct in l1_scored(manager, tokenizer, l1_rows_file.head(4)):
        kind, target = row["extra_info"]["l1_kind"], row["extra_info"]["l1_target"]
        expected = l1_expected(kind, correct, target, length, exact_alpha=0.00015, max_alpha=0.0005)
        assert result["reward_score"] == pytest.approx(expected, abs=1e-12)


def test_an_l1_run_on_rows_without_targets_names_the_builder(lead_config, tokenizer, rows, responses):
    config = lead_config("algorithm.adv_estimator=grpo", f"{KWARGS}.length_reward=l1_exact")
    manager = load_reward_manager(config, tokenizer)
    data, _ = sample(tokenizer, rows.iloc[0], responses[0])
    with pytest.raises(
        ValueError, match=r"extra_info\['l1_target'\]=None is invalid .*scripts/data/prepare_l1.py"
    ):
        manager.loop.run_until_complete(manager.run_single(data))
