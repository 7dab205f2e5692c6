"""What the allocation rests on, as tables and a few sentences: what more or less money would
do (with the budget frontier and the feasibility edge), and what shapes the allocation (the
limits by family, the services held at their minimum, the pins). Every figure is a warm
re-solve of the run's kept model (:mod:`budgetopt.explain`)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money, plural
from budgetopt.model.limits import BY_FAMILY, Family
from budgetopt.paper import charts
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper

LISTED = 6  # services named in the order of disinvestment
SHOWN_FACTORS = (0.9, 1.0, 1.1)  # frontier points the short table shows beside the edge

def value_of_money(p: Paper) -> Section:
    """The next £100k, the last £100k cut, £1 of each stream, and the budget frontier."""
    e = p.explainer
    more, less = e.money_value(direction="more"), e.money_value(direction="less")
    per_stream = "; ".join(
        f"{v.name} £{v.value_per_gbp:,.2f}" if v.value_per_gbp is not None
        else f"{v.name} nothing (its schemes cannot take more)" for v in e.stream_values())
    fr = e.frontier(diagnose_infeasible=False)
    pts = fr.points
    edge = e.edge
    rows = []
    for factor in sorted({*SHOWN_FACTORS, *(() if edge is None else (edge,))}):
        hit = pts[(pts["factor"] - factor).abs() < 1e-9]
        if hit.empty:  # the edge: solved on its own
            hit = e.frontier(low=factor, high=factor, points=1,
                             diagnose_infeasible=False).points
        row = hit.iloc[0]
        label = ("this scenario" if abs(factor - 1) < 1e-9 else
                 "the feasibility edge" if edge is not None and abs(factor - edge) < 1e-9
                 else f"{100 * (factor - 1):+.0f}%".replace("-", "−"))
        rows.append({"Budget": label, "Share of this scenario's": f"{100 * factor:.1f}%",
                     f"Total {fy(p.year)} (£)": int(row["total_gbp"]),
                     "Social value over the plan": money(row["social_value_gbp"])
                     if row["status"] == "optimal" else "cannot be met"})
    table = pd.DataFrame(rows)
    down = ", ".join(f"{n} ({100 * x:.1f}%)" for n, x in fr.disinvestment[:LISTED])
    up = ", ".join(f"{n} ({100 * x:.1f}%)" for n, x in fr.investment[:LISTED])
    text = [more.sentence, less.sentence, f"£1 more of each stream in {fy(p.year)} buys: "
            f"{per_stream}."]
    if down:
        text.append("As the budget falls, services lose money in this order (the budget at "
                    f"which each first loses): {down}.")
    if up:
        text.append(f"As it rises, services gain in this order: {up}.")
    chart = charts.figure(charts.frontier(pts, fy(p.year)),
                          f"{p.figure('frontier')}. The budget frontier: the best social value "
                          f"at total budgets from {100 * pts['factor'].min():.0f}% to "
                          f"{100 * pts['factor'].max():.0f}% of this scenario's; budgets that "
                          "cannot be met are shaded, not drawn as values")
    return Section(heading("What more or less money would do", 2, p.number("value_of_money"))
                   + bullet_list(text) + chart
                   + html_table(table, f"{p.table('frontier')}. The budget frontier at the "
                                "points that matter", money_cols=[f"Total {fy(p.year)} (£)"]))


def shaping(p: Paper) -> Section:
    """The limits the allocation sits against, one line per family; the services held at
    their minimum; the pins."""
    y = p.year
    by_family: dict[Family, list] = defaultdict(list)
    for v in p.explainer.limit_values():
        by_family[v.limit.family].append(v)
    rows = []
    for family, values in by_family.items():
        best = max(values, key=lambda v: v.what_if.value_change_gbp)
        gain = best.what_if.value_change_gbp
        rows.append({"Limit": family.capitalize(),
                     "What it is": BY_FAMILY[family].meaning,
                     f"Holding in {fy(y)}": len(values),
                     "Most that releasing £100k of one adds (£)": round(gain),
                     "Where": best.limit.subject if gain > 0.5 else "nothing on its own"})
    limits = pd.DataFrame(rows)
    html = heading("What shapes the allocation", 2, p.number("shaping"))
    n = int(limits[f"Holding in {fy(y)}"].sum()) if rows else 0
    html += paragraph(
        f"{plural(n, 'limit')} hold{'s' if n == 1 else ''} the allocation in {fy(y)}"
        + (f". Each was released by £100,000 in turn and the plan re-solved; "
           f"{p.table('limits')} gives, for each kind of limit, the most that releasing one "
           "of them would add. The workbook lists every limit with its own figure." if rows
           else " apart from the funding itself."))
    if rows:
        html += html_table(limits, f"{p.table('limits')}. The limits that hold the allocation, "
                           f"{fy(y)}", money_cols=["Most that releasing £100k of one adds (£)"])
    held = p.explainer.why_not_more()
    if held:
        t = pd.DataFrame({
            "Service": [w.name for w in held],
            "Held at": [w.held_at for w in held],
            "Social value of its next £": [f"£{w.next_value_per_gbp:,.2f}" for w in held],
            "More per £ it would need": ["never (weight 0)" if w.needed_per_gbp is None
                                         else f"£{w.needed_per_gbp:,.2f}" for w in held]})
        one = len(held) == 1
        html += paragraph(f"{plural(len(held), 'service')} {'is' if one else 'are'} held at "
                          f"{'its' if one else 'their'} minimum or at zero in {fy(y)}: "
                          f"{'its' if one else 'their'} next £ buys less social value than the "
                          f"same £ elsewhere ({p.table('held')}).")
        html += html_table(t, f"{p.table('held')}. Services held at their minimum or at zero, "
                           f"{fy(y)}")
    else:
        html += paragraph(f"No service is held at its minimum or at zero in {fy(y)}.")
    prices = p.explainer.pin_prices()
    html += (bullet_list(price.sentence for price in prices) if prices else
             paragraph("This scenario fixes (pins) no amounts."))
    return Section(html)
