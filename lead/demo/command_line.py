"""Option parsing shared by ``lead-study`` and ``lead-demo``: every value is checked before any work.

A bad value ends the command with one line on stderr naming the option, the value and what is
allowed, and exit code 2 (argparse's own errors too, in one line).
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from lead.demo.settings import StudySettings, rule_errors

INTEGER = re.compile(r"[+-]?\d+")


class UsageError(Exception):
    """A bad command-line value; its message is the one line to print."""


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line and exits with code 2."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: {message} (see --help)", file=sys.stderr)
        raise SystemExit(2)


def flag(name: str) -> str:
    """``rl_steps`` -> ``--rl-steps``."""
    return "--" + name.replace("_", "-")


def add_setting_arguments(parser: argparse.ArgumentParser, defaults: StudySettings) -> None:
    """One option per setting, read as text and checked by :func:`settings_from_arguments`."""
    for name, _, declaration in StudySettings.declared():
        parser.add_argument(
            flag(name),
            dest=name,
            default=None,
            metavar="N" if declaration.kind == "integer" else "X",
            help=f"{declaration.help} (default {getattr(defaults, name)})",
        )


def _number(name: str, raw: str, kind: str, allowed: str) -> Any:
    if kind == "integer":
        if not INTEGER.fullmatch(raw.strip()):
            raise UsageError(f"{flag(name)}={raw} is invalid: {allowed}")
        return int(raw)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise UsageError(f"{flag(name)}={raw} is invalid: {allowed}")
    return value


def settings_from_arguments(args: argparse.Namespace, defaults: StudySettings) -> StudySettings:
    """The settings: ``defaults`` with every option given on the command line, each checked."""
    values = defaults.as_dict()
    for name, _, declaration in StudySettings.declared():
        raw = getattr(args, name)
        if raw is None:
            continue
        allowed = declaration.allowed(flag(name))
        value = _number(name, raw, declaration.kind, allowed)
        try:
            values[name] = declaration.check("settings", name, value)
        except ValueError:
            raise UsageError(f"{flag(name)}={raw} is invalid: {allowed}") from None
    for name, allowed in rule_errors(values):
        text = allowed
        for other in values:
            text = text.replace(other, flag(other))
        raise UsageError(f"{flag(name)}={values[name]} is invalid: {text}")
    return StudySettings(**values)


def integer_list(option_name: str, raw: str, *, low: int = 0) -> tuple[int, ...]:
    """A comma-separated list of distinct integers >= ``low`` (e.g. ``--seeds 0,1,2``)."""
    parts = [part.strip() for part in raw.split(",")]
    allowed = f"allowed is a comma-separated list of distinct integers >= {low}, e.g. 0,1,2"
    if not parts or any(not INTEGER.fullmatch(part) or int(part) < low for part in parts):
        raise UsageError(f"{option_name}={raw} is invalid: {allowed}")
    values = tuple(int(part) for part in parts)
    if len(set(values)) != len(values):
        raise UsageError(f"{option_name}={raw} is invalid: {allowed}")
    return values


def name_list(option_name: str, raw: str, allowed_names: Sequence[str]) -> tuple[str, ...]:
    """A comma-separated list of distinct names, each one of ``allowed_names``."""
    names = tuple(part.strip() for part in raw.split(","))
    if not names or any(name not in allowed_names for name in names) or len(set(names)) != len(names):
        raise UsageError(
            f"{option_name}={raw} is invalid: allowed is a comma-separated list of distinct names from "
            + ", ".join(allowed_names)
        )
    return names


def bounded_integer(option_name: str, raw: str, low: int, high: int) -> int:
    """An integer in ``[low, high]``."""
    if not INTEGER.fullmatch(raw.strip()) or not low <= int(raw) <= high:
        raise UsageError(
            f"{option_name}={raw} is invalid: allowed is an integer with {low} <= {option_name} <= {high}"
        )
    return int(raw)


def fail(prog: str, error: UsageError) -> int:
    """Print the one-line message of ``error`` and return exit code 2."""
    print(f"{prog}: {error}", file=sys.stderr)
    return 2
