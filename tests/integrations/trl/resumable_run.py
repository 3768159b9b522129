"""A small TRL training run of one method, for the kill-and-resume test (run as a subprocess).

``python resumable_run.py OUT METHOD MAX_STEPS [--resume CHECKPOINT] [--hang-at STEP]``: trains a
tiny model with ``LEADGRPOTrainer(method=METHOD)`` for ``MAX_STEPS`` steps, saving a checkpoint
every 2 steps into OUT. ``--hang-at STEP`` writes ``OUT/hanging`` right after the checkpoint of that
step is saved and then waits forever (so the test can kill the process there); ``--resume`` resumes
from a checkpoint folder.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from datasets import Dataset
from transformers import TrainerCallback
from trl import GRPOConfig

from lead.demo.model import build_tiny_model
from lead.demo.tokenizer import build_tokenizer
from lead.trl import LEADGRPOTrainer

PROMPTS = ["add 1 2 :", "add 3 4 5 :", "add 9 8 :", "add 2 6 7 1 :"]
NUM_GENERATIONS = 4


def first_token_even(completion_ids: list[list[int]], **_: object) -> list[float]:
    return [float(ids[0] % 2 == 0) for ids in completion_ids]


class HangAfterSave(TrainerCallback):
    """Stops the run dead (waiting forever) once the checkpoint of ``step`` is on disk."""

    def __init__(self, out: Path, step: int) -> None:
        self.out, self.step = out, step

    def on_save(self, args, state, control, **kwargs):
        if state.global_step == self.step:
            (self.out / "hanging").write_text(str(state.global_step))
            while True:
                time.sleep(60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("method")
    parser.add_argument("max_steps", type=int)
    parser.add_argument("--resume", default=None)
    parser.add_argument("--hang-at", type=int, default=None)
    args = parser.parse_args()
    tokenizer = build_tokenizer()
    config = GRPOConfig(
        output_dir=str(args.out),
        max_steps=args.max_steps,
        per_device_train_batch_size=len(PROMPTS) * NUM_GENERATIONS,
        num_generations=NUM_GENERATIONS,
        max_completion_length=12,
        learning_rate=1e-3,
        beta=0.0,
        logging_steps=1,
        save_strategy="steps",
        save_steps=2,
        report_to="none",
        seed=5,
        use_cpu=True,
        bf16=False,
        disable_tqdm=True,
    )
    trainer = LEADGRPOTrainer(
        model=build_tiny_model(tokenizer, seed=0, hidden_size=32, num_layers=1, num_heads=2),
        reward_funcs=[first_token_even],
        args=config,
        train_dataset=Dataset.from_list(
            [{"prompt": p, "problem_id": f"p{i}"} for i, p in enumerate(PROMPTS)] * 8
        ),
        processing_class=tokenizer,
        method=args.method,
        callbacks=[HangAfterSave(args.out, args.hang_at)] if args.hang_at else None,
    )
    trainer.train(resume_from_checkpoint=args.resume)


if __name__ == "__main__":
    main()
