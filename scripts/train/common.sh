# Shared by every training script (sourced, not run): the environment, the paper's common recipe,
# the settings several methods share and the one function that launches. A training script sets
# `set -euo pipefail`, sources this file, lists only the keys its method changes, and ends with
#
#   launch_training DEFAULT_EXPERIMENT_NAME DEFAULT_RUN_FOLDER METHOD_OVERRIDES... -- "$@"
#
# Environment (all optional): N_GPUS (4), NNODES (1), CUDA_VISIBLE_DEVICES (0..N_GPUS-1), BASE_MODEL,
# DATA_DIR (./data/math), L1_DATA_DIR (./data/l1), THINKPRUNE_DATA_DIR (./data/thinkprune), OUTPUT_ROOT
# (./results), CKPT_DIR ($OUTPUT_ROOT/<run folder>),
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
# A script whose method filters groups as part of its recipe (DLER) sets DYNAMIC_SAMPLING's default
# to 1 before sourcing this file.
#
# The project's defaults for every method (Table 1's LEAD run, unless noted): budget 8000 tokens
# (data.max_response_length), lr 1e-6 (the GRPO baseline's and the neighbouring methods' papers';
# LEAD's run sets its own 2e-6), a checkpoint every 50 steps. A method's script overrides what its
# paper sets otherwise.

PROJECT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ -f "$PROJECT_ROOT/.env" ]]; then set -a; source "$PROJECT_ROOT/.env"; set +a; fi

N_GPUS="${N_GPUS:-4}"
NNODES="${NNODES:-1}"
export CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-$(seq -s, 0 $((N_GPUS - 1)))}"
ROLLOUT_TP_SIZE="${ROLLOUT_TP_SIZE:-1}"
BASE_MODEL="${BASE_MODEL:-deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B}"
DATA_DIR="${DATA_DIR:-$PROJECT_ROOT/data/math}"
L1_DATA_DIR="${L1_DATA_DIR:-$PROJECT_ROOT/data/l1}"
THINKPRUNE_DATA_DIR="${THINKPRUNE_DATA_DIR:-$PROJECT_ROOT/data/thinkprune}"
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
    data.max_response_length=8000
    actor_rollout_ref.model.path="$BASE_MODEL"
    actor_rollout_ref.model.use_remove_padding=True
    actor_rollout_ref.model.enable_gradient_checkpointing=True
    actor_rollout_ref.actor.optim.lr=1e-6
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
    trainer.save_freq=50
    trainer.max_actor_ckpt_to_keep="$MAX_CKPT_TO_KEEP"
)

# Settings that several methods' papers share, written once and used by name (no script repeats a
# key=value of another).
# Clip-higher, asymmetric clip ratios: the GRPO baseline (the release), DLER and LASER.
CLIP_HIGHER_RECIPE=(
    actor_rollout_ref.actor.clip_ratio_low=0.2
    actor_rollout_ref.actor.clip_ratio_high=0.28
)
# verl's GRPO advantage on the reward function's score: the GRPO baseline, L1 and ThinkPrune.
GRPO_ADVANTAGE_RECIPE=(
    algorithm.adv_estimator=grpo
)
# 16 responses a prompt: DLER, L1 and ThinkPrune.
SIXTEEN_ROLLOUTS_RECIPE=(
    actor_rollout_ref.rollout.n=16
)
# LASER's trainer (the paper), for LASER and LASER-D: sampling at temperature 0.6, clip-higher.
LASER_TRAINER_RECIPE=(
    actor_rollout_ref.rollout.temperature=0.6
    "${CLIP_HIGHER_RECIPE[@]}"
)
# L1's trainer, for L1-Exact and L1-Max: GRPO, 16 responses a prompt, the 4096-token budget of the
# release's L1-Exact run (where its target range [100, 4000] and its alphas belong).
L1_TRAINER_RECIPE=(
    "${GRPO_ADVANTAGE_RECIPE[@]}"
    "${SIXTEEN_ROLLOUTS_RECIPE[@]}"
    data.max_response_length=4096
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
