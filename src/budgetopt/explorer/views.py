"""What the explorer shows, as HTML built from a run: status, matrix, charts, why, baseline.

Pure functions of a :class:`~budgetopt.pipeline.ScenarioRun` (or its result), so the app only
decides *when* to draw and the tests can read *what* is drawn. Every name from the data is
escaped before it becomes HTML.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from budgetopt.core.text import fy, signed_money
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
/* the summary bar stays in view; the control column keeps its width */
.budgetopt-bar { position: sticky; top: 0; background: #fff; z-index: 2; }
</style>"""
MATRIX_ROWS = 60  # services shown in the matrix before "and N more"
LIMITS_SHOWN = 40  # binding limits listed on the Why tab


def items(sentences: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{escape(s)}</li>" for s in sentences) + "</ul>"


def matrix(result: Result, year: int) -> str:
    ds = result.inputs.dataset
    m = result.matrix(year).reset_index()
    total_row = m[m["scheme_id"] == "total"]
    body = m[m["scheme_id"] != "total"]
    hidden = max(0, len(body) - MATRIX_ROWS)
    m = pd.concat([body.head(MATRIX_ROWS), total_row])
    area = {**ds.areas["name"].to_dict(), "force": "Force-wide", "total": "Total"}
    m.insert(0, "Service", [("Total" if k == "total" else ds.services["name"].get(s, s))
                            for k, s in zip(m["scheme_id"], m["service_id"], strict=True)])
    cols = [c for c in m.columns if c not in ("Service", "scheme_id", "service_id")]
    table = html_table(m[["Service", *cols]], f"Allocation matrix, {fy(year)} (£)",
                       money_cols=cols, total_row=True, small=False,
                       header_labels=["Service", *[area.get(c, c) for c in cols]])
    note = f"<p>… and {hidden} more services (all in the saved results).</p>" if hidden else ""
    return table + note


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
    service."""
    ds, y, base = result.inputs.dataset, result.years[0], result.inputs.base_year
    names = ds.schemes["name"]
    schemes = charts.figure(charts.schemes_against_last_year(
        result.by_scheme(), names, y, base, fy(y), fy(base)),
        "Allocation by scheme against last year")
    fair = ""
    shares = result.area_shares()
    shares = shares[shares["year"] == y]
    if not shares.empty:
        k = shares["scheme_id"].iloc[0]
        fair = charts.figure(charts.area_share_against_need(
            shares[shares["scheme_id"] == k], names[k], ds.areas["name"], fy(y)),
            f"{names[k]}: area share against need share")
    change = charts.figure(charts.change_by_service(
        result.change(), ds.services["name"], fy(result.years[-1]), fy(base)),
        "Change by service against last year")
    return schemes, fair, change
