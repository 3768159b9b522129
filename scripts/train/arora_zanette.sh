#!/usr/bin/env bash
# Arora and Zanette, "Training Language Models to Reason Efficiently" (arXiv 2502.04463), on
# DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with verl 0.9.1: 1 - alpha * sigmoid(standardised
# length) for a correct finished response, 0 otherwise, leave-one-out then whitened
# (lead/methods/arora_zanette.py).
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash scripts/train/arora_zanette.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/arora_zanette.sh     # compose + validate only, no GPU needed
#
# The paper's: 8 responses a prompt (the common recipe's), alpha 0.1 (the method's default; their
# sweep: algorithm.arora_zanette.alpha=0.05 to 0.4). The project's: model, data, validation, lr 1e-6,
# and the 8000-token budget instead of their 32,000: the penalty compares lengths within a group, so
# only the truncation threshold depends on the budget. Their trainer's 0.001 KL term in the reward is
# not used: the estimator reads correctness from the reward (use_kl_in_reward=False), so the KL is the
# common recipe's actor loss.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ARORA_ZANETTE_RECIPE=(
    algorithm.adv_estimator=arora_zanette
    trainer.project_name=MATH_ARORA_ZANETTE
)

launch_training deepseek-r1-1.5B-math-Arora-Zanette math_arora_zanette_deepseek-r1-1.5b \
    "${ARORA_ZANETTE_RECIPE[@]}" -- "$@"
