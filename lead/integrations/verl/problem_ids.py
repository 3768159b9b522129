"""Stable problem ids for methods with per-problem state (``hapo``), carried in verl's uid.

verl hands an advantage estimator only each prompt's uid, a fresh ``uuid4`` every step, so a
method that remembers problems across steps and epochs needs another way to recognise them. The
project's trainers (``python -m lead.main_ppo``) put the problem's stable id into the uid itself,
right where the trainer draws the batch::

    uid = "pid" + hex(utf-8 of "<data_source>:<extra_info.index>") + "." + uuid4

so the uid stays unique per prompt and step, and contains no ``_`` (the v1 trainer joins
``{uid}_{session}_{index}`` keys and splits them on ``_``). The estimator reads the id back with
:func:`problem_ids_from_uids`. Through verl's own entry point uids carry no id, and such a method
stops with a message saying to use ``python -m lead.main_ppo``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

PREFIX = "pid"
SEPARATOR = "."


class MissingProblemIdError(ValueError):
    """A uid without a stable problem id reached a method that needs one."""


def problem_key(data_source: Any, extra_info: Any) -> str | None:
    """``"<data_source>:<extra_info.index>"``, a row's stable id; None when the row has no index."""
    index = extra_info.get("index") if isinstance(extra_info, Mapping) else None
    return None if index is None else f"{data_source}:{index}"


def uid_with_problem(key: str) -> str:
    """A fresh uid that carries ``key``."""
    return f"{PREFIX}{key.encode('utf-8').hex()}{SEPARATOR}{uuid.uuid4()}"


def uids_with_problems(
    uids: Sequence[Any], data_sources: Sequence[Any], extra_infos: Sequence[Any]
) -> list[str]:
    """A fresh uid carrying its row's stable problem id, for every row that has one (others keep theirs)."""
    keys = [problem_key(source, info) for source, info in zip(data_sources, extra_infos, strict=True)]
    return [str(uid) if key is None else uid_with_problem(key) for uid, key in zip(uids, keys, strict=True)]


def problem_id_from_uid(uid: Any) -> str | None:
    """The stable problem id a uid carries, or None."""
    text = str(uid)
    if not text.startswith(PREFIX) or SEPARATOR not in text:
        return None
    encoded = text[len(PREFIX) : text.index(SEPARATOR)]
    try:
        return bytes.fromhex(encoded).decode("utf-8")
    except ValueError:
        return None


def problem_ids_from_uids(method: str, uids: Sequence[Any]) -> list[str]:
    """The problem id of every uid; :class:`MissingProblemIdError` naming the way out otherwise."""
    ids = [problem_id_from_uid(uid) for uid in uids]
    if any(problem_id is None for problem_id in ids):
        example = next(uid for uid, problem_id in zip(uids, ids, strict=True) if problem_id is None)
        raise MissingProblemIdError(
            f"adv_estimator={method} keeps per-problem state and needs each prompt's stable problem id, but "
            f"uid {example!r} carries none (verl gives every prompt a fresh uuid each step): train with "
            "`python -m lead.main_ppo` (or the project's training scripts), which put each row's "
            "data_source and extra_info.index into its uid, and give every training row an extra_info.index"
        )
    return ids


class ProblemIdUidV1Mixin:
    """Mixed in before a verl v1 trainer class: the uids of each drawn batch carry problem ids."""

    def _fetch_one_gen_batch(self) -> Any:
        from verl.utils import tensordict_utils as tu

        batch = super()._fetch_one_gen_batch()
        uids = tu.get(batch, "uid")
        sources = tu.get(batch, "data_source") or ["unknown"] * len(uids)
        extra_infos = tu.get(batch, "extra_info") or [None] * len(uids)
        tu.assign_non_tensor_stack(batch, "uid", uids_with_problems(uids, sources, extra_infos))
        return batch


class ProblemIdUidLegacyMixin:
    """Mixed in before verl's legacy ``RayPPOTrainer``: the uids of each batch carry problem ids.

    ``RayPPOTrainer.fit`` gives the batch its uids and then calls ``_get_gen_batch`` with it.
    """

    def _get_gen_batch(self, batch: Any) -> Any:
        import numpy as np

        non_tensor = batch.non_tensor_batch
        uids = non_tensor["uid"]
        sources = non_tensor.get("data_source", ["unknown"] * len(uids))
        extra_infos = non_tensor.get("extra_info", [None] * len(uids))
        non_tensor["uid"] = np.array(uids_with_problems(uids, sources, extra_infos), dtype=object)
        return super()._get_gen_batch(batch)
