"""LEAD for TRL: ``LEADGRPOTrainer``, a ``GRPOTrainer`` whose advantages come from the LEAD core."""

from lead.integrations.trl.trainer import LEADGRPOTrainer, lead_inputs

__all__ = ["LEADGRPOTrainer", "lead_inputs"]
