"""Writing one table to one worksheet the way a finance officer expects it.

Names first and ids last (the callers' column order); money as whole pounds in ``£#,##0``,
percentages as fractions in ``0.0%``; the total row after a blank row, outside the data (a
filter or a sort never mixes it in), its money cells ``=SUM(...)`` formulas over the column that
Excel and LibreOffice recompute; the header row bold, frozen and repeated on every printed page;
A4 landscape fitted to the page width, with the workbook's title and marking in the page header
and footer. Every text cell that a spreadsheet could read as a formula (it starts with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with a single quote — the OWASP
rule against formula injection — so the only formulas in a workbook are its own totals.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

MONEY_FORMAT = "£#,##0"
PERCENT_FORMAT = "0.0%"
NUMBER_FORMAT = "#,##0.####"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_FORMATS = {"money": MONEY_FORMAT, "percent": PERCENT_FORMAT, "number": NUMBER_FORMAT,
            "integer": "0"}

_BOLD = Font(bold=True)
_MIN_WIDTH, _MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Col:
    header: str
    kind: str = "text"  # text | money | percent | number | integer


@dataclass(frozen=True)
class Ratio:
    """A total cell that is one total over another (a percentage change), as a formula; the
    columns named by their headers."""

    target: str
    numerator: str
    denominator: str


@dataclass(frozen=True)
class PrintSetup:
    """What every printed page of a workbook carries: its title and its marking."""

    title: str
    marking: str


def safe_text(value: str) -> str:
    """Text as a spreadsheet will show it, never as a formula.

    Characters that cannot be stored in a workbook (control characters) are dropped; text that
    starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell_value(value: Any, kind: str) -> Any:
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
        return v / 100 if kind == "percent" else v
    return safe_text(str(value))


def write_sheet(wb: Workbook, title: str, cols: Sequence[Col], rows: Iterable[Sequence[Any]],
                total: str | None = None, ratios: Sequence[Ratio] = (), *,
                autofilter: bool = False, setup: PrintSetup | None = None) -> Worksheet:
    """A sheet of ``rows`` under a header of ``cols``. With ``total`` (its label, in the first
    column), a total row follows one blank row: every money column summed by formula, and each
    :class:`Ratio` as the ratio of two of those totals."""
    ws = wb.create_sheet(title)
    ws.append([safe_text(c.header) for c in cols])
    for cell in ws[1]:
        cell.font = _BOLD
        cell.alignment = Alignment(wrap_text=False, vertical="center")
    body = [list(r) for r in rows]
    for line in body:
        ws.append([cell_value(v, c.kind) for v, c in zip(line, cols, strict=True)])
    last = ws.max_row
    if total is not None:
        ws.append([])
        ws.append([safe_text(total)])
        t = ws.max_row
        letter = {c.header: get_column_letter(j) for j, c in enumerate(cols, start=1)}
        for j, col in enumerate(cols, start=1):
            if col.kind == "money" and j > 1:
                ws.cell(t, j, f"=SUM({letter[col.header]}2:{letter[col.header]}{last})")
        for r in ratios:
            num, den = f"{letter[r.numerator]}{t}", f"{letter[r.denominator]}{t}"
            ws[f"{letter[r.target]}{t}"] = f'=IF({den}=0,"",{num}/{den})'
        for cell in ws[t]:
            cell.font = _BOLD
    for j, col in enumerate(cols, start=1):
        fmt = _FORMATS.get(col.kind)
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                if isinstance(cell.value, int | float) or str(cell.value).startswith("="):
                    cell.number_format = fmt
    ws.freeze_panes = "A2"
    if autofilter and body:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{last}"
    _fit_widths(ws, cols)
    if setup is not None:
        print_setup(ws, setup)
    return ws


def print_setup(ws: Worksheet, setup: PrintSetup) -> None:
    """A4 landscape, one page wide, the header row on every page, title and marking."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.center.text = safe_text(f"{setup.title} — {ws.title}")
    ws.oddHeader.right.text = safe_text(setup.marking)
    ws.oddFooter.left.text = safe_text(setup.marking)
    ws.oddFooter.right.text = "Page &P of &N"


def _shown_width(value: Any, kind: str) -> int:
    if value is None or (isinstance(value, str) and value.startswith("=")):
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
