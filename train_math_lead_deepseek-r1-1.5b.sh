#!/usr/bin/env bash
# LEAD on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5 (paper Table 1), with verl 0.9.1.
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   bash train_math_lead_deepseek-r1-1.5b.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash train_math_lead_deepseek-r1-1.5b.sh     # compose + validate only, no GPU needed
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/train/common.sh"

LEAD_RECIPE=(
    algorithm.adv_estimator=lead
    algorithm.lead_alpha=1.0
    algorithm.lead_beta=0.95
    algorithm.lead_epsilon=1e-8
    algorithm.lead_bmax=8000
    algorithm.lead_lambda_min=0.3
    algorithm.lead_lstar_mode=max_sym
    algorithm.lead_aggregator=mean_correct
    algorithm.lead_static_lambda_corr=null
    actor_rollout_ref.actor.optim.lr=2e-6
    trainer.project_name=MATH_LEAD
)

launch_training deepseek-r1-1.5B-math-LEAD math_lead_4k_deepseek-r1-1.5b "${LEAD_RECIPE[@]}" -- "$@"
