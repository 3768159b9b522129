"""Short import path for the TRL trainer: ``from lead.trl import LEADGRPOTrainer``."""

from lead.integrations.trl import LEADGRPOTrainer

__all__ = ["LEADGRPOTrainer"]
