"""The grader's per-response outcomes reach both trainers' step metrics, from verl's reward workers.

Real MATH-500 rows, a tokenizer trained here, the project's reward manager and grader. In the Ray
tests the grader runs in a real ``RewardLoopWorker`` actor (another process), as in training; the
legacy trainer's batch comes from ``RewardLoopManager.compute_rm_score`` and the v1 trainer's from
the TransferQueue, read by a real ``PPOTrainer``'s ``_compute_metrics``.
"""

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
from verl.trainer.ppo import metric_utils, ray_trainer
from verl.trainer.ppo.reward import extract_reward, load_reward_manager
from verl.utils.tracking import Tracking

from lead.integrations.verl.grader_metrics import (
    columns_of_extra_fields,
    grader_step_metrics,
    legacy_grader_metrics,
)

TEST_PARQUET = Path(__file__).resolve().parents[3] / "data" / "math" / "test.parquet"
PAD, EOS = "<pad>", "<eos>"
PROMPT_WIDTH, RESPONSE_WIDTH = 96, 64
GRADER_TIMEOUT = 1.0
# (response to the row's problem, timed_out, unreadable, has_answer); two rollouts per problem.
CASES = [
    ("So the answer is \\boxed{{{gold}}}.", False, False, True),
    ("I guess \\boxed{{123456789}}.", False, False, True),
    ("I ran out of time", False, False, False),
    ("So \\boxed{{3\\sqrt{{}}}}.", False, True, True),
    ("So \\boxed{{9^{{9^{{9^{{9}}}}}}}}.", True, False, True),
    ("Then \\boxed{{{gold}}}", False, False, True),
]
EXPECTED = {
    "lead/grader_timeout_rate": 1 / 6,
    "lead/grader_unreadable_rate": 1 / 6,
    "lead/grader_no_answer_rate": 1 / 6,
    "lead/grader_queue_timeout_rate": 0.0,
}


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """Three problems with plain-number answers, two rollouts each (rows 2i and 2i+1)."""
    table = pd.read_parquet(TEST_PARQUET)
    numeric = table[table["reward_model"].map(lambda gold: gold["ground_truth"].isdigit())].head(3)
    return numeric.loc[numeric.index.repeat(2)].reset_index(drop=True)


@pytest.fixture(scope="module")
def responses(rows) -> list[str]:
    golds = [row["reward_model"]["ground_truth"] for _, row in rows.iterrows()]
    return [case[0].format(gold=gold) for case, gold in zip(CASES, golds, strict=True)]


@pytest.fixture(scope="module")
def tokenizer_dir(rows, responses, tmp_path_factory) -> Path:
    """A byte-level BPE tokenizer trained here on the prompts and responses (no hub), saved to disk."""
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    texts = [row["prompt"][0]["content"] for _, row in rows.iterrows()] + responses
    trainer = trainers.BpeTrainer(
        vocab_size=400, special_tokens=[PAD, EOS], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    bpe.train_from_iterator(texts, trainer=trainer)
    path = tmp_path_factory.mktemp("bpe_tokenizer")
    PreTrainedTokenizerFast(tokenizer_object=bpe, pad_token=PAD, eos_token=EOS).save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def config(lead_config, tokenizer_dir):
    """The project's config for a GRPO run (metrics are for every estimator) with a short timeout."""
    return lead_config(
        "algorithm.adv_estimator=grpo",
        "actor_rollout_ref.rollout.n=2",
        f"actor_rollout_ref.model.path={tokenizer_dir}",
        "reward.num_workers=1",
        f"reward.custom_reward_function.reward_kwargs.timeout={GRADER_TIMEOUT}",
    )


@pytest.fixture(scope="module")
def batch(rows, responses, tokenizer_dir) -> DataProto:
    """The rollouts as verl's reward loop gets them: left-padded prompts, right-padded responses."""
    tokenizer = PreTrainedTokenizerFast.from_pretrained(tokenizer_dir)
    pad = tokenizer.pad_token_id
    prompts, padded_responses, attention = [], [], []
    for (_, row), response in zip(rows.iterrows(), responses, strict=True):
        prompt_ids = tokenizer.encode(row["prompt"][0]["content"])[-PROMPT_WIDTH:]
        response_ids = [*tokenizer.encode(response), tokenizer.eos_token_id][:RESPONSE_WIDTH]
        prompt_pad, response_pad = PROMPT_WIDTH - len(prompt_ids), RESPONSE_WIDTH - len(response_ids)
        prompts.append([pad] * prompt_pad + prompt_ids)
        padded_responses.append(response_ids + [pad] * response_pad)
        attention.append([0] * prompt_pad + [1] * (len(prompt_ids) + len(response_ids)) + [0] * response_pad)
    prompts_tensor, responses_tensor = torch.tensor(prompts), torch.tensor(padded_responses)
    return DataProto.from_dict(
        tensors={
            "prompts": prompts_tensor,
            "responses": responses_tensor,
            "input_ids": torch.cat([prompts_tensor, responses_tensor], dim=1),
            "attention_mask": torch.tensor(attention),
        },
        non_tensors={
            "data_source": rows["data_source"].to_numpy(dtype=object),
            "reward_model": rows["reward_model"].to_numpy(dtype=object),
            "extra_info": np.array([dict(info) for info in rows["extra_info"]], dtype=object),
            "uid": np.array([f"problem-{index // 2}" for index in range(len(rows))], dtype=object),
        },
    )


def expected_flags(column: int) -> list[bool]:
    return [case[column] for case in CASES]


def test_step_metrics_are_shares_of_the_responses_with_each_outcome():
    columns = {
        "timed_out": np.array([True, False, False, False]),
        "queue_timed_out": [False, False, True, None],  # None: a response without the key
        "unreadable": np.array([False, True, True, False]),
        "has_answer": np.array([True, True, False, True]),
        "queue_seconds": np.array([0.0, 0.5, 60.0, 2.5]),
        "acc": np.array([1.0, 0.0, 0.0, 0.0]),
    }
    assert grader_step_metrics(columns) == {
        "lead/grader_timeout_rate": 0.25,
        "lead/grader_queue_timeout_rate": 1 / 3,
        "lead/grader_unreadable_rate": 0.5,
        "lead/grader_no_answer_rate": 0.25,
        "lead/grader_queue_seconds_mean": 63 / 4,
        "lead/grader_queue_seconds_max": 60.0,
    }
    assert grader_step_metrics({"acc": np.array([1.0])}) == {}  # another reward function
    assert grader_step_metrics({"timed_out": [None, None]}) == {}
    # Another reward function's values under the same name: only numbers and booleans count.
    assert grader_step_metrics({"timed_out": ["yes", np.True_, 0, None]}) == {"lead/grader_timeout_rate": 0.5}


def test_extra_fields_become_columns_with_none_where_a_key_is_missing():
    extra_fields = [
        {"reward_extra_info": {"timed_out": True, "acc": 0.0}, "min_global_steps": 1},
        {"min_global_steps": 1},  # scored by no reward worker
        {"reward_extra_info": {"timed_out": False, "unreadable": True}},
    ]
    columns = columns_of_extra_fields(extra_fields)
    assert columns == {
        "timed_out": [True, None, False],
        "acc": [0.0, None, None],
        "unreadable": [None, None, True],
    }


@pytest.mark.parametrize(
    ("key", "value"),
    [("queue_timeout", "0"), ("queue_timeout", "-5.0"), ("queue_timeout", "soon"), ("timeout", "0")],
)
def test_the_launch_check_rejects_an_invalid_time_limit(lead_config, key, value):
    from lead.integrations.verl.requirements import check_training_config

    config = lead_config(f"reward.custom_reward_function.reward_kwargs.{key}={value}")
    message = rf"reward_kwargs\.{key} must be a positive number of seconds, got "
    with pytest.raises(ValueError, match=message):
        check_training_config(config)


def test_the_reward_manager_reports_every_outcome_per_response(config, tokenizer_dir, batch):
    """Each response's reward extra info carries the grader's outcome flags (what verl sends on)."""
    from verl.utils import hf_tokenizer

    manager = load_reward_manager(config, hf_tokenizer(str(tokenizer_dir)))

    async def score_all():
        return await asyncio.gather(*(manager.run_single(batch[i : i + 1]) for i in range(len(batch))))

    infos = [result["reward_extra_info"] for result in manager.loop.run_until_complete(score_all())]
    assert [info["timed_out"] for info in infos] == expected_flags(1)
    assert [info["unreadable"] for info in infos] == expected_flags(2)
    assert [info["has_answer"] for info in infos] == expected_flags(3)
    assert [info["acc"] for info in infos] == [1.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    assert not any(info["queue_timed_out"] for info in infos)


def legacy_step_metrics(config, batch: DataProto) -> dict:
    """What ``RayPPOTrainer.fit`` does with a batch scored by the reward loop, up to its data metrics."""
    from verl.trainer.ppo.ray_trainer import compute_advantage, compute_response_mask

    reward_tensor, reward_extra_infos = extract_reward(batch)
    batch.batch["response_mask"] = compute_response_mask(batch)
    batch.batch["token_level_scores"] = reward_tensor
    batch.non_tensor_batch.update({key: np.array(value) for key, value in reward_extra_infos.items()})
    batch.batch["token_level_rewards"] = batch.batch["token_level_scores"]
    batch = compute_advantage(batch, adv_estimator="grpo", num_repeat=2, config=config.algorithm)
    with legacy_grader_metrics():
        return ray_trainer.compute_data_metrics(batch=batch, use_critic=False)


def assert_logged(capsys, metrics: dict) -> None:
    """The console backend of verl's ``Tracking`` prints the grader's metrics."""
    Tracking(project_name="lead-test", experiment_name="grader", default_backend="console").log(
        data=metrics, step=1
    )
    printed = capsys.readouterr().out
    for name in (*EXPECTED, "lead/grader_queue_seconds_mean", "lead/grader_queue_seconds_max"):
        assert f"{name}:" in printed, name


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray cluster with verl's TransferQueue (one storage unit)."""
    ray = pytest.importorskip("ray")
    import transfer_queue as tq
    from omegaconf import OmegaConf

    ray.init(num_cpus=4, include_dashboard=False, log_to_driver=False)
    try:
        tq.init(OmegaConf.create({"backend": {"SimpleStorage": {"num_data_storage_units": 1}}}))
        yield
    finally:
        tq.close()
        ray.shutdown()


@pytest.fixture(scope="module")
def reward_loop(ray_cluster, config):
    """verl's reward loop with one ``RewardLoopWorker`` actor running the project's grader."""
    from verl.experimental.reward_loop import RewardLoopManager

    return RewardLoopManager(config)


@pytest.mark.slow
def test_legacy_trainer_logs_the_rates_of_a_batch_scored_in_a_reward_worker(
    config, batch, reward_loop, capsys
):
    scored = batch.union(reward_loop.compute_rm_score(batch))
    metrics = legacy_step_metrics(config, scored)
    for name, value in EXPECTED.items():
        assert metrics[name] == pytest.approx(value), name
    assert metrics["critic/score/mean"] == pytest.approx(2 / 6)  # verl's own metrics are still there
    assert 0.0 <= metrics["lead/grader_queue_seconds_mean"] <= metrics["lead/grader_queue_seconds_max"]
    assert_logged(capsys, metrics)
    assert ray_trainer.compute_data_metrics is metric_utils.compute_data_metrics  # restored after the block


def put_like_the_agent_loop(batch: DataProto, results: list[dict]):
    """Store each scored rollout in the TransferQueue as verl's ``AgentLoopWorkerTQ`` does; its meta."""
    import transfer_queue as tq
    from transfer_queue import KVBatchMeta
    from verl.experimental.agent_loop.agent_loop import AgentLoopMetrics, AgentLoopOutput
    from verl.utils.tensordict_utils import list_of_dict_to_tensordict

    keys, tags = [], []
    for index, result in enumerate(results):
        item = batch[index]
        prompt_mask = item.batch["attention_mask"][:PROMPT_WIDTH].bool()
        response_ids = item.batch["responses"][: int(item.batch["attention_mask"][PROMPT_WIDTH:].sum())]
        output = AgentLoopOutput(
            prompt_ids=item.batch["prompts"][prompt_mask].tolist(),
            response_ids=response_ids.tolist(),
            response_mask=[1] * len(response_ids),
            reward_score=result["reward_score"],
            num_turns=2,
            metrics=AgentLoopMetrics(),
            extra_fields={
                "reward_extra_info": result["reward_extra_info"],
                "min_global_steps": 1,
                "max_global_steps": 1,
            },
        )
        field = {**output.as_dict(), "uid": item.non_tensor_batch["uid"]}
        key = f"{field['uid']}_{index % 2}_0"
        tag = {"status": "success", "global_steps": 1, "min_global_steps": 1, "max_global_steps": 1}
        tq.kv_batch_put(
            keys=[key], partition_id="train", fields=list_of_dict_to_tensordict([field]), tags=[tag]
        )
        keys.append(key)
        tags.append(tag)
    return KVBatchMeta(keys=keys, tags=tags, partition_id="train")


@pytest.mark.slow
def test_v1_trainer_logs_the_rates_of_responses_scored_in_a_reward_worker(
    config, batch, reward_loop, tokenizer_dir, capsys
):
    import ray
    from omegaconf import open_dict
    from verl.trainer.ppo.padding_utils import upsample_batch_to_divisible_size
    from verl.trainer.ppo.v1 import get_trainer_cls
    from verl.trainer.ppo.v1.trainer_base import PPOTrainer

    from lead.integrations.verl.grader_metrics import v1_grader_metrics

    worker = reward_loop.reward_loop_workers[0]
    # The agent loop asks a reward worker for each rollout's score as soon as the rollout is done.
    results = ray.get([worker.compute_score.remote(batch[i : i + 1]) for i in range(len(batch))])
    meta = put_like_the_agent_loop(batch, results)
    eos = PreTrainedTokenizerFast.from_pretrained(tokenizer_dir).eos_token_id
    meta = upsample_batch_to_divisible_size(meta, batch_multiple=4, eos_token_id=eos)
    assert sum(tag.get("is_padding", False) for tag in meta.tags) == 2  # copies of the first rollout

    v1_config = config.copy()
    with open_dict(v1_config):
        v1_config.trainer.n_gpus_per_node = 1
    trainer = get_trainer_cls(v1_config.trainer.v1.trainer_mode)(config=v1_config)
    trainer._init_resource_pool_mgr()  # the GPU count for throughput metrics; no resources are created
    metrics: dict = {}
    trainer._compute_advantage(meta, metrics=metrics)
    verl_compute_metrics = PPOTrainer._compute_metrics
    with v1_grader_metrics():
        trainer._compute_metrics(meta, metrics, {"step": 1.0, "gen": 0.5}, global_steps=1, epoch=0)
    assert PPOTrainer._compute_metrics is verl_compute_metrics  # restored after the block
    for name, value in EXPECTED.items():
        assert metrics[name] == pytest.approx(value), name
    assert metrics["critic/score/mean"] == pytest.approx(2 / 6)  # verl's own metrics, padding left out
    assert_logged(capsys, metrics)


@pytest.mark.slow
def test_v1_responses_without_extra_fields_give_no_grader_metrics(ray_cluster, caplog):
    """Rollouts stored by another agent loop (no ``extra_fields``): a warning, and training goes on."""
    import transfer_queue as tq
    from transfer_queue import KVBatchMeta
    from verl.utils.tensordict_utils import list_of_dict_to_tensordict

    from lead.integrations.verl.grader_metrics import v1_step_columns

    keys = ["bare_0_0", "bare_1_0"]
    tags = [{"status": "success"}, {"status": "success"}]
    fields = list_of_dict_to_tensordict(
        [{"responses": torch.tensor([1, 2])}, {"responses": torch.tensor([3])}]
    )
    tq.kv_batch_put(keys=keys, partition_id="train", fields=fields, tags=tags)
    assert v1_step_columns(KVBatchMeta(keys=keys, tags=tags, partition_id="train")) == {}
    assert "no grader metrics this step" in caplog.text
