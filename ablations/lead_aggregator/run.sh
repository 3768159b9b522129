#!/usr/bin/env bash
# Paper Table 3: LEAD with the target-length aggregator AGG (mean_correct, min_correct,
# median_correct, mean_all). As in the release: budget 4000 tokens with B_max 8000, lr 1e-6,
# clip 0.2/0.28. Everything else is train_math_lead_deepseek-r1-1.5b.sh.
#
#   AGG=min_correct bash ablations/lead_aggregator/run.sh [extra Hydra overrides...]
#   DRY_RUN=1 AGG=mean_all bash ablations/lead_aggregator/run.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/ablations/lib.sh"

AGG="${AGG:-mean_correct}"
export EXPERIMENT_NAME="${EXPERIMENT_NAME:-LEAD-agg-$AGG$RUN_SUFFIX}"
export CKPT_DIR="${CKPT_DIR:-$OUTPUT_ROOT/math_lead_agg_${AGG}_deepseek-r1-1.5b$RUN_SUFFIX}"

run_ablation "$ROOT/train_math_lead_deepseek-r1-1.5b.sh" \
    algorithm.lead_aggregator="$AGG" \
    algorithm.lead_bmax=8000 \
    "${LEAD_ABLATION_OVERRIDES[@]}" \
    "$@"
