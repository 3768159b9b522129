#!/usr/bin/env bash
# GRPO baseline on DeepSeek-R1-Distill-Qwen-1.5B, MATH levels 3-5 (paper Table 1), with verl 0.9.1.
# Reward: correctness + 1.0 when the response is correct and at most 2000 tokens (lead.reward's
# compute_score; LEADRewardManager passes it the response length in tokens).
#
#   bash train_math_grpo_deepseek-r1-1.5b.sh [extra Hydra overrides...]
#   DRY_RUN=1 bash train_math_grpo_deepseek-r1-1.5b.sh     # compose + validate only, no GPU needed
#
# Environment (all optional): N_GPUS (4), NNODES (1), CUDA_VISIBLE_DEVICES (0..N_GPUS-1), BASE_MODEL,
# DATA_DIR (./data/math), OUTPUT_ROOT (./results), CKPT_DIR, EXPERIMENT_NAME, LOGGER (comma list;
# default console, plus wandb when WANDB_API_KEY is set), ROLLOUT_TP_SIZE (1), PYTHON (python).
# ./.env is sourced when present (see .env.example).
#
# The published recipe in verl 0.9.1 keys. Keys of the release that no longer exist:
#   actor.fsdp_config.grad_offload       gradients are offloaded with the parameters (param_offload)
#   rollout.val_kwargs.max_tokens=2000   validation generates up to rollout.response_length, which is
#                                        data.max_response_length (2000)
#   trainer.wandb_kwargs.resume=allow    WANDB_RESUME=allow (set by the launcher; WANDB_RUN_ID to resume)
#   algorithm.filter_groups.metric=seq_reward   is now `reward` (the sequence reward); dynamic sampling
#                                        needs the v1 trainer (trainer.use_v1=True, the default)
#   DEEPSCALE_* environment variables    reward.custom_reward_function.reward_kwargs
# Dropped because verl 0.9.1 would ignore them here: actor.ppo_micro_batch_size (dynamic batch size
# is on), algorithm.kl_ctrl.kl_coef (no KL in the reward), rollout.val_kwargs.temperature (greedy),
# data.val_batch_size (deprecated: validation is sent to the inference engines as one batch).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ -f "$ROOT/.env" ]]; then set -a; source "$ROOT/.env"; set +a; fi

N_GPUS="${N_GPUS:-4}"
NNODES="${NNODES:-1}"
export CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-$(seq -s, 0 $((N_GPUS - 1)))}"
ROLLOUT_TP_SIZE="${ROLLOUT_TP_SIZE:-1}"
BASE_MODEL="${BASE_MODEL:-deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B}"
DATA_DIR="${DATA_DIR:-$ROOT/data/math}"
OUTPUT_ROOT="${OUTPUT_ROOT:-$ROOT/results}"
EXPERIMENT_NAME="${EXPERIMENT_NAME:-deepseek-r1-1.5B-math-GRPO}"
CKPT_DIR="${CKPT_DIR:-$OUTPUT_ROOT/math_grpo_deepseek-r1-1.5b}"

RECIPE=(
    algorithm.adv_estimator=grpo
    algorithm.use_kl_in_reward=False
    algorithm.filter_groups.enable=True
    algorithm.filter_groups.metric=reward
    reward.custom_reward_function.reward_kwargs.correct_weight=1.0
    reward.custom_reward_function.reward_kwargs.length_bonus=1.0
    reward.custom_reward_function.reward_kwargs.length_threshold=2000
    reward.custom_reward_function.reward_kwargs.bonus_requires_correct=True
    data.train_files="$DATA_DIR/train.parquet"
    data.val_files="$DATA_DIR/test.parquet"
    data.train_batch_size=128
    data.max_prompt_length=1024
    data.max_response_length=2000
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
    actor_rollout_ref.actor.clip_ratio_low=0.2
    actor_rollout_ref.actor.clip_ratio_high=0.28
    actor_rollout_ref.actor.fsdp_config.param_offload=False
    actor_rollout_ref.actor.fsdp_config.optimizer_offload=False
    actor_rollout_ref.ref.fsdp_config.param_offload=True
    actor_rollout_ref.rollout.name=vllm
    actor_rollout_ref.rollout.tensor_model_parallel_size="$ROLLOUT_TP_SIZE"
    actor_rollout_ref.rollout.gpu_memory_utilization=0.65
    actor_rollout_ref.rollout.temperature=1.0
    actor_rollout_ref.rollout.n=8
    actor_rollout_ref.rollout.val_kwargs.n=1
    actor_rollout_ref.rollout.val_kwargs.do_sample=False
    trainer.critic_warmup=0
    trainer.project_name=MATH_GRPO
    trainer.experiment_name="$EXPERIMENT_NAME"
    trainer.val_before_train=True
    trainer.resume_mode=auto
    trainer.n_gpus_per_node="$N_GPUS"
    trainer.nnodes="$NNODES"
    trainer.save_freq=20
    trainer.test_freq=20
    trainer.default_local_dir="$CKPT_DIR"
    trainer.total_epochs=7
)

exec "${PYTHON:-python}" -m lead.integrations.verl.launch "${RECIPE[@]}" -- "$@"
