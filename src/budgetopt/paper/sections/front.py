"""The front of the paper: title block, why a scenario cannot be met, purpose, recommendations,
summary, background and the funding available."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.paper.marks import MARK, mark, note
from budgetopt.paper.messages import key_messages

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper


def title_block(p: Paper) -> Section:
    words = " · ".join(p.status_words)
    prepared = dt.date.today().isoformat()
    return Section(
        f'<header class="title-block">'
        f"<h1>{escape(p.title)}</h1>"
        f'<p class="meta">Report of the Police and Crime Commissioner to the Police and Crime '
        f"Panel · meeting {escape(p.meeting_date or 'to be arranged')} · scenario "
        f"“{escape(p.scenario.title)}” · prepared {prepared} · "
        f'<strong class="status">{escape(words)}</strong></p></header>')


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
            f"indicative allocations to {fy(p.inputs.years[-1])}, following need and the Police "
            "and Crime Plan priorities within ring-fenced grants, contracts and stability "
            "limits.")
    return Section(heading("Purpose of the report", 2, p.number("purpose")) + paragraph(text))


def recommendations(p: Paper) -> Section:
    y = p.year
    items = [
        f"The Panel is recommended to note the proposed allocation of "
        f"{money(p.result.totals()[y])} across the commissioning schemes in {fy(y)} "
        f"({p.table('headline')}), and that the amounts for "
        f"{', '.join(fy(v) for v in p.inputs.years[1:]) or 'later years'} are indicative.",
        "The Panel is recommended to note the risks in section "
        f"{p.number('risks')}" + (f", including the {p.placeholders.count:,} figures that are "
                                  "placeholders still to be confirmed"
                                  if p.placeholders.count else "") + ".",
    ]
    return Section(heading("Recommendations", 2, p.number("recommendations"))
                   + bullet_list(items, ordered=True))


def headline(p: Paper) -> pd.DataFrame:
    """Table 1: each scheme's base-year amount, every plan year, and the first year's change."""
    bs = p.result.by_scheme()
    y, b = p.year, p.base
    names = p.ds.schemes["name"]
    out = pd.DataFrame({"Scheme": [
        "Total" if k == "total" else mark(names[k], p.placeholders.scheme_base(k))
        for k in bs.index]})
    out[f"{fy(b)} (£)"] = bs[b].to_numpy()
    for v in p.inputs.years:
        out[f"{fy(v)} (£)"] = bs[v].to_numpy()
    out[f"Change {fy(y)} (£)"] = bs[y].to_numpy() - bs[b].to_numpy()
    out["Change (%)"] = 100 * out[f"Change {fy(y)} (£)"] / out[f"{fy(b)} (£)"].where(
        out[f"{fy(b)} (£)"] != 0)
    return out


def summary(p: Paper) -> Section:
    y, b = p.year, p.base
    head = headline(p)
    messages = key_messages(p)
    change_col = f"Change {fy(y)} (£)"
    table = html_table(head, f"{p.table('headline')}. Proposed allocation by scheme against "
                       f"{fy(b)}",
                       money_cols=[c for c in head.columns if "(£)" in c and c != change_col],
                       signed_cols=[change_col], pct_cols=["Change (%)"], total_row=True)
    notes = note(f"{MARK} Its {fy(b)} amount includes a placeholder figure."
                 if any(MARK in str(v) for v in head["Scheme"]) else "",
                 p.placeholders.allocation_note(p.inputs.years))
    return Section(heading("Summary and key messages", 2, p.number("summary"))
                   + table + notes + bullet_list(m.text for m in messages))


def background(p: Paper) -> Section:
    pr = p.ds.priorities["name"]
    weights = p.inputs.priority_weights
    if len(set(weights)) == 1:
        pri = (f"This scenario weights the {len(pr)} Police and Crime Plan priorities equally "
               f"({', '.join(pr)}): a £ of social value counts the same whichever it serves.")
    else:
        pri = ("This scenario weights the Police and Crime Plan priorities "
               + ", ".join(f"{n} {w:g}" for n, w in zip(pr, weights, strict=True))
               + ": a weight of 2 counts a £ of social value towards that priority twice.")
    infl = p.ds.inflation["rate"]
    infl_text = ", ".join(f"{fy(y)} {infl[y]:.1%}" for y in p.inputs.years)
    return Section(heading("Background", 2, p.number("background"))
                   + paragraph(pri) + paragraph(f"Inflation is assumed to be {infl_text}; "
                                                "amounts in this paper are in cash unless a "
                                                "table says otherwise."))


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
        rows.append([mark(s["name"], bool(p.placeholders.stream_years(f, years))),
                     *[round(amounts.at[f, y]) for y in years], cond, end])
    table = pd.DataFrame(rows, columns=["Stream", *[f"{fy(y)} (£)" for y in years],
                                        "Conditions", "Ends"])
    table.loc[len(table)] = ["Total", *[round(amounts[y].sum()) for y in years], "", ""]
    change = p.scenario.budget_change_pct
    scenario_change = (f" This scenario changes the total by {change:+.1f}%, applied to the "
                       "unrestricted core budget." if change else "")
    number = p.table("funding")
    text = (f"{number} shows the funding available in each plan year by stream.{scenario_change} "
            "Ring-fenced grants can only be spent on the schemes their conditions name.")
    marked = {f: p.placeholders.stream_years(f, years) for f in ds.streams.index}
    marked = {f: ys for f, ys in marked.items() if ys}
    foot = note(f"{MARK} Placeholder amounts (not yet confirmed): "
                + "; ".join(f"{ds.streams.at[f, 'name']} in "
                            + ("every plan year" if ys == years else ", ".join(map(fy, ys)))
                            for f, ys in marked.items()) + "." if marked else "")
    return Section(heading("Funding available", 2, p.number("funding")) + paragraph(text)
                   + html_table(table, f"{number}. Funding available by stream",
                                money_cols=[f"{fy(y)} (£)" for y in years], total_row=True,
                                small=False) + foot)
