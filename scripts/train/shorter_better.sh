#!/usr/bin/env bash
# ShorterBetter (arXiv 2504.21370) on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with verl
# 0.9.1: 2 * correct - 0.001 * |L - SOL| with SOL the group's shortest correct length,
# group-normalised (lead/methods/shorter_better.py).
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash scripts/train/shorter_better.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/shorter_better.sh     # compose + validate only, no GPU needed
#
# The paper's: 8 responses a prompt (the common recipe's), temperature 0.9, budget 6000 tokens (where
# its b = 0.001 per token belongs), a = 2. The project's: model, data, validation, lr 1e-6, 128 prompts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

SHORTER_BETTER_RECIPE=(
    algorithm.adv_estimator=shorter_better
    actor_rollout_ref.rollout.temperature=0.9
    data.max_response_length=6000
    trainer.project_name=MATH_SHORTER_BETTER
)

launch_training deepseek-r1-1.5B-math-ShorterBetter math_shorter_better_deepseek-r1-1.5b \
    "${SHORTER_BETTER_RECIPE[@]}" -- "$@"
