#!/usr/bin/env bash
# LASER-D (arXiv 2505.15612) on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with verl 0.9.1:
# LASER's bonus with a target length per difficulty bucket, recomputed every 20 steps from the
# responses of the steps since (lead/methods/laser_d.py; its state is saved with every checkpoint).
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash scripts/train/laser_d.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/laser_d.sh     # compose + validate only, no GPU needed
#
# The paper's: LASER's trainer (temperature 0.6, clip ratios 0.2/0.28, 8 responses a prompt, 128
# prompts, lr 1e-6), quotas ceil(2G/3) / ceil(G/3) / 1, candidates L_T to B in steps of B / 16.
# The project's: model, data, validation, and the 8000-token budget (see scripts/train/laser.sh;
# data.max_response_length=16384 is the paper's). The released code's quotas:
# algorithm.laser_d.quota_rounding=floor; its monitor's buckets: algorithm.laser_d.coverage_buckets=monitor.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

LASER_D_RECIPE=(
    algorithm.adv_estimator=laser_d
    "${LASER_TRAINER_RECIPE[@]}"
    trainer.project_name=MATH_LASER_D
)

launch_training deepseek-r1-1.5B-math-LASER-D math_laser_d_deepseek-r1-1.5b "${LASER_D_RECIPE[@]}" -- "$@"
