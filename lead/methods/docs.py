"""The methods' options as documentation, read from their declarations (the README's tables).

``python -m lead.methods`` prints, for every method (or those named), its options with their
defaults at the paper's budget and at ``--budget B``, how each default scales, its verl key and its
help line, as Markdown tables.
"""

from __future__ import annotations

from lead.methods.registry import get_method

SCALING = {None: "", "budget": "= B", "length": "x B / B_paper", "per_token": "x B_paper / B"}


def verl_key(method: str, option: str) -> str:
    """The option's key in verl's ``algorithm`` section (LEAD's flat, the others' grouped)."""
    return f"algorithm.lead_{option}" if method == "lead" else f"algorithm.{method}.{option}"


def _shown(value: object) -> str:
    if value is None:
        return "None"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def options_table(method: str, budget: float | None = None) -> str:
    """A Markdown table of ``method``'s options; with ``budget``, a column of the defaults at it."""
    options = get_method(method).options
    at_budget = options.defaults_for_budget(budget) if budget is not None else None
    paper_budget = options.PAPER_BUDGET
    header = ["option", f"default (B = {_shown(paper_budget)})" if paper_budget else "default"]
    if at_budget is not None:
        header.append(f"at B = {_shown(budget)}")
    header += ["scales", "verl key", "meaning"]
    rows = [header, ["---"] * len(header)]
    for name, default, declaration in options.declared():
        row = [f"`{name}`", _shown(default)]
        if at_budget is not None:
            row.append(_shown(at_budget[name]))
        row += [SCALING[declaration.scale], f"`{verl_key(method, name)}`", declaration.help]
        rows.append(row)
    if len(rows) == 2:
        return f"{options.TITLE} has no options."
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)
