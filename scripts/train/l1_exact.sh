#!/usr/bin/env bash
# L1-Exact (arXiv 2503.04697) on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with verl 0.9.1:
# every prompt asks for N thinking tokens ("Think for N tokens.") and the score is
# correct - 0.0003 * |N - L| (reward_kwargs.length_reward=l1_exact), GRPO.
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   python scripts/data/prepare_l1.py --mode exact                  # data/l1/train_exact.parquet
#   python scripts/data/prepare_l1.py --mode exact --split test     # data/l1/test_exact.parquet
#   bash scripts/train/l1_exact.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/l1_exact.sh     # compose + validate only, no GPU needed
#
# The paper's: GRPO, 16 responses a prompt, the release's 4096-token budget (L1_TRAINER_RECIPE),
# N uniform in [100, 4000], alpha 0.0003 (reward_kwargs.l1_exact_alpha=null: the paper's value,
# scaled by 4096 / budget at another budget, as prepare_l1.py --budget scales the targets). The
# release's alpha is 1/3000: reward_kwargs.l1_exact_alpha=0.000333333. The project's: model, data (the
# MATH problems with targets), lr 1e-6, 128 prompts, validation on MATH-500 with targets drawn the same
# way (validation is scored by the same reward; val-core/.../acc is the plain accuracy).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

L1_EXACT_RECIPE=(
    "${L1_TRAINER_RECIPE[@]}"
    reward.custom_reward_function.reward_kwargs.length_reward=l1_exact
    data.train_files="$L1_DATA_DIR/train_exact.parquet"
    data.val_files="$L1_DATA_DIR/test_exact.parquet"
    trainer.project_name=MATH_L1_EXACT
)

launch_training deepseek-r1-1.5B-math-L1-Exact math_l1_exact_deepseek-r1-1.5b "${L1_EXACT_RECIPE[@]}" -- "$@"
