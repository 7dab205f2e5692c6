"""What the allocation rests on: the marginal value of money, the budget frontier, the limits
that shape it, why some services get no more, and what the pins cost. Every figure here is a
warm re-solve of the run's kept model (:mod:`budgetopt.explain`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money
from budgetopt.paper import charts
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.limits import Family
    from budgetopt.paper.document import Paper


def more_money(p: Paper) -> Section:
    e = p.explainer
    more = e.money_value(direction="more")
    streams = e.stream_values()
    return Section(heading("What more money would buy", 2, p.number("more_money"))
                   + paragraph(more.sentence)
                   + paragraph("Per stream, from re-solving with £1,000 more of each:")
                   + bullet_list(v.sentence for v in streams))


def cut(p: Paper) -> Section:
    less = p.explainer.money_value(direction="less")
    html = heading("What a cut would cost", 2, p.number("cut")) + paragraph(less.sentence)
    if less.what_if.diagnosis is not None:
        html += bullet_list(r.sentence for r in less.what_if.diagnosis.relaxations[:8])
    return Section(html)


def frontier(p: Paper) -> Section:
    fr = p.explainer.frontier()
    pts = fr.points
    t = pd.DataFrame({
        "Budget (% of this scenario)": [f"{100 * f:.1f}%" for f in pts["factor"]],
        f"Total {fy(p.year)} (£)": pts["total_gbp"].to_numpy(),
        "Social value over the plan (£)": pts["social_value_gbp"].to_numpy(),
    })
    shown = t.copy()
    value_col = "Social value over the plan (£)"
    shown[value_col] = ["cannot be met" if pd.isna(v) else money(v) for v in t[value_col]]
    fixes = []
    for factor, status in zip(pts["factor"], pts["status"], strict=True):
        d = fr.diagnoses.get(float(factor))
        fixes.append("" if status == "optimal" or d is None else
                     f"smallest fix {money(d.total_gbp)} ("
                     + ", ".join(sorted({r.family for r in d.relaxations})) + ")")
    if any(fixes):
        shown["If it cannot be met"] = fixes
    ok = pts[pts["status"] == "optimal"]
    lowest = ok["factor"].min() if not ok.empty else None
    text = (f"{p.figure('frontier')} and {p.table('frontier')} show the best social value "
            f"the plan could buy at total budgets from {100 * pts['factor'].min():.0f}% to "
            f"{100 * pts['factor'].max():.0f}% of this scenario's, changing the "
            f"unrestricted budget in every plan year. ")
    if lowest is not None and lowest > pts["factor"].min():
        d = fr.diagnoses.get(float(pts.loc[pts["status"] != "optimal", "factor"].max()))
        text += (f"Below {100 * lowest:.1f}% the limits cannot all be met"
                 + (f": {d.summary}" if d else ".") + " ")
    down = ", ".join(f"{n} ({100 * x:.1f}%)" for n, x in fr.disinvestment[:8])
    up = ", ".join(f"{n} ({100 * x:.1f}%)" for n, x in fr.investment[:8])
    lists = (paragraph("As the budget falls, services lose money in this order (the budget "
                       f"at which each first loses): {down or 'none within the range'}.")
             + paragraph("As it rises, services gain in this order: "
                         f"{up or 'none within the range'}."))
    chart = charts.figure(charts.frontier(pts, fy(p.year)),
                          f"{p.figure('frontier')}. Social value across total budgets (the "
                          "budget frontier)")
    return Section(heading("The budget frontier", 2, p.number("frontier"))
                   + paragraph(text) + lists + chart
                   + html_table(shown, f"{p.table('frontier')}. The budget frontier",
                                money_cols=[f"Total {fy(p.year)} (£)"], small=False))


def limits(p: Paper) -> Section:
    values = p.explainer.limit_values()
    html = heading("Limits that shape this allocation", 2, p.number("limits"))
    html += paragraph(f"{len(values)} limits hold the allocation in {fy(p.year)}. Each "
                      "was released by £100,000 in turn and the plan re-solved; they are "
                      "listed by what that would add.")
    by_family: dict[Family, list[str]] = {}
    for v in values:
        by_family.setdefault(v.limit.family, []).append(v.sentence)
    for family, sentences in by_family.items():
        html += heading(family.capitalize(), 3) + bullet_list(sentences)
    return Section(html)


def why_not_more(p: Paper) -> Section:
    items = p.explainer.why_not_more()
    html = heading("Why some services do not get more", 2, p.number("why_not_more"))
    if not items:
        return Section(html + paragraph(f"No service is held at its minimum or at zero in "
                                        f"{fy(p.year)}."))
    return Section(html + paragraph(
        f"{len(items)} services are held at their minimum or at zero in {fy(p.year)}. "
        "For each, the social value per £ it would need before the optimum gives it more:")
        + bullet_list(w.sentence for w in items))


def pins(p: Paper) -> Section:
    html = heading("What the pins cost", 2, p.number("pins"))
    prices = p.explainer.pin_prices()
    if not prices:
        return Section(html + paragraph("This scenario pins no amounts."))
    return Section(html + bullet_list(price.sentence for price in prices))
