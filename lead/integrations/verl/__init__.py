"""The project's methods as a plugin of verl 0.9.1 (``algorithm.adv_estimator=lead``, ``dler``, ...).

Modules, one job each:

- ``plugin``: registers every project method as a verl advantage estimator (loaded through the
  ``verl.plugins`` entry point).
- ``method_config``: which method a run uses and its options from verl's ``algorithm`` section.
- ``holder``: the process-level holder of the run's estimator (state, call counting, metrics).
- ``metrics``: routes the estimator's ``<method>/*`` metrics into verl's ``Tracking.log`` (both trainers).
- ``grader_metrics``: the grader's per-response outcomes as ``lead/grader_*`` step metrics (both trainers).
- ``checkpoint``: saves and restores the estimator's state in ``global_step_N/``.
- ``problem_ids``: stable problem ids carried in verl's uids, for methods with per-problem state.
- ``legacy``: the legacy ``RayPPOTrainer`` with the method's state in its checkpoints.
- ``runners``: the Ray task runners of ``python -m lead.main_ppo``.
- ``prompt_usage``: prompts drawn from the training data per step, in total and in passes (v1 trainer).
- ``requirements``: what a run with a project method requires of the verl config.
- ``reward_manager``: verl's naive reward manager that passes and logs response lengths.
- ``dry_run`` / ``launch``: configuration check without GPUs, and the training scripts' launcher.

Importing this package imports nothing from verl.
"""
