# Shared by every training script (sourced, not run): the environment, the paper's common recipe
# and the one function that launches. A training script sets `set -euo pipefail`, sources this
# file, lists only the keys its method changes, and ends with
#
#   launch_training DEFAULT_EXPERIMENT_NAME DEFAULT_RUN_FOLDER METHOD_OVERRIDES... -- "$@"
#
# Environment (all optional): N_GPUS (4), NNODES (1), CUDA_VISIBLE_DEVICES (0..N_GPUS-1), BASE_MODEL,
# DATA_DIR (./data/math), OUTPUT_ROOT (./results), CKPT_DIR ($OUTPUT_ROOT/<run folder>),
# EXPERIMENT_NAME, LOGGER (comma list; default console, plus wandb when WANDB_API_KEY is set),
# ROLLOUT_TP_SIZE (1), MAX_CKPT_TO_KEEP (3), DYNAMIC_SAMPLING (0), PYTHON (python), DRY_RUN (0: train;
# 1: compose and validate only, no GPU needed). ./.env is sourced when present (see .env.example).
#
# The published recipe (paper Table 1) in verl 0.9.1 keys. Keys of the release that no longer exist:
#   actor.fsdp_config.grad_offload       gradients are offloaded with the parameters (param_offload)
#   rollout.val_kwargs.max_tokens        validation generates up to rollout.response_length, which is
#                                        data.max_response_length
#   trainer.wandb_kwargs.resume=allow    WANDB_RESUME=allow (set by the launcher; WANDB_RUN_ID to resume)
# Validation is greedy, as in the paper: val_kwargs.temperature=0. verl 0.9.1 samples validation with
# val_kwargs.temperature/top_p/top_k only and never reads val_kwargs.do_sample; the release's
# do_sample=False made its rollout greedy whatever its val_kwargs.temperature=1.0 said.
# Dropped because verl 0.9.1 would ignore them here: actor.ppo_micro_batch_size (dynamic batch size
# is on), algorithm.kl_ctrl.kl_coef (no KL in the reward), data.val_batch_size (deprecated:
# validation is sent to the inference engines as one batch).
# Added:
#   data.filter_overlong_prompts=True    drop prompts over max_prompt_length tokens (chat template
#                                        included) instead of cutting off their start, as the release
#                                        and verl do otherwise; `python -m lead.data.check FILE
#                                        --tokenizer MODEL` counts them (override with =False to keep
#                                        the release's truncation)
#   trainer.max_actor_ckpt_to_keep       MAX_CKPT_TO_KEEP (3): older actor checkpoints are deleted
# Dynamic sampling: the release's scripts set algorithm.filter_groups.enable=True, but its trainer
# never read the key, so no published run filtered a group. DYNAMIC_SAMPLING=0 (default) trains on
# every batch like the published runs; DYNAMIC_SAMPLING=1 turns on verl 0.9.1's filter (v1 trainer),
# which drops groups whose rewards are all equal and refills the batch from the dataloader, so
# trainer.total_epochs then counts steps, not passes (the run logs data/prompts_consumed).

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -f "$PROJECT_ROOT/.env" ]]; then set -a; source "$PROJECT_ROOT/.env"; set +a; fi

N_GPUS="${N_GPUS:-4}"
NNODES="${NNODES:-1}"
export CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-$(seq -s, 0 $((N_GPUS - 1)))}"
ROLLOUT_TP_SIZE="${ROLLOUT_TP_SIZE:-1}"
BASE_MODEL="${BASE_MODEL:-deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B}"
DATA_DIR="${DATA_DIR:-$PROJECT_ROOT/data/math}"
OUTPUT_ROOT="${OUTPUT_ROOT:-$PROJECT_ROOT/results}"
MAX_CKPT_TO_KEEP="${MAX_CKPT_TO_KEEP:-3}"
DYNAMIC_SAMPLING="${DYNAMIC_SAMPLING:-0}"

# RUN_SUFFIX keeps runs with dynamic sampling out of the default runs' folders (and their resumes).
case "$DYNAMIC_SAMPLING" in
    0)
        DYNAMIC_SAMPLING_RECIPE=(algorithm.filter_groups.enable=False)
        RUN_SUFFIX=""
        ;;
    1)
        DYNAMIC_SAMPLING_RECIPE=(algorithm.filter_groups.enable=True algorithm.filter_groups.metric=reward)
        RUN_SUFFIX="-dynamic-sampling"
        ;;
    *)
        echo "DYNAMIC_SAMPLING='$DYNAMIC_SAMPLING' is invalid: allowed values are 0 (every batch trained, the" \
            "published runs) and 1 (verl's dynamic sampling)" >&2
        exit 2
        ;;
esac

COMMON_RECIPE=(
    algorithm.use_kl_in_reward=False
    "${DYNAMIC_SAMPLING_RECIPE[@]}"
    data.train_files="$DATA_DIR/train.parquet"
    data.val_files="$DATA_DIR/test.parquet"
    data.train_batch_size=128
    data.max_prompt_length=1024
    data.filter_overlong_prompts=True
    actor_rollout_ref.model.path="$BASE_MODEL"
    actor_rollout_ref.model.use_remove_padding=True
    actor_rollout_ref.model.enable_gradient_checkpointing=True
    actor_rollout_ref.actor.ppo_mini_batch_size=16
    actor_rollout_ref.actor.ppo_epochs=1
    actor_rollout_ref.actor.use_dynamic_bsz=True
    actor_rollout_ref.actor.use_kl_loss=True
    actor_rollout_ref.actor.kl_loss_coef=0.0005
    actor_rollout_ref.actor.kl_loss_type=mse
    actor_rollout_ref.actor.fsdp_config.param_offload=False
    actor_rollout_ref.actor.fsdp_config.optimizer_offload=False
    actor_rollout_ref.ref.fsdp_config.param_offload=True
    actor_rollout_ref.rollout.name=vllm
    actor_rollout_ref.rollout.tensor_model_parallel_size="$ROLLOUT_TP_SIZE"
    actor_rollout_ref.rollout.gpu_memory_utilization=0.65
    actor_rollout_ref.rollout.temperature=1.0
    actor_rollout_ref.rollout.n=8
    actor_rollout_ref.rollout.val_kwargs.n=1
    actor_rollout_ref.rollout.val_kwargs.temperature=0
    trainer.critic_warmup=0
    trainer.val_before_train=True
    trainer.resume_mode=auto
    trainer.n_gpus_per_node="$N_GPUS"
    trainer.nnodes="$NNODES"
    trainer.test_freq=20
    trainer.total_epochs=7
    trainer.max_actor_ckpt_to_keep="$MAX_CKPT_TO_KEEP"
)

# launch_training EXPERIMENT RUN_FOLDER OVERRIDE... [-- EXTRA...]: train with the common recipe, then
# the method's OVERRIDEs, then the user's EXTRA Hydra overrides (later ones win). EXPERIMENT_NAME and
# CKPT_DIR, when set, replace EXPERIMENT$RUN_SUFFIX and $OUTPUT_ROOT/RUN_FOLDER$RUN_SUFFIX. Replaces
# the shell process.
launch_training() {
    local experiment="${EXPERIMENT_NAME:-$1$RUN_SUFFIX}" ckpt_dir="${CKPT_DIR:-$OUTPUT_ROOT/$2$RUN_SUFFIX}"
    shift 2
    exec "${PYTHON:-python}" -m lead.integrations.verl.launch \
        "${COMMON_RECIPE[@]}" \
        trainer.experiment_name="$experiment" \
        trainer.default_local_dir="$ckpt_dir" \
        "$@"
}
