"""Math answer grader: answer extraction, equivalence checking and verl's ``compute_score``.

In verl, point the custom reward function at it and pass options through ``reward_kwargs``::

    reward.custom_reward_function.path=pkg://lead.reward
    reward.custom_reward_function.name=compute_score
    +reward.custom_reward_function.reward_kwargs.timeout=5.0

(also ``fallback``, ``length_bonus``, ``length_threshold``, ``tokenizer_path``; see ``compute_score``).
"""

from lead.reward.extract import extract_answer
from lead.reward.score import GradeResult, compute_score, grade, grader_stats, reset_grader_stats

__all__ = ["GradeResult", "compute_score", "extract_answer", "grade", "grader_stats", "reset_grader_stats"]
