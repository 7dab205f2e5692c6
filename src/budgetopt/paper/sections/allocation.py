"""The allocation: the matrix, committed money, the status quo, change against last year, the
areas and fairness between them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money, pct, short_money, signed_money
from budgetopt.explain import analysis
from budgetopt.paper import charts
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.paper.marks import MARK, mark, note

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper


def matrix(p: Paper) -> tuple[pd.DataFrame, list[str]]:
    """The funding allocation matrix of the first plan year, grouped by scheme in the plan's
    order: a subtotal row per scheme, then its services; last year beside the year; area
    columns hold the area-split schemes, one column the force-wide services. Every row and
    column sums exactly (the whole-pound cells of :meth:`Result.matrix`)."""
    r, y, ds = p.result, p.year, p.ds
    m = r.matrix(y)
    areas = [a for a in ds.areas.index if a in m.columns]
    last = r.base_by_service  # whole pounds that add up to Table 1's
    rows, kinds = [], []
    for k in ds.schemes.index:
        if k not in m.index.get_level_values("scheme_id"):
            continue
        block = m.loc[k]
        base = {s: int(last[s]) for s in block.index}
        cells = block[[*areas, "force", "total"]].sum()
        rows.append([ds.schemes.at[k, "name"], sum(base.values()),
                     *[(v if v else None) for v in cells[[*areas, "force"]]], cells["total"]])
        kinds.append("subtotal")
        for s, row in block.iterrows():
            name = mark(ds.services.at[s, "name"], p.placeholders.service(s, "last_year_gbp"))
            by_area = bool(ds.services.at[s, "area_split"])
            cells = [(v if by_area else None) for v in row[areas]]
            rows.append([name, base[s], *cells, None if by_area else row["force"],
                         row["total"]])
            kinds.append("member")
    cols = ["Scheme and service", f"{fy(p.base)} (£)", *areas, "force", "total"]
    t = pd.DataFrame(rows, columns=cols)
    members = t[[k == "member" for k in kinds]]
    total = ["Total", *[int(members[c].fillna(0).sum()) for c in cols[1:]]]
    t.loc[len(t)] = total
    kinds.append("")
    t["change"] = t["total"] - t[f"{fy(p.base)} (£)"]
    return t, kinds


MATRIX_COLUMNS = 8
"""The most figure columns of the matrix one A4 page holds legibly: last year, four areas,
force-wide, the year and the change. A force with more areas gets the matrix in parts, each
with the row names, the figures of the whole split between them, the row totals in the last."""


def matrix_parts(columns: list[str]) -> list[list[str]]:
    """The matrix's figure columns split into as few parts as keep each within
    :data:`MATRIX_COLUMNS`, evenly, in order."""
    n = -(-len(columns) // MATRIX_COLUMNS)
    size = -(-len(columns) // n)
    return [columns[i:i + size] for i in range(0, len(columns), size)]


def allocation(p: Paper) -> Section:
    r, y, ds = p.result, p.year, p.ds
    t, kinds = matrix(p)
    area_names = {**ds.areas["name"].to_dict(), "force": "Force-wide",
                  "total": fy(y), "change": "Change"}
    labels = [t.columns[0], t.columns[1], *[f"{area_names.get(c, c)} (£)" for c in t.columns[2:]]]
    money_cols = [c for c in t.columns[1:] if c != "change"]
    pri = r.by_priority().reset_index()
    pri.insert(0, "Priority", pri["priority_id"].map(
        lambda k: "Total" if k == "total" else ds.priorities.at[k, "name"]))
    pri = pri.drop(columns="priority_id")
    tau, delta = p.scenario.fairness_tolerance, p.scenario.stability_limit
    basis = (f"The allocation maximises social value (the estimated value to society, in £, "
             "of the outcomes services achieve) weighted by the plan priorities. Each service "
             "has a benefit curve: what each further £1,000 achieves, falling as a service "
             "grows (diminishing returns). Area-split schemes share their money between the "
             f"{len(ds.areas)} Community Safety Partnership areas by need, each area's share "
             f"kept within ±{tau:.0%} of its need share; each continuing service moves by at "
             f"most {delta:.0%} of its {fy(p.base)} amount in any one year; contracts are held "
             "at their contracted values; floors, caps and ring-fences are met. The money "
             "left after these commitments is placed by the optimiser: the method that finds, "
             "exactly, the allocation of greatest value within every limit.")
    if p.scenario.objective == "expected":
        n = (p.scenario.robustness.plan_draws if p.scenario.robustness else 100)
        basis += (f" The allocation is the plan best on average over {n} draws of the "
                  "uncertain evidence rather than best on its point values, and the social "
                  "value it reports is its mean over those draws.")
    marked = any(MARK in str(v) for v in t.iloc[:, 0])
    caption = (f"{p.table('matrix')}. Funding allocation matrix, {fy(y)}: each scheme and "
               "service by area, against last year")
    parts = matrix_parts(list(t.columns[1:]))
    tables = "".join(
        html_table(t[[t.columns[0], *cols]],
                   caption + (f" (part {i} of {len(parts)})" if len(parts) > 1 else ""),
                   money_cols=[c for c in cols if c in money_cols],
                   signed_cols=[c for c in cols if c == "change"], total_row=True, small=False,
                   header_labels=[labels[0], *(labels[list(t.columns).index(c)] for c in cols)],
                   row_classes=kinds)
        for i, cols in enumerate(parts, start=1))
    return Section(
        heading("Proposed allocation", 2, p.number("allocation")) + paragraph(basis) + tables
        + note(f"{MARK} The {fy(p.base)} amount is a placeholder." if marked else "",
               p.placeholders.allocation_note(p.inputs.years))
        + html_table(pri, f"{p.table('by_priority')}. Estimated social value by plan priority",
                     money_cols=[c for c in pri.columns if c != "Priority"],
                     total_row=True, header_labels=["Priority", *[
                         f"{fy(c)} (£)" for c in pri.columns if c != "Priority"]]))


def committed(p: Paper) -> Section:
    c = p.result.committed()
    y = p.year
    labels = {"contracts": "Contracts", "pins": "Pinned amounts",
              "service minimums": "Service minimums", "scheme floors":
              "Scheme floors (beyond the above)", "free to place": "Placed by the optimiser"}
    t = pd.DataFrame({"Money": [labels[k] for k in c.index],
                      **{f"{fy(v)} (£)": c[v].to_numpy() for v in c.columns}})
    t.loc[len(t)] = ["Total", *[int(c[v].sum()) for v in c.columns]]
    free = int(c.at["free to place", y])
    total = int(c[y].sum())
    rf = p.result.ring_fenced()
    rf_y = int(rf.at["ring-fenced", y]) if "ring-fenced" in rf.index else 0
    text = (f"Of the {money(total)} allocated in {fy(y)}, {money(total - free)} "
            f"({(total - free) / total:.1%}) is committed before any choice is made — by "
            f"contracts, pins, service minimums and scheme floors — and {money(free)} "
            f"({free / total:.1%}) was free to place. {money(rf_y)} comes from ring-fenced "
            "grants, which may only be placed within their eligible schemes.")
    return Section(heading("Committed and discretionary money", 2, p.number("committed"))
                   + paragraph(text)
                   + html_table(t, f"{p.table('committed')}. Committed money against money "
                                "free to place",
                                money_cols=[f"{fy(v)} (£)" for v in c.columns],
                                total_row=True))


def status_quo(p: Paper) -> Section:
    r, y = p.result, p.year
    sq = analysis.status_quo(r)
    sq_y = sq[sq["year"] == y]
    prop = r.allocation()
    prop = prop[prop["year"] == y].groupby("scheme_id")["amount_gbp"].sum()
    order = [k for k in p.ds.schemes.index if k in set(sq_y["scheme_id"])]  # the plan's order
    by = sq_y.groupby("scheme_id")["amount_gbp"].sum().reindex(order)
    names = p.ds.schemes["name"]
    t = pd.DataFrame({"Scheme": names.reindex(by.index).to_numpy(),
                      "Status quo (£)": by.to_numpy(),
                      "Proposal (£)": prop.reindex(by.index).fillna(0).astype(int).to_numpy()})
    t["Difference (£)"] = t["Proposal (£)"] - t["Status quo (£)"]
    t.loc[len(t)] = ["Total", int(by.sum()), int(prop.sum()), int(prop.sum() - by.sum())]
    sv_sq = sq["social_value_gbp"].sum()
    value = r.social_value_gbp or 0.0
    gain = value - sv_sq
    text = (f"The status quo carries last year's allocation forward, scaled pro rata to the "
            f"funding available. Over the plan it would deliver an estimated "
            f"{short_money(sv_sq)} of social value; the proposal delivers "
            f"{short_money(value)}, {short_money(gain)} "
            f"({gain / sv_sq:.1%}) more, for the same money.")
    return Section(heading("The proposal beside the status quo", 2, p.number("status_quo"))
                   + paragraph(text)
                   + html_table(t, f"{p.table('status_quo')}. Proposal against the status "
                                f"quo, {fy(y)}",
                                money_cols=["Status quo (£)", "Proposal (£)"],
                                signed_cols=["Difference (£)"], total_row=True))


def change(p: Paper) -> Section:
    r, y, b = p.result, p.year, p.base
    last = p.inputs.years[-1]
    c = r.change()
    names = p.ds.services["name"]
    by_scheme = c.groupby("scheme_id")[["last_year_gbp", f"{y}_gbp", f"{y}_real_gbp"]].sum()
    by_scheme = by_scheme.reindex([k for k in p.ds.schemes.index if k in by_scheme.index])
    t = pd.DataFrame({
        "Scheme": p.ds.schemes["name"].reindex(by_scheme.index).to_numpy(),
        f"{fy(b)} (£)": by_scheme["last_year_gbp"].to_numpy(),
        f"{fy(y)} cash (£)": by_scheme[f"{y}_gbp"].to_numpy(),
        f"{fy(y)} in {fy(b)} prices (£)": by_scheme[f"{y}_real_gbp"].to_numpy(),
    })
    t["Real change (£)"] = t.iloc[:, 3] - t.iloc[:, 1]
    t.loc[len(t)] = ["Total", *[int(t.iloc[:, i].sum()) for i in range(1, 5)]]
    tot_last, tot_cash = int(t.iloc[-1, 1]), int(t.iloc[-1, 2])
    tot_real = int(t.iloc[-1, 3])
    text = (f"In cash terms the budget changes by {signed_money(tot_cash - tot_last)} "
            f"({pct(100 * (tot_cash - tot_last) / tot_last, signed=True)}) from {fy(b)} to "
            f"{fy(y)}; in {fy(b)} prices, after the inflation assumption, by "
            f"{signed_money(tot_real - tot_last)} "
            f"({pct(100 * (tot_real - tot_last) / tot_last, signed=True)}).")
    unchanged = int((c["change_gbp"] == 0).sum())
    chart = charts.figure(charts.change_by_service(c, names, fy(last), fy(b)),
                          f"{p.figure('change')}. Change for each service in cash, {fy(b)} "
                          f"to {fy(last)}"
                          + (f"; the {unchanged} services whose amount does not change are "
                             "left out" if unchanged else ""))
    return Section(heading("Change against last year", 2, p.number("change"))
                   + paragraph(text)
                   + html_table(t, f"{p.table('change')}. Change by scheme in cash and real terms, "
                                f"{fy(y)}", money_cols=list(t.columns[1:4]),
                                signed_cols=["Real change (£)"], total_row=True)
                   + chart + steadiness(p))


def steadiness(p: Paper) -> str:
    """Which services rise one year and fall back the next, and why: among equally valuable
    plans the model picks the steadiest, so each reversal left is one that value or a limit
    asks for."""
    found = p.explainer.reversals()
    if not found:
        return paragraph("Every service moves steadily over the plan: none rises one year and "
                         "falls back the next, or falls and rises again.")
    services = len({r.service_id for r in found})
    lead = (f"{services} service{'s' if services != 1 else ''} "
            f"{'do' if services != 1 else 'does'} not move steadily over the plan. Among plans "
            "of equal value the model chooses the steadiest, so each rise that falls back (or "
            "fall that rises again) is one that the social value or a limit asks for:")
    return paragraph(lead) + bullet_list([r.sentence for r in found])


def areas(p: Paper) -> Section:
    """Each area's money by year, and each area-split scheme's split against need."""
    r, y, ds = p.result, p.year, p.ds
    by = r.by_area()
    by = by.reindex([*[a for a in ds.areas.index if a in by.index],
                     *[a for a in ("force", "total") if a in by.index]])  # the areas, then force
    names = {**ds.areas["name"].to_dict(), "force": "Force-wide services", "total": "Total"}
    cells = r.base_by_area()  # last year's area-split money shared by need, whole pounds
    t = pd.DataFrame({"Area": [names.get(a, a) for a in by.index],
                      f"{fy(p.base)}, area-split shared by need (£)": [
                          int(cells[a]) for a in by.index],
                      **{f"{fy(v)} (£)": by[v].to_numpy() for v in by.columns}})
    tau = p.scenario.fairness_tolerance
    shares = r.area_shares()
    shares_y = shares[shares["year"] == y]
    area_names = ds.areas["name"]
    rows = []
    for k, group in shares_y.groupby("scheme_id", sort=False):
        for _, row in group.iterrows():
            rows.append({"Scheme": ds.schemes.at[k, "name"],
                         "Area": area_names[row["area_id"]],
                         "Amount (£)": int(row["amount_gbp"]),
                         "Share": f"{100 * row['share']:.1f}%",
                         "Need share": mark(f"{100 * row['need_share']:.1f}%",
                                            p.placeholders.need_share(k)),
                         "Allowed band": f"{100 * row['band_low']:.1f}–"
                                         f"{100 * row['band_high']:.1f}%",
                         "At the edge": "yes" if min(abs(row["share"] - row["band_low"]),
                                                     abs(row["share"] - row["band_high"]))
                         < 5e-4 else ""})
    fair = pd.DataFrame(rows)
    edge = int((fair["At the edge"] == "yes").sum()) if rows else 0
    text = (f"{p.table('by_area')} gives each area's money; force-wide services serve every "
            f"area. In each area-split scheme every area's share stays within ±{tau:.0%} of its "
            f"need share (so a 30% need share receives {30 * (1 - tau):.0f}–"
            f"{30 * (1 + tau):.0f}%). Need shares come from each scheme's need formula over "
            "population, crime, domestic abuse, ASB and deprivation; money goes further where "
            "need per head is higher, so the optimiser leans towards those areas up to the "
            + (f"edge of the band ({edge} of {len(rows)} area shares in {fy(y)} are at the "
               f"edge, {p.table('fairness')})." if rows else
               f"edge of the band. No service is area-split in {fy(y)}."))
    return Section(heading("Areas and fairness", 2, p.number("areas")) + paragraph(text)
                   + html_table(t, f"{p.table('by_area')}. Allocation by area; last year's "
                                "area-split schemes shared by need, for comparison",
                                money_cols=list(t.columns[1:]), total_row=True)
                   + (html_table(fair, f"{p.table('fairness')}. Area shares of the area-split "
                                 f"schemes against need, {fy(y)}", money_cols=["Amount (£)"])
                      + note(f"{MARK} The need share rests on placeholder need indicators or "
                             "weights." if any(MARK in v for v in fair["Need share"]) else "")
                      if rows else ""))
