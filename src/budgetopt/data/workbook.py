"""A dataset as one Excel workbook, both ways: read wherever a dataset folder is accepted, and
written from (or back to) a folder of CSV files without loss.

The workbook holds one sheet per table, named like the table (``services``, ``curves``, …) with
the CSV's header in row 1, and a ``manifest`` sheet holding ``dataset.yaml`` line by line in
column A (base year, plan years, sources, placeholders — as in a folder). Reading goes through
the folder's own checks: the sheets are written as a folder's files in a temporary directory,
checked by :func:`budgetopt.data.dataset.load_folder`, and every problem is put back where it is
in the workbook — sheet, the row number Excel shows and the column's letter and header
("services, row 7 (E: min_gbp)"). A sheet's row *n* is the CSV's line *n*, so nothing else
changes. Formulas are read as the values Excel (or LibreOffice) last calculated; a workbook
saved with formulas never calculated is refused, cell by cell. The dataset's content hash is the
workbook's own bytes, so a paper's manifest covers it.

Read with openpyxl in read-only mode. Measured on the default dataset's workbook (median of 7,
2026-12-01): openpyxl 30 ms a pass, two passes (values, then formulas) 83 ms; python-calamine
2.6 ms. Calamine is ten times quicker but gives no formulas, so it cannot tell a formula never
calculated from an empty cell; the whole check of the workbook takes about 0.6 s, so reading is
not what a user waits for, and openpyxl is already a dependency.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from budgetopt.core import files
from budgetopt.core.errors import InputError, Problem, ProblemLog
from budgetopt.data.manifest import MANIFEST
from budgetopt.data.schemas import TABLES, Kind

MANIFEST_SHEET = "manifest"
SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


def cell_text(value: Any) -> str:
    """A cell as the CSV would hold it: whole numbers without '.0', booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def _sheets(path: Path, log: ProblemLog) -> dict[str, list[list[Any]]]:
    """Every sheet's rows (cached values of formulas); a formula never calculated is a
    problem of its own."""
    file = str(path)
    try:
        values = load_workbook(path, read_only=True, data_only=True)
        formulas = load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # noqa: BLE001 - not a workbook openpyxl can read
        log.add(file, f"cannot read the workbook ({type(e).__name__}: {e}); save it as an "
                "Excel workbook (.xlsx)")
        return {}
    out: dict[str, list[list[Any]]] = {}
    for ws in values.worksheets:
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        raw = [list(r) for r in formulas[ws.title].iter_rows(values_only=True)]
        header = [cell_text(h).strip() for h in rows[0]] if rows else []
        for i, (got, given) in enumerate(zip(rows, raw, strict=False), start=1):
            for j, (v, f) in enumerate(zip(got, given, strict=False)):
                if v is None and isinstance(f, str) and f.startswith("="):
                    name = header[j] if j < len(header) else ""
                    log.problems.append(Problem(
                        file, "a formula that was never calculated: open the workbook in Excel "
                        "or LibreOffice and save it, so its values are stored", row=i,
                        column=f"{get_column_letter(j + 1)}: {name}", value=f,
                        sheet=ws.title))
        out[ws.title] = rows
    values.close()
    formulas.close()
    return out


def workbook_to_folder(path: Path, folder: Path, log: ProblemLog) -> dict[str, list[str]]:
    """Write the workbook's manifest and tables as a dataset folder; return each written
    file's header (by file name) for putting problems back in their sheets."""
    sheets = _sheets(path, log)
    if not sheets:
        return {}
    if MANIFEST_SHEET not in sheets:
        log.add(str(path), f"the workbook has no '{MANIFEST_SHEET}' sheet (dataset.yaml line by "
                f"line in column A); its sheets: {', '.join(sheets)}")
        return {}
    lines = [cell_text(r[0]) if r else "" for r in sheets[MANIFEST_SHEET]]
    files.write_text(folder / MANIFEST, "\n".join(lines) + "\n")
    headers: dict[str, list[str]] = {MANIFEST: ["text"]}
    import yaml

    try:
        listed = (yaml.safe_load("\n".join(lines)) or {}).get("tables", {}) or {}
    except (yaml.YAMLError, AttributeError):
        listed = {}  # the folder's manifest check says what is wrong, with its line
    for name in TABLES:
        target = listed.get(name) if isinstance(listed, dict) else None
        if not isinstance(target, str) or name not in sheets:
            continue  # a missing sheet: the folder check names the missing table
        rows = sheets[name]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        for r in rows:
            w.writerow([cell_text(v) for v in r])
        files.write_text(folder / target, buf.getvalue())
        headers[target] = [cell_text(h).strip() for h in rows[0]] if rows else []
    return headers


def relocate(p: Problem, folder: Path, book: Path, headers: dict[str, list[str]],
             listed: dict[str, str]) -> Problem:
    """A problem found in the temporary folder, put back in the workbook."""
    try:
        rel = Path(p.file).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return p
    by_file = {v: k for k, v in listed.items()}
    sheet = MANIFEST_SHEET if rel == MANIFEST else by_file.get(rel, rel)
    column = p.column
    header = headers.get(rel, [])
    if column is not None and column in header:
        column = f"{get_column_letter(header.index(column) + 1)}: {column}"
    return Problem(str(book), p.rule, p.row, column, p.value, p.key, sheet)


def load_workbook_dataset(path: Path, load_folder: Any) -> Any:
    """The dataset in a workbook, checked as a folder is (``load_folder`` is that check)."""
    log = ProblemLog()
    what = f"Dataset '{path}'"
    if not path.is_file():
        log.add(str(path), "workbook does not exist")
        log.raise_if_any(what)
    with tempfile.TemporaryDirectory(prefix="budgetopt-workbook-") as tmp:
        folder = Path(tmp)
        headers = workbook_to_folder(path, folder, log)
        log.raise_if_any(what)
        import yaml

        listed = (yaml.safe_load((folder / MANIFEST).read_text()) or {}).get("tables", {})
        try:
            ds = load_folder(folder)
        except InputError as e:
            raise InputError([relocate(p, folder, path, headers, listed or {})
                              for p in e.problems], what) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return type(ds)(path, ds.manifest, ds.tables, digest)


# -- writing ---------------------------------------------------------------------------------
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
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    for name, spec in TABLES.items():
        rel = listed.get(name)
        if not rel:
            continue
        ws = wb.create_sheet(name)
        kinds = {c.name: c.kind for c in spec.columns}
        with (folder / rel).open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.reader(f))
        header = [h.strip() for h in rows[0]]
        ws.append(header)
        for r in rows[1:]:
            ws.append([_typed(v, kinds.get(h, Kind.TEXT)) for h, v in zip(header, r,
                                                                           strict=False)])
        for cell in ws[1]:
            cell.font = bold
        ws.freeze_panes = "A2"
        for j, h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(j)].width = max(10, min(40, len(h) + 2))
    ws = wb.create_sheet(MANIFEST_SHEET)
    for line in text.splitlines():
        ws.append([line])
    ws.column_dimensions["A"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    return files.write_bytes(out, buf.getvalue())


def export_dataset(source: Path, to: Path, load_folder: Any) -> list[Path]:
    """A checked dataset written the other way: a folder as one workbook (``to`` ends in
    .xlsx), or a workbook as a folder of CSV files. Nothing is written when the source is not
    valid (InputError, naming where)."""
    if is_workbook(source):
        load_workbook_dataset(source, load_folder)
        if is_workbook(to):
            raise InputError([Problem(str(to), "export a workbook to a folder (a path not "
                                      "ending in .xlsx)")], "Export")
        log = ProblemLog()
        headers = workbook_to_folder(source, to, log)
        log.raise_if_any(f"Dataset '{source}'")
        return sorted(to / name for name in headers)
    load_folder(source)
    if not is_workbook(to):
        raise InputError([Problem(str(to), "export a folder to a workbook: give a path ending "
                                  "in .xlsx")], "Export")
    return [folder_to_workbook(source, to)]
