"""How sure can we be? The robustness analysis in words, a fan chart and a tornado.

Shown when the scenario has a ``robustness`` block. Every sentence is made from the
:class:`~budgetopt.robust.analysis.RobustnessReport`; the spreads are judgements (each one is a
placeholder in the dataset), and the section says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, short_money
from budgetopt.paper import charts
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.robust.analysis import holding

LISTED = 8  # services named among those whose recommended change is least sure

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper


def _names(p: Paper, ids: list[str]) -> str:
    names = p.ds.services["name"]
    return "; ".join(names.get(s, s) for s in ids) if ids else "none"


def robustness(p: Paper) -> Section:
    r = p.run.robustness
    s, y = r.settings, p.year
    c = r.classes(y)
    held = holding(r, y)
    holds, unsure = held[held["holds"]], held[~held["holds"]]
    words = {"rise": "rise", "fall": "fall", "hold": "stay level"}
    intro = (f"Much of the evidence behind this plan is uncertain, so the uncertain figures were "
             f"drawn {r.draws:,} times (seed {s.seed}) and the plan re-solved for each draw: "
             "each service's effect with a spread set by its evidence rating (wider for weak "
             "evidence), each outcome's social value, the areas' need shares and the funding "
             "not yet confirmed. The spreads themselves are judgements (placeholders in the "
             "dataset's uncertainty table), so these results say how sure the plan is if the "
             "spreads are right, not more.")
    n = sum(len(v) for v in c.values())
    if len(c["core"]) == n:
        lists = [f"Core: every one of the {n} services is funded above its minimum in at least "
                 f"{s.threshold:.0%} of draws in {fy(y)}; none is at risk of losing its money."]
    else:
        core = (_names(p, c["core"]) if len(c["core"]) <= n // 2
                else f"all {len(c['core'])} services but those below")
        lists = [f"Core — funded above its minimum in at least {s.threshold:.0%} of draws in "
                 f"{fy(y)} ({len(c['core'])}): {core}.",
                 f"Contested — above its minimum in some draws, not in at least "
                 f"{s.threshold:.0%} ({len(c['contested'])}): {_names(p, c['contested'])}.",
                 f"Never funded above its minimum ({len(c['never'])}): "
                 f"{_names(p, c['never'])}."]
    moves = (f"The recommended change for {fy(y)} against {fy(p.base)} holds in at least "
             f"{s.threshold:.0%} of draws for {len(holds)} of {len(held)} services.")
    if not unsure.empty:
        least = unsure.sort_values("p_direction")
        moves += " It is least sure for " + "; ".join(
            f"{p.ds.services.at[row['service_id'], 'name']} (to {words[row['direction']]}: "
            f"{row['p_direction']:.0%} of draws)" for _, row in least.head(LISTED).iterrows())
        moves += (f"; and {len(least) - LISTED} more." if len(least) > LISTED else ".")
    rec = r.record()
    risk = ""
    if rec["regret_gbp"]:
        risk = (f"If the evidence turns out as in one of the draws, the recommended plan gives up "
                f"on average {short_money(rec['regret_gbp']['mean'])} "
                f"({rec['regret_pct']['mean']:.1f}%) of priority-weighted social value against "
                f"the best plan for that draw, and {short_money(rec['regret_gbp']['p95'])} "
                f"({rec['regret_pct']['p95']:.1f}%) in the worst one in twenty. Knowing these "
                f"figures exactly would be worth about {short_money(r.evpi_gbp)} over the plan. "
                f"A plan chosen to be best on average over {s.plan_draws} draws would be worth "
                f"{short_money(abs(r.vss_gbp))} {'more' if r.vss_gbp >= 0 else 'less'} than the "
                "recommended plan on these draws.")
    if r.infeasible:
        risk += (f" In {r.infeasible} of the {r.draws:,} draws ({r.infeasible / r.draws:.1%}) "
                 "the scenario could not be met at all, because the drawn funding fell below "
                 "what contracts and floors commit.")
    fans = charts.figure(charts.scheme_fans(r.schemes, p.ds.schemes["name"]),
                         f"{p.figure('fans')}. The largest schemes: the recommended total and "
                         "the range 90% of the draws give")
    top = r.sensitivity.dropna(subset=["moved_gbp"]).head(10)
    table = pd.DataFrame({
        "Uncertain input": top["input"],
        "Allocation moved at P10 (£)": top["moved_p10_gbp"].round().astype(int),
        "Allocation moved at P90 (£)": top["moved_p90_gbp"].round().astype(int),
        "Value swing, P10 to P90 (£)": top["value_swing_gbp"].round().astype(int)})
    evidence = (paragraph("Which evidence matters most: each uncertain input was set to the "
                          "10th and then the 90th percentile of its spread, everything else at "
                          "its point value. Strengthening the evidence at the top of "
                          f"{p.table('evidence')} would change the recommendation most.")
                + html_table(table, f"{p.table('evidence')}. The evidence that moves the "
                             "allocation most", money_cols=list(table.columns[1:]))
                + charts.figure(charts.tornado(r.sensitivity),
                                f"{p.figure('tornado')}. Which evidence matters most"))
    return Section(heading("How sure can we be?", 2, p.number("robustness"))
                   + paragraph(intro) + bullet_list(lists) + paragraph(moves)
                   + (paragraph(risk) if risk else "") + fans + evidence)
