"""Math answer grader: answer extraction, equivalence checking and verl's ``compute_score``."""

from lead.reward.extract import extract_answer
from lead.reward.score import GradeResult, compute_score, grade, grader_stats, reset_grader_stats

__all__ = ["GradeResult", "compute_score", "extract_answer", "grade", "grader_stats", "reset_grader_stats"]
