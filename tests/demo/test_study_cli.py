"""Option validation of lead-study and lead-demo: every bad value ends the command before any work,
with one line naming the option, the value and what is allowed, and exit code 2."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lead.demo import cli, study
from lead.demo.runner import study_record
from lead.demo.settings import StudySettings
from lead.demo.store import claim_folder

STUDY_CASES = [
    (["--rl-steps", "-3"], "--rl-steps=-3", "allowed is an integer with --rl-steps >= 1"),
    (["--rl-steps", "2.5"], "--rl-steps=2.5", "allowed is an integer"),
    (["--sft-learning-rate", "nan"], "--sft-learning-rate=nan", "allowed is 0 < --sft-learning-rate <= 1"),
    (["--temperature", "0"], "--temperature=0", "0 < --temperature <= 10"),
    (["--num-generations", "1"], "--num-generations=1", "--num-generations >= 2"),
    (["--max-digits", "10"], "--max-digits=10", "2 <= --max-digits <= 9"),
    (["--min-digits", "6", "--max-digits", "4"], "--max-digits=4", "--min-digits=6 <= --max-digits <= 9"),
    (["--max-completion-length", "30"], "--max-completion-length=30", "39 <= --max-completion-length <= 247"),
    (["--eval-problems", "80"], "--eval-problems=80", "1 <= --eval-problems <= 72"),
    (["--min-digits", "2", "--max-digits", "2", "--train-problems", "70"], "--train-problems=70",
     "1 <= --train-problems <= 52"),
    (["--seeds", "0,0"], "--seeds=0,0", "distinct integers >= 0"),
    (["--seeds", "-1"], "--seeds=-1", "distinct integers >= 0"),
    (["--methods", "lead,bogus"], "--methods=lead,bogus", "allowed is a comma-separated list of distinct"),
    (["--workers", "0"], "--workers=0", "1 <= --workers <= 32"),
    (["--bogus", "1"], "unrecognized arguments: --bogus 1", "see --help"),
]  # fmt: skip


def assert_refused_before_work(capsys, out: Path, needle: str, allowed: str) -> None:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert needle in lines[0] and allowed in lines[0], lines[0]
    assert captured.out == ""
    assert not out.exists(), "no work (not even the report folder) before the options are checked"


def exit_code(main, argv: list[str]) -> int:
    """The command's exit code, whether it returns it or argparse exits."""
    try:
        return main(argv)
    except SystemExit as stop:
        return stop.code


@pytest.mark.parametrize(
    ("argv", "needle", "allowed"), STUDY_CASES, ids=[" ".join(c[0]) for c in STUDY_CASES]
)
def test_lead_study_refuses_bad_options_in_one_line(argv, needle, allowed, tmp_path, capsys) -> None:
    out = tmp_path / "report"
    methods = [] if "--methods" in argv else ["--methods", "grpo,lead"]
    assert exit_code(study.main, [*argv, *methods, "--out", str(out)]) == 2
    assert_refused_before_work(capsys, out, needle, allowed)


DEMO_CASES = [
    (["--rl-steps", "-3"], "--rl-steps=-3", "allowed is an integer with --rl-steps >= 1"),
    (["--seed", "-1", "--methods", "grpo,lead"], "--seed=-1", "0 <= --seed <= 2147483647"),
    (["--methods", "laser"], "--methods=laser", "names from grpo, lead, dler"),
]


@pytest.mark.parametrize(("argv", "needle", "allowed"), DEMO_CASES, ids=[" ".join(c[0]) for c in DEMO_CASES])
def test_lead_demo_refuses_bad_options_in_one_line(argv, needle, allowed, tmp_path, capsys) -> None:
    out = tmp_path / "report"
    assert exit_code(cli.main, [*argv, "--out", str(out)]) == 2
    assert_refused_before_work(capsys, out, needle, allowed)


def test_a_budget_below_a_sweep_limit_is_refused_with_the_methods_reason(tmp_path, capsys) -> None:
    out = tmp_path / "report"
    # 3 digits: the hardest problems need 15 tokens, so the limits are 11, 19 and 30 > the budget 24
    argv = [
        "--methods",
        "dler",
        "--max-digits",
        "3",
        "--max-completion-length",
        "24",
        "--train-problems",
        "100",
    ]
    assert exit_code(study.main, [*argv, "--out", str(out)]) == 2
    assert_refused_before_work(
        capsys, out, "--max-completion-length=24 is invalid for DLER, limit 30", "limit"
    )


def test_a_folder_of_another_configuration_is_refused_before_any_work(tmp_path, capsys) -> None:
    out = tmp_path / "report"
    out.mkdir()
    claim_folder(out, study_record(StudySettings(rl_steps=7)))
    assert study.main(["--methods", "grpo", "--rl-steps", "5", "--out", str(out)]) == 2
    line = capsys.readouterr().err.strip()
    assert "\n" not in line
    assert f"--out={out} holds runs made with rl_steps=7, but this study has rl_steps=5" in line
    assert sorted(path.name for path in out.iterdir()) == ["study.json"], "no warm start, no run"


COMMANDS = {"lead-study": "lead.demo.study", "lead-demo": "lead.demo.cli"}


def command(name: str) -> list[str]:
    """The installed console script, or its module where the script is not installed."""
    script = shutil.which(name) or str(Path(sys.executable).with_name(name))
    return [script] if Path(script).exists() else [sys.executable, "-m", COMMANDS[name]]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_console_scripts_exit_2_on_the_trainers_minus_one_rule(name, tmp_path) -> None:
    result = subprocess.run(
        [*command(name), "--rl-steps", "-3", "--out", str(tmp_path / "r")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == f"{name}: --rl-steps=-3 is invalid: allowed is an integer with --rl-steps >= 1"
    )
    assert result.stdout == ""
    assert not (tmp_path / "r").exists()


def test_lead_demo_runs_the_study_task_at_two_to_five_digits_unless_told_otherwise(capsys) -> None:
    demo = study.check_arguments(cli.DEMO, study.build_parser(cli.DEMO).parse_args([]))
    full = study.check_arguments(study.STUDY, study.build_parser(study.STUDY).parse_args([]))
    assert (demo.settings.min_digits, demo.settings.max_digits) == (2, 5)
    assert demo.settings.sft_steps < full.settings.sft_steps
    same = ("max_completion_length", "rl_steps", "prompts_per_step", "num_generations", "rl_learning_rate")
    assert all(getattr(demo.settings, name) == getattr(full.settings, name) for name in same)
    assert [c.name for c in demo.configurations] == ["grpo", "lead", "dler_limit34"]  # 1.25 x 27 tokens

    told = study.check_arguments(cli.DEMO, study.build_parser(cli.DEMO).parse_args(["--max-digits", "7"]))
    assert told.settings.max_digits == 7 and told.configurations[2].name == "dler_limit49"

    with pytest.raises(SystemExit):
        study.build_parser(cli.DEMO).parse_args(["--help"])
    assert "hardest problems: digits to add (default 5)" in " ".join(capsys.readouterr().out.split())
