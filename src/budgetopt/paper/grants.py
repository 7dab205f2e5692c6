"""The grant round's summary paper, in the grants panel's frame: what is recommended, by area
and theme, what was asked against what there is, the reserve list, what the exact selection
gains over funding down the ranked list, and every bid not funded with its reason.

Sections are registered in :data:`GRANT_SECTIONS` (numbered like the budget paper's); the
notebook ``notebooks/grants.ipynb`` displays them one per cell. The paper's marking comes from
the round: ILLUSTRATIVE when the bids are synthetic, and never FINAL when the selection is not
a proven optimum or the round cannot be met.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from budgetopt.core.text import money
from budgetopt.grants.explain import FUNDED, NOT_FUNDED, RESERVE
from budgetopt.grants.result import RoundResult
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.paper.numbering import Numbering, SectionSpec


class GrantPaper:
    def __init__(self, result: RoundResult, meeting_date: str = "to be arranged") -> None:
        self.result = result
        self.meeting_date = meeting_date
        self.numbering = Numbering(GRANT_SECTIONS, met=result.is_met)
        self.awards = result.awards() if result.is_met else pd.DataFrame()

    @property
    def title(self) -> str:
        return self.result.inputs.round.title

    def section(self, name: str) -> Section:
        """One section of the paper (see ``GRANT_SECTIONS``); empty when not shown."""
        spec = GRANT_BY_NAME[name]
        if not spec.shown(self.result.is_met):
            return Section("")
        return spec.render(self)

    def area_name(self, fund: str, area: str) -> str:
        return f"{self.result.inputs.fund(fund).name}, {area}"


def _title_block(p: GrantPaper) -> Section:
    r = p.result
    marks = "".join(f'<p class="marking-note"><b>{escape(m)}</b></p>' for m in r.marking)
    return Section('<header class="title-block">'
                   f"<h1>{escape(p.title)}</h1>"
                   "<p>Grants panel: the awards recommended, and why</p>"
                   f"<p>Meeting: {escape(p.meeting_date)}</p>{marks}</header>")


def _summary(p: GrantPaper) -> Section:
    r, a = p.result, p.awards
    c = r.comparison()
    e, rk, g = c["exact"], c["ranked_list"], c["gain"]
    budget = int(r.inputs.budgets.sum())
    eligible = int(r.inputs.bids["eligible"].sum())
    lines = [
        f"{len(a)} bids asked for {money(a['requested_gbp'].sum())} against "
        f"{money(budget)} available; {eligible} went to the second round.",
        f"The recommended selection funds {e['bids_funded']} bids with "
        f"{money(e['awarded_gbp'])}, leaving {money(e['unspent_gbp'])} unspent. "
        + r.selection.sentence(),
        f"Funding down the ranked list until the money runs out would fund {rk['bids_funded']} "
        f"bids ({money(rk['awarded_gbp'])}) for a total score of {rk['score']:g}; the "
        f"recommended selection scores {e['score']:g} ({g['score']:+g}) with "
        f"{g['bids_funded']:+d} bids.",
        f"{int((a['status'] == RESERVE).sum())} bids are on the reserve list, in the order "
        "they would be funded if money came back.",
    ]
    if rk["theme_minimums_missed"]:
        lines.append("The ranked list would miss theme minimums: "
                     + "; ".join(rk["theme_minimums_missed"]) + ".")
    if r.inputs.round.synthetic:
        lines.append("The bids in this round are synthetic — made up to show the method — so "
                     "no award here is a recommendation about a real organisation.")
    return Section(heading("Summary", 2, p.numbering.section("summary")) + bullet_list(lines))


def _by_area(p: GrantPaper) -> Section:
    t = p.result.totals()
    body = t[t["fund"] != "total"]
    shown = pd.DataFrame({
        "Fund and area": [p.area_name(f, ar) for f, ar in zip(body["fund"], body["area"],
                                                               strict=True)] + ["Total"],
        "Available (£)": [*body["budget_gbp"], t.iloc[-1]["budget_gbp"]],
        "Bids": [*body["bids"], t.iloc[-1]["bids"]],
        "Asked (£)": [*body["requested_gbp"], t.iloc[-1]["requested_gbp"]],
        "Funded": [*body["funded"], t.iloc[-1]["funded"]],
        "Awarded (£)": [*body["awarded_gbp"], t.iloc[-1]["awarded_gbp"]],
        "Unspent (£)": [*body["unspent_gbp"], t.iloc[-1]["unspent_gbp"]],
    })
    n = p.numbering
    text = ("Applications against awards and money asked for against money available, by fund "
            "and area. An area's money is never exceeded"
            + (f" by more than the round's over-allocation of "
               f"{p.result.inputs.round.over_allocation:.0%}"
               if p.result.inputs.round.over_allocation else "") + ".")
    return Section(heading("Awards by area", 2, n.section("by_area")) + paragraph(text)
                   + html_table(shown, f"{n.table('by_area')}. Bids and awards by fund and area",
                                money_cols=["Available (£)", "Asked (£)", "Awarded (£)",
                                            "Unspent (£)"], total_row=True))


def _by_theme(p: GrantPaper) -> Section:
    a = p.awards
    g = a.groupby("theme")
    t = pd.DataFrame({"Bids": g.size(), "Asked (£)": g["requested_gbp"].sum(),
                      "Funded": g["status"].apply(lambda s: int((s == FUNDED).sum())),
                      "Awarded (£)": g["awarded_gbp"].sum()}).reset_index()
    total = t[["Bids", "Asked (£)", "Funded", "Awarded (£)"]].sum()
    t = pd.concat([t, pd.DataFrame([{"theme": "Total", **total}])], ignore_index=True)
    t = t.rename(columns={"theme": "Theme"})
    rules = [f"{x.theme}{' in ' + p.result.inputs.fund(x.fund).name if x.fund else ''}: "
             + ", ".join(v for v in (f"at least {x.min_share:.0%}" if x.min_share is not None
                                     else "", f"at most {x.max_share:.0%}"
                                     if x.max_share is not None else "") if v)
             + " of the money" for x in p.result.inputs.round.themes]
    n = p.numbering
    return Section(heading("Awards by theme", 2, n.section("by_theme"))
                   + (paragraph("The round's theme shares, all kept: " + "; ".join(rules) + ".")
                      if rules else "")
                   + html_table(t, f"{n.table('by_theme')}. Bids and awards by theme",
                                money_cols=["Asked (£)", "Awarded (£)"], total_row=True))


def _reserve(p: GrantPaper) -> Section:
    a = p.awards
    r = a[a["status"] == RESERVE].sort_values(["fund", "area", "reserve_place"])
    n = p.numbering
    html = heading("The reserve list", 2, n.section("reserve"))
    if r.empty:
        return Section(html + paragraph("No eligible bid is waiting for money."))
    t = pd.DataFrame({"Place": r["reserve_place"].astype(int), "Bid": r["bid_id"],
                      "Organisation": r["organisation"],
                      "Fund and area": [p.area_name(f, ar) for f, ar in zip(
                          r["fund"], r["area"], strict=True)],
                      "Asked (£)": r["requested_gbp"],
                      "Score": r["second_score"].map(lambda v: f"{v:g}"),
                      "Score needed": r["score_needed"].map(
                          lambda v: "–" if pd.isna(v) else f"{v:g}"),
                      "Why not now": r["reason"]})
    return Section(html + paragraph("If money comes back to a fund in an area, these bids would "
                                    "be funded in this order (by score, then the smaller "
                                    "request).")
                   + html_table(t, f"{n.table('reserve')}. The reserve list",
                                money_cols=["Asked (£)"]))


def _comparison(p: GrantPaper) -> Section:
    c = p.result.comparison()
    rows = [("Total score of the funded bids", f"{c['exact']['score']:g}",
             f"{c['ranked_list']['score']:g}"),
            ("Bids funded", c["exact"]["bids_funded"], c["ranked_list"]["bids_funded"]),
            ("Awarded (£)", money(c["exact"]["awarded_gbp"]),
             money(c["ranked_list"]["awarded_gbp"])),
            ("Left unspent (£)", money(c["exact"]["unspent_gbp"]),
             money(c["ranked_list"]["unspent_gbp"]))]
    t = pd.DataFrame(rows, columns=["", "Recommended (exact)", "Down the ranked list"])
    n = p.numbering
    text = ("The ranked list takes the best-scoring bid first and funds each in turn while its "
            "area's money lasts. The recommended selection looks at every combination: where a "
            "large bid near the top would leave money no other bid can use, two smaller bids "
            "that score more together can be funded instead.")
    return Section(heading("Against funding down the ranked list", 2, n.section("comparison"))
                   + paragraph(text)
                   + html_table(t, f"{n.table('comparison')}. The recommended selection "
                                "against the ranked list"))


def _awards(p: GrantPaper) -> Section:
    a = p.awards[p.awards["status"] == FUNDED]
    t = pd.DataFrame({"Bid": a["bid_id"], "Organisation": a["organisation"],
                      "Project": a["project"], "Area": a["area"], "Fund": a["fund"],
                      "Asked (£)": a["requested_gbp"], "Awarded (£)": a["awarded_gbp"],
                      "Score": a["second_score"].map(lambda v: f"{v:g}"),
                      "Margin": a["margin"].map(lambda v: "–" if pd.isna(v) else f"{v:g}")})
    t = pd.concat([t, pd.DataFrame([{"Bid": "Total", "Asked (£)": a["requested_gbp"].sum(),
                                     "Awarded (£)": a["awarded_gbp"].sum()}])],
                  ignore_index=True).fillna("")
    n = p.numbering
    return Section(heading("The awards recommended", 2, n.section("awards"))
                   + paragraph("Each bid's margin is how far its score could fall and it would "
                               "still be funded.")
                   + html_table(t, f"{n.table('awards')}. Awards recommended",
                                money_cols=["Asked (£)", "Awarded (£)"], total_row=True))


def _not_funded(p: GrantPaper) -> Section:
    a = p.awards[p.awards["status"] == NOT_FUNDED]
    t = pd.DataFrame({"Bid": a["bid_id"], "Organisation": a["organisation"],
                      "Asked (£)": a["requested_gbp"], "Why": a["reason"]})
    n = p.numbering
    return Section(heading("Bids not funded, and why", 2, n.section("not_funded"))
                   + (html_table(t, f"{n.table('not_funded')}. Bids not funded",
                                 money_cols=["Asked (£)"]) if not t.empty
                      else paragraph("Every bid is funded or on the reserve list.")))


def _not_met(p: GrantPaper) -> Section:
    fixes = [f.sentence(p.result.inputs) for f in p.result.fixes]
    return Section(heading("This round cannot be met", 2, p.numbering.section("not_met"))
                   + paragraph(p.result.selection.sentence())
                   + (paragraph("The smallest change that makes it possible:")
                      + bullet_list(fixes) if fixes else ""))


def _method(p: GrantPaper) -> Section:
    rules = p.result.inputs.round
    g = rules.grant
    most = (money(g.max_gbp) if not isinstance(g.max_gbp, dict) else
            ", ".join(f"{money(v)} in {k}" for k, v in g.max_gbp.items()))
    items = [
        f"Bids are scored on {', '.join(rules.criteria)}; those reaching "
        f"{rules.threshold:.0%} of the highest possible score go to a second round"
        + (f" in which {', '.join(f'{k} counts ×{v:g}' for k, v in rules.second_round_weights.items())}"  # noqa: E501
           if rules.second_round_weights else "") + ".",
        f"Grants are between {money(g.min_gbp)} and {most}"
        + ("; a bid may be part-funded down to the smallest amount it can run on."
           if rules.part_funding else "; a bid is funded in full or not at all."),
        "One award per organisation." if rules.one_award_per_organisation else
        "An organisation may receive more than one award.",
        "The selection is exact: a mixed-integer programme finds the bids with the highest "
        "total second-round score within every rule; among selections that score as much, "
        "the one leaving least money unspent; then the bids higher on the ranked list. "
        + p.result.selection.sentence(),
    ]
    return Section(heading("How the selection was made", 2, p.numbering.section("method"))
                   + bullet_list(items))


GRANT_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("title_block", _title_block, kind="front"),
    SectionSpec("not_met", _not_met, when="not met"),
    SectionSpec("summary", _summary, when="met"),
    SectionSpec("by_area", _by_area, when="met", tables=("by_area",)),
    SectionSpec("by_theme", _by_theme, when="met", tables=("by_theme",)),
    SectionSpec("reserve", _reserve, when="met", tables=("reserve",)),
    SectionSpec("comparison", _comparison, when="met", tables=("comparison",)),
    SectionSpec("awards", _awards, when="met", tables=("awards",)),
    SectionSpec("not_funded", _not_funded, when="met", tables=("not_funded",)),
    SectionSpec("method", _method),
)
GRANT_BY_NAME = {s.name: s for s in GRANT_SECTIONS}
