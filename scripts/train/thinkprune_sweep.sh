#!/usr/bin/env bash
# ThinkPrune (arXiv 2504.01296): scripts/train/thinkprune.sh once per cap of CAPS, in order, each stage
# continued from the previous stage's final checkpoint.
#
#   bash scripts/train/thinkprune_sweep.sh [extra Hydra overrides for every stage...]
#   CAPS="4000 3000" STAGE_STEPS=100 DRY_RUN=1 bash scripts/train/thinkprune_sweep.sh
#
# CAPS ("4000 3000 2000"): the caps in tokens, one stage each. STAGE_STEPS (180): the steps of a stage.
# Steps are counted on across stages, as verl restores the step counter on resume: stage k starts
# from the previous stage's final checkpoint (trainer.resume_mode=resume_path,
# trainer.resume_from_path=<previous stage>/global_step_N, which also restores the optimizer and the
# data loader's position) and ends at step N + STAGE_STEPS (trainer.total_training_steps), so stage 1
# is steps 1-180, stage 2 181-360, stage 3 361-540, on one step axis in the logs. A stage's final
# step is always saved.
# Each stage has its own run folder, $OUTPUT_ROOT/math_thinkprune_stage<k>_cap<L>_deepseek-r1-1.5b. A
# finished stage (its training_finished file) is skipped; a stage with checkpoints of its own resumes
# from its latest (trainer.resume_mode=auto); the sweep stops at the first stage that fails. A
# stage's data, $THINKPRUNE_DATA_DIR/train_cap<L>.parquet, is built from $DATA_DIR/train.parquet
# (scripts/data/prepare_thinkprune.py) when it is missing. DRY_RUN=1 builds nothing and validates every
# stage (a later stage names the checkpoint it would start from). The environment of
# scripts/train/common.sh applies to every stage.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../../ablations/lib.sh"

read -r -a caps <<< "${CAPS:-4000 3000 2000}"
STAGE_STEPS="${STAGE_STEPS:-180}"
if [[ ! "$STAGE_STEPS" =~ ^[1-9][0-9]*$ ]]; then
    echo "STAGE_STEPS='$STAGE_STEPS' is invalid: allowed is a positive integer (steps a stage)" >&2
    exit 2
fi
if ((${#caps[@]} == 0)); then
    echo "CAPS='' is invalid: allowed is a list of caps in tokens such as '4000 3000 2000'" >&2
    exit 2
fi
for cap in "${caps[@]}"; do
    if [[ ! "$cap" =~ ^[1-9][0-9]*$ ]]; then
        echo "CAPS='${caps[*]}' is invalid: '$cap' is not a positive integer (a cap in tokens)" >&2
        exit 2
    fi
done
if [[ -n "${EXPERIMENT_NAME:-}" || -n "${CKPT_DIR:-}" ]]; then
    echo "unset EXPERIMENT_NAME and CKPT_DIR for a sweep: each stage names its own (set OUTPUT_ROOT instead)" >&2
    exit 2
fi

# final_checkpoint RUN_FOLDER: the global_step_N folder a finished stage ended with.
final_checkpoint() {
    local tracker="$1/latest_checkpointed_iteration.txt"
    if [[ ! -f "$tracker" ]]; then
        echo "$1 finished without a checkpoint ($tracker is missing): the next stage has nothing to start from" >&2
        return 1
    fi
    echo "$1/global_step_$(cat "$tracker")"
}

previous_dir="" previous_end=0 stage=0
for cap in "${caps[@]}"; do
    stage=$((stage + 1))
    export CAP="$cap"
    export EXPERIMENT_NAME="deepseek-r1-1.5B-math-ThinkPrune-stage$stage-cap$cap$RUN_SUFFIX"
    export CKPT_DIR="$OUTPUT_ROOT/math_thinkprune_stage${stage}_cap${cap}_deepseek-r1-1.5b$RUN_SUFFIX"
    start=()
    if [[ -n "$previous_dir" ]]; then
        if [[ -f "$previous_dir/$FINISHED_MARKER" ]]; then
            start_from="$(final_checkpoint "$previous_dir")"
            previous_end="${start_from##*global_step_}"
        else  # a dry run of a sweep whose previous stage has not run
            start_from="$previous_dir/global_step_$previous_end"
        fi
        if [[ ! -f "$CKPT_DIR/latest_checkpointed_iteration.txt" ]]; then
            echo "stage $stage (cap $cap) starts from $start_from"
            start=(trainer.resume_mode=resume_path trainer.resume_from_path="$start_from")
        fi
    fi
    export END_STEP=$((previous_end + STAGE_STEPS))
    echo "=== stage $stage: cap $cap, steps $((previous_end + 1))-$END_STEP"
    data="$THINKPRUNE_DATA_DIR/train_cap$cap.parquet"
    if [[ -f "$data" || -f "$CKPT_DIR/$FINISHED_MARKER" ]]; then
        :
    elif [[ "${DRY_RUN:-0}" == "1" ]]; then
        echo "data: $data is built when the stage runs"
    else
        "${PYTHON:-python}" "$PROJECT_ROOT/scripts/data/prepare_thinkprune.py" --cap "$cap" \
            --input "$DATA_DIR/train.parquet" --output "$data"
    fi
    run_ablation "$HERE/thinkprune.sh" "${start[@]}" "$@"
    previous_dir="$CKPT_DIR" previous_end="$END_STEP"
done
