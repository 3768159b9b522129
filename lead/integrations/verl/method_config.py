"""Which of the project's methods a verl run uses, and its options from verl's ``algorithm`` section.

Every method of :data:`lead.methods.METHODS` but ``grpo`` (verl has its own) is a verl advantage
estimator under its name. Its options live in the ``algorithm`` section:

- LEAD's as flat ``algorithm.lead_*`` keys (the paper's overrides: ``algorithm.lead_alpha=1.0``);
- every other method's in a group of its own, ``algorithm.<method>.<option>``
  (``algorithm.dler.truncation_multiplier=0.1``), so ``laser_d`` options can never be read as
  misspelt ``laser`` ones.

Unset options (``null`` in the project's config) take the paper's default at the run's budget,
``algorithm.length_budget`` (``${data.max_response_length}`` in the project's config; the response
length itself through verl's own entry point), scaled as :mod:`lead.core.options` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from omegaconf import DictConfig, OmegaConf

from lead.core import LEADConfig
from lead.core.options import MethodOptions
from lead.methods import METHODS

VERL_OWN = ("grpo",)
PROJECT_ESTIMATORS: tuple[str, ...] = tuple(name for name in METHODS if name not in VERL_OWN)
"""The advantage estimators this project registers in verl."""

BUDGET_KEY = "length_budget"
LEAD_PREFIX = "lead_"


def project_method(config: Any) -> str | None:
    """The project method a full trainer config selects (``algorithm.adv_estimator``), or None."""
    name = str(config.algorithm.adv_estimator)
    return name if name in PROJECT_ESTIMATORS else None


def length_budget(algorithm: Mapping[str, Any] | None) -> float | None:
    """The run's generation budget: ``algorithm.length_budget``, else ``data.max_response_length``."""
    if algorithm is None:
        return None
    value = algorithm.get(BUDGET_KEY)
    if value is None and isinstance(algorithm, DictConfig) and algorithm._get_parent() is not None:
        value = OmegaConf.select(algorithm._get_root(), "data.max_response_length")
    return value


def _plain(section: Any) -> dict[str, Any]:
    if section is None:
        return {}
    if isinstance(section, DictConfig):
        return OmegaConf.to_container(section, resolve=True)
    if not isinstance(section, Mapping):
        raise ValueError(
            f"options section {section!r} is invalid: allowed is a mapping of option names to values"
        )
    return dict(section)


def method_options(name: str, algorithm: Mapping[str, Any] | None) -> MethodOptions:
    """The options of method ``name`` in verl's ``algorithm`` section (validated; typos rejected)."""
    budget = length_budget(algorithm)
    if name == "lead":
        return LEADConfig.from_mapping(algorithm or {}, LEAD_PREFIX, budget=budget)
    section = (algorithm or {}).get(name)
    return METHODS[name].options.from_mapping(_plain(section), budget=budget)


def option_keys(name: str) -> list[str]:
    """The full config key of every option of method ``name``, in declaration order."""
    names = [option_name for option_name, _, _ in METHODS[name].options.declared()]
    if name == "lead":
        return [f"algorithm.{LEAD_PREFIX}{option_name}" for option_name in names]
    return [f"algorithm.{name}.{option_name}" for option_name in names]


def budget_key(name: str) -> str:
    """The full config key of the option of method ``name`` that is its generation budget."""
    declared = METHODS[name].options.declared()
    position = next(i for i, (_, _, declaration) in enumerate(declared) if declaration.scale == "budget")
    return option_keys(name)[position]


def resolved_options(name: str, algorithm: Mapping[str, Any] | None) -> dict[str, Any]:
    """``full key -> value`` of the options a run of ``name`` uses (defaults resolved at its budget)."""
    values = method_options(name, algorithm).as_dict()
    return dict(zip(option_keys(name), values.values(), strict=True))
