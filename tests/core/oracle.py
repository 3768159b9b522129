"""A slow reference implementation of one LEAD step, written from the spec with plain Python loops.

It shares no code with ``lead.core``: it works on Python lists, expands whitening to individual
tokens, and keeps its controller state in a plain dict. Property tests compare it with the
vectorised estimator.
"""

from __future__ import annotations

import math
from typing import Any

NORMALISATION_EPSILON = 1e-6
MOMENT_EPSILON = 1e-8
WHITEN_EPSILON = 1e-8


def initial_state() -> dict[str, Any]:
    return {"ema_w_corr": 0.5, "ema_w_eff": 0.5, "initialized": False, "step": 0}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _population_variance(values: list[float]) -> float:
    centre = _mean(values)
    return sum((value - centre) ** 2 for value in values) / len(values)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _target_length(lengths: list[float], correct: list[bool], config: dict[str, Any]) -> float:
    correct_lengths = [length for length, ok in zip(lengths, correct, strict=True) if ok]
    aggregator = config["aggregator"]
    if aggregator == "mean_all":
        raw = _mean(lengths)
    elif not correct_lengths:
        raw = config["bmax"]
    elif aggregator == "mean_correct":
        raw = _mean(correct_lengths)
    elif aggregator == "min_correct":
        raw = min(correct_lengths)
    else:
        raw = _median(correct_lengths)
    return min(max(raw, config["lstar_min"]), config["bmax"])


def _efficiency(length: float, target: float, is_correct: bool, config: dict[str, Any]) -> float:
    mode = config["lstar_mode"]
    if mode == "max_sym":
        return max(-1.0, 1.0 - abs(length - target) / target)
    if mode == "upper_only":
        return min(max(1.0 - length / target, -1.0), 0.0)
    if is_correct:
        return 0.0 if length < config["short_guard"] else max(0.0, 1.0 - length / target)
    return min(max(1.0 - length / target, -1.0), 0.0)


def _normalise_in_group(values: list[float]) -> list[float]:
    if len(values) == 1:
        centre, spread = 0.0, 1.0
    else:
        centre = _mean(values)
        spread = math.sqrt(sum((value - centre) ** 2 for value in values) / (len(values) - 1))
    return [(value - centre) / (spread + NORMALISATION_EPSILON) for value in values]


def _batch_moments(groups_values: list[list[float]]) -> tuple[float, float]:
    groups_values = [values for values in groups_values if values]
    if not groups_values:
        return 0.0, 0.0
    means = [_mean(values) for values in groups_values]
    variances = [_population_variance(values) for values in groups_values]
    mu = _mean(means)
    return mu, math.sqrt(_mean(variances) + _population_variance(means) + MOMENT_EPSILON)


def _whiten(values: list[float], lengths: list[float], mode: str) -> list[float]:
    if mode == "none":
        return list(values)
    if mode == "token":
        samples = [value for value, length in zip(values, lengths, strict=True) for _ in range(int(length))]
    else:
        samples = list(values)
    if len(samples) <= 1:
        return [0.0 for _ in values]
    centre = _mean(samples)
    variance = sum((sample - centre) ** 2 for sample in samples) / (len(samples) - 1)
    return [(value - centre) / math.sqrt(variance + WHITEN_EPSILON) for value in values]


def oracle_step(
    rewards: list[list[float]],
    mask: list[list[float]],
    labels: list[Any],
    config: dict[str, Any],
    state: dict[str, Any],
) -> tuple[list[list[float]], dict[str, float], dict[str, Any]]:
    """One LEAD step: ``(token advantages, metrics, new state)``; ``state`` is not modified."""
    scores = [sum(row) for row in rewards]
    lengths = [sum(row) for row in mask]
    valid_rows = [row for row in range(len(rewards)) if lengths[row] > 0]
    members: dict[str, list[int]] = {}
    for row in valid_rows:
        members.setdefault(str(labels[row]), []).append(row)
    correct = {row: scores[row] > 0.5 for row in valid_rows}

    target = {}
    for label, rows in members.items():
        target[label] = _target_length([lengths[r] for r in rows], [correct[r] for r in rows], config)
    efficiency = {}
    for label, rows in members.items():
        for row in rows:
            efficiency[row] = _efficiency(lengths[row], target[label], correct[row], config)

    advantage_corr, advantage_eff = {}, {}
    for rows in members.values():
        for row, value in zip(rows, _normalise_in_group([scores[r] for r in rows]), strict=True):
            advantage_corr[row] = value
        for row, value in zip(rows, _normalise_in_group([efficiency[r] for r in rows]), strict=True):
            advantage_eff[row] = value

    mu_c, sigma_c = _batch_moments([[scores[r] for r in rows] for rows in members.values()])
    mu_e, sigma_e = _batch_moments([[efficiency[r] for r in rows if correct[r]] for rows in members.values()])
    alpha, eps = config["alpha"], config["epsilon"]
    cv_c = sigma_c / (abs(mu_c) + eps)
    cv_e = sigma_e / (abs(mu_e) + eps)
    cvn_c = cv_c / (cv_c + cv_e + eps)
    cvn_e = cv_e / (cv_c + cv_e + eps)
    p_c = (1 - min(max(mu_c, 0.0), 1.0)) ** alpha
    p_e = (1 - (min(max(mu_e, -1.0), 1.0) + 1) / 2) ** alpha
    d_c, d_e = cvn_c * p_c, cvn_e * p_e
    target_c, target_e = d_c / (d_c + d_e + eps), d_e / (d_c + d_e + eps)

    beta = config["beta"]
    if config["static_lambda_corr"] is not None:
        lambda_c = config["static_lambda_corr"]
        ema_c, ema_e = lambda_c, 1 - lambda_c
    else:
        previous = (state["ema_w_corr"], state["ema_w_eff"]) if state["initialized"] else (0.5, 0.5)
        ema_c = beta * previous[0] + (1 - beta) * target_c
        ema_e = beta * previous[1] + (1 - beta) * target_e
        lambda_c = max(ema_c, config["lambda_min"])
    lambda_e = 1 - lambda_c
    new_state = {"ema_w_corr": ema_c, "ema_w_eff": ema_e, "initialized": True, "step": state["step"] + 1}

    combined = [lambda_c * advantage_corr[r] + lambda_e * advantage_eff[r] for r in valid_rows]
    whitened = dict(
        zip(valid_rows, _whiten(combined, [lengths[r] for r in valid_rows], config["whiten"]), strict=True)
    )
    advantages = [
        [whitened.get(row, 0.0) * mask_value for mask_value in mask[row]] for row in range(len(rewards))
    ]

    solvable_targets = [target[label] for label, rows in members.items() if any(correct[r] for r in rows)]
    correct_rows = [r for r in valid_rows if correct[r]]
    correct_efficiency = [efficiency[r] for r in correct_rows]

    def summary(values: list[float], reduce) -> float:
        return reduce(values) if values else 0.0

    metrics = {
        "lead/step": float(new_state["step"]),
        "lead/w_corr": lambda_c,
        "lead/w_eff": lambda_e,
        "lead/ema_w_corr": ema_c,
        "lead/ema_w_eff": ema_e,
        "lead/target_w_corr": target_c,
        "lead/target_w_eff": target_e,
        "lead/mu_corr": mu_c,
        "lead/sigma_corr": sigma_c,
        "lead/mu_eff": mu_e,
        "lead/sigma_eff": sigma_e,
        "lead/cv_corr": cv_c,
        "lead/cv_eff": cv_e,
        "lead/cv_corr_norm": cvn_c,
        "lead/cv_eff_norm": cvn_e,
        "lead/potential_corr": p_c,
        "lead/potential_eff": p_e,
        "lead/D_corr": d_c,
        "lead/D_eff": d_e,
        "lead/lstar_mean": _mean(list(target.values())),
        "lead/lstar_mean_solvable": summary(solvable_targets, _mean),
        "lead/lstar_median_solvable": summary(solvable_targets, _median),
        "lead/lstar_min_solvable": summary(solvable_targets, min),
        "lead/lstar_max_solvable": summary(solvable_targets, max),
        "lead/num_solvable_prompts": float(len(solvable_targets)),
        "lead/num_unsolved_prompts": float(len(members) - len(solvable_targets)),
        "lead/accuracy_batch": len(correct_rows) / len(valid_rows),
        "lead/r_eff_mean": _mean([efficiency[r] for r in valid_rows]),
        "lead/r_eff_mean_correct": summary(correct_efficiency, _mean),
        "lead/r_eff_min_correct": summary(correct_efficiency, min),
        "lead/r_eff_max_correct": summary(correct_efficiency, max),
        "lead/resp_len_mean": _mean([lengths[r] for r in valid_rows]),
        "lead/resp_len_mean_correct": summary([lengths[r] for r in correct_rows], _mean),
        "lead/num_valid_responses": float(len(valid_rows)),
        "lead/num_ignored_rows": float(len(rewards) - len(valid_rows)),
    }
    return advantages, metrics, new_state
