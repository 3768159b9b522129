"""What the study runs: every method's configuration, fixed from the task before any run.

Rules (decided from the task, never from results):

- Every method gets the project's small-budget policy, ``make_estimator(name, budget=B)``: absolute
  lengths scaled by ``B / B_paper``, per-token constants by ``B_paper / B``. The values used are
  recorded with each result.
- LEAD's floor ``lstar_min`` is the shortest correct solution of the easiest problems. The floor
  only exists so a target never drops below any sensible length; at the paper's budget (1000 of
  8000 tokens) it sits below what real problems need. The scaled default here (``B / 8``) would sit
  above what the easiest problems need and keep them verbose, so it is lowered to the smallest
  length a correct answer can have, where it never binds a correct group. Every LEAD configuration
  (adaptive and static) uses it.
- Static weights (the paper's Table 2): ratios ``r`` in :data:`RATIOS`, ``lambda_c = 1 / (1 + r)``;
  GRPO with the static length bonus and LEAD with ``static_lambda_corr = 1 / (1 + r)``.
- Global budgets: DLER's truncation limit and LASER's target at :data:`LIMIT_FRACTIONS` times the
  shortest correct solution of the hardest problems (below it, just above it, well above it).
- Adaptive neighbours at their defaults at the budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lead.core.method import Estimator
from lead.demo.static_bonus import NAME as STATIC_BONUS_NAME
from lead.demo.static_bonus import StaticBonusOptions, static_bonus_estimator
from lead.demo.task import shortest_correct_length
from lead.methods import METHODS, make_estimator

RATIOS = (0.25, 1.0, 4.0)
LIMIT_FRACTIONS = (0.75, 1.25, 2.0)
ADAPTIVE_NEIGHBOURS = ("laser_d", "kimi", "arora_zanette", "shorter_better", "hapo")
TITLES = {
    "grpo": "GRPO",
    "lead": "LEAD",
    "grpo_static": "GRPO + static length bonus",
    "lead_static": "LEAD, static weights",
    "dler": "DLER",
    "laser": "LASER",
    "laser_d": "LASER-D",
    "kimi": "Kimi k1.5",
    "arora_zanette": "Arora-Zanette",
    "shorter_better": "ShorterBetter",
    "hapo": "HAPO",
}
"""Every study key (what ``--methods`` names) and its name in tables, in the order they are listed."""


@dataclass(frozen=True)
class TaskFacts:
    """What the configurations are derived from: the budget and the digit range."""

    budget: int
    min_digits: int
    max_digits: int

    @classmethod
    def of(cls, settings: Any) -> TaskFacts:
        """The facts of a :class:`lead.demo.settings.StudySettings`."""
        return cls(settings.max_completion_length, settings.min_digits, settings.max_digits)

    @property
    def shortest_by_difficulty(self) -> dict[int, int]:
        """Shortest correct solution in tokens (EOS included), per difficulty."""
        return {k: shortest_correct_length(k) for k in range(self.min_digits, self.max_digits + 1)}

    @property
    def lead_floor(self) -> int:
        """LEAD's ``lstar_min``: the easiest problems' shortest correct solution."""
        return shortest_correct_length(self.min_digits)

    @property
    def limits(self) -> tuple[int, ...]:
        """DLER limits and LASER targets: fractions of the hardest problems' shortest solution."""
        hardest = shortest_correct_length(self.max_digits)
        return tuple(round(fraction * hardest) for fraction in LIMIT_FRACTIONS)


@dataclass(frozen=True)
class Configuration:
    """One method at fixed options.

    Attributes:
        key: the study's name of the method (``--methods``): a registered method, ``lead_static``
            or ``grpo_static``.
        name: unique and file-safe, e.g. ``dler_limit49``.
        group: ``"default"`` (Table 1), ``"static"`` (Table 2) or ``"budget"`` (global budgets).
        value: the swept value (r, or a length in tokens), None for a default.
        options: options set on top of the budget-scaled defaults.
    """

    key: str
    name: str
    group: str
    value: float | None = None
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def method(self) -> str:
        """The estimator's method name."""
        return "lead" if self.key == "lead_static" else self.key

    @property
    def label(self) -> str:
        title = TITLES[self.key]
        if self.value is None:
            return title
        if self.key in ("grpo_static", "lead_static"):
            return f"{title}, r={self.value:g}"
        return f"{title}, {'limit' if self.key == 'dler' else 'target'} {self.value:g}"

    def available(self) -> bool:
        """Whether its method can be built here (registered, or the study's own baseline)."""
        return self.method == STATIC_BONUS_NAME or self.method in METHODS

    def trainer_method(self, budget: int) -> tuple[str | Estimator, dict[str, Any] | None]:
        """What ``LEADGRPOTrainer`` takes: a registered name and its options (the trainer scales the
        defaults to its budget), or, for the study's own baseline, the estimator at ``budget``."""
        if self.method == STATIC_BONUS_NAME:
            return self.estimator(budget), None
        return self.method, dict(self.options)

    def estimator(self, budget: int) -> Estimator:
        """A fresh estimator at ``budget`` with this configuration's options."""
        if self.method == STATIC_BONUS_NAME:
            return static_bonus_estimator(budget, **dict(self.options))
        return make_estimator(self.method, budget=budget, **dict(self.options))

    def declared_option_names(self) -> list[str]:
        options = StaticBonusOptions if self.method == STATIC_BONUS_NAME else METHODS[self.method].options
        return [name for name, _, _ in options.declared()]


def _lead_options(task: TaskFacts, **extra: Any) -> tuple[tuple[str, Any], ...]:
    return (("lstar_min", float(task.lead_floor)), *extra.items())


def study_configurations(task: TaskFacts) -> list[Configuration]:
    """The full study: defaults, the static-ratio sweeps and the global-budget sweeps."""
    configurations = [
        Configuration("grpo", "grpo", "default"),
        Configuration("lead", "lead", "default", options=_lead_options(task)),
        *[Configuration(key, key, "default") for key in ADAPTIVE_NEIGHBOURS],
    ]
    for ratio in RATIOS:
        configurations.append(
            Configuration("grpo_static", f"grpo_static_r{ratio:g}", "static", ratio, (("ratio", ratio),))
        )
        configurations.append(
            Configuration(
                "lead_static",
                f"lead_static_r{ratio:g}",
                "static",
                ratio,
                _lead_options(task, static_lambda_corr=1.0 / (1.0 + ratio)),
            )
        )
    for limit in task.limits:
        configurations.append(
            Configuration("dler", f"dler_limit{limit}", "budget", limit, (("limit", limit),))
        )
        configurations.append(
            Configuration("laser", f"laser_target{limit}", "budget", limit, (("target_length", limit),))
        )
    return configurations


def demo_configurations(task: TaskFacts) -> list[Configuration]:
    """``lead-demo``: GRPO, LEAD and DLER at the limit just above the hardest problems' need."""
    limit = task.limits[1]
    return [
        Configuration("grpo", "grpo", "default"),
        Configuration("lead", "lead", "default", options=_lead_options(task)),
        Configuration("dler", f"dler_limit{limit}", "budget", limit, (("limit", limit),)),
    ]


def select(configurations: Sequence[Configuration], keys: Sequence[str]) -> list[Configuration]:
    """The configurations whose key is in ``keys``, in the study's order."""
    wanted = set(keys)
    return [configuration for configuration in configurations if configuration.key in wanted]


def unavailable(configurations: Sequence[Configuration]) -> list[str]:
    """Keys whose method is not registered here, in order, without repeats."""
    return list(dict.fromkeys(c.key for c in configurations if not c.available()))


def option_problems(configurations: Sequence[Configuration]) -> list[str]:
    """Configurations whose options name nothing their method declares (an interface change)."""
    problems = []
    for configuration in configurations:
        if not configuration.available():
            continue
        names = configuration.declared_option_names()
        problems.extend(
            f"{configuration.name}: option {option!r} is not declared by {configuration.method} "
            f"(declared: {', '.join(names)})"
            for option, _ in configuration.options
            if option not in names
        )
    return problems


def resolved_options(configuration: Configuration, budget: int) -> Mapping[str, Any]:
    """Every option value the configuration's estimator uses at ``budget`` (the scaled ones included)."""
    return configuration.estimator(budget).options.as_dict()
