"""The allocation: the matrix, committed money, the status quo, change against last year, the
areas and fairness between them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money, pct, short_money, signed_money
from budgetopt.explain import analysis
from budgetopt.paper import charts
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper


def allocation(p: Paper) -> Section:
    r, y = p.result, p.year
    ds = p.ds
    m = r.matrix(y).reset_index()
    area_names = {**ds.areas["name"].to_dict(), "force": "Force-wide", "total": "Total"}
    svc_names = {**ds.services["name"].to_dict(), "": "", "total": "Total"}
    m["Service"] = m["service_id"].map(lambda s: svc_names.get(s, s))
    m.loc[m["scheme_id"] == "total", "Service"] = "Total"
    value_cols = [c for c in m.columns if c not in ("scheme_id", "service_id", "Service")]
    table = m[["Service", *value_cols]]
    labels = ["Service", *[f"{area_names.get(c, c)} (£)" for c in value_cols]]
    by_year = r.by_scheme().reset_index()
    by_year.insert(0, "Scheme", by_year["scheme_id"].map(
        lambda k: "Total" if k == "total" else ds.schemes.at[k, "name"]))
    by_year = by_year.drop(columns="scheme_id")
    years = [c for c in by_year.columns if c != "Scheme"]
    pri = r.by_priority().reset_index()
    pri.insert(0, "Priority", pri["priority_id"].map(
        lambda p: "Total" if p == "total" else ds.priorities.at[p, "name"]))
    pri = pri.drop(columns="priority_id")
    tau, delta = p.scenario.fairness_tolerance, p.scenario.stability_limit
    basis = (f"The allocation maximises social value weighted by the plan priorities. Each "
             "service has a benefit curve with diminishing returns; area-split schemes "
             "share money between the four Community Safety Partnership areas by need, each "
             f"area's share kept within ±{tau:.0%} of its need share; each continuing "
             f"service moves by at most {delta:.0%} of its {fy(p.base)} amount in any one "
             "year (a fixed band in pounds, not a share of the year before); contracts "
             "are held at their contracted values; floors, caps and ring-fences are met.")
    if p.scenario.objective == "expected":
        n = (p.scenario.robustness.plan_draws if p.scenario.robustness else 100)
        basis += (f" The allocation is the plan best on average over {n} draws of the "
                  "uncertain evidence rather than best on its point values, and the social "
                  "value it reports is its mean over those draws.")
    return Section(
        heading("Proposed allocation", 2, p.number("allocation")) + paragraph(basis)
        + html_table(table, f"{p.table('matrix')}. Funding allocation matrix, {fy(y)}: "
                     "service by area",
                     money_cols=value_cols, total_row=True, small=False,
                     header_labels=labels)
        + html_table(by_year, f"{p.table('by_scheme')}. Allocation by scheme and year",
                     money_cols=years, total_row=True,
                     header_labels=["Scheme", *[f"{fy(c)} (£)" for c in years]])
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
    by = sq_y.groupby("scheme_id")["amount_gbp"].sum()
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
    chart = charts.figure(charts.change_by_service(c, names, fy(last), fy(b)),
                          f"{p.figure('change')}. Change for each service in cash, {fy(b)} "
                          f"to {fy(last)}")
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
    r, y = p.result, p.year
    ds = p.ds
    by = r.by_area()
    names = {**ds.areas["name"].to_dict(), "force": "Force-wide services", "total": "Total"}
    split = ds.services[ds.services["area_split"].astype(bool)]
    last = split["last_year_gbp"].groupby(split["scheme_id"]).sum()
    base_area = sum((ds.need_shares.loc[k] * v for k, v in last.items()),
                    pd.Series(0.0, index=ds.areas.index))
    t = pd.DataFrame({"Area": [names.get(a, a) for a in by.index],
                      **{f"{fy(v)} (£)": by[v].to_numpy() for v in by.columns}})
    sentences = []
    for a in ds.areas.index:
        v = int(by.at[a, y]) if a in by.index else 0
        sentences.append(f"{names[a]} receives {money(v)} of area-split funding in {fy(y)} "
                         f"(about {short_money(base_area[a])} in {fy(p.base)}, if last "
                         "year's area-split schemes were shared by need).")
    return Section(heading("What changes in each area", 2, p.number("areas"))
                   + bullet_list(sentences)
                   + html_table(t, f"{p.table('by_area')}. Allocation by area (force-wide services "
                                "serve every area)",
                                money_cols=[f"{fy(v)} (£)" for v in by.columns],
                                total_row=True))


def fairness(p: Paper) -> Section:
    r, y = p.result, p.year
    ds = p.ds
    tau = p.scenario.fairness_tolerance
    shares = r.area_shares()
    shares_y = shares[shares["year"] == y]
    parts, figs = [], []
    area_names = ds.areas["name"]
    for i, (k, rows) in enumerate(shares_y.groupby("scheme_id", sort=False)):
        name = ds.schemes.at[k, "name"]
        t = pd.DataFrame({"Area": area_names.reindex(rows["area_id"]).to_numpy(),
                          "Amount (£)": rows["amount_gbp"].to_numpy(),
                          "Share (%)": (100 * rows["share"]).round(1).to_numpy(),
                          "Need share (%)": (100 * rows["need_share"]).round(1).to_numpy(),
                          "Band (%)": [f"{100 * lo:.1f}–{100 * hi:.1f}" for lo, hi in
                                       zip(rows["band_low"], rows["band_high"],
                                           strict=True)]})
        parts.append(html_table(t, f"{p.table('fairness')}.{i + 1}. {name}: area share "
                                f"against need share, {fy(y)}", money_cols=["Amount (£)"]))
        figs.append(charts.figure(
            charts.area_share_against_need(rows, name, area_names, fy(y)),
            f"{p.figure('fairness')}.{i + 1}. {name}: area share against need share, {fy(y)}"))
    text = (f"In each area-split scheme every area's share of the money stays within "
            f"±{tau:.0%} of its need share (so a 30% need share receives "
            f"{30 * (1 - tau):.0f}–{30 * (1 + tau):.0f}%). Need shares come from each "
            "scheme's need formula over population, crime, domestic abuse, ASB and "
            "deprivation. Areas with more need per head get more outcomes per £, so the "
            "optimiser leans towards them up to the edge of the band.")
    return Section(heading("Fairness between areas", 2, p.number("fairness"))
                   + paragraph(text) + "".join(parts) + "".join(figs))
