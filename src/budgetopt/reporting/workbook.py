"""The result workbook: one sheet per table, for teams that live in spreadsheets.

:func:`write_workbook` writes a :class:`~budgetopt.results.result.Result` to an ``.xlsx`` file: a
"Summary" sheet (the scenario, its status and its marking — ILLUSTRATIVE while placeholders are
used — and the key figures), then, only when the result is optimal, "Allocation" (long form),
one "Matrix <fy>" per plan year (service × area; ``2025-26`` because Excel forbids ``/`` in
sheet names), "By scheme", "By area", "Flows", "Streams", "By priority", "Change",
"Committed", "Placeholders" (every placeholder figure), and — given the run's explainer — the
explanations the paper shortens: "Frontier" (every point) and "Limits" (every binding limit,
with what releasing £100k of it would add).

Each sheet is written by :func:`budgetopt.reporting.sheets.write_sheet`: readable names first
and ids last, a total row outside the data whose money cells are ``=SUM`` formulas, print titles
and A4 landscape. Every figure in the data rows is the Result's own whole-pound figure, so each
total recomputes to the figure the paper and the CSVs show. The file is written atomically.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from budgetopt.core.files import write_bytes
from budgetopt.core.marking import paper_title, status_words
from budgetopt.core.text import fy
from budgetopt.reporting.sheets import (
    MONEY_FORMAT,
    NUMBER_FORMAT,
    PERCENT_FORMAT,
    Col,
    PrintSetup,
    Ratio,
    cell_value,
    print_setup,
    safe_text,
    write_sheet,
)
from budgetopt.results.result import Result

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.explain.explainer import Explainer

__all__ = ["MONEY_FORMAT", "PERCENT_FORMAT", "matrix_sheet_name", "safe_text", "sheet_names",
           "write_workbook"]

SUMMARY = "Summary"
ALLOCATION = "Allocation"
BY_SCHEME = "By scheme"
BY_AREA = "By area"
FLOWS = "Flows"
STREAMS = "Streams"
BY_PRIORITY = "By priority"
CHANGE = "Change"
COMMITTED = "Committed"
PLACEHOLDERS = "Placeholders"
FRONTIER = "Frontier"
LIMITS = "Limits"
FORCE_WIDE = "Force-wide"
_MAX_WIDTH = 60


def matrix_sheet_name(year: int) -> str:
    """``Matrix 2025-26`` for the plan year 2025/26 (Excel sheet names cannot hold ``/``)."""
    return f"Matrix {fy(year).replace('/', '-')}"


def sheet_names(result: Result, explained: bool = False) -> list[str]:
    """The sheets :func:`write_workbook` writes for this result, in order."""
    if not result.is_optimal:
        return [SUMMARY]
    return [SUMMARY, ALLOCATION, *(matrix_sheet_name(y) for y in result.years), BY_SCHEME,
            BY_AREA, FLOWS, STREAMS, BY_PRIORITY, CHANGE, COMMITTED, PLACEHOLDERS,
            *((FRONTIER, LIMITS) if explained else ())]


# -- names ---------------------------------------------------------------------------------
class _Names:
    def __init__(self, result: Result) -> None:
        ds = result.inputs.dataset
        self.scheme = ds.schemes["name"].to_dict()
        self.service = ds.services["name"].to_dict()
        self.provider = ds.services["provider"].to_dict()
        self.area = {**ds.areas["name"].to_dict(), "force": FORCE_WIDE}
        self.stream = ds.streams["name"].to_dict()
        self.priority = ds.priorities["name"].to_dict()


def _year_cols(years: Iterable[int], suffix: str = " (£)") -> list[Col]:
    return [Col(f"{fy(int(y))}{suffix}", "money") for y in years]


# -- the sheets ----------------------------------------------------------------------------
def _summary_rows(result: Result, marking: list[str]) -> list[tuple[str, Any, str]]:
    """(label, value, kind) rows: what the workbook is, then the key figures in whole pounds."""
    s, ds = result.inputs.scenario, result.inputs.dataset
    placeholders = len(ds.placeholder_figures())
    rows: list[tuple[str, Any, str]] = [
        ("Paper", paper_title(s.title, result.years[0], met=result.is_optimal), "text"),
        ("Marking", " · ".join(marking), "text"),
        ("Placeholder figures used", placeholders, "integer"),
        ("Scenario", s.name, "text"), ("Title", s.title, "text"),
        ("Status", result.status.status.value, "text"),
        ("Status explained", result.status.sentence, "text"),
        ("Solver", result.status.solver, "text"), ("Dataset", ds.name, "text"),
        ("Dataset content hash (SHA-256)", ds.content_hash, "text"),
        ("Plan years", ", ".join(fy(y) for y in result.years), "text")]
    if result.is_optimal:
        rows += [("Social value over the plan (£)", round(result.social_value_gbp or 0), "money"),
                 ("Priority-weighted social value (£), what the optimiser maximises",
                  round(result.objective or 0), "money"),
                 ("Total allocated, all plan years (£)", sum(result.totals().values()), "money")]
        for y, v in result.totals().items():
            rows += [(f"Allocated {fy(y)} (£)", v, "money"),
                     (f"Available {fy(y)} (£)", round(result.inputs.total_available(y)),
                      "money")]
    rows += [("Solve time (seconds)", round(result.seconds, 4), "number")]
    return rows


def _write_summary(wb: Workbook, result: Result, marking: list[str],
                   setup: PrintSetup) -> None:
    ws = write_sheet(wb, SUMMARY, [Col("Item"), Col("Value")], [])
    rows = _summary_rows(result, marking)
    for label, value, kind in rows:
        ws.append([safe_text(label), cell_value(value, kind)])
        cell = ws.cell(ws.max_row, 2)
        if isinstance(cell.value, int | float) and kind in ("money", "number"):
            cell.number_format = MONEY_FORMAT if kind == "money" else NUMBER_FORMAT
    ws["B2"].font = Font(bold=True)
    ws.column_dimensions["A"].width = min(_MAX_WIDTH + 10, max(len(r[0]) for r in rows) + 2)
    ws.column_dimensions["B"].width = _MAX_WIDTH + 20
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")
    print_setup(ws, setup)


def _write_allocation(wb: Workbook, result: Result, n: _Names, setup: PrintSetup) -> None:
    a = result.allocation()
    cols = [Col("Financial year"), Col("Scheme"), Col("Service"), Col("Provider"), Col("Area"),
            Col("Amount (£)", "money"), Col("Year", "integer"), Col("Scheme ID"),
            Col("Service ID"), Col("Area ID")]
    rows = ((fy(int(y)), n.scheme.get(k), n.service.get(s), n.provider.get(s),
             n.area.get(ar, ar), v, y, k, s, ar)
            for y, k, s, ar, v in a[["year", "scheme_id", "service_id", "area_id",
                                     "amount_gbp"]].itertuples(index=False, name=None))
    write_sheet(wb, ALLOCATION, cols, rows, autofilter=True, setup=setup)


def _write_matrix(wb: Workbook, result: Result, year: int, n: _Names,
                  setup: PrintSetup) -> None:
    m = result.matrix(year).drop(index="total", level="scheme_id")
    areas = [c for c in m.columns if c != "total"]
    cols = [Col("Scheme"), Col("Service"), *(Col(f"{n.area.get(a, a)} (£)", "money")
                                             for a in areas),
            Col("Total (£)", "money"), Col("Scheme ID"), Col("Service ID")]
    body = [[n.scheme.get(k), n.service.get(s), *(row[a] for a in areas), row["total"], k, s]
            for (k, s), row in m.iterrows()]
    write_sheet(wb, matrix_sheet_name(year), cols, body, "Total", setup=setup)


def _write_by_scheme(wb: Workbook, result: Result, n: _Names, setup: PrintSetup) -> None:
    t = result.by_scheme().drop(index="total")
    base = result.inputs.base_year
    cols = [Col("Scheme"), *(Col(f"{fy(int(y))}{' last year' if y == base else ''} (£)",
                                 "money") for y in t.columns), Col("Scheme ID")]
    body = [[n.scheme.get(k), *row, k] for k, row in t.iterrows()]
    write_sheet(wb, BY_SCHEME, cols, body, "Total", setup=setup)


def _write_by_area(wb: Workbook, result: Result, n: _Names, setup: PrintSetup) -> None:
    t = result.by_area().drop(index="total")
    cols = [Col("Area"), *_year_cols(t.columns), Col("Area ID")]
    body = [[n.area.get(a, a), *row, a] for a, row in t.iterrows()]
    write_sheet(wb, BY_AREA, cols, body, "Total", setup=setup)


def _write_flows(wb: Workbook, result: Result, n: _Names, setup: PrintSetup) -> None:
    f = result.flows().sort_values(["year", "stream_id", "service_id"], kind="stable")
    scheme_of = result.inputs.dataset.services["scheme_id"].to_dict()
    cols = [Col("Financial year"), Col("Stream"), Col("Scheme"), Col("Service"),
            Col("Amount (£)", "money"), Col("Year", "integer"), Col("Stream ID"),
            Col("Scheme ID"), Col("Service ID")]
    rows = ((fy(int(y)), n.stream.get(f_), n.scheme.get(scheme_of.get(s)), n.service.get(s), v,
             y, f_, scheme_of.get(s), s)
            for y, f_, s, v in f[["year", "stream_id", "service_id",
                                  "amount_gbp"]].itertuples(index=False, name=None))
    write_sheet(wb, FLOWS, cols, rows, autofilter=True, setup=setup)


def _write_streams(wb: Workbook, result: Result, n: _Names, setup: PrintSetup) -> None:
    t = result.by_stream()
    streams = result.inputs.dataset.streams
    ph = set(result.inputs.dataset.placeholder_figures())
    cols = [Col("Stream"), Col("Financial year"), Col("Ring-fenced"), Col("Must spend"),
            Col("Available (£)", "money"), Col("Allocated (£)", "money"),
            Col("Unspent (£)", "money"), Col("Amount is a placeholder"), Col("Year", "integer"),
            Col("Stream ID")]
    body = [[n.stream.get(f), fy(int(y)), bool(streams.at[f, "ring_fenced"]),
             bool(streams.at[f, "must_spend"]), av, al, un,
             ("stream_amounts", f"{f}/{y}", "amount_gbp") in ph, y, f]
            for f, y, av, al, un in t[["stream_id", "year", "available_gbp", "allocated_gbp",
                                       "unspent_gbp"]].itertuples(index=False, name=None)]
    write_sheet(wb, STREAMS, cols, body, autofilter=True, setup=setup)


def _write_by_priority(wb: Workbook, result: Result, n: _Names, setup: PrintSetup) -> None:
    t = result.by_priority().drop(index="total")
    cols = [Col("Priority"), *_year_cols(t.columns, " social value (£)"), Col("Priority ID")]
    body = [[n.priority.get(p), *row, p] for p, row in t.iterrows()]
    write_sheet(wb, BY_PRIORITY, cols, body, "Total", setup=setup)


def _write_change(wb: Workbook, result: Result, n: _Names, setup: PrintSetup) -> None:
    c = result.change()
    years = result.years
    money = ["last_year_gbp"]
    for y in years:
        money += [f"{y}_gbp", f"{y}_real_gbp"]
    money += ["change_gbp", "change_real_gbp"]
    base = fy(result.inputs.base_year)
    last = fy(years[-1])
    headers = {"last_year_gbp": f"{base} last year (£)",
               "change_gbp": f"Change to {last}, cash (£)",
               "change_real_gbp": f"Change to {last}, real (£, {base} prices)"}
    for y in years:
        headers[f"{y}_gbp"] = f"{fy(y)} cash (£)"
        headers[f"{y}_real_gbp"] = f"{fy(y)} real (£, {base} prices)"
    pct_cash, pct_real = f"Change to {last}, cash (%)", f"Change to {last}, real (%)"
    ds = result.inputs.dataset
    ph = set(ds.placeholder_figures())
    cols = [Col("Service"), Col("Provider"), Col("Scheme"),
            *(Col(headers[m], "money") for m in money), Col(pct_cash, "percent"),
            Col(pct_real, "percent"), Col(f"{base} amount is a placeholder"),
            Col("Evidence"), Col("Service ID"), Col("Scheme ID")]
    body = [[n.service.get(r["service_id"]), n.provider.get(r["service_id"]),
             n.scheme.get(r["scheme_id"]), *(r[m] for m in money),
             r["change_pct"], r["change_real_pct"],
             ("services", r["service_id"], "last_year_gbp") in ph,
             ds.services.at[r["service_id"], "evidence"], r["service_id"], r["scheme_id"]]
            for _, r in c.iterrows()]
    ratios = [Ratio(pct_cash, headers["change_gbp"], headers["last_year_gbp"]),
              Ratio(pct_real, headers["change_real_gbp"], headers["last_year_gbp"])]
    write_sheet(wb, CHANGE, cols, body, "Total", ratios, setup=setup)


def _write_committed(wb: Workbook, result: Result, setup: PrintSetup) -> None:
    t = result.committed()
    cols = [Col("Category"), *_year_cols(t.columns)]
    body = [[k[:1].upper() + k[1:], *row] for k, row in t.iterrows()]
    write_sheet(wb, COMMITTED, cols, body, "Total", setup=setup)


def _write_placeholders(wb: Workbook, result: Result, setup: PrintSetup) -> None:
    ph = result.inputs.dataset.placeholder_figures()
    cols = [Col("Table"), Col("Row"), Col("Column")]
    write_sheet(wb, PLACEHOLDERS, cols, [list(f) for f in ph], autofilter=True, setup=setup)


def _write_frontier(wb: Workbook, result: Result, explainer: Explainer,
                    setup: PrintSetup) -> None:
    pts = explainer.frontier(diagnose_infeasible=False).points
    y = fy(result.years[0])
    cols = [Col("Budget (share of this scenario's)", "percent"), Col(f"Total {y} (£)", "money"),
            Col("Status"), Col("Social value over the plan (£)", "money")]
    body = [[100 * r["factor"], int(r["total_gbp"]), r["status"],
             round(r["social_value_gbp"]) if r["status"] == "optimal" else None]
            for _, r in pts.iterrows()]
    write_sheet(wb, FRONTIER, cols, body, setup=setup)


def _write_limits(wb: Workbook, explainer: Explainer, setup: PrintSetup) -> None:
    cols = [Col("Limit"), Col("Applies to"), Col("Financial year"), Col("Limit (£)", "money"),
            Col("Releasing £100k adds (£)", "money"), Col("In words")]
    body = [[str(v.limit.family), v.limit.subject, fy(v.limit.year), round(v.limit.amount_gbp),
             round(v.what_if.value_change_gbp), v.sentence]
            for v in explainer.limit_values()]
    write_sheet(wb, LIMITS, cols, body, autofilter=True, setup=setup)


# -- entry point ---------------------------------------------------------------------------
def build_workbook(result: Result, marking: list[str] | None = None,
                   explainer: Explainer | None = None) -> Workbook:
    """The workbook in memory (see :func:`write_workbook`)."""
    s = result.inputs.scenario
    if marking is None:  # not known to be committed: a draft, and illustrative if need be
        marking = status_words(draft=True,
                               placeholders=len(result.inputs.dataset.placeholder_figures()))
    title = paper_title(s.title, result.years[0], met=result.is_optimal)
    setup = PrintSetup(title, "OFFICIAL — " + " — ".join(marking))
    wb = Workbook()
    wb.remove(wb.active)
    _write_summary(wb, result, marking, setup)
    if result.is_optimal:
        names = _Names(result)
        _write_allocation(wb, result, names, setup)
        for y in result.years:
            _write_matrix(wb, result, y, names, setup)
        _write_by_scheme(wb, result, names, setup)
        _write_by_area(wb, result, names, setup)
        _write_flows(wb, result, names, setup)
        _write_streams(wb, result, names, setup)
        _write_by_priority(wb, result, names, setup)
        _write_change(wb, result, names, setup)
        _write_committed(wb, result, setup)
        _write_placeholders(wb, result, setup)
        if explainer is not None:
            _write_frontier(wb, result, explainer, setup)
            _write_limits(wb, explainer, setup)
    wb.properties.title = safe_text(title)
    wb.properties.creator = "budgetopt"
    wb.calculation.fullCalcOnLoad = True  # the totals are formulas: compute them on opening
    return wb


def workbook_bytes(result: Result, marking: list[str] | None = None,
                   explainer: Explainer | None = None) -> bytes:
    buffer = io.BytesIO()
    build_workbook(result, marking, explainer).save(buffer)
    return buffer.getvalue()


def write_workbook(result: Result, path: Path, marking: list[str] | None = None,
                   explainer: Explainer | None = None) -> Path:
    """Write the result workbook to ``path`` atomically; return the path.

    An optimal result gets every sheet (:func:`sheet_names`); any other result only the
    "Summary" sheet, with the status and the sentence that explains it. ``marking`` is the
    run's status words (the manifest's); ``explainer`` adds the "Frontier" and "Limits" sheets.
    """
    return write_bytes(path, workbook_bytes(result, marking, explainer))
