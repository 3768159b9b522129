"""Grader speed on realistic long responses.

    python benchmarks/bench_grader.py [--responses 5000] [--timeout 5]

Builds GRPO-like batches from the shipped training set: 8 responses per problem, each a few
thousand words of reasoning with inline math, ending in one final answer that is the gold answer
(verbatim or rewritten), a wrong answer (a changed digit or another problem's answer), or none.
Grades them one after another in one thread and reports responses per second, latency
percentiles and the slowest call. The math-verify worker is started before timing; CPU time
counts this process and its math-verify workers (including that worker's start-up).
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import time
from pathlib import Path

from tqdm import tqdm

from lead.data.schema import load_rl_parquet
from lead.reward import grade, grader_stats, reset_grader_stats
from lead.reward.timeout import shutdown_workers

ROOT = Path(__file__).resolve().parents[1]
GROUP_SIZE = 8
WORDS = (
    "we", "now", "consider", "the", "equation", "so", "that", "substituting", "gives", "hence", "therefore",
    "let", "denote", "by", "and", "since", "it", "follows", "check", "case", "wait", "again", "compute",
    "value", "sum", "terms", "factor", "both", "sides", "simplify", "which", "means", "answer", "is",
)  # fmt: skip
INLINE_MATH = (
    "$x^2 + {a}x + {b} = 0$", "$\\frac{{{a}}}{{{b}}}$", "$\\sqrt{{{a}}}$", "$({a} + {b})^2$",
    "$\\binom{{{a}}}{{{b}}}$", "$2^{{{a}}} \\cdot 3^{{{b}}}$", "\\[ \\sum_{{k=1}}^{{{a}}} k = {b} \\]",
)  # fmt: skip


def reasoning(rng: random.Random, words: int) -> str:
    """``words`` words of plausible step-by-step text with inline LaTeX every few words."""
    parts = []
    for index in range(words):
        if index % 12 == 11:
            parts.append(rng.choice(INLINE_MATH).format(a=rng.randint(1, 99), b=rng.randint(1, 99)))
        else:
            parts.append(rng.choice(WORDS))
        if index % 40 == 39:
            parts.append(".\n\n")
    return " ".join(parts)


def change_a_digit(answer: str, rng: random.Random) -> str | None:
    """The answer with one digit changed (None if it has no digit)."""
    positions = [i for i, char in enumerate(answer) if char.isdigit()]
    if not positions:
        return None
    position = rng.choice(positions)
    digit = str((int(answer[position]) + rng.randint(1, 9)) % 10)
    return answer[:position] + digit + answer[position + 1 :]


def final_answer(gold: str, other_gold: str, rng: random.Random) -> str | None:
    """What one sampled response boxes: mostly right, often wrong, sometimes nothing."""
    roll = rng.random()
    if roll < 0.40:
        return gold
    if roll < 0.55:
        return gold.replace("\\frac", "\\dfrac").replace(",", ", ")
    if roll < 0.80:
        return change_a_digit(gold, rng) or other_gold
    if roll < 0.92:
        return other_gold
    return None


def build_responses(count: int, seed: int) -> list[tuple[str, str]]:
    """(response, gold) pairs, ``GROUP_SIZE`` per problem."""
    rng = random.Random(seed)
    golds = [row["ground_truth"] for row in load_rl_parquet(ROOT / "data/math/train.parquet")["reward_model"]]
    pairs = []
    while len(pairs) < count:
        gold = rng.choice(golds)
        for _ in range(min(GROUP_SIZE, count - len(pairs))):
            answer = final_answer(gold, rng.choice(golds), rng)
            text = reasoning(rng, rng.randint(1500, 4000))
            ending = (
                f"\n\nThe final answer is $\\boxed{{{answer}}}$." if answer is not None else "\n\nI ran out"
            )
            pairs.append((text + ending, gold))
    return pairs


def _cpu_seconds() -> float:
    """User + system CPU of this process and its reaped children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--responses", type=int, default=5000)
    parser.add_argument("--timeout", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    pairs = build_responses(args.responses, args.seed)
    words = [len(response.split()) for response, _ in pairs]
    print(f"{len(pairs)} responses of {statistics.median(words):.0f} words (median)")
    grade("\\boxed{\\sqrt{8}}", "2\\sqrt{2}", timeout=30.0)  # start the math-verify worker
    reset_grader_stats()

    latencies = []
    correct = 0
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    for response, gold in tqdm(pairs, desc="grading", mininterval=2.0):
        call_started = time.perf_counter()
        result = grade(response, gold, timeout=args.timeout)
        latencies.append(time.perf_counter() - call_started)
        correct += result.correct
    elapsed = time.perf_counter() - started
    shutdown_workers()
    cpu = _cpu_seconds() - cpu_before

    latencies.sort()
    median = statistics.median(latencies)
    print(f"graded {len(pairs)} in {elapsed:.2f} s: {len(pairs) / elapsed:.0f} responses/s (one thread)")
    print(f"CPU {cpu:.2f} s (grader and workers): {len(pairs) / cpu:.0f} responses per CPU-second")
    print(f"latency: median {median * 1e3:.3f} ms ({1 / median:.0f}/s at the median), "
          f"p90 {latencies[int(0.9 * len(latencies))] * 1e3:.3f} ms, "
          f"p99 {latencies[int(0.99 * len(latencies))] * 1e3:.2f} ms, max {latencies[-1] * 1e3:.1f} ms "
          f"(timeout {args.timeout * 1e3:.0f} ms)")  # fmt: skip
    print(f"correct {correct}/{len(pairs)}; counters {grader_stats()}")


if __name__ == "__main__":
    main()
