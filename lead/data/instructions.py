"""Append an instruction to every prompt of an RL-schema data set (L1's targets, ThinkPrune's caps).

A row's last message gets ``" " + instruction`` after its content, that is after the problem's own
instruction ("Let's think step by step and output the final answer within \\boxed{}."), and its
``extra_info`` gains the fields that say what the prompt asked for, for a reward to read. Every other
column is kept, and so is the order of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def with_instruction(
    row: Mapping[str, Any], instruction: str, extra_info: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """A copy of ``row`` whose last message ends with ``instruction`` and whose ``extra_info`` has
    ``extra_info``'s fields too (the row's own fields of the same name are replaced)."""
    if not isinstance(instruction, str) or not instruction.strip():
        raise ValueError(f"instruction={instruction!r} is invalid: allowed is a non-empty string")
    messages = [dict(message) for message in row["prompt"]]
    messages[-1]["content"] = f"{messages[-1]['content']} {instruction}"
    return {**row, "prompt": messages, "extra_info": {**row["extra_info"], **(extra_info or {})}}


def with_instructions(
    rows: Iterable[Mapping[str, Any]],
    instructions: Iterable[str],
    extra_infos: Iterable[Mapping[str, Any] | None],
) -> list[dict[str, Any]]:
    """:func:`with_instruction` row by row (the three iterables have one item per row)."""
    return [
        with_instruction(row, instruction, extra_info)
        for row, instruction, extra_info in zip(rows, instructions, extra_infos, strict=True)
    ]
