"""What the explorer shows, as HTML built from a run: status, matrix, charts, why, baseline.

Pure functions of a :class:`~budgetopt.pipeline.ScenarioRun` (or its result), so the app only
decides *when* to draw and the tests can read *what* is drawn. Every name from the data is
escaped before it becomes HTML.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from budgetopt.core.text import fy, signed_money
from budgetopt.explorer import quick_charts
from budgetopt.paper import charts
from budgetopt.paper.html import html_table
from budgetopt.pipeline import ScenarioRun
from budgetopt.results.compare import TOTAL, against_baseline
from budgetopt.results.result import Result

CSS = """<style>
.budgetopt-matrix table, .budgetopt-compare table { border-collapse: collapse; font-size: 12px; }
.budgetopt-matrix th, .budgetopt-matrix td, .budgetopt-compare th, .budgetopt-compare td {
  padding: 2px 6px; border-bottom: 1px solid #ddd; text-align: left; }
.budgetopt-matrix th[scope=row], .budgetopt-compare th[scope=row] { font-weight: normal; }
.budgetopt-matrix .num, .budgetopt-compare .num { text-align: right; white-space: nowrap; }
.budgetopt-matrix tr.total, .budgetopt-compare tr.total { font-weight: bold; }
.budgetopt-matrix caption, .budgetopt-compare caption { text-align: left; font-weight: bold; }
.budgetopt-matrix tr.subtotal { font-weight: bold; }
.budgetopt-matrix th[scope=row] { min-width: 14em; }
/* long column headers (area names) wrap, so the matrix fits beside the controls at 1440 px */
.budgetopt-matrix thead th.num { white-space: normal; max-width: 6.5em; vertical-align: bottom; }
.budgetopt-matrix td, .budgetopt-matrix th { line-height: 1.3; }
.budgetopt-matrix tr.member th { padding-left: 1.2em; }
.budgetopt-matrix tr.changed td, .budgetopt-matrix tr.changed th { background: #fff3c4; }
/* the summary bar stays in view; the control column keeps its width; results scroll */
.budgetopt-bar { position: sticky; top: 0; background: #fff; z-index: 2; }
.budgetopt-bar > .widget-hbox { flex-wrap: wrap; }
.budgetopt-bar .budgetopt-status { flex: 1 1 30em; }
.budgetopt-bar .widget-button { flex: 0 0 auto; width: auto; }
.budgetopt-controls { flex: 0 0 29em !important; width: 29em; min-width: 29em; }
.budgetopt-results { flex: 1 1 26em !important; min-width: 26em; overflow: auto; }
.budgetopt-main { flex-flow: row wrap !important; }
/* "Solving…" appears only when a move takes longer than 0.2 s */
.budgetopt-busy { opacity: 0; animation: budgetopt-appear 0s linear 0.2s forwards; }
@keyframes budgetopt-appear { to { opacity: 1; } }
</style>"""
MATRIX_ROWS = 80  # rows shown in the matrix before "and N more"
KEPT = 6  # settings kept side by side
LIMITS_SHOWN = 40  # binding limits listed on the Why tab


def items(sentences: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(s)}</li>" for s in sentences) + "</ul>"


def matrix(run: ScenarioRun, previous: Result | None = None) -> str:
    """The paper's allocation matrix (grouped by scheme, last year and the change beside the
    year, area columns only for area-split services), with the rows that changed on the last
    move highlighted and pinned services marked."""
    from budgetopt.paper.document import Paper
    from budgetopt.paper.sections.allocation import matrix as paper_matrix

    p = Paper(run)
    t, kinds = paper_matrix(p)
    ds, y = run.dataset, run.inputs.years[0]
    pinned = {pin.service for pin in run.scenario.pins if pin.year == y}
    ids = {ds.services.at[s, "name"]: s for s in ds.services.index}
    before = {}
    if previous is not None and previous.is_optimal and y in previous.years:
        a = previous.allocation()
        before = a[a["year"] == y].groupby("service_id")["amount_gbp"].sum().to_dict()
    classes, names = [], []
    for label, kind, total in zip(t.iloc[:, 0], kinds, t["total"], strict=True):
        sid = ids.get(str(label).removesuffix(" †"))
        changed = bool(before) and sid is not None and before.get(sid, 0) != total
        classes.append(" ".join(c for c in (kind, "changed" if changed else "") if c))
        names.append(f"{label} (pinned)" if sid in pinned else label)
    t.iloc[:, 0] = names
    area = {**ds.areas["name"].to_dict(), "force": "Force-wide", "total": fy(y),
            "change": "Change"}
    labels = [t.columns[0], t.columns[1], *[f"{area.get(c, c)} (£)" for c in t.columns[2:]]]
    hidden = max(0, len(t) - MATRIX_ROWS)
    note = (f"<p>… and {hidden} more rows (all in the exported and saved results).</p>"
            if hidden else "")
    shown = t if not hidden else pd.concat([t.head(MATRIX_ROWS), t.tail(1)])
    kept = classes if not hidden else [*classes[:MATRIX_ROWS], classes[-1]]
    return html_table(shown, f"Allocation matrix, {fy(y)} (£); rows changed by the last move "
                      "are highlighted", money_cols=[c for c in t.columns[1:] if c != "change"],
                      signed_cols=["change"], total_row=True, small=False,
                      header_labels=labels, row_classes=kept) + note


def kept_states(states: list[tuple[str, Result]], start: Result) -> str:
    """Named states side by side: each scheme's first-year amount and its difference from the
    starting scenario."""
    if not states:
        return ("<p>Keep a setting (name it, then <i>Keep</i>) to compare up to "
                f"{KEPT} of them here.</p>")
    ds = start.inputs.dataset
    y = start.years[0]
    base = start.by_scheme()
    t = pd.DataFrame({"Scheme": [ds.schemes["name"].get(k, "Total") for k in base.index],
                      f"Start {fy(y)} (£)": base[y].to_numpy()})
    signed = []
    for name, r in states:
        if not r.is_optimal or y not in r.years:
            continue
        now = r.by_scheme().reindex(base.index, fill_value=0)[y]
        t[f"{name} (£)"] = now.to_numpy()
        t[f"{name}: change (£)"] = (now - base[y]).to_numpy()
        signed.append(f"{name}: change (£)")
    money_cols = [c for c in t.columns[1:] if c not in signed]
    html = html_table(t, f"Kept settings against the start, {fy(y)}", money_cols=money_cols,
                      signed_cols=signed, total_row=True, small=False)
    for name, r in states:  # each kept setting by scheme and year, as a change from the start
        years = [v for v in r.years if v in start.years]
        if not r.is_optimal or not years:
            continue
        diff = r.by_scheme().reindex(base.index, fill_value=0)[years] - base[years]
        by_year = pd.DataFrame({"Scheme": t["Scheme"],
                                **{f"{fy(v)} (£)": diff[v].to_numpy() for v in years}})
        html += html_table(by_year, f"{name}: change from the start by scheme and year",
                           signed_cols=list(by_year.columns[1:]), total_row=True, small=False)
    return html


def against(result: Result, base: Result) -> str:
    """This scenario against the baseline by scheme, over the plan years both have."""
    years = [y for y in result.years if y in base.years]
    if not years or not base.is_optimal:
        return "<p>The baseline has no allocation to compare with.</p>"
    ds = result.inputs.dataset
    t = against_baseline(scheme_years(result), scheme_years(base), years)
    t = t.reindex([*ds.schemes.index, TOTAL], fill_value=0)
    names = ds.schemes["name"]
    shown = pd.DataFrame({"Scheme": [names.get(k, "Total") for k in t.index],
                          "Baseline (£)": t["baseline_gbp"].to_numpy(),
                          "This scenario (£)": t["scenario_gbp"].to_numpy(),
                          "Difference (£)": t["difference_gbp"].to_numpy()})
    sv = (result.social_value_gbp or 0.0) - (base.social_value_gbp or 0.0)
    return (f"<p>Against the baseline over {', '.join(fy(y) for y in years)}: social "
            f"value {signed_money(sv)}.</p>"
            + html_table(shown, "This scenario against the baseline, by scheme",
                         money_cols=["Baseline (£)", "This scenario (£)"],
                         signed_cols=["Difference (£)"], total_row=True))


def scheme_years(result: Result) -> pd.DataFrame:
    """Money by scheme and year (what the comparison needs, without the full allocation
    table, which is slow to build on large datasets)."""
    return result.cells.groupby(["scheme_id", "year"], as_index=False)["amount_gbp"].sum()


def why(run: ScenarioRun) -> tuple[str, str]:
    """The marginal value of money (two warm re-solves) and the limits that bind in the first
    plan year."""
    y = run.inputs.years[0]
    e = run.explainer
    more, less = e.money_value(direction="more"), e.money_value(direction="less")
    margins = (f"<h4>The marginal value of money</h4>"
               f"<p>{escape(more.sentence)}</p><p>{escape(less.sentence)}</p>")
    first = [lim.sentence for lim in e.binding_limits() if lim.year == y]
    return margins, f"<h4>Limits that shape {fy(y)}</h4>" + items(first[:LIMITS_SHOWN])


def chart_views(result: Result) -> tuple[str, str, str]:
    """Allocation by scheme, the first area-split scheme's shares against need, and change by
    service: the paper's charts as data, drawn as quick SVG (:mod:`.quick_charts`)."""
    ds, y, base = result.inputs.dataset, result.years[0], result.inputs.base_year
    names = ds.schemes["name"]
    schemes = charts.figure(quick_charts.svg(charts.schemes_bars(
        result.by_scheme(), names, y, base, fy(y), fy(base))),
        "Allocation by scheme against last year")
    fair = ""
    shares = result.area_shares()
    shares = shares[shares["year"] == y]
    if not shares.empty:
        k = shares["scheme_id"].iloc[0]
        fair = charts.figure(quick_charts.svg(charts.area_bars(
            shares[shares["scheme_id"] == k], names[k], ds.areas["name"], fy(y))),
            f"{names[k]}: area share against need share")
    change = charts.figure(quick_charts.svg(charts.change_bars(
        result.change(), ds.services["name"], fy(result.years[-1]), fy(base))),
        "Change by service against last year")
    return schemes, fair, change
