"""The demo's task and tokenizer: verifiable answers, over-thinking padding, a lossless vocabulary."""

from __future__ import annotations

import random

import pytest

from lead.demo.task import (
    FILLER_LINES,
    LINE_END,
    MAX_DIGITS,
    MIN_DIGITS,
    Problem,
    extract_answer,
    is_correct,
    minimal_solution,
    overthinking_solution,
    sample_problems,
    sample_problems_per_difficulty,
    shortest_correct_length,
    solution_lines,
)
from lead.demo.tokenizer import build_tokenizer


def test_minimal_solution_has_one_line_per_addition_and_the_right_answer() -> None:
    problem = Problem((3, 5, 2, 7))
    assert problem.prompt == "add 3 5 2 7 :"
    assert minimal_solution(problem) == "3 + 5 = 8 ; 8 + 2 = 10 ; 10 + 7 = 17 ; answer 17"
    assert solution_lines(problem) == [(3, 5, 8), (8, 2, 10), (10, 7, 17)]
    assert is_correct(minimal_solution(problem), 17)


def test_padded_solutions_stay_correct_and_are_longer_on_average() -> None:
    rng = random.Random(0)
    problems = sample_problems(rng, 200, 2, 6)
    padded = [overthinking_solution(p, rng) for p in problems]
    assert all(is_correct(text, p.answer) for text, p in zip(padded, problems, strict=True))
    padded_words = sum(len(text.split()) for text in padded)
    minimal_words = sum(len(minimal_solution(p).split()) for p in problems)
    assert padded_words > 1.4 * minimal_words
    assert all(len(set(p.digits)) == p.difficulty for p in problems)
    assert {p.difficulty for p in problems} == {2, 3, 4, 5, 6}


def numbers(text: str) -> list[int]:
    return [int(word) for word in text.split() if word.isdigit()]


def test_padding_writes_no_number_and_leaves_every_needed_line_where_the_minimal_solution_has_it() -> None:
    rng = random.Random(7)
    padded_at_all = 0
    for problem in sample_problems(rng, 300, MIN_DIGITS, MAX_DIGITS):
        padded = overthinking_solution(problem, rng)
        minimal = minimal_solution(problem)
        # every number written is one the minimal solution writes, in the same order
        assert numbers(padded) == numbers(minimal), padded
        needed, answer = minimal.rsplit(f" {LINE_END} ", 1)
        needed += f" {LINE_END}"
        assert padded.startswith(needed + " ") and padded.endswith(" " + answer), padded
        padding = padded[len(needed) : len(padded) - len(answer)]
        fillers = [f"{line.strip()} {LINE_END}" for line in padding.split(LINE_END)[:-1]]
        assert all(line in FILLER_LINES for line in fillers), padded
        assert " ".join([needed, *fillers, answer]) == padded
        padded_at_all += bool(fillers)
    assert padded_at_all > 200
    first_words = {line.split()[0] for line in FILLER_LINES}
    assert len(first_words) == len(FILLER_LINES), "each filler is told apart by its first word"


def test_answer_extraction_takes_the_last_answer_and_rejects_junk() -> None:
    assert extract_answer("1 + 2 = 3 ; answer 4 ; answer 3") == 3
    assert extract_answer("1 + 2 = 3 ;") is None
    assert extract_answer("answer ;") is None
    assert not is_correct("answer", 3)


def test_problem_sampling_excludes_held_out_and_validates_digit_counts() -> None:
    held_out = set(sample_problems(random.Random(1), 50, 2, 3))
    fresh = sample_problems(random.Random(2), 50, 2, 3, exclude=held_out)
    assert not held_out & set(fresh)
    with pytest.raises(ValueError, match="min_digits"):
        sample_problems(random.Random(0), 1, 1, 3)
    with pytest.raises(ValueError, match="count=72 is invalid: allowed is at most 71"):
        sample_problems(random.Random(0), 72, 2, 2, exclude={Problem((1, 2))})


def test_tokenizer_covers_every_task_word_and_round_trips() -> None:
    tokenizer = build_tokenizer()
    rng = random.Random(3)
    for problem in sample_problems(rng, 20, 2, 9):
        text = f"{problem.prompt} {overthinking_solution(problem, rng)}"
        ids = tokenizer(text)["input_ids"]
        assert tokenizer.unk_token_id not in ids
        assert len(ids) == len(text.split())
        assert tokenizer.decode([*ids, tokenizer.eos_token_id], skip_special_tokens=True) == text


def test_shortest_correct_length_counts_the_minimal_solution_tokens_and_eos() -> None:
    tokenizer = build_tokenizer()
    for problem in sample_problems(random.Random(4), 60, 2, 9):
        tokens = len(tokenizer(minimal_solution(problem))["input_ids"]) + 1
        assert tokens == shortest_correct_length(problem.difficulty)
    assert shortest_correct_length(MAX_DIGITS) >= 4 * shortest_correct_length(MIN_DIGITS)


def test_padded_solutions_over_think_at_every_difficulty() -> None:
    rng = random.Random(5)
    tokenizer = build_tokenizer()
    for digits in range(MIN_DIGITS, MAX_DIGITS + 1):
        problems = sample_problems(rng, 50, digits, digits)
        lengths = [len(tokenizer(overthinking_solution(p, rng))["input_ids"]) + 1 for p in problems]
        assert min(lengths) >= shortest_correct_length(digits)
        assert sum(lengths) / len(lengths) > 1.3 * shortest_correct_length(digits), digits


def test_held_out_problems_come_in_equal_numbers_per_difficulty() -> None:
    problems = sample_problems_per_difficulty(random.Random(6), 5, 2, 4)
    assert [p.difficulty for p in problems] == [2] * 5 + [3] * 5 + [4] * 5
    assert len(set(problems)) == 15
