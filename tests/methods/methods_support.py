"""Batches for the methods' property tests, and the comparison of an estimator with an oracle.

``method_batches(budget)`` draws batches with every awkward feature on offer: unequal groups, groups
of one, all-correct and all-wrong groups and batches, truncated rows (length = budget), equal
lengths, padding rows (own or shared labels) and stable problem ids that repeat across groups and
steps. ``tensors(rows)`` builds the ``(B, T)`` inputs; ``assert_rows_close`` compares per-row
advantages.
"""

from __future__ import annotations

import oracle_common
import torch
from hypothesis import strategies as st

Row = oracle_common.Row
ADVANTAGE_TOLERANCE = 1e-5


@st.composite
def method_batches(draw: st.DrawFn, budget: int, problems: int = 4) -> list:
    """A list of :class:`Row`; lengths in ``1..budget`` (``budget`` = truncated), padding rows 0."""
    sizes = draw(st.lists(st.integers(1, 6), min_size=1, max_size=5))
    batch_kind = draw(st.sampled_from(["mixed", "mixed", "all_correct", "all_wrong"]))
    equal_length = draw(st.one_of(st.none(), st.integers(1, budget)))
    rows = []
    for label, size in enumerate(sizes):
        kind = (
            draw(st.sampled_from(["mixed", "all_correct", "all_wrong"]))
            if batch_kind == "mixed"
            else batch_kind
        )
        problem = draw(st.integers(0, problems - 1))
        for _ in range(size):
            length = equal_length if equal_length is not None else draw(st.integers(1, budget))
            score = draw(st.sampled_from([0.0, 1.0])) if kind == "mixed" else float(kind == "all_correct")
            rows.append(Row(label=label, score=score, length=length, problem=problem))
    for padding in range(draw(st.integers(0, 2))):
        rows.append(Row(label=draw(st.sampled_from([1000 + padding, 0])), score=0.0, length=0, problem=0))
    order = draw(st.permutations(range(len(rows))))
    return [rows[position] for position in order]


def tensors(rows: list, width: int | None = None) -> tuple[torch.Tensor, torch.Tensor, list, list]:
    """``(rewards (B, T), mask (B, T), index, problem_ids)`` of rows: leading valid tokens, the score
    at the last one."""
    width = width or max(1, max(row.length for row in rows))
    rewards, mask = torch.zeros(len(rows), width), torch.zeros(len(rows), width)
    for position, row in enumerate(rows):
        mask[position, : row.length] = 1.0
        if row.length:
            rewards[position, row.length - 1] = row.score
    return rewards, mask, [f"uid-{row.label}" for row in rows], [f"problem-{row.problem}" for row in rows]


def per_row_advantages(advantages: torch.Tensor, mask: torch.Tensor) -> list[float]:
    """The single value each row carries on its valid tokens (0 for padding); checks it is constant."""
    values = []
    for row, row_mask in zip(advantages, mask, strict=True):
        valid = row[row_mask > 0]
        assert torch.all(row[row_mask == 0] == 0)
        if valid.numel():
            assert torch.allclose(valid, valid[0].expand_as(valid))
        values.append(float(valid[0]) if valid.numel() else 0.0)
    return values


def assert_rows_close(
    actual: list[float], expected: list[float], tolerance: float = ADVANTAGE_TOLERANCE
) -> None:
    assert len(actual) == len(expected)
    for position, (a, e) in enumerate(zip(actual, expected, strict=True)):
        assert abs(a - e) <= tolerance * max(1.0, abs(e)), f"row {position}: {a} != {e}"
