#!/usr/bin/env bash
# DLER (arXiv 2510.15110) on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with verl 0.9.1:
# correctness, 0 for a response cut at the budget, batch-normalised (lead/methods/dler.py).
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash scripts/train/dler.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/dler.sh     # compose + validate only, no GPU needed
#
# The paper's: budget 4000 tokens (the truncation limit), 16 responses a prompt, 512 prompts a step,
# clip ratios 0.2/0.28, lr 1e-6, temperature 1.0, KL loss mse 0.0005 (the last three are the common
# recipe's), dynamic sampling. The project's: model, data, validation, PPO mini-batch of 16 prompts
# (32 updates a step at 512 prompts), 7 epochs (16 steps each at 512 prompts).
# Dynamic sampling is part of DLER's recipe, so DYNAMIC_SAMPLING defaults to 1 here: verl's filter
# drops groups whose scores are all equal, and with DLER the score is the 0/1 correctness (its
# penalty is applied inside the estimator), so that is DLER's filter, on correctness before the
# penalty. DYNAMIC_SAMPLING=0 trains on every batch. As for every script, runs that filter are named
# with the -dynamic-sampling suffix.
# Alternatives: actor_rollout_ref.actor.kl_loss_type=low_var_kl (the released scripts leave verl's
# KL type); algorithm.dler.truncation_multiplier=0.1 and algorithm.dler.correct_advantage_bonus=0.1
# (the released code); difficulty-aware DLER: algorithm.dler.easy_limit_fraction=0.5, continued
# from a DLER checkpoint (trainer.resume_mode=resume_path trainer.resume_from_path=.../global_step_N).
set -euo pipefail
DYNAMIC_SAMPLING="${DYNAMIC_SAMPLING:-1}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DLER_RECIPE=(
    algorithm.adv_estimator=dler
    data.max_response_length=4000
    data.train_batch_size=512
    "${SIXTEEN_ROLLOUTS_RECIPE[@]}"
    "${CLIP_HIGHER_RECIPE[@]}"
    trainer.project_name=MATH_DLER
)

launch_training deepseek-r1-1.5B-math-DLER math_dler_deepseek-r1-1.5b "${DLER_RECIPE[@]}" -- "$@"
