"""Smoke run: ``python -m lead.core`` applies LEAD to seeded synthetic batches and prints its metrics.

Each step draws ``--prompts`` groups of ``--responses`` responses with a per-prompt difficulty;
correct responses tend to be shorter than wrong ones. Uses the published defaults.
"""

from __future__ import annotations

import argparse

import torch

from lead.core.config import LEADConfig
from lead.core.estimator import LEADEstimator


def synthetic_batch(
    generator: torch.Generator, prompts: int, responses: int, max_length: int
) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """``(B, T)`` rewards and mask and ``B`` group ids, with B = prompts * responses, T = max_length."""
    solve_rate = torch.rand(prompts, generator=generator).repeat_interleave(responses)
    correct = torch.rand(solve_rate.shape, generator=generator) < solve_rate
    typical_length = torch.where(correct, 0.35, 0.6) * max_length
    spread = 1 + 0.3 * torch.randn(solve_rate.shape, generator=generator)
    lengths = (typical_length * spread).clamp(1, max_length).long()
    mask = (torch.arange(max_length)[None, :] < lengths[:, None]).float()
    rewards = torch.zeros_like(mask)
    rewards[torch.arange(lengths.shape[0]), lengths - 1] = correct.float()
    index = [f"prompt-{row // responses}" for row in range(lengths.shape[0])]
    return rewards, mask, index


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m lead.core", description="Run LEAD on synthetic batches and print its metrics."
    )
    parser.add_argument("--steps", type=int, default=3, help="estimator calls (training steps)")
    parser.add_argument("--prompts", type=int, default=16, help="prompt groups per batch")
    parser.add_argument("--responses", type=int, default=8, help="responses per prompt")
    parser.add_argument("--max-length", type=int, default=8000, help="padded length T, also bmax")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    generator = torch.Generator().manual_seed(args.seed)
    estimator = LEADEstimator(LEADConfig(bmax=args.max_length))
    columns = []
    for _ in range(args.steps):
        batch = synthetic_batch(generator, args.prompts, args.responses, args.max_length)
        columns.append(estimator(*batch)[1])
    print(f"{'metric':<28}" + "".join(f"{'step ' + str(step):>12}" for step in range(1, args.steps + 1)))
    for name in columns[0]:
        print(f"{name:<28}" + "".join(f"{metrics[name]:>12.5g}" for metrics in columns))


if __name__ == "__main__":
    main()
