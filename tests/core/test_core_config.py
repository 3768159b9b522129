"""LEADConfig: published defaults, validation messages, and construction from prefixed mappings."""

from __future__ import annotations

import dataclasses

import pytest

from lead import LEADConfig


def test_defaults_are_the_published_recipe():
    assert dataclasses.asdict(LEADConfig()) == {
        "alpha": 1.0,
        "beta": 0.95,
        "epsilon": 1e-8,
        "bmax": 8000,
        "lambda_min": 0.3,
        "lstar_mode": "max_sym",
        "aggregator": "mean_correct",
        "static_lambda_corr": None,
        "lstar_min": 1000,
        "short_guard": 500,
        "whiten": "token",
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"lstar_mode": "max"},
            "lstar_mode='max' is invalid: allowed values are max_sym, upper_only, max_asym",
        ),
        ({"aggregator": "mean"}, "aggregator='mean' is invalid: allowed values are mean_correct"),
        ({"whiten": "batch"}, "whiten='batch' is invalid: allowed values are token, sequence, none"),
        ({"alpha": 0.0}, "alpha=0.0 is invalid: allowed is alpha > 0"),
        ({"alpha": -1}, "alpha=-1 is invalid"),
        ({"alpha": float("nan")}, "alpha=nan is invalid: allowed is a finite real number"),
        ({"alpha": True}, "alpha=True is invalid: allowed is a finite real number"),
        ({"alpha": "1.0"}, "alpha='1.0' is invalid"),
        ({"beta": 1.0}, r"beta=1.0 is invalid: allowed is 0 <= beta < 1"),
        ({"beta": -0.1}, "beta=-0.1 is invalid"),
        ({"epsilon": 0}, "epsilon=0 is invalid: allowed is epsilon > 0"),
        ({"lambda_min": 1.5}, r"lambda_min=1.5 is invalid: allowed is 0 <= lambda_min <= 1"),
        ({"lambda_min": -0.01}, "lambda_min=-0.01 is invalid"),
        (
            {"static_lambda_corr": 1.2},
            r"static_lambda_corr=1.2 is invalid: allowed is None or a number in \[0, 1\]",
        ),
        ({"static_lambda_corr": -0.5}, "static_lambda_corr=-0.5 is invalid"),
        ({"lstar_min": 9000}, r"lstar_min=9000 is invalid: allowed is 0 < lstar_min <= bmax \(bmax=8000\)"),
        ({"lstar_min": 0}, "lstar_min=0 is invalid"),
        ({"bmax": 0}, "bmax=0 is invalid: allowed is bmax > 0"),
        ({"bmax": float("inf")}, "bmax=inf is invalid"),
        ({"short_guard": -1}, "short_guard=-1 is invalid: allowed is short_guard >= 0"),
    ],
)
def test_invalid_values_name_field_value_and_allowed_range(overrides, message):
    with pytest.raises(ValueError, match=message):
        LEADConfig(**overrides)


@pytest.mark.parametrize("value", [0.0, 0.25, 1.0, 1])
def test_static_weight_accepts_the_closed_unit_interval(value):
    assert LEADConfig(static_lambda_corr=value).static_lambda_corr == value


def test_config_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        LEADConfig().alpha = 2.0  # type: ignore[misc]


def test_from_mapping_reads_prefixed_keys_and_ignores_the_rest():
    algorithm = {
        "adv_estimator": "lead",
        "gamma": 1.0,
        "lead_alpha": 2.0,
        "lead_bmax": 4000,
        "lead_static_lambda_corr": 0.5,
        "lead_whiten": "sequence",
    }
    config = LEADConfig.from_mapping(algorithm)
    assert config == LEADConfig(alpha=2.0, bmax=4000, static_lambda_corr=0.5, whiten="sequence")
    assert LEADConfig.from_mapping({"x_beta": 0.5}, prefix="x_").beta == 0.5
    assert LEADConfig.from_mapping({}) == LEADConfig()


def test_from_mapping_rejects_prefixed_typos_listing_allowed_names():
    with pytest.raises(
        ValueError, match=r"unknown LEAD option 'lead_lamda_min': allowed names are lead_alpha, "
    ):
        LEADConfig.from_mapping({"lead_lamda_min": 0.2})


def test_from_mapping_validates_values():
    with pytest.raises(ValueError, match="beta=2 is invalid"):
        LEADConfig.from_mapping({"lead_beta": 2})
