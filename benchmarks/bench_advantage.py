"""Time every method's estimator against verl's vectorised GRPO estimator on the same batches.

Usage: ``python benchmarks/bench_advantage.py [--methods lead,dler] [--repeats 11] [--mask-dtype int64]
[--threads N]``

Each batch mimics a verl training step: ``prompts x n`` responses padded to ``T`` tokens, random
lengths, a 0/1 correctness score at the last valid token, uuid-string group ids in an object array
(as verl's ``uid``) and one stable problem id per prompt. Each method (built with
``make_estimator(name, budget=T)``) and GRPO run alternately on identical inputs; the script prints
the median wall time of each and the ratio method / GRPO.
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

from lead.methods import METHODS, make_estimator

SIZES = ((128, 8, 8000), (512, 8, 8000), (1024, 16, 4000))


def make_batch(
    prompts: int, responses_per_prompt: int, max_length: int, mask_dtype: torch.dtype, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor, np.ndarray, np.ndarray]:
    """Synthetic ``(B, T)`` rewards and mask plus ``B`` uid strings and ``B`` problem ids,
    B = prompts * responses_per_prompt."""
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
    problem_ids = np.array([f"math-{rng.randrange(8521)}" for _ in range(prompts)], dtype=object)
    return (
        token_level_rewards,
        response_mask,
        np.repeat(uids, responses_per_prompt),
        np.repeat(problem_ids, responses_per_prompt),
    )


def time_once(run: Callable[[], object], samples: list[float]) -> None:
    start = time.perf_counter()
    run()
    samples.append(time.perf_counter() - start)


def median_ms(runs: list[tuple[Callable[[], object], list[float]]], repeats: int) -> list[float]:
    """Median wall time in ms of each run, alternating who goes first, after one warm-up round."""
    for repeat in range(repeats + 1):
        for run, samples in runs if repeat % 2 else runs[::-1]:
            time_once(run, samples)
        if repeat == 0:
            for _, samples in runs:
                samples.clear()
    return [1000 * statistics.median(samples) for _, samples in runs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--methods", default=",".join(METHODS), help="comma list of methods (default: all)")
    parser.add_argument("--repeats", type=int, default=11, help="timed runs per estimator and size")
    parser.add_argument("--mask-dtype", default="int64", choices=["int64", "float32", "bool"])
    parser.add_argument("--threads", type=int, default=None, help="torch intra-op threads")
    args = parser.parse_args()
    names = [name.strip() for name in args.methods.split(",") if name.strip()]
    unknown = [name for name in names if name not in METHODS]
    if unknown or args.repeats < 1:
        parser.error(
            f"--methods {unknown[0]!r} is unknown: allowed are {', '.join(METHODS)}"
            if unknown
            else f"--repeats {args.repeats} is invalid: allowed is an integer >= 1"
        )
    if args.threads:
        torch.set_num_threads(args.threads)

    from verl.trainer.ppo.core_algos import get_adv_estimator_fn

    grpo = get_adv_estimator_fn("grpo_vectorized")
    mask_dtype = getattr(torch, args.mask_dtype)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, mask dtype {args.mask_dtype}, "
        f"load average {load}"
    )
    print(f"{'batch':>18} | {'method':>14} | {'method ms':>9} | {'GRPO ms':>9} | {'ratio':>6}")
    for prompts, responses_per_prompt, max_length in SIZES:
        rewards, mask, index, problem_ids = make_batch(prompts, responses_per_prompt, max_length, mask_dtype)
        run_grpo = functools.partial(
            grpo, token_level_rewards=rewards, response_mask=mask, index=index, config=None
        )
        label = f"{prompts} x {responses_per_prompt} @ {max_length}"
        for name in names:
            estimator = make_estimator(name, budget=max_length)
            run_method = functools.partial(estimator, rewards, mask, index, problem_ids=problem_ids)
            method_ms, grpo_ms = median_ms([(run_method, []), (run_grpo, [])], args.repeats)
            print(
                f"{label:>18} | {name:>14} | {method_ms:9.2f} | {grpo_ms:9.2f} | {method_ms / grpo_ms:6.2f}"
            )
        del rewards, mask, index, run_grpo


if __name__ == "__main__":
    main()
