"""One LEADGRPOTrainer step in each of several processes (run with torchrun; used by a test).

Every process records its local advantages and completions; rank 0 rebuilds the whole generation
batch in process order, runs the LEAD core on it and checks each process's slice. Writes
a JSON summary (agreement with the core, ranks, equal controller states) to the path in argv[1].
"""

from __future__ import annotations

import json
import sys
from typing import Any

import torch
from accelerate.utils import gather_object
from datasets import Dataset
from trl import GRPOConfig

from lead import LEADConfig, LEADEstimator
from lead.demo.model import build_tiny_model
from lead.demo.tokenizer import build_tokenizer
from lead.trl import LEADGRPOTrainer

NUM_GENERATIONS = 4
MAX_COMPLETION = 12


def first_token_even(completion_ids: list[list[int]], **_: object) -> list[float]:
    return [float(ids[0] % 2 == 0) for ids in completion_ids]


class RecordingTrainer(LEADGRPOTrainer):
    """Keeps what each process's training batch looked like after LEAD."""

    recorded: list[dict[str, Any]]

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        output = super()._generate_and_score_completions(inputs)
        mask = output["completion_mask"]
        self.recorded.append(
            {
                "advantages": output["advantages"].tolist(),
                "lengths": mask.sum(dim=1).tolist(),
                "correct": first_token_even(
                    [ids[m.bool()].tolist() for ids, m in zip(output["completion_ids"], mask, strict=True)]
                ),
            }
        )
        return output


def main(result_path: str) -> None:
    tokenizer = build_tokenizer()
    args = GRPOConfig(
        output_dir="trainer-output",
        max_steps=1,
        per_device_train_batch_size=2 * NUM_GENERATIONS,
        num_generations=NUM_GENERATIONS,
        max_completion_length=MAX_COMPLETION,
        learning_rate=1e-3,
        beta=0.0,
        save_strategy="no",
        report_to="none",
        seed=3,
        use_cpu=True,
        bf16=False,
        disable_tqdm=True,
    )
    config = LEADConfig(bmax=MAX_COMPLETION, lstar_min=1, short_guard=0)
    prompts = ["add 1 2 :", "add 3 4 5 :", "add 9 8 :", "add 2 6 7 1 :"]
    trainer = RecordingTrainer(
        model=build_tiny_model(tokenizer, seed=0, hidden_size=32, num_layers=1, num_heads=2),
        reward_funcs=[first_token_even],
        args=args,
        train_dataset=Dataset.from_list([{"prompt": p} for p in prompts * 4]),
        processing_class=tokenizer,
        lead_config=config,
    )
    trainer.recorded = []
    trainer.train()
    batches = gather_object([trainer.recorded[0]])
    states = gather_object([trainer.estimator.state_dict()])
    if trainer.accelerator.is_main_process:
        lengths = torch.tensor([n for batch in batches for n in batch["lengths"]])
        correct = torch.tensor([c for batch in batches for c in batch["correct"]])
        width = int(lengths.max())
        mask = (torch.arange(width).unsqueeze(0) < lengths.unsqueeze(1)).float()
        rewards = torch.zeros_like(mask)
        rewards[torch.arange(len(lengths)), lengths - 1] = correct
        index = torch.arange(len(lengths)) // NUM_GENERATIONS
        expected, _ = LEADEstimator(config)(rewards, mask, index)
        expected_rows = expected.sum(dim=1) / lengths
        got = torch.tensor([a for batch in batches for a in batch["advantages"]])
        error = float((got - expected_rows).abs().max())
        result = {
            "ok": error < 1e-5,
            "ranks": len(batches),
            "max_error": error,
            "states_equal": all(state == states[0] for state in states),
            "mixed_outcomes": 0 < float(correct.sum()) < len(correct),
            "nonzero_advantages": float(got.abs().max()) > 0,
        }
        with open(result_path, "w") as handle:
            json.dump(result, handle)


if __name__ == "__main__":
    main(sys.argv[1])
