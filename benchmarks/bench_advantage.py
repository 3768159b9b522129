"""Time the LEAD estimator against verl's vectorised GRPO estimator on the same batches.

Usage: ``python benchmarks/bench_advantage.py [--repeats 11] [--mask-dtype int64] [--threads N]``

Each batch mimics a verl training step: ``prompts x n`` responses padded to ``T`` tokens, random
lengths, a 0/1 correctness score at the last valid token, and uuid-string group ids in an object
array (as verl's ``uid``). Both estimators run alternately on identical inputs; the script prints
the median wall time of each and the ratio LEAD / GRPO.
"""

from __future__ import annotations

import argparse
import functools
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable

import numpy as np
import torch

from lead import LEADConfig, LEADEstimator

SIZES = ((128, 8, 8000), (512, 8, 8000), (1024, 16, 4000))


def make_batch(
    prompts: int, responses_per_prompt: int, max_length: int, mask_dtype: torch.dtype, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray]:
    """Synthetic ``(B, T)`` rewards and mask plus ``B`` uid strings, B = prompts * responses_per_prompt."""
    generator = torch.Generator().manual_seed(seed)
    batch_size = prompts * responses_per_prompt
    lengths = torch.randint(1, max_length + 1, (batch_size,), generator=generator)
    response_mask = (torch.arange(max_length)[None, :] < lengths[:, None]).to(mask_dtype)
    token_level_rewards = torch.zeros(batch_size, max_length)
    scores = (torch.rand(batch_size, generator=generator) < 0.5).float()
    token_level_rewards[torch.arange(batch_size), lengths - 1] = scores
    rng = random.Random(seed)
    uids = np.array(
        [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(prompts)], dtype=object
    )
    return token_level_rewards, response_mask, np.repeat(uids, responses_per_prompt)


def time_once(run: Callable[[], object], samples: list[float]) -> None:
    start = time.perf_counter()
    run()
    samples.append(time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11, help="timed runs per estimator and size")
    parser.add_argument("--mask-dtype", default="int64", choices=["int64", "float32", "bool"])
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    from verl.trainer.ppo.core_algos import get_adv_estimator_fn

    grpo = get_adv_estimator_fn("grpo_vectorized")
    lead = LEADEstimator(LEADConfig())
    mask_dtype = getattr(torch, args.mask_dtype)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, mask dtype {args.mask_dtype}, "
        f"load average {load}"
    )
    print(f"{'batch':>22} | {'LEAD ms':>9} | {'GRPO ms':>9} | {'LEAD/GRPO':>9}")
    for prompts, responses_per_prompt, max_length in SIZES:
        rewards, mask, index = make_batch(prompts, responses_per_prompt, max_length, mask_dtype)
        run_lead = functools.partial(lead, rewards, mask, index)
        run_grpo = functools.partial(
            grpo, token_level_rewards=rewards, response_mask=mask, index=index, config=None
        )
        lead_times: list[float] = []
        grpo_times: list[float] = []
        runs = [(run_lead, lead_times), (run_grpo, grpo_times)]
        for repeat in range(args.repeats + 1):
            for run, samples in runs if repeat % 2 else runs[::-1]:  # alternate who goes first
                time_once(run, samples)
            if repeat == 0:  # warm-up
                lead_times.clear()
                grpo_times.clear()
        lead_ms = 1000 * statistics.median(lead_times)
        grpo_ms = 1000 * statistics.median(grpo_times)
        label = f"{prompts} x {responses_per_prompt} @ {max_length}"
        print(f"{label:>22} | {lead_ms:9.2f} | {grpo_ms:9.2f} | {lead_ms / grpo_ms:9.2f}")
        del rewards, mask, index, run_lead, run_grpo


if __name__ == "__main__":
    main()
