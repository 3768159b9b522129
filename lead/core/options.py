"""Options of an advantage estimator, declared once and read by everything else.

A method's options are a frozen dataclass deriving from :class:`MethodOptions`; each field is
declared with :func:`option`, which records its default, its allowed values, a one-line help and how
its default scales with the generation budget. Validation, construction from verl's ``algorithm``
section, the Hydra config, the dry run, the README table, the TRL trainer and the CLIs all read
these declarations (:meth:`MethodOptions.declared`), so a method's options are written down once.

Small budgets (one policy for every method and framework): an absolute length (a target, a limit,
a floor) is tied to the budget of the paper it comes from, ``PAPER_BUDGET``. At another budget ``B``
its default is scaled so the reward keeps its shape: lengths by ``B / PAPER_BUDGET``
(``scale="length"``), per-token slopes by ``PAPER_BUDGET / B`` (``scale="per_token"``), and the
budget itself is ``B`` (``scale="budget"``). :meth:`MethodOptions.for_budget` applies it; values a
user sets are taken as they are.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

SCALES = ("length", "per_token", "budget")
KINDS = ("real", "integer", "choice", "bool")

OptionsT = TypeVar("OptionsT", bound="MethodOptions")


@dataclass(frozen=True)
class Option:
    """What may be set for one option, and how its default depends on the budget.

    Attributes:
        help: one line for docs, ``--help`` and the dry run.
        kind: ``"real"`` (finite int or float), ``"integer"``, ``"choice"`` or ``"bool"``.
        low, high: bounds of a real or integer option (``None``: unbounded).
        low_open, high_open: whether the bound itself is excluded.
        choices: the allowed values of a ``"choice"`` option.
        optional: ``None`` is allowed too (and means "off").
        scale: ``None``, ``"length"``, ``"per_token"`` or ``"budget"`` (see the module docstring).
    """

    help: str
    kind: str = "real"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple[str, ...] = ()
    optional: bool = False
    scale: str | None = None

    def allowed(self, name: str) -> str:
        """The allowed values in words, e.g. ``"0 <= beta < 1"`` or ``"values are a, b"``."""
        if self.kind == "choice":
            return "allowed values are " + ", ".join(self.choices)
        if self.kind == "bool":
            return "allowed is true or false"
        if self.low is None and self.high is None:
            text = "a finite real number" if self.kind == "real" else "an integer"
        elif self.low is not None and self.high is not None:
            low, high = _number(self.low), _number(self.high)
            if self.optional:
                opening, closing = "(" if self.low_open else "[", ")" if self.high_open else "]"
                text = f"a number in {opening}{low}, {high}{closing}"
            else:
                text = (
                    f"{low} {'<' if self.low_open else '<='} {name} {'<' if self.high_open else '<='} {high}"
                )
        elif self.low is not None:
            text = f"{name} {'>' if self.low_open else '>='} {_number(self.low)}"
        else:
            text = f"{name} {'<' if self.high_open else '<='} {_number(self.high)}"
        if self.kind == "integer" and (self.low is not None or self.high is not None):
            text = f"an integer with {text}"
        return "allowed is " + ("None or " if self.optional else "") + text

    def check(self, owner: str, name: str, value: Any) -> Any:
        """``value`` if it is allowed (integers as ``int``), else ``ValueError`` naming owner, name, value."""
        if value is None and self.optional:
            return value
        if not self._accepts(value):
            allowed = self.allowed(name)
            if self.kind == "real" and not self.optional and not _is_finite_real(value):
                allowed = "allowed is a finite real number"
            raise ValueError(f"{owner}.{name}={value!r} is invalid: {allowed}")
        return int(value) if self.kind == "integer" else value

    def _accepts(self, value: Any) -> bool:
        if self.kind == "choice":
            return isinstance(value, str) and value in self.choices
        if self.kind == "bool":
            return isinstance(value, bool)
        if not _is_finite_real(value):
            return False
        if self.kind == "integer" and not float(value).is_integer():
            return False
        return self._within(float(value))

    def _within(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))

    def scaled(self, default: Any, budget: float, paper_budget: float) -> Any:
        """The default at ``budget`` under this option's scaling rule."""
        if self.scale is None or default is None:
            return default
        if self.scale == "budget":
            return budget
        factor = budget / paper_budget if self.scale == "length" else paper_budget / budget
        value = default * factor
        if self.kind == "integer":
            return max(1, round(value))
        return int(value) if isinstance(default, int) and float(value).is_integer() else value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _is_finite_real(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)


def option(default: Any, help: str, **declaration: Any) -> Any:
    """A dataclass field with ``default`` and its :class:`Option` declaration as metadata."""
    return dataclasses.field(default=default, metadata={"option": Option(help=help, **declaration)})


@dataclass(frozen=True)
class MethodOptions:
    """Base of every method's options: validation, budget scaling and construction from mappings.

    Subclasses are frozen dataclasses whose fields are declared with :func:`option`; they set
    ``METHOD`` (the estimator's registered name), ``TITLE`` (its name in prose and messages) and
    ``PAPER_BUDGET`` (the generation budget the paper's defaults belong to), and may override
    :meth:`check` for rules between fields.
    """

    METHOD: ClassVar[str] = ""
    TITLE: ClassVar[str] = ""
    PAPER_BUDGET: ClassVar[float] = 0

    def __post_init__(self) -> None:
        owner = type(self).__name__
        for field in dataclasses.fields(self):
            value = field.metadata["option"].check(owner, field.name, getattr(self, field.name))
            object.__setattr__(self, field.name, value)
        self.check()

    def check(self) -> None:
        """Rules that involve several fields; raise ``ValueError`` naming the field."""

    @classmethod
    def declared(cls) -> list[tuple[str, Any, Option]]:
        """``(name, paper default, declaration)`` of every option, in declaration order."""
        return [(field.name, field.default, field.metadata["option"]) for field in dataclasses.fields(cls)]

    @classmethod
    def defaults_for_budget(cls, budget: float | None) -> dict[str, Any]:
        """Every option's default at ``budget`` (the paper's defaults when ``budget`` is None)."""
        if budget is not None and (not _is_finite_real(budget) or budget <= 0):
            raise ValueError(f"budget={budget!r} is invalid: allowed is a number of tokens > 0")
        return {
            name: default if budget is None else declaration.scaled(default, budget, cls.PAPER_BUDGET)
            for name, default, declaration in cls.declared()
        }

    @classmethod
    def for_budget(cls: type[OptionsT], budget: float | None = None, /, **values: Any) -> OptionsT:
        """Options at ``budget``: the scaled defaults, then ``values`` (validated; unknown names rejected)."""
        names = [name for name, _, _ in cls.declared()]
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ValueError(
                f"unknown {cls.TITLE} option {unknown[0]!r}: allowed names are {', '.join(names)}"
            )
        return cls(**{**cls.defaults_for_budget(budget), **values})

    @classmethod
    def from_mapping(
        cls: type[OptionsT],
        mapping: Mapping[str, Any] | None,
        prefix: str = "",
        *,
        budget: float | None = None,
    ) -> OptionsT:
        """Options from the ``prefix``-ed keys of ``mapping`` (e.g. verl's ``algorithm`` section).

        With a ``prefix``, keys without it are ignored and a prefixed key that names no option (a
        typo) raises ``ValueError`` listing the allowed names; without one, every key must be an
        option. A value of ``None`` for an option that does not allow ``None`` means "the default
        at this budget". Unset options keep their defaults at ``budget``.
        """
        declared = {name: declaration for name, _, declaration in cls.declared()}
        values: dict[str, Any] = {}
        for key, value in (mapping or {}).items():
            if prefix and (not isinstance(key, str) or not key.startswith(prefix)):
                continue
            name = key[len(prefix) :]
            if name not in declared:
                allowed = ", ".join(prefix + option_name for option_name in declared)
                raise ValueError(f"unknown {cls.TITLE} option {key!r}: allowed names are {allowed}")
            if value is None and not declared[name].optional:
                continue
            values[name] = value
        return cls.for_budget(budget, **values)

    def generation_budget(self) -> float | None:
        """The generation budget these options were built for (the option declared ``scale="budget"``)."""
        for name, _, declaration in self.declared():
            if declaration.scale == "budget":
                return getattr(self, name)
        return None

    def as_dict(self) -> dict[str, Any]:
        """The option values as plain Python values."""
        return dataclasses.asdict(self)
