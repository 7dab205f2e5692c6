"""Reading a dataset kept as one Excel workbook, wherever a dataset folder is accepted (written by
:mod:`budgetopt.data.workbook_writer`, or by a team in Excel or LibreOffice).

The workbook holds one sheet per table, named like the table (``services``, ``curves``, …) with
the CSV's header in row 1, and a ``manifest`` sheet holding ``dataset.yaml`` line by line in
column A (base year, plan years, sources, placeholders — as in a folder). Reading goes through
the folder's own checks: the sheets are written as a folder's files in a temporary directory,
checked by :func:`budgetopt.data.dataset.load_folder`, and every problem is put back where it is
in the workbook — sheet, the row number Excel shows and the column's letter and header
("services, row 7 (E: min_gbp)"). Formulas are read as the values Excel (or LibreOffice) last
calculated; a workbook saved with formulas never calculated is refused, cell by cell. The
dataset's content hash is the workbook's own bytes, so a paper's manifest covers it.

Values are read with python-calamine (a maintained binding of the Rust calamine reader), only
from the sheets a dataset uses; a formula never calculated — which a value reader sees as an
empty cell — is found in the sheet's XML. Measured on the default dataset's workbook
(benchmarks/dataset.py, 2026-12-01): reading and checking it takes 1.1× reading and checking its
CSV folder; with openpyxl's read-only mode (two passes, values then formulas) it took 3.9×.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.utils import column_index_from_string, get_column_letter
from python_calamine import CalamineWorkbook

from budgetopt.core import files
from budgetopt.core.errors import InputError, Problem, ProblemLog
from budgetopt.data.guide import GUIDE_SHEET
from budgetopt.data.manifest import MANIFEST, readable_tables
from budgetopt.data.schemas import TABLES
from budgetopt.data.workbook_cells import Flagged, flagged_cells

MANIFEST_SHEET = "manifest"
SUFFIXES = (".xlsx", ".xlsm")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as csv.reader counts lines


def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in SUFFIXES


def cell_text(value: Any) -> str:
    """A cell as the CSV would hold it: whole numbers without '.0', booleans as true/false, a
    number of more than 15 digits as Excel shows it (1E+30, not the 31 digits of its float)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if abs(value) >= 1e15:
            return f"{value:.15G}"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Sheet:
    """A sheet as read: its rows from A1, its merged ranges, the cells a value reader cannot
    judge."""

    rows: list[list[Any]]
    merged: list[str]  # "G4:H4"
    flagged: list[Flagged] = field(default_factory=list)


_CELL = re.compile(r"([A-Z]+)([0-9]+)")


def _sheets(path: Path, log: ProblemLog) -> dict[str, Sheet]:
    """Every sheet but the guide: its rows from A1 (cached values of formulas), its merged
    ranges and the cells a value reader cannot judge (formulas never calculated, errors)."""
    file = str(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as e:  # noqa: BLE001 - not a workbook calamine can read
        log.add(file, f"cannot read the workbook ({type(e).__name__}: {e}); save it as an "
                "Excel workbook (.xlsx)")
        return {}
    out: dict[str, Sheet] = {}
    try:
        for name in book.sheet_names:
            if name == GUIDE_SHEET:
                out[name] = Sheet([], [])  # named in messages, never read
                continue
            try:
                ws = book.get_sheet_by_name(name)
                rows = [list(r) for r in ws.to_python(skip_empty_area=False)]
                ranges = ws.merged_cell_ranges or []
            except Exception as e:  # noqa: BLE001 - a damaged sheet: said, the rest read
                log.problems.append(Problem(file, f"cannot read the sheet ({type(e).__name__}: "
                                            f"{e}); save the workbook again from Excel or "
                                            "LibreOffice", sheet=name))
                continue
            merged = [f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}"
                      f"{r1 + 1}" for (r0, c0), (r1, c1) in ranges]
            out[name] = Sheet(rows, merged)
    finally:
        book.close()
    for name, cells in flagged_cells(path, set(out)).items():
        out[name] = Sheet(out[name].rows, out[name].merged, cells)
    return out


@dataclass(frozen=True)
class SheetMap:
    """Where a written file's lines came from: its sheet's header, and the sheet row each CSV
    line ends on (a cell holding a line break spans two lines of the CSV but one row of the
    sheet, so line and row are mapped, never assumed equal)."""

    sheet: str
    header: list[str]
    rows: dict[int, int]
    position: int = 0  # the sheet's place in the workbook, for listing problems in its order
    table: str = ""  # the table it holds (its sheet's name, unless misnamed)
    letters: list[str] = field(default_factory=list)  # each header's column in the sheet

    def row(self, line: int | None) -> int | None:
        return None if line is None else self.rows.get(line, line)

    def column(self, name: str | None) -> str | None:
        if name is None or name not in self.header:
            return name
        j = self.header.index(name)
        letter = self.letters[j] if j < len(self.letters) else get_column_letter(j + 1)
        return f"{letter}: {name}"


def _as_csv(rows: list[list[Any]]) -> tuple[str, dict[int, int]]:
    """A sheet's rows as CSV text, and the sheet row each CSV line ends on (as
    ``csv.reader.line_num`` counts them)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    rows_at: dict[int, int] = {}
    line = 0
    for i, r in enumerate(rows, start=1):
        cells = [cell_text(v) for v in r]
        w.writerow(cells)
        line += 1 + sum(len(_LINE_BREAK.findall(c)) for c in cells)
        rows_at[line] = i
    return buf.getvalue(), rows_at


def workbook_to_folder(path: Path, folder: Path, log: ProblemLog) -> dict[str, SheetMap]:
    """Write the workbook's manifest and tables as a dataset folder; return, for each written
    file (by its name in the folder), where its lines came from in the workbook."""
    sheets = _sheets(path, log)
    if not sheets:
        return {}
    if MANIFEST_SHEET not in sheets:
        log.add(str(path), f"the workbook has no '{MANIFEST_SHEET}' sheet (dataset.yaml line by "
                f"line in column A); its sheets: {', '.join(sheets)}")
        return {}
    order = {name: i for i, name in enumerate(sheets)}
    manifest = sheets[MANIFEST_SHEET]
    text, lines_at = _manifest_text(manifest.rows)
    files.write_text(folder / MANIFEST, text)
    _flag(path, MANIFEST_SHEET, manifest, [], log)
    maps = {MANIFEST: SheetMap(MANIFEST_SHEET, ["text"], lines_at, order[MANIFEST_SHEET],
                               MANIFEST_SHEET)}
    listed = readable_tables(folder, None)  # the folder's manifest check says what is wrong
    for name, spec in TABLES.items():
        target = listed.get(name)
        if target is None:
            continue  # not listed: the folder check says whether it must be
        sheet = name if name in sheets else _no_sheet(path, name, list(sheets), spec.optional,
                                                      log)
        if sheet is None:
            continue
        rows = sheets[sheet].rows
        skip = _rows_above_header(path, sheet, rows, spec, log)  # read from the header on
        header = [cell_text(h).strip() for h in rows[skip]] if len(rows) > skip else []
        keep = _columns_in_table(path, sheet, rows[skip:], header, skip, log)
        _flag(path, sheet, sheets[sheet], header, log)
        csv_text, rows_at = _as_csv([[r[j] if j < len(r) else None for j in keep]
                                     for r in rows[skip:]])
        files.write_text(folder / target, csv_text)
        maps[Path(os.path.normpath(target)).as_posix()] = SheetMap(
            sheet, [header[j] for j in keep], {line: row + skip for line, row in rows_at.items()},
            order[sheet], name, [get_column_letter(j + 1) for j in keep])
    return maps


def _manifest_text(rows: list[list[Any]]) -> tuple[str, dict[int, int]]:
    """The manifest sheet as dataset.yaml — a row's cells joined by a space (a value typed in
    column B after its key in A is kept) — and the sheet row of each YAML line."""
    lines: list[str] = []
    rows_at: dict[int, int] = {}
    for i, r in enumerate(rows, start=1):
        text = " ".join(t for t in (cell_text(v) for v in r) if t)
        for _ in range(1 + len(_LINE_BREAK.findall(text))):
            rows_at[len(rows_at) + 1] = i
        lines.append(text)
    return "\n".join(lines) + "\n", rows_at


def _flag(path: Path, sheet: str, read: Sheet, header: list[str], log: ProblemLog) -> None:
    """The sheet's merged cells and its cells a value reader cannot judge, as problems."""
    for ref in read.merged:
        letters, row = _CELL.match(ref).groups()  # type: ignore[union-attr]
        log.problems.append(Problem(
            str(path), f"cells {ref} are merged: a table's cells must each hold their own "
            "value (select them, unmerge, and type the value into each cell)", row=int(row),
            column=letters, sheet=sheet))
    for cell in read.flagged:
        j = column_index_from_string(cell.letters) - 1
        name = header[j] if j < len(header) else ""
        log.problems.append(Problem(str(path), cell.rule, row=cell.row,
                                    column=f"{cell.letters}: {name}" if name else cell.letters,
                                    value=cell.value, sheet=sheet))


def _columns_in_table(path: Path, sheet: str, rows: list[list[Any]], header: list[str],
                      skip: int, log: ProblemLog) -> list[int]:
    """The columns of the table: those with a header. A value typed beside the table, under
    no header (a note in column Z), is named once, not as a column with a blank name."""
    keep = [j for j, h in enumerate(header) if h]
    for j in (j for j, h in enumerate(header) if not h):
        at = next((i for i, r in enumerate(rows[1:], start=2) if j < len(r)
                   and cell_text(r[j]).strip()), None)
        if at is not None:
            letter = get_column_letter(j + 1)
            log.problems.append(Problem(
                str(path), f"a value in column {letter}, which has no header (first at "
                f"{letter}{at + skip}): give the column its name, or move the note off the "
                "table's sheet", row=1 + skip, column=letter, sheet=sheet))
    return keep


def _no_sheet(path: Path, name: str, sheets: list[str], optional: bool,
              log: ProblemLog) -> str | None:
    """A table the manifest lists with no sheet of its name: say which sheet was probably
    meant (a name differing in case or spacing, or close to it) — and read that one, so the
    rest of its problems are listed too."""
    near = [s for s in sheets if s.strip().lower().replace(" ", "_") == name]
    near = near or difflib.get_close_matches(name, sheets, n=1, cutoff=0.75)
    hint = f" — rename the sheet '{near[0]}' to '{name}'" if near else ""
    need = "an optional table: a sheet with its header alone will do" if optional else \
        "every table listed in the manifest needs one"
    log.problems.append(Problem(
        str(path), f"the workbook has no '{name}' sheet ({need}){hint}; its sheets: "
        f"{', '.join(sheets)}", sheet=near[0] if near else name))
    return near[0] if near else None


def _rows_above_header(path: Path, name: str, rows: list[list[Any]], spec: Any,
                       log: ProblemLog) -> int:
    """How many rows lie above a table's header, which must be row 1: a header found lower
    down (a title typed above it) is named with its row, and the sheet is read from it, so
    its other problems are listed too, at their own rows."""
    def names(row: list[Any]) -> set[str]:
        return {cell_text(v).strip() for v in row} & set(spec.column_names)

    if rows and names(rows[0]):
        return 0
    found = next((i for i, r in enumerate(rows[1:20], start=2) if len(names(r)) >= 2), None)
    if found is None:
        return 0  # no header anywhere: the folder check names the missing columns
    log.problems.append(Problem(
        str(path), f"the header is in row {found}, not row 1: delete the rows above it "
        f"(row 1 must hold the column names: {', '.join(spec.column_names)})", row=1,
        sheet=name))
    return found - 1


def relocate(p: Problem, folder: Path, book: Path, maps: dict[str, SheetMap]) -> Problem:
    """A problem found in the temporary folder, put back in the workbook."""
    try:
        rel = Path(p.file).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return p
    where = maps.get(rel, SheetMap(rel, [], {}))
    return Problem(str(book), in_sheet_words(p.rule, maps), where.row(p.row),
                   where.column(p.column), p.value, p.key, where.sheet)


def _letter(column: str | None) -> str | None:
    return column.split(":")[0] if column else column


def in_sheet_words(rule: str, maps: dict[str, SheetMap]) -> str:
    """A rule as a workbook's user reads it: "not in schemes.csv" → "not in the schemes
    sheet", "in dataset.yaml" → "in the manifest sheet"."""
    for rel in sorted(maps, key=len, reverse=True):
        if rel.endswith((".csv", ".yaml")):  # a file's name, never an ordinary word
            rule = re.sub(rf"(?<![\w./-]){re.escape(rel)}(?![\w.])",
                          f"the {maps[rel].sheet} sheet", rule)
    return rule


def load_workbook_dataset(path: Path, load_folder: Any) -> Any:
    """The dataset in a workbook, checked as a folder is (``load_folder`` is that check)."""
    log = ProblemLog()
    what = f"Dataset '{path}'"
    if not path.is_file():
        log.add(str(path), "workbook does not exist")
        log.raise_if_any(what)
    with tempfile.TemporaryDirectory(prefix="budgetopt-workbook-") as tmp:
        folder = Path(tmp)
        maps = workbook_to_folder(path, folder, log)
        if not maps:
            log.raise_if_any(what)  # no manifest sheet, or not a workbook at all
        try:
            ds = load_folder(folder)
            found: list[Problem] = []
            note = ""
        except InputError as e:
            found, note = [relocate(p, folder, path, maps) for p in e.problems], e.note
        # the workbook's own problems (a sheet misnamed, a header low, merged cells, formulas
        # never calculated) with the folder check's, sheet by sheet; a cell already named for
        # its formula is not named again as empty, nor a missing sheet as a missing file
        named = {(p.sheet, p.row, _letter(p.column)) for p in log.problems}
        found = [p for p in found if (p.sheet, p.row, _letter(p.column)) not in named
                 and not p.rule.startswith("file is missing")]  # its sheet is, said above
        if log.problems or found:
            sheet_of = {**{m.table: m.position for m in maps.values()},
                        **{m.sheet: m.position for m in maps.values()}}
            every = sorted([*log.problems, *found],
                           key=lambda p: sheet_of.get(p.sheet or "", -1))  # sheet by sheet
            raise InputError(every, what, note=note) from None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return type(ds)(path, ds.manifest, ds.tables, digest)
