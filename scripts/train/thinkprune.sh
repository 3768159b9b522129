#!/usr/bin/env bash
# One ThinkPrune stage (arXiv 2504.01296) on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5, with
# verl 0.9.1: correctness only (verl's GRPO), 16 responses a prompt, under the generation cap CAP,
# which every prompt states ("The output of the assistant should be within CAP tokens.").
# scripts/train/thinkprune_sweep.sh runs the stages 4000 -> 3000 -> 2000, each from the previous
# one's final checkpoint; this script is one of them.
# The common recipe, the environment and the release's keys in verl 0.9.1 terms: scripts/train/common.sh.
#
#   python scripts/data/prepare_thinkprune.py --cap 4000      # data/thinkprune/train_cap4000.parquet
#   CAP=4000 END_STEP=180 bash scripts/train/thinkprune.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash scripts/train/thinkprune.sh     # compose + validate only, no GPU needed
#
# CAP (4000): the stage's cap in tokens (data.max_response_length, and the data file stating it).
# END_STEP (180): the global step the stage ends at (trainer.total_training_steps). verl counts steps
# on across a resume, so a stage started from the checkpoint of step N runs steps N+1 to END_STEP;
# trainer.total_epochs is set high enough never to end a stage first (540 steps are 8.2 passes over
# the data at 128 prompts a step).
# The paper's: the caps, about 180 steps a stage, correctness only, GRPO, 16 responses a prompt.
# The project's: model, data (the MATH problems with the cap stated), lr 1e-6, 128 prompts, validation
# on MATH-500 as for every method, without the cap statement (to validate with it:
# prepare_thinkprune.py --cap CAP --input data/math/test.parquet --output data/thinkprune/test_capCAP.parquet,
# then data.val_files=data/thinkprune/test_capCAP.parquet).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

CAP="${CAP:-4000}"
END_STEP="${END_STEP:-180}"
for variable in CAP END_STEP; do
    if [[ ! "${!variable}" =~ ^[1-9][0-9]*$ ]]; then
        echo "$variable='${!variable}' is invalid: allowed is a positive integer (tokens for CAP, a step for" \
            "END_STEP)" >&2
        exit 2
    fi
done

THINKPRUNE_RECIPE=(
    "${GRPO_ADVANTAGE_RECIPE[@]}"
    "${SIXTEEN_ROLLOUTS_RECIPE[@]}"
    data.train_files="$THINKPRUNE_DATA_DIR/train_cap$CAP.parquet"
    data.max_response_length="$CAP"
    trainer.total_training_steps="$END_STEP"
    trainer.total_epochs=100
    trainer.project_name=MATH_THINKPRUNE
)

launch_training "deepseek-r1-1.5B-math-ThinkPrune-cap$CAP" "math_thinkprune_cap${CAP}_deepseek-r1-1.5b" \
    "${THINKPRUNE_RECIPE[@]}" -- "$@"
