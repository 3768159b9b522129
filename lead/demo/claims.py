"""The paper's three claims, each judged on the study's numbers by a rule fixed before the runs.

Differences within noise count as ties: two means differ when they are further apart than the larger
of their two seed standard deviations (:func:`ahead`).

1. Static weights force a compromise that PSI avoids. Held: LEAD's AES is ahead of every static
   configuration's (both Table 2 sweeps) and no static configuration has both higher accuracy and
   shorter length. Did not hold: some static configuration's AES is at least LEAD's. Mixed otherwise.
2. A global budget compromises (over-compresses hard problems or leaves easy ones verbose), a
   per-problem target does neither. A global-budget configuration *over-compresses* when its
   accuracy on the hardest problems is more than :data:`HARD_DROP` below the warm start's, and
   *leaves easy problems verbose* when its length on the easiest problems is above LEAD's. LEAD does
   neither when its hardest-problem accuracy is within :data:`HARD_DROP` of the warm start's. Held:
   LEAD does neither and every global-budget configuration does one. Did not hold: none does one, or
   LEAD over-compresses and not every global-budget configuration does one. Mixed otherwise.
3. LEAD has the best accuracy-efficiency trade-off. Held: LEAD's AES is ahead of every other
   configuration's. Mixed: no configuration is ahead of LEAD, but LEAD is not ahead of all. Did not
   hold: some configuration is ahead of LEAD.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lead.demo.results import ConfigurationResult, Stat, by_difficulty, find

HARD_DROP = 0.05
"""Accuracy loss on the hardest problems (a fraction, 5 points) that counts as over-compression."""

HELD, NOT_HELD, MIXED, UNTESTED = "held", "did not hold", "mixed", "not tested"


@dataclass(frozen=True)
class Verdict:
    claim: str
    verdict: str
    evidence: str


def ahead(a: Stat, b: Stat) -> bool:
    """``a`` is above ``b`` by more than the larger of their standard deviations."""
    return a.mean - b.mean > max(a.std, b.std)


def _aes(stat: Stat) -> str:
    return f"{stat.mean:+.3f} ± {stat.std:.3f}"


def _pct(stat: Stat) -> str:
    return f"{100 * stat.mean:.1f} ± {100 * stat.std:.1f}%"


NO_AES = "AES is undefined: the warm start solves no held-out problem"


def static_weights(results: Sequence[ConfigurationResult]) -> Verdict:
    claim = "1. Static weights force a compromise that PSI avoids"
    lead = find(results, "lead")
    static = [r for r in results if r.configuration.group == "static"]
    if lead is None or not static:
        return Verdict(claim, UNTESTED, "needs LEAD and the static-weight sweeps")
    if math.isnan(lead.aes.mean):
        return Verdict(claim, UNTESTED, NO_AES)
    best = max(static, key=lambda r: r.aes.mean)
    dominating = [
        r.configuration.label
        for r in static
        if r.accuracy.mean > lead.accuracy.mean and r.mean_length.mean < lead.mean_length.mean
    ]
    sweeps = []
    for key in dict.fromkeys(r.configuration.key for r in static):
        points = sorted(
            (r for r in static if r.configuration.key == key), key=lambda r: r.configuration.value
        )
        low, high = points[0], points[-1]
        sweeps.append(
            f"{low.configuration.label.split(', r=')[0]}: r={low.configuration.value:g} "
            f"{_pct(low.accuracy)} at {low.mean_length.mean:.1f} tokens, r={high.configuration.value:g} "
            f"{_pct(high.accuracy)} at {high.mean_length.mean:.1f} tokens"
        )
    if best.aes.mean >= lead.aes.mean:
        verdict = NOT_HELD
    elif all(ahead(lead.aes, r.aes) for r in static) and not dominating:
        verdict = HELD
    else:
        verdict = MIXED
    evidence = (
        f"LEAD AES {_aes(lead.aes)} ({_pct(lead.accuracy)}, {lead.mean_length.mean:.1f} tokens); best static "
        f"{best.configuration.label} AES {_aes(best.aes)}. "
        + (
            "Static points with higher accuracy and shorter length than LEAD: " + ", ".join(dominating) + ". "
            if dominating
            else "No static point has both higher accuracy and shorter length than LEAD. "
        )
        + "; ".join(sweeps)
        + "."
    )
    return Verdict(claim, verdict, evidence)


def global_budget(results: Sequence[ConfigurationResult], warm_start: Mapping[str, Any]) -> Verdict:
    claim = "2. A global budget forces a compromise; a per-problem target does not"
    lead = find(results, "lead")
    budgets = [r for r in results if r.configuration.group == "budget"]
    if lead is None or not budgets:
        return Verdict(claim, UNTESTED, "needs LEAD and the global-budget sweeps")
    hardest, easiest = lead.hardest, lead.easiest
    warm_hard = by_difficulty(warm_start["accuracy_by_difficulty"])[hardest]
    lead_hard = lead.accuracy_by_difficulty[hardest]
    lead_easy = lead.length_by_difficulty[easiest]
    lead_ok = lead_hard.mean >= warm_hard - HARD_DROP
    notes, compromised = [], 0
    for r in budgets:
        hard, easy = r.accuracy_by_difficulty[hardest], r.length_by_difficulty[easiest]
        over = hard.mean < warm_hard - HARD_DROP
        verbose = easy.mean > lead_easy.mean
        compromised += over or verbose
        what = " and ".join(
            text for text, flag in (("over-compresses", over), ("easy verbose", verbose)) if flag
        )
        notes.append(
            f"{r.configuration.label}: hardest {_pct(hard)}, easiest {easy.mean:.1f} tokens "
            f"({what or 'neither'})"
        )
    if lead_ok and compromised == len(budgets):
        verdict = HELD
    elif compromised == 0 or (not lead_ok and compromised < len(budgets)):
        verdict = NOT_HELD
    else:
        verdict = MIXED
    evidence = (
        f"Hardest problems (k={hardest}): warm start {100 * warm_hard:.1f}%, LEAD {_pct(lead_hard)} "
        f"({'within' if lead_ok else 'more than'} {100 * HARD_DROP:.0f} points of the warm start); easiest "
        f"(k={easiest}): LEAD {lead_easy.mean:.1f} ± {lead_easy.std:.1f} tokens. " + "; ".join(notes) + "."
    )
    return Verdict(claim, verdict, evidence)


def best_trade_off(results: Sequence[ConfigurationResult]) -> Verdict:
    claim = "3. LEAD reaches the best accuracy-efficiency trade-off"
    lead = find(results, "lead")
    others = [r for r in results if r.configuration.name != "lead"]
    if lead is None or not others:
        return Verdict(claim, UNTESTED, "needs LEAD and at least one other configuration")
    if math.isnan(lead.aes.mean):
        return Verdict(claim, UNTESTED, NO_AES)
    ranked = sorted(results, key=lambda r: -r.aes.mean)
    rank = ranked.index(lead) + 1
    beaten_by = [r.configuration.label for r in others if ahead(r.aes, lead.aes)]
    if beaten_by:
        verdict = NOT_HELD
    elif all(ahead(lead.aes, r.aes) for r in others):
        verdict = HELD
    else:
        verdict = MIXED
    top = ", ".join(f"{r.configuration.label} {_aes(r.aes)}" for r in ranked[:3])
    evidence = f"LEAD ranks {rank} of {len(ranked)} by AES ({_aes(lead.aes)}); top three: {top}. " + (
        f"Ahead of LEAD beyond noise: {', '.join(beaten_by)}."
        if beaten_by
        else "None is ahead of LEAD beyond noise."
    )
    return Verdict(claim, verdict, evidence)


def judge(results: Sequence[ConfigurationResult], warm_start: Mapping[str, Any]) -> list[Verdict]:
    return [static_weights(results), global_budget(results, warm_start), best_trade_off(results)]
