#!/usr/bin/env bash
# Paper Table 2, GRPO rows: ablations/grpo_ratio/run.sh for every ratio in RATIOS.
# Finished runs are skipped, partial ones resume.
#
#   bash ablations/grpo_ratio/sweep.sh
#   RATIOS="0 1" DRY_RUN=1 bash ablations/grpo_ratio/sweep.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/ablations/lib.sh"

read -r -a values <<< "${RATIOS:-0 0.25 0.5 1 2 4}"
run_sweep "$ROOT/ablations/grpo_ratio/run.sh" RATIO "${values[@]}"
