"""The study runner on a tiny configuration with real training: finished runs are kept and skipped,
new seeds run alone, the warm start is trained once, a changed method is refused, and a run's
numbers do not depend on the worker count."""

from __future__ import annotations

import json
import re

import pytest

from lead.demo.configurations import TaskFacts, select, study_configurations
from lead.demo.runner import run_study
from lead.demo.settings import StudySettings
from lead.demo.store import FolderMismatch, run_path

TINY = StudySettings(
    max_digits=3,
    sft_steps=10,
    sft_batch_size=8,
    rl_steps=2,
    prompts_per_step=2,
    num_generations=2,
    max_completion_length=24,
    train_problems=20,
    eval_problems=2,
    eval_samples=1,
)


def tiny_configurations(keys: list[str]):
    return select(study_configurations(TaskFacts.of(TINY)), keys)


def modification_times(out) -> dict:
    return {path: path.stat().st_mtime_ns for path in out.rglob("*") if path.is_file()}


def test_a_rerun_skips_finished_runs_and_runs_only_new_seeds(tmp_path) -> None:
    out = tmp_path / "report"
    configurations = tiny_configurations(["grpo", "lead"])
    first = run_study(out, TINY, configurations, [0], workers=1, progress=False)
    assert first.executed == 2
    assert [(r["configuration"], r["seed"]) for r in first.records] == [("grpo", 0), ("lead", 0)]
    lead = first.records[1]
    assert len(lead["history"]) == TINY.rl_steps
    assert lead["options"]["bmax"] == 24 and lead["options"]["lstar_min"] == 9.0
    assert "lead/w_corr" in lead["history"][0]
    assert set(lead["evaluation"]["accuracy_by_difficulty"]) == {"2", "3"}
    assert lead["evaluation"]["num_samples"] == 2 * 2 * 1
    before = modification_times(out)

    again = run_study(out, TINY, configurations, [0], workers=1, progress=False)
    assert again.executed == 0
    assert again.records == first.records
    assert modification_times(out) == before, "nothing is retrained or rewritten"

    more = run_study(out, TINY, configurations, [0, 1], workers=1, progress=False)
    assert more.executed == 2
    assert [(r["configuration"], r["seed"]) for r in more.records] == [
        ("grpo", 0),
        ("grpo", 1),
        ("lead", 0),
        ("lead", 1),
    ]
    assert more.records[0] == first.records[0]
    assert (out / "warm_start" / "model.pt").stat().st_mtime_ns == before[out / "warm_start" / "model.pt"]


def test_a_run_made_with_other_method_options_is_refused(tmp_path) -> None:
    out = tmp_path / "report"
    configurations = tiny_configurations(["grpo_static"])[:1]
    run_study(out, TINY, configurations, [0], workers=1, progress=False)
    path = run_path(out, configurations[0].name, 0)
    record = json.loads(path.read_text())
    record["options"]["threshold"] = 3
    path.write_text(json.dumps(record))
    with pytest.raises(
        FolderMismatch, match=re.escape("holds run grpo_static_r0.25 seed 0 made with threshold=3")
    ):
        run_study(out, TINY, configurations, [0], workers=1, progress=False)


@pytest.mark.slow
def test_parallel_workers_give_the_same_runs_as_one_process(tmp_path) -> None:
    configurations = tiny_configurations(["grpo"])
    alone = run_study(tmp_path / "one", TINY, configurations, [0], workers=1, progress=False)
    pooled = run_study(tmp_path / "two", TINY, configurations, [0, 1], workers=2, progress=False)
    assert pooled.executed == 2
    assert pooled.warm_start == alone.warm_start
    assert pooled.records[0]["evaluation"] == alone.records[0]["evaluation"]
    assert pooled.records[0]["history"] == alone.records[0]["history"]
    assert pooled.records[1]["seed"] == 1
