"""Every project method through verl: registration, both trainers' ``compute_advantage``, the Hydra
config against the declared options, option typos, checkpoints, and HAPO's stable problem ids."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from omegaconf import OmegaConf
from verl import DataProto
from verl.trainer.ppo.core_algos import compute_grpo_outcome_advantage, get_adv_estimator_fn
from verl.trainer.ppo.ray_trainer import RayPPOTrainer, compute_advantage
from verl.trainer.ppo.v1 import PPOTrainerSync
from verl.trainer.ppo.v1.utils import compute_advantage_for_multi_trajectories

from lead.integrations.verl.checkpoint import restore_method_state, save_method_state
from lead.integrations.verl.dry_run import compose_config, shown_values
from lead.integrations.verl.dry_run import main as dry_run
from lead.integrations.verl.holder import get_holder
from lead.integrations.verl.legacy import legacy_trainer_for
from lead.integrations.verl.method_config import PROJECT_ESTIMATORS, method_options, option_keys
from lead.integrations.verl.plugin import VERL_ESTIMATORS
from lead.integrations.verl.problem_ids import (
    MissingProblemIdError,
    ProblemIdUidLegacyMixin,
    ProblemIdUidV1Mixin,
    problem_id_from_uid,
    uid_with_problem,
)
from lead.integrations.verl.prompt_usage import PromptUsageMixin, with_mixins
from lead.methods import METHODS, make_estimator

ROOT = Path(__file__).resolve().parents[3]
BUDGET = 12


@pytest.fixture(autouse=True)
def fresh_holder():
    get_holder().reset()
    yield
    get_holder().reset()


def method_config(name: str, *overrides: str):
    return compose_config(
        [
            f"algorithm.adv_estimator={name}",
            f"data.max_response_length={BUDGET}",
            "algorithm.lead_lstar_min=1",
            *overrides,
        ]
    )


def method_batch(
    seed: int, *, with_problems: bool, groups: int = 4, size: int = 4, pad_rows: int = 0
) -> DataProto:
    """A verl batch; with problem ids, uids carry them like the project's trainers make them."""
    generator = random.Random(seed)
    rows = groups * size
    lengths = torch.tensor([generator.randint(1, BUDGET) for _ in range(rows)])
    mask = (torch.arange(BUDGET).unsqueeze(0) < lengths.unsqueeze(1)).float()
    rewards = torch.zeros(rows, BUDGET)
    rewards[torch.arange(rows), lengths - 1] = torch.tensor(
        [float(generator.random() < 0.5) for _ in range(rows)]
    )
    group_uids = [
        uid_with_problem(f"math:{generator.randrange(3)}") if with_problems else f"prompt-{seed}-{group}"
        for group in range(groups)
    ]
    uids = [group_uids[row // size] for row in range(rows)]
    if pad_rows:
        mask, rewards = (
            torch.cat([mask, torch.zeros(pad_rows, BUDGET)]),
            torch.cat([rewards, torch.zeros(pad_rows, BUDGET)]),
        )
        uids += ["pad0f3c9a"] * pad_rows
    return DataProto.from_dict(
        tensors={"token_level_rewards": rewards, "response_mask": mask},
        non_tensors={"uid": np.array(uids, dtype=object)},
    )


def legacy_step(batch, config):
    return compute_advantage(
        batch, adv_estimator=config.algorithm.adv_estimator, num_repeat=4, config=config.algorithm
    )


def v1_step(batch, config):
    keys = [f"{uid}_0_{row}" for row, uid in enumerate(batch.non_tensor_batch["uid"])]
    return compute_advantage_for_multi_trajectories(
        batch,
        batch_keys=keys,
        adv_estimator=config.algorithm.adv_estimator,
        num_repeat=4,
        config=config.algorithm,
    )


def test_every_method_but_grpo_is_registered_and_verls_grpo_is_untouched():
    assert set(PROJECT_ESTIMATORS) == set(METHODS) - {"grpo"}
    for name in PROJECT_ESTIMATORS:
        assert get_adv_estimator_fn(name) is VERL_ESTIMATORS[name]
    assert get_adv_estimator_fn("grpo") is compute_grpo_outcome_advantage


@pytest.mark.parametrize("trainer_step", [legacy_step, v1_step], ids=["legacy", "v1"])
@pytest.mark.parametrize("name", PROJECT_ESTIMATORS)
def test_compute_advantage_gives_the_estimators_output(name, trainer_step):
    config = method_config(name)
    needs_ids = METHODS[name].needs_problem_ids
    reference = make_estimator(name, budget=BUDGET, **({"lstar_min": 1} if name == "lead" else {}))
    assert method_options(name, config.algorithm) == reference.options
    for seed in range(3):
        batch = method_batch(seed, with_problems=needs_ids, pad_rows=2 if trainer_step is v1_step else 0)
        real = slice(0, 16)
        uids = batch.non_tensor_batch["uid"][real]
        problems = [problem_id_from_uid(uid) for uid in uids] if needs_ids else None
        expected, _ = reference(
            batch.batch["token_level_rewards"][real],
            batch.batch["response_mask"][real],
            uids,
            problem_ids=problems,
        )
        out = trainer_step(batch, config)
        torch.testing.assert_close(out.batch["advantages"][real], expected.float(), rtol=0, atol=0)
        assert torch.all(out.batch["advantages"][16:] == 0)
    assert get_holder().estimator.state_dict() == reference.state_dict()
    logged = get_holder().pop_step_metrics()
    assert logged[f"{name}/step"] == 3.0 and logged[f"{name}/estimator_calls"] == 3.0


def test_the_hydra_config_declares_every_option_as_the_methods_declare_them():
    algorithm = OmegaConf.to_container(compose_config([]).algorithm, resolve=False)
    for name in PROJECT_ESTIMATORS:
        expected = {
            key: (None if declaration.scale else default)
            for key, (_, default, declaration) in zip(
                option_keys(name), METHODS[name].options.declared(), strict=True
            )
        }
        if name == "lead":
            found = {f"algorithm.{key}": value for key, value in algorithm.items() if key.startswith("lead_")}
        else:
            found = {f"algorithm.{name}.{key}": value for key, value in algorithm[name].items()}
        assert found == expected, name
    assert algorithm["length_budget"] == "${data.max_response_length}"


def test_a_typo_in_a_method_option_is_named(capsys):
    assert dry_run(["algorithm.adv_estimator=dler", "algorithm.dler.truncation_multipler=0.1"]) == 2
    assert "truncation_multipler" in capsys.readouterr().err
    with pytest.raises(
        ValueError, match=r"unknown LASER-D option 'target': allowed names are budget, target_length"
    ):
        method_options("laser_d", {"laser_d": {"target": 100}, "length_budget": 1000})
    with pytest.raises(
        ValueError, match=r"DLEROptions.truncation_multiplier=2 is invalid: allowed is 0 <= truncation"
    ):
        method_options("dler", {"dler": {"truncation_multiplier": 2}})


def test_the_dry_run_shows_the_resolved_options_at_the_budget():
    shown = shown_values(compose_config(["algorithm.adv_estimator=laser", "data.max_response_length=4000"]))
    assert shown["algorithm.laser.budget"] == "4000"
    assert shown["algorithm.laser.target_length"] == "1000"  # 4096 at 16384, scaled
    assert shown["algorithm.laser.bonus"] == "0.5" and shown["algorithm.length_budget"] == "4000"
    assert not any(key.startswith("algorithm.lead_") for key in shown)
    assert list(shown)[:2] == ["algorithm.adv_estimator", "algorithm.laser.budget"]


def test_hapo_without_problem_ids_says_to_use_the_projects_entry_point():
    config = method_config("hapo")
    batch = method_batch(0, with_problems=False)
    with pytest.raises(MissingProblemIdError, match=r"carries none .* train with `python -m lead.main_ppo`"):
        legacy_step(batch, config)


@pytest.mark.parametrize("key", ["math:17", "deepscaler:0", "a_b_c:ü", "x.y:1"])
def test_a_uid_carries_its_problem_id_without_underscores(key):
    uid = uid_with_problem(key)
    assert "_" not in uid and problem_id_from_uid(uid) == key
    assert uid != uid_with_problem(key)  # still unique per prompt and step
    assert problem_id_from_uid("pad0f3c9a") is None and problem_id_from_uid("8c4f-uuid") is None


@pytest.fixture(scope="module")
def train_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "train.parquet"
    pd.read_parquet(ROOT / "data/math/train.parquet").head(6).to_parquet(path)
    return path


def test_the_v1_trainer_draws_batches_whose_uids_carry_the_rows_ids(train_file, tmp_path):
    config = method_config(
        "hapo",
        f"data.train_files={train_file}",
        f"data.val_files={train_file}",
        "data.train_batch_size=3",
        "data.dataloader_num_workers=0",
        "data.filter_overlong_prompts=False",
        f"trainer.default_local_dir={tmp_path / 'ckpt'}",
    )
    trainer = object.__new__(with_mixins(PPOTrainerSync, (ProblemIdUidV1Mixin, PromptUsageMixin)))
    trainer.config, trainer.trainer_mode, trainer.use_critic = config, "sync", False
    trainer.tokenizer, trainer.processor = None, None
    trainer.global_steps, trainer.parameter_sync_step = 0, 1
    trainer._init_dataloader()
    from verl.utils import tensordict_utils as tu

    batch = trainer._fetch_one_gen_batch()
    rows = pd.read_parquet(train_file)
    expected = {f"deepscaler:{info['index']}" for info in rows["extra_info"]}
    uids = tu.get(batch, "uid")
    assert all("_" not in uid for uid in uids)
    assert {problem_id_from_uid(uid) for uid in uids} <= expected and len(set(uids)) == 3


def test_the_legacy_trainer_gives_each_batch_uids_with_the_rows_ids():
    trainer = object.__new__(legacy_trainer_for(method_config("hapo")))
    assert isinstance(trainer, ProblemIdUidLegacyMixin) and isinstance(trainer, RayPPOTrainer)
    rows = pd.read_parquet(ROOT / "data/math/train.parquet").head(4)
    batch = DataProto.from_dict(
        tensors={"input_ids": torch.zeros(4, 2)},
        non_tensors={
            "uid": np.array([f"u{i}" for i in range(4)], dtype=object),
            "data_source": rows["data_source"].to_numpy(),
            "extra_info": rows["extra_info"].to_numpy(),
        },
    )
    generation_batch = trainer._get_gen_batch(batch)
    expected = [f"deepscaler:{info['index']}" for info in rows["extra_info"]]
    for uids in (batch.non_tensor_batch["uid"], generation_batch.non_tensor_batch["uid"]):
        assert [problem_id_from_uid(uid) for uid in uids] == expected
    assert not isinstance(object.__new__(legacy_trainer_for(method_config("dler"))), ProblemIdUidLegacyMixin)


@pytest.mark.parametrize("name", ["laser_d", "hapo", "kimi"])
def test_the_state_of_any_method_is_saved_and_restored(name, tmp_path):
    config = method_config(name, f"trainer.default_local_dir={tmp_path}")
    for seed in range(3):
        v1_step(method_batch(seed, with_problems=METHODS[name].needs_problem_ids), config)
    folder = tmp_path / "global_step_3"
    save_method_state(str(folder))
    saved = json.loads((folder / "lead_state.json").read_text())
    assert saved["method"] == name and saved["estimator"]["step"] == 3 and saved["estimator_calls"] == 3
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("3")
    state = get_holder().estimator.state_dict()
    next_batch = method_batch(9, with_problems=METHODS[name].needs_problem_ids)
    uninterrupted = v1_step(next_batch, config).batch["advantages"].clone()

    get_holder().reset()
    assert restore_method_state(config) is True
    assert get_holder().estimator.state_dict() == state and get_holder().calls == 3
    torch.testing.assert_close(v1_step(next_batch, config).batch["advantages"], uninterrupted, rtol=0, atol=0)


def test_another_methods_checkpoint_is_refused_naming_both(tmp_path):
    v1_step(method_batch(0, with_problems=False), method_config("kimi"))
    save_method_state(str(tmp_path / "global_step_1"))
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("1")
    with pytest.raises(ValueError, match="holds the state of method 'kimi', but this run uses 'dler'"):
        restore_method_state(method_config("dler", f"trainer.default_local_dir={tmp_path}"))


def test_through_verls_own_config_options_come_with_plus_and_the_budget_from_the_response_length():
    from hydra import compose, initialize_config_module

    with initialize_config_module(config_module="verl.trainer.config", version_base=None):
        config = compose(
            config_name="ppo_trainer",
            overrides=[
                "algorithm.adv_estimator=dler",
                "data.max_response_length=64",
                "+algorithm.dler.truncation_multiplier=0.1",
            ],
        )
    options = method_options("dler", config.algorithm)
    assert (options.budget, options.truncation_multiplier) == (64, 0.1)
    assert method_options("laser", config.algorithm).target_length == 16  # 4096 of 16384, at 64


def test_a_state_saved_by_the_trl_trainer_loads_in_verl_and_back(tmp_path):
    from datasets import Dataset
    from trl import GRPOConfig

    from lead.demo.model import build_tiny_model
    from lead.demo.tokenizer import build_tokenizer
    from lead.methods.state_file import read_state_file, restore_estimator
    from lead.trl import LEADGRPOTrainer

    tokenizer = build_tokenizer()
    prompts = ["add 1 2 :", "add 3 4 5 :", "add 9 8 :", "add 2 6 7 1 :"]
    trainer = LEADGRPOTrainer(
        model=build_tiny_model(tokenizer, seed=0, hidden_size=32, num_layers=1, num_heads=2),
        reward_funcs=[lambda completion_ids, **_: [float(ids[0] % 2 == 0) for ids in completion_ids]],
        args=GRPOConfig(
            output_dir=str(tmp_path / "trl"),
            max_steps=2,
            per_device_train_batch_size=16,
            num_generations=4,
            max_completion_length=BUDGET,
            save_strategy="steps",
            save_steps=2,
            report_to="none",
            use_cpu=True,
            bf16=False,
            disable_tqdm=True,
        ),
        train_dataset=Dataset.from_list(
            [{"prompt": p, "problem_id": f"p{i}"} for i, p in enumerate(prompts)] * 4
        ),
        processing_class=tokenizer,
        method="hapo",
    )
    trainer.train()
    verl_folder = tmp_path / "verl" / "global_step_2"
    verl_folder.mkdir(parents=True)
    (verl_folder / "lead_state.json").write_text(
        (tmp_path / "trl" / "checkpoint-2" / "lead_state.json").read_text()
    )
    (tmp_path / "verl" / "latest_checkpointed_iteration.txt").write_text("2")

    config = method_config("hapo", f"trainer.default_local_dir={tmp_path / 'verl'}")
    assert restore_method_state(config) is True
    assert get_holder().estimator.state_dict() == trainer.estimator.state_dict()
    v1_step(method_batch(4, with_problems=True), config)
    save_method_state(str(tmp_path / "verl" / "global_step_3"))
    back = make_estimator("hapo", budget=BUDGET)
    restore_estimator(back, read_state_file(tmp_path / "verl" / "global_step_3" / "lead_state.json"))
    assert back.state_dict() == get_holder().estimator.state_dict() and back.step == 3
