"""Writing a dataset as one Excel workbook, and exporting a checked dataset the other way (a
folder as a workbook, a workbook as a folder of CSV files) — the inverse of
:mod:`budgetopt.data.workbook`, lossless: a round trip gives identical tables.

A workbook the project writes opens with its guide ("How to fill this in",
:mod:`budgetopt.data.guide`), then the manifest sheet, then one sheet per table with Excel's data
validation where it helps the person typing (lists of ids from the sheets referred to,
true/false, a column's choices, whole pounds, years).
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from budgetopt.core import files
from budgetopt.core.errors import InputError, Problem, ProblemLog
from budgetopt.data.guide import GUIDE_SHEET, guide_rows, rule_text
from budgetopt.data.manifest import MANIFEST
from budgetopt.data.schemas import MONEY_MAX, TABLES, Kind, Table
from budgetopt.data.workbook import (
    MANIFEST_SHEET,
    cell_text,
    is_workbook,
    load_workbook_dataset,
    workbook_to_folder,
)


def _typed(text: str, kind: Kind) -> Any:
    """A CSV cell as a workbook cell: numbers as numbers, booleans as TRUE/FALSE, so a
    spreadsheet shows them as such; anything that does not parse stays text."""
    t = text.strip()
    if t == "":
        return None
    if kind in (Kind.MONEY, Kind.NUMBER, Kind.YEAR):
        try:
            v = float(t)
        except ValueError:
            return text
        if not math.isfinite(v):
            return text  # a workbook cannot hold inf or nan as a number
        number: Any = int(v) if v.is_integer() and abs(v) < 2**53 else v
        # a number only when it reads back as the same text ("1e30", "nan", "1,000" stay text,
        # so the workbook's checks give the very message the folder's do)
        return number if cell_text(number) == t else text
    if kind is Kind.BOOL and t.lower() in ("true", "false"):
        return t.lower() == "true"
    return text


def folder_to_workbook(folder: Path, out: Path) -> Path:
    """Write a dataset folder (checked first by the caller) as one workbook."""
    import yaml

    text = (folder / MANIFEST).read_text(encoding="utf-8")
    listed = (yaml.safe_load(text) or {}).get("tables", {})
    tables: dict[str, list[list[str]]] = {}
    for name in TABLES:
        if listed.get(name):
            with (folder / listed[name]).open(encoding="utf-8-sig", newline="") as f:
                tables[name] = list(csv.reader(f))
    return write_book(tables, text, out)


def write_book(tables: dict[str, list[list[str]]], manifest: str, out: Path) -> Path:
    """A dataset's workbook: the guide ("How to fill this in"), the manifest sheet, then one
    sheet per table (CSV rows, header first) with numbers typed as numbers and Excel's data
    validation where it helps — lists of the ids in the sheets referred to, true/false, the
    choices of a column, whole-pound amounts and years."""
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    guide = wb.create_sheet(GUIDE_SHEET)
    for row in guide_rows():
        guide.append(row)
    for j, width in enumerate((20, 22, 9, 60, 50, 30), start=1):
        guide.column_dimensions[get_column_letter(j)].width = width
    ws = wb.create_sheet(MANIFEST_SHEET)
    for line in manifest.splitlines():
        ws.append([line])
    ws.column_dimensions["A"].width = 100
    headers = {name: [h.strip() for h in rows[0]] for name, rows in tables.items()}
    for name, rows in tables.items():
        ws = wb.create_sheet(name)
        kinds = {c.name: c.kind for c in TABLES[name].columns}
        header = headers[name]
        ws.append(header)
        for r in rows[1:]:
            ws.append([_typed(v, kinds.get(h, Kind.TEXT))
                       for h, v in zip(header, r, strict=False)])
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # text that starts with "=" stays text
                    cell.data_type = "s"
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for j, h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(h) + 2))
        _validate(ws, TABLES[name], header, headers, last=max(len(rows) + 500, 1000))
    buf = io.BytesIO()
    wb.save(buf)
    return files.write_bytes(out, buf.getvalue())


def _validate(ws: Any, table: Table, header: list[str], headers: dict[str, list[str]],
              last: int) -> None:
    """Excel's data validation on a table sheet's columns, rows 2 to ``last``: it guides the
    person typing; ``budgetopt validate`` remains the check."""
    for j, name in enumerate(header, start=1):
        if name not in table.column_names:
            continue
        col = table.column(name)
        kwargs: dict[str, Any] = {}
        if col.choices or col.kind is Kind.BOOL:
            kwargs = {"type": "list", "formula1": '"' + ",".join(
                col.choices or ("TRUE", "FALSE")) + '"'}
        elif col.ref and col.ref.split(".")[0] in headers:
            sheet, column = col.ref.split(".")
            if column in headers[sheet]:
                letter = get_column_letter(headers[sheet].index(column) + 1)
                kwargs = {"type": "list", "formula1": f"'{sheet}'!${letter}$2:${letter}${last}",
                          "errorStyle": "warning"}
        elif col.kind is Kind.MONEY:
            kwargs = {"type": "whole", "operator": "between", "formula1": "0",
                      "formula2": f"{int(col.upper or MONEY_MAX)}", "errorStyle": "warning"}
        elif col.kind is Kind.NUMBER and col.upper is not None:
            low = col.gt if col.gt is not None else (col.ge if col.ge is not None else -1e9)
            kwargs = {"type": "decimal", "operator": "between", "formula1": f"{low:g}",
                      "formula2": f"{col.upper:g}", "errorStyle": "warning"}
        elif col.kind is Kind.YEAR:
            kwargs = {"type": "whole", "operator": "between", "formula1": "2000",
                      "formula2": "2100"}
        if not kwargs:
            continue
        dv = DataValidation(allow_blank=not col.required, showErrorMessage=True,
                            error=f"{name}: {rule_text(col)}", errorTitle=name,
                            prompt=col.doc[:255], showInputMessage=True, **kwargs)
        letter = get_column_letter(j)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def export_dataset(source: Path, to: Path, load_folder: Any) -> list[Path]:
    """A checked dataset written the other way: a folder as one workbook (``to`` ends in
    .xlsx), or a workbook as a folder of CSV files. Nothing is written when the source is not
    valid (InputError, naming where), and nothing that exists is replaced."""
    if to.exists():
        raise InputError([Problem(str(to), "already exists: export to a new path (nothing was "
                                  "written)")], "Export")
    if is_workbook(source):
        load_workbook_dataset(source, load_folder)
        if is_workbook(to):
            raise InputError([Problem(str(to), "export a workbook to a folder (a path not "
                                      "ending in .xlsx)")], "Export")
        log = ProblemLog()
        maps = workbook_to_folder(source, to, log)
        log.raise_if_any(f"Dataset '{source}'")
        return sorted(to / name for name in maps)
    load_folder(source)
    if to.suffix.lower() != ".xlsx":
        raise InputError([Problem(str(to), "export a folder to a workbook: give a path ending "
                                  "in .xlsx")], "Export")
    return [folder_to_workbook(source, to)]
