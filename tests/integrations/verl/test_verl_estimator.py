"""The ``lead`` estimator through verl's own ``compute_advantage`` (legacy and v1 trainer paths)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from verl.trainer.ppo.core_algos import get_adv_estimator_fn
from verl.trainer.ppo.ray_trainer import compute_advantage
from verl.trainer.ppo.v1.utils import compute_advantage_for_multi_trajectories
from verl.utils.tracking import Tracking

from lead import LEADEstimator
from lead.integrations.verl.holder import get_holder
from lead.integrations.verl.method_config import method_options
from lead.integrations.verl.plugin import VERL_ESTIMATORS, ensure_registered


@pytest.fixture(scope="module")
def config(lead_config):
    return lead_config()


@pytest.fixture(autouse=True)
def fresh_holder():
    get_holder().reset()
    yield
    get_holder().reset()


def legacy_step(batch, config):
    """The legacy trainer's call (``RayPPOTrainer.fit``)."""
    return compute_advantage(
        batch,
        adv_estimator=config.algorithm.adv_estimator,
        gamma=config.algorithm.gamma,
        lam=config.algorithm.lam,
        num_repeat=4,
        config=config.algorithm,
    )


def v1_step(batch, config):
    """The v1 trainer's call (``PPOTrainer._compute_advantage``)."""
    keys = [f"{uid}_0_{row}" for row, uid in enumerate(batch.non_tensor_batch["uid"])]
    return compute_advantage_for_multi_trajectories(
        batch,
        batch_keys=keys,
        adv_estimator=config.algorithm.adv_estimator,
        gamma=config.algorithm.gamma,
        lam=config.algorithm.lam,
        num_repeat=4,
        config=config.algorithm,
    )


def test_lead_is_registered_by_importing_verl():
    ensure_registered("lead")
    assert get_adv_estimator_fn("lead") is VERL_ESTIMATORS["lead"]


@pytest.mark.parametrize("trainer_step", [legacy_step, v1_step], ids=["legacy", "v1"])
def test_matches_the_core_over_several_steps(config, trainer_step, make_batch):
    reference = LEADEstimator(method_options("lead", config.algorithm))
    for seed in range(3):
        batch = make_batch(seed)
        expected, _ = reference(
            batch.batch["token_level_rewards"], batch.batch["response_mask"], batch.non_tensor_batch["uid"]
        )
        out = trainer_step(batch, config)
        torch.testing.assert_close(out.batch["advantages"], expected, rtol=0, atol=0)
        torch.testing.assert_close(out.batch["returns"], expected, rtol=0, atol=0)
    assert get_holder().estimator.state_dict() == reference.state_dict()


def test_v1_padding_rows_are_ignored(config, make_batch):
    reference = LEADEstimator(method_options("lead", config.algorithm))
    real = make_batch(7)
    padded = make_batch(7, pad_rows=3)
    expected, expected_metrics = reference(
        real.batch["token_level_rewards"], real.batch["response_mask"], real.non_tensor_batch["uid"]
    )
    out = v1_step(padded, config)
    rows = len(real)
    torch.testing.assert_close(out.batch["advantages"][:rows], expected, rtol=0, atol=0)
    assert torch.count_nonzero(out.batch["advantages"][rows:]) == 0
    metrics = get_holder().pop_step_metrics()
    assert metrics["lead/accuracy_batch"] == expected_metrics["lead/accuracy_batch"]


def test_nonfinite_rewards_get_zero_advantage_and_do_not_stop_training(config, make_batch, caplog):
    reference = LEADEstimator(method_options("lead", config.algorithm))
    batch = make_batch(11)
    rows = len(batch)
    clean = slice(0, rows - 2)
    expected, _ = reference(
        batch.batch["token_level_rewards"][clean],
        batch.batch["response_mask"][clean],
        batch.non_tensor_batch["uid"][clean],
    )
    batch.batch["token_level_rewards"][rows - 2, 0] = float("nan")
    batch.batch["token_level_rewards"][rows - 1, 0] = float("inf")
    out = legacy_step(batch, config)
    torch.testing.assert_close(out.batch["advantages"][clean], expected, rtol=0, atol=0)
    assert torch.count_nonzero(out.batch["advantages"][rows - 2 :]) == 0
    assert get_holder().pop_step_metrics()["lead/nonfinite_reward_rows"] == 2.0
    assert "NaN or infinite rewards" in caplog.text


def test_options_reach_the_core(lead_config, make_batch):
    static = lead_config("algorithm.lead_static_lambda_corr=0.25", "algorithm.lead_aggregator=min_correct")
    legacy_step(make_batch(3), static)
    metrics = get_holder().pop_step_metrics()
    assert get_holder().estimator.options.aggregator == "min_correct"
    assert metrics["lead/w_corr"] == pytest.approx(0.25)
    assert metrics["lead/w_eff"] == pytest.approx(0.75)


def test_missing_uid_is_a_clear_error(make_batch):
    batch = make_batch(0)
    with pytest.raises(ValueError, match="uid"):
        VERL_ESTIMATORS["lead"](batch.batch["token_level_rewards"], batch.batch["response_mask"], config=None)


# Every per-step metric LEAD must log (the specification's list; see lead/core/metrics.py).
SPEC_METRICS = [
    "step",
    "w_corr",
    "w_eff",
    "target_w_corr",
    "target_w_eff",
    "mu_corr",
    "sigma_corr",
    "cv_corr",
    "cv_eff",
    "cv_corr_norm",
    "cv_eff_norm",
    "potential_corr",
    "potential_eff",
    "D_corr",
    "D_eff",
    "mu_eff",
    "sigma_eff",
    "lstar_mean",
    "lstar_mean_solvable",
    "lstar_median_solvable",
    "lstar_min_solvable",
    "lstar_max_solvable",
    "num_solvable_prompts",
    "num_unsolved_prompts",
    "accuracy_batch",
    "r_eff_mean",
    "r_eff_mean_correct",
    "r_eff_min_correct",
    "r_eff_max_correct",
    "resp_len_mean",
    "resp_len_mean_correct",
]


@pytest.mark.parametrize("calls_per_step", [1, 3])
def test_metrics_reach_tracking_console(config, calls_per_step, capsys, make_batch):
    tracking = Tracking(project_name="lead-test", experiment_name="metrics", default_backend="console")
    for step in (1, 2):
        for call in range(calls_per_step):
            v1_step(make_batch(10 * step + call), config)
        tracking.log(data={"training/global_step": step}, step=step)
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 2
    for line in printed:
        for name in SPEC_METRICS:
            assert f"lead/{name}:" in line
        assert f"lead/estimator_calls_in_step:{calls_per_step}" in line
    assert f"lead/estimator_calls:{2 * calls_per_step}" in printed[-1]
    tracking.log(data={"val-core/acc": 1.0}, step=3)
    assert "lead/" not in capsys.readouterr().out


def test_registration_problems_are_explained(monkeypatch):
    from verl.trainer.ppo import core_algos

    monkeypatch.setitem(core_algos.ADV_ESTIMATOR_REGISTRY, "lead", get_adv_estimator_fn("grpo_vectorized"))
    with pytest.raises(RuntimeError, match="registered to another function"):
        ensure_registered("lead")
    monkeypatch.delitem(core_algos.ADV_ESTIMATOR_REGISTRY, "lead")
    with pytest.raises(RuntimeError, match=r"verl\.plugins"):
        ensure_registered("lead")


def test_registering_twice_is_a_no_op():
    from lead.integrations.verl.plugin import register

    register()
    register()
    assert get_adv_estimator_fn("lead") is VERL_ESTIMATORS["lead"]


def verl_stock_config(*overrides: str):
    """verl's own ``ppo_trainer`` config, as ``python -m verl.trainer.main_ppo`` composes it."""
    from hydra import compose, initialize_config_dir
    from verl.trainer import main_ppo

    config_dir = str(Path(main_ppo.__file__).parent / "config")
    with initialize_config_dir(config_dir=config_dir, version_base=None):
        return compose(config_name="ppo_trainer", overrides=list(overrides))


def test_verl_own_entry_point_takes_plus_overrides(make_batch):
    config = verl_stock_config(
        "algorithm.adv_estimator=lead",
        "+algorithm.lead_alpha=2.0",
        "+algorithm.lead_bmax=12",
        "+algorithm.lead_lstar_min=1",
    )
    legacy_step(make_batch(5), config)
    assert get_holder().estimator.options.alpha == 2.0
    assert get_holder().estimator.options.bmax == 12

    typo = verl_stock_config("algorithm.adv_estimator=lead", "+algorithm.lead_alpah=2.0")
    with pytest.raises(ValueError, match="lead_alpah"):
        legacy_step(make_batch(5), typo)
