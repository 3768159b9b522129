#!/usr/bin/env bash
# The Kimi k1.5 length penalty (arXiv 2501.12599, section 2.3.3) on DeepSeek-R1-Distill-Qwen-1.5B,
# MATH levels 3-5, with verl 0.9.1: correctness plus 0.5 - (L - min) / (max - min) per group (only
# ever a penalty for a wrong response), mean baseline (lead/methods/kimi.py).
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash scripts/train/kimi.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/kimi.sh     # compose + validate only, no GPU needed
#
# The paper's: the per-group penalty, in tokens, and its mean baseline (the method's defaults); it
# gives no trainer settings. The project's: everything else, the common recipe (model, data,
# validation, 8000-token budget, 8 responses a prompt, 128 prompts, lr 1e-6), and the weight w = 1
# (the paper gives none). Options: algorithm.kimi.warmup_steps=N (correctness only for the first N
# steps, as the paper warms up), algorithm.kimi.normalization=group (GRPO).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

KIMI_RECIPE=(
    algorithm.adv_estimator=kimi
    trainer.project_name=MATH_KIMI
)

launch_training deepseek-r1-1.5B-math-Kimi math_kimi_deepseek-r1-1.5b "${KIMI_RECIPE[@]}" -- "$@"
