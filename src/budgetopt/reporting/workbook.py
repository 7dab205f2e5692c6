"""The result workbook: one sheet per table, for teams that live in spreadsheets.

:func:`write_workbook` writes a :class:`~budgetopt.results.result.Result` to an ``.xlsx`` file: a
"Summary" sheet of key facts, then — only when the result is optimal — "Allocation" (long form),
one "Matrix <fy>" per plan year (service × area; the sheet name spells 2025/26 as ``2025-26``
because Excel forbids ``/`` in sheet names), "By scheme", "By area", "Flows", "Streams",
"By priority", "Change" and "Committed".

Every figure is the Result's own whole-pound figure: nothing is re-rounded, so each total row
equals the sum of the cells above it. Money cells carry the number format ``£#,##0`` and
percentages ``0.0%`` (stored as fractions); numbers stay numbers. Every text cell that a
spreadsheet could read as a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return) is prefixed with a single quote, the OWASP rule against formula injection, so a
service called ``=HYPERLINK(...)`` is shown as text. The file is written atomically.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from budgetopt.core.files import write_bytes
from budgetopt.core.text import fy
from budgetopt.results.result import Result

MONEY_FORMAT = "£#,##0"
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "#,##0.####"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

SUMMARY = "Summary"
ALLOCATION = "Allocation"
BY_SCHEME = "By scheme"
BY_AREA = "By area"
FLOWS = "Flows"
STREAMS = "Streams"
BY_PRIORITY = "By priority"
CHANGE = "Change"
COMMITTED = "Committed"
FORCE_WIDE = "Force-wide"

_HEADER_FONT = Font(bold=True)
_TOTAL_FONT = Font(bold=True)
_MIN_WIDTH, _MAX_WIDTH = 8, 60


def matrix_sheet_name(year: int) -> str:
    """``Matrix 2025-26`` for the plan year 2025/26 (Excel sheet names cannot hold ``/``)."""
    return f"Matrix {fy(year).replace('/', '-')}"


def sheet_names(result: Result) -> list[str]:
    """The sheets :func:`write_workbook` writes for this result, in order."""
    if not result.is_optimal:
        return [SUMMARY]
    return [SUMMARY, ALLOCATION, *(matrix_sheet_name(y) for y in result.years), BY_SCHEME,
            BY_AREA, FLOWS, STREAMS, BY_PRIORITY, CHANGE, COMMITTED]


def safe_text(value: str) -> str:
    """Text as a spreadsheet will show it, never as a formula.

    Characters that cannot be stored in a workbook (control characters) are dropped; text that
    starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


# -- cells and sheets ----------------------------------------------------------------------
@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"  # text | money | percent | number | integer


def _cell_value(value: Any, kind: str) -> Any:
    """A value openpyxl stores as it is: Python int/float/str/None, text neutralised."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real):
        v = float(value)
        if not math.isfinite(v):
            return None
        if kind == "percent":
            return v / 100
        return v
    return safe_text(str(value))


def _write_sheet(wb: Workbook, title: str, cols: Sequence[Col], rows: Iterable[Sequence[Any]],
                 total: Sequence[Any] | None = None, *, autofilter: bool = False) -> Worksheet:
    ws = wb.create_sheet(title)
    ws.append([safe_text(c.header) for c in cols])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.alignment = Alignment(wrap_text=False, vertical="center")
    body = [list(r) for r in rows]
    lines = [*body, list(total)] if total is not None else body
    for line in lines:
        ws.append([_cell_value(v, c.kind) for v, c in zip(line, cols, strict=True)])
    for j, col in enumerate(cols, start=1):
        fmt = {"money": MONEY_FORMAT, "percent": PERCENT_FORMAT, "number": NUMBER_FORMAT,
               "integer": "0"}.get(col.kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, int | float):
                    cell.number_format = fmt
    if total is not None:
        for cell in ws[ws.max_row]:
            cell.font = _TOTAL_FONT
    ws.freeze_panes = "A2"
    if autofilter and body:
        ws.auto_filter.ref = ws.dimensions
    _fit_widths(ws, cols)
    return ws


def _shown_width(value: Any, kind: str) -> int:
    if value is None:
        return 0
    if kind == "money" and isinstance(value, int | float):
        return len(f"£{value:,.0f}")
    if kind == "percent" and isinstance(value, int | float):
        return len(f"{value:.1%}")
    if isinstance(value, float):
        return len(f"{value:,.4f}".rstrip("0").rstrip("."))
    return max((len(part) for part in str(value).splitlines()), default=0)


def _fit_widths(ws: Worksheet, cols: Sequence[Col]) -> None:
    for j, col in enumerate(cols, start=1):
        widest = max((_shown_width(cell.value, col.kind if cell.row > 1 else "text")
                      for (cell,) in ws.iter_rows(min_col=j, max_col=j)), default=0)
        ws.column_dimensions[get_column_letter(j)].width = min(
            _MAX_WIDTH, max(_MIN_WIDTH, widest + 2))


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
_SUMMARY_LABELS = {
    "scenario": "Scenario",
    "title": "Title",
    "status": "Status",
    "status_sentence": "Status explained",
    "solver": "Solver",
    "dataset": "Dataset",
    "dataset_hash": "Dataset content hash (SHA-256)",
    "plan_years": "Plan years",
    "objective": "Priority-weighted social value (£)",
    "social_value_gbp": "Social value (£)",
    "total_allocated_gbp": "Total allocated, all plan years (£)",
    "solve_seconds": "Solve time (seconds)",
    "warm_start": "Warm start",
}


def _summary_rows(result: Result) -> list[tuple[str, Any, str]]:
    """(label, value, kind) rows of the summary's key facts."""
    rows: list[tuple[str, Any, str]] = []
    summary = result.summary()
    for key, value in summary.items():
        if key == "per_year":
            for year, facts in (value or {}).items():
                for k, v in facts.items():
                    what = k.removesuffix("_gbp").replace("_", " ").capitalize()
                    rows.append((f"{what} {year} (£)", v, "money"))
            continue
        label = _SUMMARY_LABELS.get(key, key.replace("_", " ").capitalize())
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items())
        kind = "money" if key.endswith("_gbp") or key == "objective" else (
            "number" if isinstance(value, float) else "text")
        rows.append((label, value, kind))
    return rows


def _write_summary(wb: Workbook, result: Result) -> None:
    rows = _summary_rows(result)
    if not result.is_optimal:
        # only the facts that hold without an allocation
        rows = [r for r in rows if r[1] is not None and r[2] != "money"]
    ws = _write_sheet(wb, SUMMARY, [Col("Item"), Col("Value")], [])
    for label, value, kind in rows:
        ws.append([safe_text(label), _cell_value(value, kind)])
        cell = ws.cell(ws.max_row, 2)
        if kind == "money" and isinstance(cell.value, int | float):
            cell.number_format = MONEY_FORMAT
        elif kind == "number" and isinstance(cell.value, int | float):
            cell.number_format = NUMBER_FORMAT
    ws.column_dimensions["A"].width = min(_MAX_WIDTH, max(len(r[0]) for r in rows) + 2)
    ws.column_dimensions["B"].width = _MAX_WIDTH + 20
    for (cell,) in ws.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.alignment = Alignment(horizontal="left", wrap_text=True, vertical="top")


def _write_allocation(wb: Workbook, result: Result, n: _Names) -> None:
    a = result.allocation()
    cols = [Col("Year", "integer"), Col("Financial year"), Col("Scheme ID"), Col("Scheme"),
            Col("Service ID"), Col("Service"), Col("Provider"), Col("Area ID"), Col("Area"),
            Col("Amount (£)", "money")]
    rows = ((y, fy(int(y)), k, n.scheme.get(k), s, n.service.get(s), n.provider.get(s), ar,
             n.area.get(ar, ar), v)
            for y, k, s, ar, v in a[["year", "scheme_id", "service_id", "area_id",
                                     "amount_gbp"]].itertuples(index=False, name=None))
    _write_sheet(wb, ALLOCATION, cols, rows, autofilter=True)


def _write_matrix(wb: Workbook, result: Result, year: int, n: _Names) -> None:
    m = result.matrix(year)
    areas = [c for c in m.columns if c != "total"]
    cols = [Col("Scheme ID"), Col("Scheme"), Col("Service ID"), Col("Service"),
            *(Col(f"{n.area.get(a, a)} (£)", "money") for a in areas), Col("Total (£)", "money")]
    body, total = [], None
    for (k, s), row in m.iterrows():
        values = [row[a] for a in areas] + [row["total"]]
        if k == "total":
            total = ["total", "Total", "", "", *values]
        else:
            body.append([k, n.scheme.get(k), s, n.service.get(s), *values])
    _write_sheet(wb, matrix_sheet_name(year), cols, body, total)


def _write_by_scheme(wb: Workbook, result: Result, n: _Names) -> None:
    t = result.by_scheme()
    base = result.inputs.base_year
    cols = [Col("Scheme ID"), Col("Scheme"),
            *(Col(f"{fy(int(y))}{' last year' if y == base else ''} (£)", "money")
              for y in t.columns)]
    body = [[k, n.scheme.get(k), *row] for k, row in t.drop(index="total").iterrows()]
    _write_sheet(wb, BY_SCHEME, cols, body, ["total", "Total", *t.loc["total"]])


def _write_by_area(wb: Workbook, result: Result, n: _Names) -> None:
    t = result.by_area()
    cols = [Col("Area ID"), Col("Area"), *_year_cols(t.columns)]
    body = [[a, n.area.get(a, a), *row] for a, row in t.drop(index="total").iterrows()]
    _write_sheet(wb, BY_AREA, cols, body, ["total", "Total", *t.loc["total"]])


def _write_flows(wb: Workbook, result: Result, n: _Names) -> None:
    f = result.flows().sort_values(["year", "stream_id", "service_id"], kind="stable")
    scheme_of = result.inputs.dataset.services["scheme_id"].to_dict()
    cols = [Col("Year", "integer"), Col("Financial year"), Col("Stream ID"), Col("Stream"),
            Col("Scheme ID"), Col("Scheme"), Col("Service ID"), Col("Service"),
            Col("Amount (£)", "money")]
    rows = ((y, fy(int(y)), f_, n.stream.get(f_), scheme_of.get(s), n.scheme.get(scheme_of.get(s)),
             s, n.service.get(s), v)
            for y, f_, s, v in f[["year", "stream_id", "service_id",
                                  "amount_gbp"]].itertuples(index=False, name=None))
    _write_sheet(wb, FLOWS, cols, rows, autofilter=True)


def _write_streams(wb: Workbook, result: Result, n: _Names) -> None:
    t = result.by_stream()
    streams = result.inputs.dataset.streams
    cols = [Col("Stream ID"), Col("Stream"), Col("Ring-fenced"), Col("Must spend"),
            Col("Year", "integer"), Col("Financial year"), Col("Available (£)", "money"),
            Col("Allocated (£)", "money"), Col("Unspent (£)", "money")]
    body = [[f, n.stream.get(f), bool(streams.at[f, "ring_fenced"]),
             bool(streams.at[f, "must_spend"]), y, fy(int(y)), av, al, un]
            for f, y, av, al, un in t[["stream_id", "year", "available_gbp", "allocated_gbp",
                                       "unspent_gbp"]].itertuples(index=False, name=None)]
    _write_sheet(wb, STREAMS, cols, body, autofilter=True)


def _write_by_priority(wb: Workbook, result: Result, n: _Names) -> None:
    t = result.by_priority()
    cols = [Col("Priority ID"), Col("Priority"),
            *_year_cols(t.columns, " social value (£)")]
    body = [[p, n.priority.get(p), *row] for p, row in t.drop(index="total").iterrows()]
    _write_sheet(wb, BY_PRIORITY, cols, body, ["total", "Total", *t.loc["total"]])


def _write_change(wb: Workbook, result: Result, n: _Names) -> None:
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
    cols = [Col("Service ID"), Col("Service"), Col("Provider"), Col("Scheme ID"), Col("Scheme"),
            *(Col(headers[m], "money") for m in money),
            Col(f"Change to {last}, cash (%)", "percent"),
            Col(f"Change to {last}, real (%)", "percent")]
    body = [[r["service_id"], n.service.get(r["service_id"]), n.provider.get(r["service_id"]),
             r["scheme_id"], n.scheme.get(r["scheme_id"]), *(r[m] for m in money),
             r["change_pct"], r["change_real_pct"]]
            for _, r in c.iterrows()]
    sums = {m: int(c[m].sum()) for m in money}
    last_total = sums["last_year_gbp"]
    pct = [100 * sums[m] / last_total if last_total else None
           for m in ("change_gbp", "change_real_gbp")]
    total = ["total", "Total", "", "", "", *(sums[m] for m in money), *pct]
    _write_sheet(wb, CHANGE, cols, body, total)


def _write_committed(wb: Workbook, result: Result) -> None:
    t = result.committed()
    cols = [Col("Category"), *_year_cols(t.columns)]
    body = [[k[:1].upper() + k[1:], *row] for k, row in t.iterrows()]
    total = ["Total", *(int(t[y].sum()) for y in t.columns)]
    _write_sheet(wb, COMMITTED, cols, body, total)


# -- entry point ---------------------------------------------------------------------------
def build_workbook(result: Result) -> Workbook:
    """The workbook in memory (see :func:`write_workbook`)."""
    wb = Workbook()
    wb.remove(wb.active)
    _write_summary(wb, result)
    if result.is_optimal:
        names = _Names(result)
        _write_allocation(wb, result, names)
        for y in result.years:
            _write_matrix(wb, result, y, names)
        _write_by_scheme(wb, result, names)
        _write_by_area(wb, result, names)
        _write_flows(wb, result, names)
        _write_streams(wb, result, names)
        _write_by_priority(wb, result, names)
        _write_change(wb, result, names)
        _write_committed(wb, result)
    s = result.inputs.scenario
    wb.properties.title = safe_text(f"{s.title} ({s.name})")
    wb.properties.creator = "budgetopt"
    return wb


def workbook_bytes(result: Result) -> bytes:
    buffer = io.BytesIO()
    build_workbook(result).save(buffer)
    return buffer.getvalue()


def write_workbook(result: Result, path: Path) -> Path:
    """Write the result workbook to ``path`` atomically; return the path.

    An optimal result gets every sheet (:func:`sheet_names`); any other result only the
    "Summary" sheet, with the status and the sentence that explains it.
    """
    return write_bytes(path, workbook_bytes(result))
