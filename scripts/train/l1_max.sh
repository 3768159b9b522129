#!/usr/bin/env bash
# L1-Max (arXiv 2503.04697) on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with verl 0.9.1:
# half the prompts ask for N tokens and half for at most N ("Think for maximum N tokens."), each
# scored by its own kind (reward_kwargs.length_reward=l1_row): correct - 0.0003 * |N - L| or
# correct * clip(0.001 * (N - L) + 0.5, 0, 1), GRPO.
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   python scripts/data/prepare_l1.py --mode mix                    # data/l1/train_mix.parquet
#   python scripts/data/prepare_l1.py --mode mix --split test       # data/l1/test_mix.parquet
#   bash scripts/train/l1_max.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/l1_max.sh     # compose + validate only, no GPU needed
#
# The paper's: GRPO, 16 responses a prompt, the data half exact and half max, N uniform in
# [100, 4000], L1-Max's alpha 0.001 (the released reward's; the paper gives none). The release
# continued L1-Max from its L1-Exact model at an 8192-token budget; here it starts from the base model
# at L1-Exact's 4096 (L1_TRAINER_RECIPE), so both compare with the other methods from the same
# start. The release's way: BASE_MODEL=<an L1-Exact model in Hugging Face format> and
# data.max_response_length=8192 reward_kwargs.l1_budget=4096 (keeps the alphas of the targets'
# budget). The project's: model, data, lr 1e-6, 128 prompts, validation on MATH-500 with targets.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

L1_MAX_RECIPE=(
    "${L1_TRAINER_RECIPE[@]}"
    reward.custom_reward_function.reward_kwargs.length_reward=l1_row
    data.train_files="$L1_DATA_DIR/train_mix.parquet"
    data.val_files="$L1_DATA_DIR/test_mix.parquet"
    trainer.project_name=MATH_L1_MAX
)

launch_training deepseek-r1-1.5B-math-L1-Max math_l1_max_deepseek-r1-1.5b "${L1_MAX_RECIPE[@]}" -- "$@"
