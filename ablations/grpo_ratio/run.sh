#!/usr/bin/env bash
# Paper Table 2, GRPO with a static length reward: one run at efficiency:correctness ratio RATIO.
# reward = lambda_c * correct + lambda_e * [length <= 2000 tokens], lambda_c = 1/(1+r),
# lambda_e = r/(1+r), the bonus not conditioned on correctness (as in the authors' release; lengths
# are true token counts); 4000-token budget. Everything else is train_math_grpo_deepseek-r1-1.5b.sh.
#
#   RATIO=0.25 bash ablations/grpo_ratio/run.sh [extra Hydra overrides...]
#   DRY_RUN=1 RATIO=4 bash ablations/grpo_ratio/run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/ablations/lib.sh"

RATIO="${RATIO:-1}"
require_ratio "$RATIO"
TAG="$(ratio_tag "$RATIO")"
export EXPERIMENT_NAME="${EXPERIMENT_NAME:-GRPO-math-ratio$TAG}"
export CKPT_DIR="${CKPT_DIR:-${OUTPUT_ROOT:-$ROOT/results}/math_grpo_ratio${TAG}_deepseek-r1-1.5b}"

run_ablation "$ROOT/train_math_grpo_deepseek-r1-1.5b.sh" \
    reward.custom_reward_function.reward_kwargs.correct_weight="$(correctness_weight "$RATIO")" \
    reward.custom_reward_function.reward_kwargs.length_bonus="$(efficiency_weight "$RATIO")" \
    reward.custom_reward_function.reward_kwargs.length_threshold=2000 \
    reward.custom_reward_function.reward_kwargs.bonus_requires_correct=False \
    data.max_response_length=4000 \
    trainer.save_freq=50 \
    "$@"
