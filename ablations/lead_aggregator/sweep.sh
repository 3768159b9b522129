#!/usr/bin/env bash
# Paper Table 3: ablations/lead_aggregator/run.sh for every aggregator in AGGREGATORS.
# Finished runs are skipped, partial ones resume.
#
#   bash ablations/lead_aggregator/sweep.sh
#   AGGREGATORS="min_correct mean_all" DRY_RUN=1 bash ablations/lead_aggregator/sweep.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/ablations/lib.sh"

read -r -a values <<< "${AGGREGATORS:-mean_correct min_correct median_correct mean_all}"
run_sweep "$ROOT/ablations/lead_aggregator/run.sh" AGG "${values[@]}"
