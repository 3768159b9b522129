#!/usr/bin/env bash
# Paper Table 2, GRPO with a static length reward: one run at efficiency:correctness ratio RATIO.
# reward = lambda_c * correct + lambda_e * [length <= 2000], lambda_c = 1/(1+r), lambda_e = r/(1+r),
# the bonus not conditioned on correctness (the release's "classic" mode) and the length in the
# release's unit, characters of the decoded prompt plus response / 4 (length_unit=release_chars, from
# train_math_grpo_deepseek-r1-1.5b.sh); 4000-token budget. Everything else is that script.
#
#   RATIO=0.25 bash ablations/grpo_ratio/run.sh [extra Hydra overrides...]
#   DRY_RUN=1 RATIO=4 bash ablations/grpo_ratio/run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/ablations/lib.sh"

RATIO="${RATIO:-1}"
require_ratio "$RATIO"
TAG="$(ratio_tag "$RATIO")"
export EXPERIMENT_NAME="${EXPERIMENT_NAME:-GRPO-math-ratio$TAG$RUN_SUFFIX}"
export CKPT_DIR="${CKPT_DIR:-$OUTPUT_ROOT/math_grpo_ratio${TAG}_deepseek-r1-1.5b$RUN_SUFFIX}"

run_ablation "$ROOT/train_math_grpo_deepseek-r1-1.5b.sh" \
    reward.custom_reward_function.reward_kwargs.correct_weight="$(correctness_weight "$RATIO")" \
    reward.custom_reward_function.reward_kwargs.length_bonus="$(efficiency_weight "$RATIO")" \
    reward.custom_reward_function.reward_kwargs.length_threshold=2000 \
    reward.custom_reward_function.reward_kwargs.bonus_requires_correct=False \
    data.max_response_length=4000 \
    trainer.save_freq=50 \
    "$@"
