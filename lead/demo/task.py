"""The demo's synthetic reasoning task: add a list of distinct digits, one running-sum line at a time.

A problem with ``k`` digits needs ``k - 1`` addition lines, so harder problems need longer solutions
(the per-problem target length matters): the shortest correct solution is ``6k - 3`` tokens (EOS
included), 9 tokens at 2 digits and 39 at 7, the default range (the hardest problems need 4.3 times
the easiest). Skipping a needed line means adding several digits in one step, which the tiny model
cannot do, so too-short answers fail.

The warm-start data pads each solution with filler lines (:data:`FILLER_LINES`): correct but longer
than needed. Padding must cost tokens and never correctness, as the paper's premise has it, or
correctness alone would reward dropping it and every method, correctness-only GRPO included, would
shorten for that reason alone. Two rules make it so:

- The fillers hold no number. A padding line that copied numbers (a re-check ``check 3 + 5 = 8 ;``
  or a restatement ``so total 8 ;``) would be one more chance to corrupt the running sum, since the
  next line starts from the last number written.
- The fillers come after the last needed line, before the answer: the solution re-checks its work
  once the sum is found, the way reasoning models over-think. Every needed line then sits where it
  sits in the minimal solution, so the model computes the sum exactly as it would without padding;
  fillers between the needed lines would move each line by a varying amount, and a two-layer model
  that must find the next digit and the running total across them errs more the more fillers it
  writes (a warm start trained on interleaved fillers solved 62% of its 5-digit samples with at most
  two fillers and 7% of those with six or more), which again ties length to correctness.

After the fillers, the answer copies the last number written, which no filler can change.
Each filler is a fixed phrase told apart by its first word (cheap for the tiny model: one choice,
then a fixed sequence), and the two have the 7 and 4 tokens of the re-check and restatement lines
they stand in for; as many are drawn as before (0..v per needed line), so the warm start's lengths,
and with them the budget and every length derived from the task, keep their values.

Text format (tokens separated by single spaces)::

    prompt:   add 3 5 2 7 :
    minimal:  3 + 5 = 8 ; 8 + 2 = 10 ; 10 + 7 = 17 ; answer 17
    padded:   3 + 5 = 8 ; 8 + 2 = 10 ; 10 + 7 = 17 ; wait , let me check again ; that looks right ;
              answer 17
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

PROMPT_WORD = "add"
PROMPT_END = ":"
LINE_END = ";"
ANSWER_WORD = "answer"
FILLER_LINES = ("wait , let me check again ;", "that looks right ;")
"""The padding lines, each ending with :data:`LINE_END`; none holds a number."""
SYMBOL_WORDS = ("+", "=")
MAX_NUMBER = 45  # the largest running sum: 9 + 8 + ... + 1
MAX_VERBOSITY = 3
MIN_DIGITS = 2
MAX_DIGITS = 7


@dataclass(frozen=True)
class Problem:
    """One problem: distinct digits 1..9 to add in order; difficulty = number of digits."""

    digits: tuple[int, ...]

    @property
    def difficulty(self) -> int:
        return len(self.digits)

    @property
    def answer(self) -> int:
        return sum(self.digits)

    @property
    def prompt(self) -> str:
        return " ".join([PROMPT_WORD, *map(str, self.digits), PROMPT_END])


def task_words() -> list[str]:
    """Every word the task can write (the tokenizer's vocabulary apart from special tokens)."""
    words = [PROMPT_WORD, PROMPT_END, LINE_END, ANSWER_WORD, *SYMBOL_WORDS]
    filler_words = [word for line in FILLER_LINES for word in line.split() if word not in words]
    return words + list(dict.fromkeys(filler_words)) + [str(n) for n in range(MAX_NUMBER + 1)]


def check_digit_range(min_digits: int, max_digits: int) -> None:
    """``ValueError`` unless ``2 <= min_digits <= max_digits <= 9``."""
    if not 2 <= min_digits <= max_digits <= 9:
        raise ValueError(
            f"digit counts must satisfy 2 <= min_digits <= max_digits <= 9, got {min_digits}..{max_digits}"
        )


def sample_problem(rng: random.Random, min_digits: int, max_digits: int) -> Problem:
    """Draw a problem with a uniform number of digits in [min_digits, max_digits], digits distinct."""
    check_digit_range(min_digits, max_digits)
    k = rng.randint(min_digits, max_digits)
    return Problem(tuple(rng.sample(range(1, 10), k)))


def distinct_problems(digits: int) -> int:
    """How many problems have ``digits`` distinct digits 1..9 in order: ``9! / (9 - digits)!``."""
    return math.perm(9, digits)


def sample_problems(
    rng: random.Random,
    count: int,
    min_digits: int,
    max_digits: int,
    exclude: set[Problem] | frozenset[Problem] = frozenset(),
) -> list[Problem]:
    """Draw ``count`` distinct problems, none of them in ``exclude``; ``ValueError`` if there are fewer."""
    check_digit_range(min_digits, max_digits)
    available = sum(distinct_problems(k) for k in range(min_digits, max_digits + 1)) - sum(
        min_digits <= p.difficulty <= max_digits for p in exclude
    )
    if count > available:
        raise ValueError(
            f"count={count} is invalid: allowed is at most {available} (the distinct problems with "
            f"{min_digits}..{max_digits} digits, less the excluded ones)"
        )
    problems: list[Problem] = []
    seen = set(exclude)
    while len(problems) < count:
        problem = sample_problem(rng, min_digits, max_digits)
        if problem not in seen:
            seen.add(problem)
            problems.append(problem)
    return problems


def solution_lines(problem: Problem) -> list[tuple[int, int, int]]:
    """The needed steps (running sum, next digit, new running sum)."""
    steps = []
    total = problem.digits[0]
    for digit in problem.digits[1:]:
        steps.append((total, digit, total + digit))
        total += digit
    return steps


def _line(total: int, digit: int, result: int) -> str:
    return f"{total} + {digit} = {result} {LINE_END}"


def minimal_solution(problem: Problem) -> str:
    """The shortest correct solution: one line per needed addition, then the answer."""
    lines = [_line(*step) for step in solution_lines(problem)]
    return " ".join([*lines, ANSWER_WORD, str(problem.answer)])


def shortest_correct_length(difficulty: int) -> int:
    """Tokens (one per word, EOS included) of the shortest correct solution with ``difficulty`` digits.

    ``k - 1`` lines of 6 words, ``answer`` and the sum, EOS: ``6k - 3``.
    """
    return 6 * (difficulty - 1) + 3


def overthinking_solution(problem: Problem, rng: random.Random) -> str:
    """A correct solution padded with filler lines after its last needed line.

    The sample's verbosity v is uniform in 0..MAX_VERBOSITY; for every needed line, a uniform number
    of filler lines in 0..v is added, each one of :data:`FILLER_LINES` with equal chance, and all of
    them follow the needed lines, before the answer.
    """
    verbosity = rng.randint(0, MAX_VERBOSITY)
    steps = solution_lines(problem)
    fillers = sum(rng.randint(0, verbosity) for _ in steps)
    parts = [_line(*step) for step in steps] + [rng.choice(FILLER_LINES) for _ in range(fillers)]
    return " ".join([*parts, ANSWER_WORD, str(problem.answer)])


def extract_answer(completion: str) -> int | None:
    """The number after the last ``answer`` word, or None when there is none."""
    words = completion.split()
    for position in range(len(words) - 2, -1, -1):
        if words[position] == ANSWER_WORD:
            return int(words[position + 1]) if words[position + 1].isdigit() else None
    return None


def is_correct(completion: str, answer: int) -> bool:
    """Whether the completion's final answer equals the problem's sum."""
    return extract_answer(completion) == answer


def sample_problems_per_difficulty(
    rng: random.Random, per_difficulty: int, min_digits: int, max_digits: int
) -> list[Problem]:
    """``per_difficulty`` distinct problems at each digit count in [min_digits, max_digits], easiest first."""
    return [
        problem
        for digits in range(min_digits, max_digits + 1)
        for problem in sample_problems(rng, per_difficulty, digits, digits)
    ]
