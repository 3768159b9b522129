"""Launcher of the training scripts: ``python -m lead.integrations.verl.launch RECIPE... -- EXTRA...``.

Takes the recipe's overrides, then (after ``--``) the user's extra overrides, which win because Hydra
applies overrides in order. Between the two it adds ``trainer.logger``: ``$LOGGER`` (comma list)
when set, else ``console`` plus ``wandb`` when ``WANDB_API_KEY`` is set (the key itself is never
printed or forwarded). wandb resumes a run given by ``WANDB_RUN_ID`` (``WANDB_RESUME=allow``, the
current form of the release's ``trainer.wandb_kwargs.resume=allow``). With ``DRY_RUN=1`` it runs
:mod:`~lead.integrations.verl.dry_run` instead of training.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from lead.integrations.verl.main import with_plugin_module

SEPARATOR = "--"


def logger_override(environ: dict[str, str]) -> str:
    """The ``trainer.logger=[...]`` override from ``LOGGER`` / ``WANDB_API_KEY``."""
    backends = [name.strip() for name in environ.get("LOGGER", "").split(",") if name.strip()]
    if not backends:
        backends = ["console", "wandb"] if environ.get("WANDB_API_KEY") else ["console"]
    return "trainer.logger=[" + ",".join(backends) + "]"


def build_overrides(argv: Sequence[str], environ: dict[str, str]) -> list[str]:
    """Recipe overrides, the logger, then the user's extra overrides."""
    args = list(argv)
    if SEPARATOR in args:
        cut = args.index(SEPARATOR)
        recipe, extra = args[:cut], args[cut + 1 :]
    else:
        recipe, extra = args, []
    return [*recipe, logger_override(environ), *extra]


def main(argv: Sequence[str] | None = None) -> int:
    """Dry-run or exec ``python -m lead.main_ppo`` with the overrides."""
    overrides = build_overrides(sys.argv[1:] if argv is None else argv, dict(os.environ))
    os.environ.setdefault("WANDB_RESUME", "allow")
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    modules = os.environ.get("VERL_USE_EXTERNAL_MODULES", "")
    os.environ["VERL_USE_EXTERNAL_MODULES"] = with_plugin_module(modules)
    if os.environ.get("DRY_RUN", "0") == "1":
        from lead.integrations.verl.dry_run import main as dry_run

        return dry_run(overrides)
    os.execv(sys.executable, [sys.executable, "-u", "-m", "lead.main_ppo", *overrides])
    return 0


if __name__ == "__main__":
    sys.exit(main())
