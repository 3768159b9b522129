# Shared helpers of the ablation scripts (sourced, not run).
#
# Each ablation run calls a top-level training script with the ablation's overrides; a run that
# finished writes $CKPT_DIR/training_finished, so a sweep skips it, and a partial run resumes from its
# latest checkpoint (trainer.resume_mode=auto, the scripts' default). The training scripts'
# environment (scripts/train/common.sh) applies, DYNAMIC_SAMPLING included: with DYNAMIC_SAMPLING=1
# the run names end in $RUN_SUFFIX.

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/train/common.sh"

FINISHED_MARKER="training_finished"

# The authors' settings shared by the LEAD ablations (Tables 2 and 3): a 4000-token budget, lr 1e-6
# and clip ratios 0.2/0.28. Their trainer hard-coded the target-length floor at 1000 tokens and the
# short-response guard at 500 whatever the budget, so both are pinned here (left unset, they would
# scale with the 4000-token budget to 500 and 250). Their scripts also asked for dynamic sampling,
# which their trainer never ran: DYNAMIC_SAMPLING=1 turns it on.
LEAD_ABLATION_OVERRIDES=(
    data.max_response_length=4000
    algorithm.lead_lstar_min=1000
    algorithm.lead_short_guard=500
    actor_rollout_ref.actor.optim.lr=1e-6  # back from the LEAD script's 2e-6 to the common recipe's
    "${CLIP_HIGHER_RECIPE[@]}"
)

# Fails (exit status 2) unless $1 is a non-negative decimal number (an efficiency:correctness ratio r).
require_ratio() {
    if [[ ! "$1" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
        echo "RATIO='$1' is invalid: allowed is a non-negative decimal number such as 0, 0.25 or 4" >&2
        return 2
    fi
}

# lambda_c = 1 / (1 + r), six decimals.
correctness_weight() { awk -v r="$1" 'BEGIN { printf "%.6f", 1 / (1 + r) }'; }

# lambda_e = r / (1 + r), six decimals.
efficiency_weight() { awk -v r="$1" 'BEGIN { printf "%.6f", r / (1 + r) }'; }

# Folder-safe tag of a ratio: 0.25 -> 0p25.
ratio_tag() { printf '%s' "${1//./p}"; }

# run_ablation SCRIPT ARGS...: skip if $CKPT_DIR is finished, else run SCRIPT ARGS (resuming a
# partial run) and mark the run finished when training exits 0. DRY_RUN=1 only validates.
run_ablation() {
    local script="$1"
    shift
    if [[ -f "$CKPT_DIR/$FINISHED_MARKER" ]]; then
        echo "skip: $EXPERIMENT_NAME finished ($CKPT_DIR/$FINISHED_MARKER)"
        return 0
    fi
    if [[ -f "$CKPT_DIR/latest_checkpointed_iteration.txt" ]]; then
        echo "resume: $EXPERIMENT_NAME from step $(cat "$CKPT_DIR/latest_checkpointed_iteration.txt")"
    else
        echo "start: $EXPERIMENT_NAME in $CKPT_DIR"
    fi
    bash "$script" "$@"
    if [[ "${DRY_RUN:-0}" != "1" ]]; then
        date -u +%Y-%m-%dT%H:%M:%SZ > "$CKPT_DIR/$FINISHED_MARKER"
    fi
}

# run_sweep RUN_SCRIPT VARIABLE VALUES...: RUN_SCRIPT once per value with VARIABLE=value; keeps going
# after a failed run and fails at the end if any run failed.
run_sweep() {
    local run_script="$1" variable="$2"
    shift 2
    if [[ -n "${EXPERIMENT_NAME:-}" || -n "${CKPT_DIR:-}" ]]; then
        echo "unset EXPERIMENT_NAME and CKPT_DIR for a sweep: each run names its own (set OUTPUT_ROOT instead)" >&2
        return 1
    fi
    local value failed=()
    for value in "$@"; do
        echo "=== $variable=$value"
        if ! env "$variable=$value" bash "$run_script"; then
            failed+=("$value")
        fi
    done
    if ((${#failed[@]})); then
        echo "failed runs: $variable in ${failed[*]}" >&2
        return 1
    fi
}
