#!/usr/bin/env bash
# GRPO baseline on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5 (paper Table 1), with verl 0.9.1.
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash train_math_grpo_deepseek-r1-1.5b.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash train_math_grpo_deepseek-r1-1.5b.sh     # compose + validate only, no GPU needed
#
# Reward (lead.reward's compute_score): correctness + 1.0 when the response is correct and at most
# 2000 "tokens" in the release's unit, length_unit=release_chars: characters of the decoded prompt
# plus response / 4 (the release's DEEPSCALE_* variables, now reward_kwargs). With true token counts
# and this 2000-token cap every response would be within the threshold and the bonus a no-op;
# reward_kwargs.length_unit=tokens runs that variant.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/train/common.sh"

GRPO_RECIPE=(
    "${GRPO_ADVANTAGE_RECIPE[@]}"
    reward.custom_reward_function.reward_kwargs.correct_weight=1.0
    reward.custom_reward_function.reward_kwargs.length_bonus=1.0
    reward.custom_reward_function.reward_kwargs.length_threshold=2000
    reward.custom_reward_function.reward_kwargs.bonus_requires_correct=True
    reward.custom_reward_function.reward_kwargs.length_unit=release_chars
    data.max_response_length=2000
    "${CLIP_HIGHER_RECIPE[@]}"
    trainer.project_name=MATH_GRPO
    trainer.save_freq=20
)

launch_training deepseek-r1-1.5B-math-GRPO math_grpo_deepseek-r1-1.5b "${GRPO_RECIPE[@]}" -- "$@"
