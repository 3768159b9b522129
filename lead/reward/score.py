"""Grade responses: ``grade`` (one response, typed result) and ``compute_score`` (verl's signature).

Neither raises on any response or ground truth and neither compares past its timeout: extraction
and the cheap comparison rules are linear-time string work on capped inputs, and math-verify runs
in a worker process that is killed at the deadline. Time spent waiting for a free worker is not
charged to the timeout; it is bounded by ``queue_timeout`` (see ``lead.reward.timeout``).
Process-wide counters (``grader_stats``) record how many calls timed out, failed, or found no
answer.
"""

from __future__ import annotations

import numbers
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lead.reward.equivalence import Verdict, answers_equal
from lead.reward.extract import extract_answer
from lead.reward.shaping import CONFIG_KEY, LengthShaping, release_length
from lead.reward.stats import STATS
from lead.reward.timeout import DEFAULT_QUEUE_TIMEOUT, GradingSession

DEFAULT_TIMEOUT = 5.0
MAX_ANSWER_CHARS = 1000
"""Longer extracted answers grade wrong without comparison (and are reported cut to this length)."""
_CACHE_SIZE = 65536


@dataclass(frozen=True)
class GradeResult:
    """Outcome of grading one response.

    Graded wrong for a reason other than the answer: ``timed_out`` (a comparison ran out of its
    time), ``queue_timed_out`` (no math-verify worker came free within ``queue_timeout``);
    ``unreadable``: graded wrong, and math-verify could not read the answer. ``queue_seconds``: time
    spent waiting for math-verify workers (0.0 when one was free at once).
    """

    correct: bool
    pred: str
    has_answer: bool
    timed_out: bool
    unreadable: bool = False
    queue_timed_out: bool = False
    queue_seconds: float = 0.0


def grader_stats() -> dict[str, int]:
    """Counts since start (or reset) of graded responses: graded, correct, no_answer, too_long,
    timed_out, queue_timed_out, unreadable, errors; of comparisons: math_verify_calls (comparisons
    that needed math-verify) and of those math_verify_unparsable (math-verify could not read the
    prediction), math_verify_unparsable_gold (nor the gold), math_verify_error (math-verify or
    sympy failed) and math_verify_start_failures (no worker process could be started)."""
    return STATS.snapshot()


def reset_grader_stats() -> None:
    """Zero all counters."""
    STATS.reset()


@dataclass(frozen=True)
class _Finished:
    """A finished comparison: its verdict, and whether math-verify could not read the answer."""

    equal: bool
    unreadable: bool


class _VerdictCache:
    """LRU cache of finished (not timed-out) comparisons; GRPO groups repeat answers a lot."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], _Finished] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> _Finished | None:
        with self._lock:
            if key not in self._items:
                return None
            self._items.move_to_end(key)
            return self._items[key]

    def put(self, key: tuple[str, str], value: _Finished) -> None:
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)


_CACHE = _VerdictCache(_CACHE_SIZE)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    return ""


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _gold_answers(ground_truth: Any) -> list[str]:
    """Accepted answers as strings: a string, a number (numpy's too), or an iterable of them.

    Gold answers longer than ``MAX_ANSWER_CHARS`` are dropped (no answer that long can match).
    """
    if isinstance(ground_truth, (str, bytes, bytearray)) or _is_number(ground_truth):
        candidates: Iterable[Any] = [ground_truth]
    elif isinstance(ground_truth, Iterable) and not isinstance(ground_truth, Mapping):
        candidates = list(ground_truth)
    else:
        candidates = []
    golds = []
    for candidate in candidates:
        text = (str(candidate) if _is_number(candidate) else _as_text(candidate)).strip()
        if text and len(text) <= MAX_ANSWER_CHARS:
            golds.append(text)
    return golds


def _compare(pred: str, gold: str, deadline: float, session: GradingSession) -> Verdict:
    """``answers_equal``, cached; a cached comparison reports its unreadable answer again."""
    cached = _CACHE.get((pred, gold))
    if cached is not None:
        session.unreadable = session.unreadable or cached.unreadable
        return Verdict(cached.equal)
    unreadable_before, session.unreadable = session.unreadable, False  # this comparison's own finding
    verdict = answers_equal(pred, gold, deadline)
    if not verdict.timed_out:
        _CACHE.put((pred, gold), _Finished(verdict.equal, session.unreadable))
    session.unreadable = session.unreadable or unreadable_before
    return verdict


def _validate_seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number of seconds, got {value!r}")
    return float(value)


def check_time_limits(reward_kwargs: Mapping[str, Any] | None) -> None:
    """Raise ValueError, naming the key, if verl's ``reward_kwargs`` hold an invalid ``timeout`` or
    ``queue_timeout`` (checked before training starts, not at the first reward)."""
    for name in ("timeout", "queue_timeout"):
        if reward_kwargs is not None and name in reward_kwargs:
            try:
                _validate_seconds(name, reward_kwargs[name])
            except ValueError as error:
                raise ValueError(f"{CONFIG_KEY}.{error}") from None


def grade(
    response: str,
    ground_truth: str | list[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    fallback: bool = False,
    queue_timeout: float = DEFAULT_QUEUE_TIMEOUT,
) -> GradeResult:
    """Grade one response against one or more accepted gold answers.

    The final answer is the last ``\\boxed{}`` of ``response`` (with ``fallback``, else the last
    "final answer is ..." phrase). Never raises on any response or ground truth; compares for at
    most ``timeout`` seconds, plus at most ``queue_timeout`` seconds of waiting for math-verify
    workers busy with other threads' comparisons (ValueError only for a non-positive value).
    """
    deadline = time.monotonic() + _validate_seconds("timeout", timeout)
    with GradingSession(_validate_seconds("queue_timeout", queue_timeout)) as session:
        result = _grade(response, ground_truth, deadline, fallback, session)
    if not session.untouched:
        result = _with_session_outcomes(result, session)
    if result.timed_out or result.queue_timed_out or result.unreadable:
        STATS.add(*(name for name in ("timed_out", "queue_timed_out", "unreadable") if getattr(result, name)))
    return result


def _with_session_outcomes(result: GradeResult, session: GradingSession) -> GradeResult:
    """``result`` with what its math-verify comparisons ran into.

    A verdict cut short by the queue alone is a queue timeout, not a timeout of the answer.
    """
    wrong = not result.correct
    return GradeResult(
        correct=result.correct,
        pred=result.pred,
        has_answer=result.has_answer,
        timed_out=result.timed_out and (session.timed_out or not session.queue_timed_out),
        unreadable=wrong and session.unreadable,
        queue_timed_out=wrong and result.timed_out and session.queue_timed_out,
        queue_seconds=session.queue_seconds,
    )


def _grade(
    response: Any, ground_truth: Any, deadline: float, fallback: bool, session: GradingSession
) -> GradeResult:
    """The body of :func:`grade`: extract, then compare with each gold answer until ``deadline``."""
    try:
        answer = extract_answer(_as_text(response), fallback=fallback)
        if answer is None:
            STATS.add("graded", "no_answer")
            return GradeResult(correct=False, pred="", has_answer=False, timed_out=False)
        if len(answer) > MAX_ANSWER_CHARS:
            STATS.add("graded", "too_long")
            return GradeResult(False, answer[:MAX_ANSWER_CHARS], has_answer=True, timed_out=False)
        timed_out = False
        for gold in _gold_answers(ground_truth):
            verdict = _compare(answer, gold, deadline, session)
            if verdict.equal:
                STATS.add("graded", "correct")
                return GradeResult(correct=True, pred=answer, has_answer=True, timed_out=False)
            timed_out = timed_out or verdict.timed_out
        STATS.add("graded")
        return GradeResult(correct=False, pred=answer, has_answer=True, timed_out=timed_out)
    except Exception:
        STATS.add("graded", "errors")
        return GradeResult(correct=False, pred="", has_answer=False, timed_out=False)


@lru_cache(maxsize=4)
def _load_tokenizer(path: str) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(path)


def _given_length(value: Any) -> int | None:
    """A length handed over by the caller, or None if it is not a non-negative count."""
    return int(value) if _is_number(value) and value >= 0 else None


def _caller_count(name: str, keyword_value: Any, extra_info: Any) -> int | None:
    """The count ``name`` given by the caller: as a keyword, else as ``extra_info[name]``."""
    given = _given_length(keyword_value)
    if given is None and isinstance(extra_info, Mapping):
        given = _given_length(extra_info.get(name))
    return given


def _response_tokens(
    solution_str: str,
    extra_info: Any,
    response_length: Any,
    tokenizer: Any,
    tokenizer_path: str | None,
) -> int:
    """Token count of the response: given by the caller, else counted with a tokenizer."""
    given = _caller_count("response_length", response_length, extra_info)
    if given is not None:
        return given
    if tokenizer is None and tokenizer_path:
        tokenizer = _load_tokenizer(str(tokenizer_path))
    if tokenizer is None:
        raise ValueError(
            f"{CONFIG_KEY}.length_bonus > 0 needs the response length in tokens: allowed is the project's "
            f"reward manager (LEADRewardManager), {CONFIG_KEY}.tokenizer_path, or a response_length "
            "passed by the caller (keyword or extra_info['response_length'])"
        )
    return len(tokenizer.encode(solution_str, add_special_tokens=False))


def _release_length(extra_info: Any, sequence_chars: Any) -> float:
    """The release's length of the response (``lead.reward.shaping.release_length``)."""
    chars = _caller_count("sequence_chars", sequence_chars, extra_info)
    if chars is None:
        raise ValueError(
            f"{CONFIG_KEY}.length_unit=release_chars needs the characters of the decoded prompt plus "
            "response: allowed is the project's reward manager (LEADRewardManager), or a sequence_chars "
            "passed by the caller (keyword or extra_info['sequence_chars'])"
        )
    return release_length(chars)


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: str | list[str],
    extra_info: dict | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    fallback: bool = False,
    queue_timeout: float = DEFAULT_QUEUE_TIMEOUT,
    correct_weight: float = 1.0,
    length_bonus: float = 0.0,
    length_threshold: int = 2000,
    bonus_requires_correct: bool = True,
    length_unit: str = "tokens",
    response_length: int | None = None,
    sequence_chars: int | None = None,
    tokenizer: Any = None,
    tokenizer_path: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """verl custom reward function: correctness of ``solution_str``, optionally shaped by length.

    Returns ``{"score", "acc", "pred", "has_answer", "timed_out", "unreadable", "queue_timed_out",
    "queue_seconds", "length_bonus"}`` for every sample (the grader's outcomes as in
    :class:`GradeResult`; ``length_bonus``: the bonus this response earned); verl carries every key
    to the trainer as the sample's reward extra info. With the defaults ``score = acc``
    (1.0 / 0.0); otherwise ``score = correct_weight * acc + length_bonus * [length <=
    length_threshold and (acc or not bonus_requires_correct)]`` (see ``lead.reward.shaping``).
    A length is needed only when ``length_bonus > 0``. With ``length_unit="tokens"`` it is the
    response's tokens: from ``response_length`` (keyword), then ``extra_info["response_length"]``
    (set by the project's reward manager from the response mask), then ``tokenizer`` /
    ``tokenizer_path``. With ``length_unit="release_chars"`` it is ``sequence_chars / 4``, the
    characters of the decoded prompt plus response (keyword, else ``extra_info["sequence_chars"]``,
    set by the project's reward manager). In verl every keyword is set in
    ``reward.custom_reward_function.reward_kwargs``. Sample data never makes this raise; an invalid
    configuration raises ValueError naming the key. ``data_source`` is accepted for verl's
    signature; every source is graded as math.
    """
    shaping = LengthShaping(
        correct_weight, length_bonus, length_threshold, bonus_requires_correct, length_unit
    )
    length = None
    if shaping.needs_sequence_chars:
        length = _release_length(extra_info, sequence_chars)
    elif shaping.needs_length:
        length = _response_tokens(
            _as_text(solution_str), extra_info, response_length, tokenizer, tokenizer_path
        )
    result = grade(
        solution_str, ground_truth, timeout=timeout, fallback=fallback, queue_timeout=queue_timeout
    )
    return {
        "score": shaping.score(result.correct, length),
        "acc": 1.0 if result.correct else 0.0,
        "pred": result.pred,
        "has_answer": result.has_answer,
        "timed_out": result.timed_out,
        "unreadable": result.unreadable,
        "queue_timed_out": result.queue_timed_out,
        "queue_seconds": result.queue_seconds,
        "length_bonus": shaping.bonus(result.correct, length),
    }
