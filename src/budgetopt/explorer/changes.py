"""What changed with the last move, and what would make a setting possible.

The summary bar states every figure with its label and its change: against the previous setting
(the last move) and against the scenario the explorer started from; the weighted objective too
when priority weights differ from the defaults, with what it means. "What changed" names the
services that moved most with the last move, each with the limit it now sits against (or the
optimum's reason). When a setting cannot be met, the deepest budget change that can be met with
these limits is found exactly, by bisection on the kept model — for the total budget and for each
ring-fenced stream alone.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from budgetopt.core.text import fy, money, signed_money
from budgetopt.explain.frontier import feasibility_edge, stream_edge
from budgetopt.model.limits import BY_FAMILY
from budgetopt.pipeline import ScenarioRun
from budgetopt.results.result import Result

MOVES_SHOWN = 5
MORE_MONEY = 3.0  # how far above its budget the search for a setting that can be met goes


def _first_year(result: Result) -> pd.Series:
    y = result.years[0]
    a = result.allocation()
    return a[a["year"] == y].groupby("service_id")["amount_gbp"].sum()


def _weights_changed(run: ScenarioRun) -> bool:
    return bool(run.scenario.priority_weights)


def summary(run: ScenarioRun, previous: Result | None, start: Result) -> str:
    """The summary bar: labelled figures with their change on the last setting and the start."""
    r = run.result
    if not run.is_met:
        return (f'<p class="budgetopt-summary" style="color:#b00020"><b>Cannot be met.</b> '
                f"{escape(r.status.sentence)}</p>")
    y = r.years[0]

    def change(now: float, before: Result | None, what: str, key: str) -> str:
        if before is None or not before.is_optimal:
            return ""
        then = before.totals().get(y, 0) if key == "total" else (
            before.social_value_gbp or 0.0)
        return f"{signed_money(now - then)} on {what}"

    total = float(r.totals()[y])
    value = float(r.social_value_gbp or 0.0)
    parts = [f"<b>Total {fy(y)}:</b> {money(total)}",
             f"<b>Social value over {len(r.years)} years:</b> {money(value)}"]
    moves = [", ".join(c for c in (change(total, previous, "the last setting", "total"),
                                   change(total, start, "the start", "total")) if c),
             ", ".join(c for c in (change(value, previous, "the last setting", "value"),
                                   change(value, start, "the start", "value")) if c)]
    text = " · ".join(f"{p} ({m})" if m else p for p, m in zip(parts, moves, strict=True))
    if _weights_changed(run):
        text += (f" · <b>Weighted value:</b> {money(r.objective or 0.0)} — what the optimiser "
                 "maximises: social value with each priority counted at its weight, so it can "
                 "rise while unweighted social value falls")
    return f'<p class="budgetopt-summary">{text} · solved in ' \
           f"{run.solution.seconds * 1000:.0f} ms</p>"


def what_changed(run: ScenarioRun, previous: Result | None) -> list[str]:
    """The services that moved most in the first plan year with the last move, with why."""
    if previous is None or not previous.is_optimal or not run.is_met:
        return []
    now, before = _first_year(run.result), _first_year(previous)
    diff = now.sub(before, fill_value=0)
    diff = diff[diff.abs() >= 1].reindex(diff.abs().sort_values(ascending=False).index)
    diff = diff.dropna()
    held = {lim.key[0]: lim.family for lim in run.explainer.binding_limits()
            if lim.year == run.result.years[0] and lim.key}
    names = run.dataset.services["name"]
    out = []
    for s, v in diff.head(MOVES_SHOWN).items():
        why = BY_FAMILY[held[s]].at_limit if s in held else (
            "where its next £ now buys as much social value as elsewhere")
        out.append(f"{names.get(s, s)} {signed_money(v)}: {why}")
    return out


def deepest_change(run: ScenarioRun) -> float | None:
    """For a setting that cannot be met: the budget change (%) nearest to it that can be met
    with these limits — the deepest cut, or the least extra money; None when no budget change
    alone helps. Exact to 0.05% of the budget, on the kept model."""
    alloc = run.allocator
    if alloc is None or run.is_met:
        return None
    factor = feasibility_edge(alloc, high=MORE_MONEY)
    if factor is None:
        return None
    x = run.scenario.budget_change_pct
    return 100 * ((1 + x / 100) * factor - 1)


def deepest_stream_changes(run: ScenarioRun, streams: list[str]) -> dict[str, float | None]:
    """For a setting that cannot be met: for each of ``streams`` (ring-fenced, set by a control
    as a % change of the dataset's amount), the change of that stream alone, the others held,
    nearest to its setting that can be met — None where no amount of it alone helps."""
    alloc = run.allocator
    if alloc is None or run.is_met:
        return {}
    amounts = run.dataset.stream_amounts["amount_gbp"]
    out: dict[str, float | None] = {}
    for f in streams:
        reference = {int(y): float(v) for (g, y), v in amounts.items() if g == f}
        factor = stream_edge(alloc, f, reference, high=MORE_MONEY)
        out[f] = None if factor is None else 100 * (factor - 1)
    return out


def _pct(v: float) -> str:
    return f"{v:+.1f}%".replace("-", "−")


def diagnosis(run: ScenarioRun, best: float | None,
              streams: dict[str, float | None] | None = None) -> str:
    """Why it cannot be met: the overall smallest fix first (the deepest budget change that can
    be met, then each stream's), then the parts of the smallest fix by limit."""
    d = run.diagnosis
    if d is None:
        return ""
    html = "<h4>What would make it possible</h4>"
    if best is not None:
        html += (f'<p class="budgetopt-deepest"><b>With these limits, the deepest budget change '
                 f"that can be met is {_pct(best)}.</b></p>")
    if streams:
        names = run.dataset.streams["name"]
        lines = [f"{names.get(f, f)}: {_pct(v)}" if v is not None else
                 f"{names.get(f, f)}: no change to it alone makes this possible"
                 for f, v in streams.items()]
        html += ('<p class="budgetopt-deepest-streams">Or one ring-fenced stream alone, the '
                 "rest as set — the change nearest to its setting that can be met:</p>"
                 + "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>")
    html += f"<p>{escape(d.summary)}</p>"
    groups: dict[str, list[str]] = {}
    for r in d.relaxations:
        groups.setdefault(str(r.family), []).append(r.sentence)
    for family, sentences in groups.items():
        html += f"<p><b>{escape(family.capitalize())}</b></p><ul>" + "".join(
            f"<li>{escape(s)}</li>" for s in sentences) + "</ul>"
    return html
