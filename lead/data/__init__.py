"""Datasets in verl's RL schema: schema, validating loader, builders and the ``check`` command."""

from lead.data.schema import INSTRUCTION, SchemaError, load_rl_parquet, make_row, validate_frame

__all__ = ["INSTRUCTION", "SchemaError", "load_rl_parquet", "make_row", "validate_frame"]
