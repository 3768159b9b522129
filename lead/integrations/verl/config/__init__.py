"""Hydra config of ``python -m lead.main_ppo`` (``lead_ppo_trainer.yaml``)."""
