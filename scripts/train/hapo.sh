#!/usr/bin/env bash
# HAPO (arXiv 2505.11225) on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with verl 0.9.1:
# correctness plus a cosine reward for beating the problem's shortest correct length so far,
# group-normalised (lead/methods/hapo.py; the history is saved with every checkpoint).
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash scripts/train/hapo.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/hapo.sh     # compose + validate only, no GPU needed
#
# HAPO remembers each problem across steps and epochs by its stable id, data_source and
# extra_info.index (every row of the project's data has one; the run checks that before it starts),
# which the project's entry point (python -m lead.main_ppo, which launch_training runs) puts in each
# prompt's uid; verl's own entry point gives fresh uids only, and HAPO stops there.
# The paper's: 4 responses a prompt (their runs use 2 to 4; the largest), w = 1, floor -0.7 (the
# method's defaults). The project's: model, data, validation, 8000-token budget, lr 1e-6, 128 prompts,
# verl's GRPO epsilon 1e-6 (their TRL runs: 1e-4).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

HAPO_RECIPE=(
    algorithm.adv_estimator=hapo
    actor_rollout_ref.rollout.n=4
    trainer.project_name=MATH_HAPO
)

launch_training deepseek-r1-1.5B-math-HAPO math_hapo_deepseek-r1-1.5b "${HAPO_RECIPE[@]}" -- "$@"
