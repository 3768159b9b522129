"""The study's bookkeeping: aggregation over seeds, AES against the warm start, per-difficulty numbers,
the tables and the claims' rules, all against values computed by hand."""

from __future__ import annotations

import csv
import math

import pytest

from lead.demo.claims import HELD, MIXED, NOT_HELD, UNTESTED, best_trade_off, global_budget, static_weights
from lead.demo.configurations import Configuration
from lead.demo.results import Stat, aggregate, aggregate_all, sweep_rows, table_1, write_csv

WARM_START = {
    "accuracy": 0.8,
    "mean_length": 40.0,
    "accuracy_by_difficulty": {"2": 1.0, "7": 0.6},
    "lengths_by_difficulty": {"2": 20.0, "7": 60.0},
}


def evaluation(accuracy: float, length: float, by_level: dict[str, tuple[float, float]]) -> dict:
    return {
        "accuracy": accuracy,
        "mean_length": length,
        "accuracy_by_difficulty": {k: a for k, (a, _) in by_level.items()},
        "lengths_by_difficulty": {k: n for k, (_, n) in by_level.items()},
    }


def record(name: str, seed: int, accuracy: float, length: float, by_level: dict) -> dict:
    return {
        "configuration": name,
        "seed": seed,
        "options": {"x": 1},
        "evaluation": evaluation(accuracy, length, by_level),
    }


def test_aggregation_over_seeds_matches_hand_computed_means_stds_and_aes() -> None:
    lead = Configuration("lead", "lead", "default")
    records = [
        record("lead", 0, 0.84, 30.0, {"2": (1.0, 10.0), "7": (0.68, 50.0)}),
        record("lead", 1, 0.76, 20.0, {"2": (0.9, 12.0), "7": (0.62, 28.0)}),
    ]
    result = aggregate(lead, records, WARM_START)
    assert result.seeds == (0, 1)
    assert result.accuracy.mean == pytest.approx(0.80)
    assert result.accuracy.std == pytest.approx(math.sqrt(2 * 0.04**2))  # sample std of 0.84, 0.76
    assert result.mean_length.mean == pytest.approx(25.0)
    assert result.mean_length.std == pytest.approx(math.sqrt(50.0))
    # seed 0: dL = (40 - 30) / 40 = 0.25, dA = 0.04 / 0.8 = 0.05 >= 0: AES = 0.25 + 3 * 0.05 = 0.40
    # seed 1: dL = 0.5, dA = -0.05: AES = 0.5 - 5 * 0.05 = 0.25
    assert result.aes.mean == pytest.approx(0.325)
    assert result.aes.std == pytest.approx(math.sqrt(2 * 0.075**2))
    assert result.accuracy_by_difficulty[7].mean == pytest.approx(0.65)
    assert result.length_by_difficulty[2].mean == pytest.approx(11.0)
    assert result.length_by_difficulty[7].std == pytest.approx(math.sqrt(2 * 11.0**2))
    assert (result.easiest, result.hardest) == (2, 7)


def test_one_seed_has_zero_std_and_an_unsolved_warm_start_gives_nan_aes() -> None:
    assert Stat.of([3.0]) == Stat(3.0, 0.0, 1)
    unsolved = {**WARM_START, "accuracy": 0.0}
    result = aggregate(
        Configuration("grpo", "grpo", "default"), [record("grpo", 0, 0.5, 30.0, {"2": (1, 9)})], unsolved
    )
    assert math.isnan(result.aes.mean)
    with pytest.raises(ValueError, match="no finished run"):
        aggregate(Configuration("grpo", "grpo", "default"), [], WARM_START)


def configurations() -> list[Configuration]:
    return [
        Configuration("grpo", "grpo", "default"),
        Configuration("lead", "lead", "default"),
        Configuration("grpo_static", "grpo_static_r0.25", "static", 0.25),
        Configuration("grpo_static", "grpo_static_r4", "static", 4.0),
        Configuration("dler", "dler_limit29", "budget", 29),
        Configuration("dler", "dler_limit78", "budget", 78),
    ]


def results_for(values: dict[str, tuple[float, float, dict]]) -> list:
    records = [record(name, seed, a, n, levels) for name, (a, n, levels) in values.items() for seed in (0, 1)]
    return aggregate_all(configurations(), records, WARM_START)


LEVELS_OK = {"2": (1.0, 10.0), "7": (0.6, 45.0)}


def test_tables_sort_table_1_by_aes_and_sweeps_by_value(tmp_path) -> None:
    results = results_for(
        {
            "grpo": (0.8, 36.0, LEVELS_OK),  # AES 0.1
            "lead": (0.8, 20.0, LEVELS_OK),  # AES 0.5
            "grpo_static_r4": (0.4, 15.0, LEVELS_OK),
            "grpo_static_r0.25": (0.8, 38.0, LEVELS_OK),
            "dler_limit78": (0.8, 35.0, LEVELS_OK),
            "dler_limit29": (0.5, 18.0, LEVELS_OK),
        }
    )
    assert [r.configuration.name for r in table_1(results)] == ["lead", "grpo"]
    assert [r.configuration.name for r in sweep_rows(results, "static")] == [
        "grpo_static_r0.25",
        "grpo_static_r4",
    ]
    assert [r.configuration.value for r in sweep_rows(results, "budget")] == [29, 78]
    write_csv(tmp_path / "results.csv", results, WARM_START)
    rows = list(csv.DictReader((tmp_path / "results.csv").open()))
    assert [row["configuration"] for row in rows] == ["warm_start", *[c.name for c in configurations()]]
    lead_row = rows[2]
    assert float(lead_row["aes_mean"]) == pytest.approx(0.5)
    assert float(lead_row["length_k7_mean"]) == pytest.approx(45.0)
    assert lead_row["seeds"] == "0 1"


def test_claims_follow_their_rules() -> None:
    hard_lost = {"2": (1.0, 10.0), "7": (0.3, 30.0)}  # hardest accuracy 30% < 60% - 5 points
    easy_verbose = {"2": (1.0, 18.0), "7": (0.6, 45.0)}
    held = results_for(
        {
            "grpo": (0.8, 36.0, LEVELS_OK),
            "lead": (0.8, 20.0, LEVELS_OK),
            "grpo_static_r0.25": (0.8, 38.0, LEVELS_OK),
            "grpo_static_r4": (0.4, 15.0, LEVELS_OK),
            "dler_limit29": (0.6, 18.0, hard_lost),
            "dler_limit78": (0.8, 30.0, easy_verbose),
        }
    )
    assert static_weights(held).verdict == HELD
    assert global_budget(held, WARM_START).verdict == HELD
    assert best_trade_off(held).verdict == HELD

    beaten = results_for(
        {
            "grpo": (0.8, 36.0, LEVELS_OK),
            "lead": (0.8, 20.0, hard_lost),
            "grpo_static_r0.25": (0.8, 16.0, LEVELS_OK),  # AES 0.6 > LEAD's 0.5
            "grpo_static_r4": (0.4, 15.0, LEVELS_OK),
            "dler_limit29": (0.8, 18.0, LEVELS_OK),  # neither over-compresses nor is verbose on easy
            "dler_limit78": (0.8, 30.0, easy_verbose),
        }
    )
    assert static_weights(beaten).verdict == NOT_HELD
    assert global_budget(beaten, WARM_START).verdict == NOT_HELD
    assert best_trade_off(beaten).verdict == NOT_HELD
    assert "GRPO + static length bonus, r=0.25" in best_trade_off(beaten).evidence


def test_ties_within_seed_noise_are_mixed_and_missing_parts_are_untested() -> None:
    records = [
        record("lead", 0, 0.8, 20.0, LEVELS_OK),
        record("lead", 1, 0.8, 24.0, LEVELS_OK),  # AES 0.5 and 0.4
        record("grpo", 0, 0.8, 21.0, LEVELS_OK),
        record("grpo", 1, 0.8, 23.0, LEVELS_OK),  # AES 0.475 and 0.425: within LEAD's std
    ]
    results = aggregate_all(configurations(), records, WARM_START)
    assert best_trade_off(results).verdict == MIXED
    assert static_weights(results).verdict == UNTESTED
    assert global_budget(results, WARM_START).verdict == UNTESTED
