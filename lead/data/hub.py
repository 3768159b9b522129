"""Loading raw records from the Hugging Face Hub, with a clear error when it cannot be reached."""

from __future__ import annotations

from typing import Any


class HubUnavailableError(RuntimeError):
    """The hub (or the ``datasets`` package) could not provide a dataset."""


def load_hub_records(dataset: str, config: str | None, split: str) -> list[dict[str, Any]]:
    """All records of ``dataset``/``config``/``split`` as plain dicts, in hub order."""
    try:
        from datasets import load_dataset
    except ImportError as error:
        raise HubUnavailableError(
            "the 'datasets' package is needed for --source hub: pip install datasets"
        ) from error
    try:
        loaded = load_dataset(dataset, config, split=split) if config else load_dataset(dataset, split=split)
    except Exception as error:  # network, offline mode, missing repo: all mean "not available here"
        raise HubUnavailableError(
            f"cannot load {dataset}{'/' + config if config else ''} [{split}] from the Hugging Face Hub "
            f"({type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}). "
            "Without hub access, rebuild from the raw files the project ships: --source raw"
        ) from error
    return [dict(record) for record in loaded]
