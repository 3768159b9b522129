"""The project's methods for TRL: ``LEADGRPOTrainer``, a ``GRPOTrainer`` whose advantages come from
LEAD or any method of :mod:`lead.methods`."""

from lead.integrations.trl.trainer import LEADGRPOTrainer, estimator_inputs

__all__ = ["LEADGRPOTrainer", "estimator_inputs"]
