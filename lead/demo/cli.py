"""``lead-demo``: GRPO, LEAD and DLER from an over-thinking warm start, on a CPU in minutes.

The study's task (``lead-study``) at 2..5 digits, with a shorter warm start
(:data:`lead.demo.settings.DEMO_DEFAULTS`) and the study's RL settings, three methods and one seed:
GRPO (correctness only), LEAD, and DLER at one global truncation limit just above what the hardest
problems need.
Writes the same report folder: ``results.{json,csv,md}`` with the per-difficulty tables, and figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from lead.demo.configurations import demo_configurations
from lead.demo.settings import DEMO_DEFAULTS, StudySettings
from lead.demo.study import Command, run_command

DEMO = Command(
    prog="lead-demo",
    description=__doc__.splitlines()[0],
    title="LEAD CPU demo: GRPO, LEAD and DLER from one over-thinking warm start",
    default_out="lead-demo-report",
    configurations=demo_configurations,
    seeds_option=False,
    defaults=replace(StudySettings(), **DEMO_DEFAULTS),
)


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(DEMO, argv)


if __name__ == "__main__":
    raise SystemExit(main())
