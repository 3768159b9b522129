#!/usr/bin/env bash
# Paper Table 2, LEAD with static weights: one run at efficiency:correctness ratio RATIO.
# lambda_c = 1/(1+r) at every step (algorithm.lead_static_lambda_corr), lambda_e = r/(1+r);
# B_max and budget 4000 tokens, lr 1e-6, clip 0.2/0.28, as in the release.
# Everything else is train_math_lead_deepseek-r1-1.5b.sh.
#
#   RATIO=0.5 bash ablations/lead_static_ratio/run.sh [extra Hydra overrides...]
#   DRY_RUN=1 RATIO=4 bash ablations/lead_static_ratio/run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/ablations/lib.sh"

RATIO="${RATIO:-1}"
require_ratio "$RATIO"
TAG="$(ratio_tag "$RATIO")"
export EXPERIMENT_NAME="${EXPERIMENT_NAME:-LEAD-static-ratio$TAG$RUN_SUFFIX}"
export CKPT_DIR="${CKPT_DIR:-$OUTPUT_ROOT/math_lead_static_ratio${TAG}_deepseek-r1-1.5b$RUN_SUFFIX}"

run_ablation "$ROOT/train_math_lead_deepseek-r1-1.5b.sh" \
    algorithm.lead_static_lambda_corr="$(correctness_weight "$RATIO")" \
    algorithm.lead_bmax=4000 \
    "${LEAD_ABLATION_OVERRIDES[@]}" \
    "$@"
