"""lead.data.instructions on rows of the shipped training parquet: the appended text, the kept fields."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lead.data.instructions import with_instruction, with_instructions
from lead.data.schema import INSTRUCTION, load_rl_parquet, validate_frame

TRAIN = Path(__file__).resolve().parents[2] / "data" / "math" / "train.parquet"


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return load_rl_parquet(TRAIN).head(5).to_dict(orient="records")


def test_the_instruction_follows_the_problems_own_and_extra_info_records_it(rows):
    row = rows[0]
    new = with_instruction(row, "Be brief.", {"note": 7})
    (message,) = new["prompt"]
    assert message["content"] == row["prompt"][0]["content"] + " Be brief."
    assert message["content"].endswith(INSTRUCTION + " Be brief.")
    assert new["extra_info"] == {**row["extra_info"], "note": 7}
    assert {key: new[key] for key in ("data_source", "ability", "reward_model")} == {
        key: row[key] for key in ("data_source", "ability", "reward_model")
    }
    assert row["prompt"][0]["content"].endswith(INSTRUCTION)  # the source row is not changed
    assert "note" not in row["extra_info"]


def test_only_the_last_message_gets_it_and_a_field_of_the_same_name_is_replaced(rows):
    row = {**rows[1], "prompt": [{"role": "system", "content": "S."}, dict(rows[1]["prompt"][0])]}
    new = with_instruction(row, "Go.", {"index": "replaced"})
    assert [message["content"] for message in new["prompt"]] == [
        "S.",
        rows[1]["prompt"][0]["content"] + " Go.",
    ]
    assert new["extra_info"]["index"] == "replaced"


def test_rows_keep_their_order_and_the_schema(rows):
    built = with_instructions(rows, (f"Say {i}." for i in range(5)), ({"i": i} for i in range(5)))
    assert [row["extra_info"]["i"] for row in built] == list(range(5))
    assert [row["extra_info"]["index"] for row in built] == [row["extra_info"]["index"] for row in rows]
    assert all(row["prompt"][-1]["content"].endswith(f" Say {i}.") for i, row in enumerate(built))
    validate_frame(pd.DataFrame(built))


@pytest.mark.parametrize("instruction", ["", "   ", None])
def test_an_empty_instruction_is_refused(rows, instruction):
    with pytest.raises(ValueError, match=r"instruction=.* is invalid: allowed is a non-empty string"):
        with_instruction(rows[0], instruction)


def test_one_instruction_per_row(rows):
    with pytest.raises(ValueError):
        with_instructions(rows, ["only one"], [None])
