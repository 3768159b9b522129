"""LEAD as a plugin of verl 0.9.1 (``algorithm.adv_estimator=lead``).

Modules, one job each:

- ``plugin``: registers the ``lead`` advantage estimator (loaded through the ``verl.plugins`` entry point).
- ``controller``: the process-level LEAD controller behind the estimator (state, call counting, metrics).
- ``metrics``: routes ``lead/*`` metrics into verl's ``Tracking.log`` (both trainers).
- ``grader_metrics``: the grader's per-response outcomes as ``lead/grader_*`` step metrics (both trainers).
- ``checkpoint``: saves and restores the controller state in ``global_step_N/``.
- ``legacy``: the legacy ``RayPPOTrainer`` with LEAD state in its checkpoints.
- ``runners``: the Ray task runners of ``python -m lead.main_ppo``.
- ``requirements``: what a LEAD run requires of the verl config.
- ``reward_manager``: verl's naive reward manager that passes and logs response lengths in tokens.
- ``dry_run`` / ``launch``: configuration check without GPUs, and the training scripts' launcher.

Importing this package imports nothing from verl.
"""
