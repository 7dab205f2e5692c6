"""The front of the paper: title block, why a scenario cannot be met, purpose, recommendations,
summary, background and the funding available."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money, short_money, signed_money
from budgetopt.explain import analysis
from budgetopt.paper import charts
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.robust.analysis import holding

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper


def title_block(p: Paper) -> Section:
    s, y = p.scenario, p.year
    status = "DRAFT" if p.draft else "FINAL"
    prepared = dt.date.today().isoformat()
    return Section(
        f'<header class="title-block">'
        f"<p>Police and Crime Panel · {escape(p.meeting_date or 'to be arranged')}</p>"
        f"<h1>Commissioning Intentions Plan {fy(y)} — scenario: {escape(s.title)}</h1>"
        f"<p>Report of the Police and Crime Commissioner</p>"
        f'<p class="status">{status} · scenario <code>{escape(s.name)}</code> · prepared '
        f"{prepared}</p></header>")


def not_met(p: Paper) -> Section:
    """The diagnosis of a scenario that cannot be met."""
    d = p.run.diagnosis
    html = heading("Why this scenario cannot be met", 2, p.number("not_met"))
    html += paragraph(f"{p.result.status.sentence} No allocation is presented.")
    if d is None:  # the solver failed: there is nothing to diagnose
        return Section(html)
    html += "".join(paragraph(c) for c in d.context) + paragraph(d.summary)
    if d.relaxations:
        rows = pd.DataFrame({
            "Limit": [str(r.family) for r in d.relaxations],
            "Year": [fy(r.year) for r in d.relaxations],
            "Change needed": [r.sentence for r in d.relaxations],
            "Amount (£)": [round(r.amount_gbp) for r in d.relaxations]})
        rows.loc[len(rows)] = ["Total", "", "", int(rows["Amount (£)"].sum())]
        html += html_table(rows, f"{p.table('fix')}. The smallest set of changes that would "
                           "make this scenario possible", money_cols=["Amount (£)"],
                           total_row=True, small=False)
    return Section(html)


def purpose(p: Paper) -> Section:
    total = p.result.totals()[p.year]
    text = (f"This report sets out how the Police and Crime Commissioner proposes to allocate "
            f"the commissioning budget of {money(total)} in {fy(p.year)} across "
            f"{len(p.ds.schemes)} commissioning schemes and {len(p.ds.services)} services, with "
            f"indicative allocations to {fy(p.inputs.years[-1])}. It shows how the allocation "
            "follows need and the Police and Crime Plan priorities within ring-fenced grants, "
            "contracts and stability limits.")
    return Section(heading("Purpose of the report", 2, p.number("purpose")) + paragraph(text))


def recommendations(p: Paper) -> Section:
    y = p.year
    items = [
        f"The Panel is recommended to note the proposed allocation of "
        f"{money(p.result.totals()[y])} across the commissioning schemes in {fy(y)}, set out "
        f"in {p.table('headline')}.",
        f"The Panel is recommended to note that the allocations for "
        f"{', '.join(fy(v) for v in p.inputs.years[1:]) or 'later years'} are indicative and "
        "depend on the funding then available.",
        "The Panel is recommended to note the risks and limits in section "
        f"{p.number('risks')}, including the figures that are placeholders.",
    ]
    n_placeholder = len(p.ds.placeholder_figures())
    if n_placeholder:
        items.append(f"The Panel is recommended to note that {n_placeholder} figures in the "
                     "dataset are placeholders to be confirmed "
                     f"(Appendix {p.number('appendix_assumptions')}).")
    return Section(heading("Recommendations", 2, p.number("recommendations"))
                   + bullet_list(items, ordered=True))


def headline(p: Paper) -> pd.DataFrame:
    """Table 1: each scheme's base-year amount against the first plan year's proposal."""
    bs = p.result.by_scheme()
    y, b = p.year, p.base
    names = p.ds.schemes["name"]
    out = pd.DataFrame({
        "Scheme": [names.get(k, "Total") if k != "total" else "Total" for k in bs.index],
        f"{fy(b)} (£)": bs[b].to_numpy(),
        f"Proposed {fy(y)} (£)": bs[y].to_numpy(),
    })
    out["Change (£)"] = out[f"Proposed {fy(y)} (£)"] - out[f"{fy(b)} (£)"]
    out["Change (%)"] = 100 * out["Change (£)"] / out[f"{fy(b)} (£)"].where(
        out[f"{fy(b)} (£)"] != 0)
    return out


def summary(p: Paper) -> Section:
    r, y, b = p.result, p.year, p.base
    head = headline(p)
    body = head.iloc[:-1]
    up = body.sort_values("Change (£)", ascending=False).iloc[0]
    down = body.sort_values("Change (£)").iloc[0]
    total_change = int(head.iloc[-1]["Change (£)"])
    text = (f"In {fy(y)} the proposal allocates {money(r.totals()[y])}, "
            f"{signed_money(total_change)} against {fy(b)}. "
            f"The largest rise is for {up['Scheme']} ({signed_money(up['Change (£)'])}); "
            f"the largest fall is for {down['Scheme']} ({signed_money(down['Change (£)'])}). "
            f"The allocation delivers an estimated {short_money(r.social_value_gbp or 0.0)} of "
            f"social value over {len(p.inputs.years)} plan years"
            + (" on average over draws of the uncertain evidence (the plan best on average)."
               if p.scenario.objective == "expected" else "."))
    if p.robust:
        rb = p.run.robustness
        held = holding(rb, y)
        text += (f" Across {rb.draws:,} draws of the uncertain evidence, the recommended change "
                 f"for {fy(y)} holds in at least {rb.settings.threshold:.0%} of draws for "
                 f"{int(held['holds'].sum())} of {len(held)} services, and "
                 f"{len(rb.classes(y)['core'])} services are funded above their minimum in at "
                 f"least that share (section {p.number('robustness')}).")
    table = html_table(head, f"{p.table('headline')}. Proposed allocation by scheme, {fy(y)}, "
                       f"against {fy(b)}",
                       money_cols=[c for c in head.columns if "(£)" in c and "Change" not in c],
                       signed_cols=["Change (£)"], pct_cols=["Change (%)"], total_row=True)
    chart = charts.figure(charts.schemes_against_last_year(
        r.by_scheme(), p.ds.schemes["name"], y, b, f"proposed {fy(y)}", fy(b)),
        f"{p.figure('schemes')}. Allocation by scheme, proposed {fy(y)} against {fy(b)}")
    return Section(heading("Summary", 2, p.number("summary")) + paragraph(text) + table + chart)


def background(p: Paper) -> Section:
    pr = p.ds.priorities.copy()
    pr["weight"] = p.inputs.priority_weights
    pri = pd.DataFrame({"Priority": pr["name"], "Weight": pr["weight"].map(lambda w: f"{w:g}")})
    infl = p.ds.inflation["rate"]
    infl_text = ", ".join(f"{fy(y)} {infl[y]:.1%}" for y in p.inputs.years)
    ends = analysis.ending_within_plan(p.result)
    changes = [f"{r['name']} ({r['kind']} with {r['with']}) ends at the {r['ends']}."
               for _, r in ends.iterrows()]
    text = (f"The Police and Crime Plan priorities and the weights this scenario gives them are "
            f"in {p.table('priorities')}: a weight of 2 counts a £ of social value towards that "
            f"priority twice. Inflation is assumed to be {infl_text}.")
    return Section(
        heading("Background", 2, p.number("background")) + paragraph(text)
        + html_table(pri, f"{p.table('priorities')}. Police and Crime Plan priorities and weights")
        + (paragraph("What changes within the plan:") + bullet_list(changes)
           if changes else paragraph("No contract or grant ends within the plan.")))


def funding(p: Paper) -> Section:
    ds, years = p.ds, p.inputs.years
    amounts = p.inputs.stream_amounts
    rows = []
    for f, s in ds.streams.iterrows():
        cond = ("ring-fenced to " + ", ".join(sorted(ds.schemes.at[k, "name"]
                                                      for k in ds.eligible_schemes(f)))
                if s["ring_fenced"] else "unrestricted")
        if s["must_spend"]:
            cond += "; must be spent in year"
        end = "" if pd.isna(s["end_year"]) else f"end of {fy(int(s['end_year']))}"
        rows.append([s["name"], *[round(amounts.at[f, y]) for y in years], cond, end])
    table = pd.DataFrame(rows, columns=["Stream", *[f"{fy(y)} (£)" for y in years],
                                        "Conditions", "Ends"])
    table.loc[len(table)] = ["Total", *[round(amounts[y].sum()) for y in years], "", ""]
    change = p.scenario.budget_change_pct
    note = (f" This scenario changes the total by {change:+.1f}%, applied to the unrestricted "
            "core budget." if change else "")
    number = p.table("funding")
    text = (f"{number} shows the funding available in each plan year by stream.{note} "
            "Ring-fenced grants can only be spent on the schemes their conditions name.")
    return Section(heading("Funding available", 2, p.number("funding")) + paragraph(text)
                   + html_table(table, f"{number}. Funding available by stream",
                                money_cols=[f"{fy(y)} (£)" for y in years], total_row=True,
                                small=False))
