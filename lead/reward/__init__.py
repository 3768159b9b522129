"""Math answer grader: answer extraction, equivalence checking and verl's ``compute_score``.

In verl, point the custom reward function at it and pass options through ``reward_kwargs`` (the
project config ``lead_ppo_trainer.yaml`` declares them, so they are set without ``+``)::

    reward.custom_reward_function.path=pkg://lead.reward
    reward.custom_reward_function.name=compute_score
    reward.custom_reward_function.reward_kwargs.timeout=5.0

Also ``queue_timeout`` (the wait for a free math-verify worker, not part of ``timeout``),
``fallback`` and the optional length bonus of the GRPO baselines (``correct_weight``,
``length_bonus``, ``length_threshold``, ``bonus_requires_correct``; see ``lead.reward.shaping``),
which counts response tokens given by the caller or by ``tokenizer_path``.
"""

from lead.reward.extract import extract_answer
from lead.reward.score import GradeResult, compute_score, grade, grader_stats, reset_grader_stats
from lead.reward.shaping import LengthShaping

__all__ = [
    "GradeResult",
    "LengthShaping",
    "compute_score",
    "extract_answer",
    "grade",
    "grader_stats",
    "reset_grader_stats",
]
