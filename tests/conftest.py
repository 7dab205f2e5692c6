"""Shared fixtures: the repository, the default dataset, and a throw-away copy of it to break.

Failing-input tests copy ``data/devon-cornwall`` into ``tmp_path`` (:func:`dataset_copy`), break
exactly one thing in the copy with :class:`CsvEditor` (:func:`csv_edit`) and check that
``load_dataset`` names the file, line, column and rule. Line numbers are the ones a text editor
shows: the header is line 1.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from budgetopt.core.errors import InputError, Problem
from budgetopt.data.dataset import load_dataset
from budgetopt.data.workbook_writer import folder_to_workbook

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATASET = REPO_ROOT / "data" / "devon-cornwall"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def default_dataset_dir() -> Path:
    return DEFAULT_DATASET


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A fresh copy of the default dataset folder; break one thing in it."""
    folder = tmp_path / "devon-cornwall"
    shutil.copytree(DEFAULT_DATASET, folder)
    return folder


class CsvEditor:
    """Edits the CSV tables (and the manifest) of a dataset folder in place.

    Tables are named without ``.csv`` (``"services"``). Rows are matched by a ``where`` mapping of
    column -> cell text. Methods that touch one row return its line number as an editor shows it.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    # -- reading and writing whole tables
    def path(self, table: str) -> Path:
        return self.folder / f"{table}.csv"

    def read(self, table: str) -> tuple[list[str], list[list[str]], list[int]]:
        """Header, rows (lists of cell text) and the editor line number of each row."""
        text = self.path(table).read_text(encoding="utf-8")
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader)
        rows, lines = [], []
        for fields in reader:
            rows.append(fields)
            lines.append(reader.line_num)
        return header, rows, lines

    def write(self, table: str, header: list[str], rows: Iterable[list[str]]) -> None:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        self.path(table).write_text(out.getvalue(), encoding="utf-8")

    def records(self, table: str) -> list[dict[str, str]]:
        header, rows, _ = self.read(table)
        return [dict(zip(header, r, strict=True)) for r in rows]

    # -- finding rows
    def _index(self, table: str, where: Mapping[str, str]) -> int:
        header, rows, _ = self.read(table)
        hits = [
            i
            for i, r in enumerate(rows)
            if all(r[header.index(c)] == str(v) for c, v in where.items())
        ]
        assert len(hits) == 1, f"{table}: {dict(where)} matches {len(hits)} rows, not 1"
        return hits[0]

    def line_of(self, table: str, where: Mapping[str, str]) -> int:
        return self.read(table)[2][self._index(table, where)]

    def get(self, table: str, where: Mapping[str, str], column: str) -> str:
        header, rows, _ = self.read(table)
        return rows[self._index(table, where)][header.index(column)]

    # -- edits
    def set_cell(self, table: str, where: Mapping[str, str], column: str, value: Any) -> int:
        """Set one cell (as text); return the row's line number."""
        header, rows, lines = self.read(table)
        i = self._index(table, where)
        rows[i][header.index(column)] = str(value)
        self.write(table, header, rows)
        return lines[i]

    def delete_rows(self, table: str, where: Mapping[str, str]) -> int:
        """Delete every row matching ``where``; return how many were deleted."""
        header, rows, _ = self.read(table)
        keep = [
            r for r in rows if not all(r[header.index(c)] == str(v) for c, v in where.items())
        ]
        self.write(table, header, keep)
        return len(rows) - len(keep)

    def drop_column(self, table: str, column: str) -> None:
        header, rows, _ = self.read(table)
        j = header.index(column)
        self.write(table, [h for h in header if h != column],
                   [[c for k, c in enumerate(r) if k != j] for r in rows])

    def add_column(self, table: str, column: str, value: str = "") -> None:
        header, rows, _ = self.read(table)
        self.write(table, [*header, column], [[*r, value] for r in rows])

    def append_row(self, table: str, row: Mapping[str, Any] | list[Any]) -> int:
        """Append a row (a mapping by column, missing columns empty; or raw fields).

        Returns the new row's line number.
        """
        header, rows, _ = self.read(table)
        if isinstance(row, Mapping):
            unknown = set(row) - set(header)
            assert not unknown, f"{table} has no columns {unknown}"
            fields = [str(row.get(h, "")) for h in header]
        else:
            fields = [str(v) for v in row]
        self.write(table, header, [*rows, fields])
        return self.read(table)[2][-1]

    def write_text(self, table: str, text: str) -> None:
        self.path(table).write_text(text, encoding="utf-8")

    def write_bytes(self, table: str, data: bytes) -> None:
        self.path(table).write_bytes(data)

    # -- the manifest
    @property
    def manifest_path(self) -> Path:
        return self.folder / "dataset.yaml"

    def manifest(self) -> dict:
        return yaml.safe_load(self.manifest_path.read_text(encoding="utf-8"))

    def edit_manifest(self, change: Callable[[dict], None]) -> None:
        data = self.manifest()
        change(data)
        self.manifest_path.write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )


@pytest.fixture
def csv_edit(dataset_copy: Path) -> CsvEditor:
    """An editor bound to :func:`dataset_copy`."""
    return CsvEditor(dataset_copy)


def _matches(p: Problem, file, row, column, rule, key, value) -> bool:
    if file is not None and Path(p.file).name != file:
        return False
    if row is not None and p.row != row:
        return False
    if column is not None and p.column != column:
        return False
    if key is not None and p.key != key:
        return False
    if rule is not None and rule.lower() not in p.rule.lower():
        return False
    return value is None or p.value == value


def problems_of(folder: Path, form: str = "folder") -> list[Problem]:
    """Load a dataset that must fail — as the folder, or written as one workbook — and return
    its problems; a workbook's are read back as the folder's file, row and column names, so the
    same expectation checks both."""
    path = folder
    if form == "workbook":
        path = folder.parent / f"{folder.name}.xlsx"
        folder_to_workbook(folder, path)
    with pytest.raises(InputError) as info:
        load_dataset(path)
    assert info.value.problems, "InputError with no problems"
    return [as_in_folder(p, folder) for p in info.value.problems]


def as_in_folder(p: Problem, folder: Path) -> Problem:
    """A workbook's problem named as the folder names it: sheet → its table's file, "G: min_gbp"
    → min_gbp (the letter is checked in tests/data/test_dataset_workbook.py)."""
    if p.sheet is None:
        return p
    manifest = yaml.safe_load((folder / "dataset.yaml").read_text(encoding="utf-8"))
    listed = manifest.get("tables") or {}
    file = "dataset.yaml" if p.sheet == "manifest" else listed.get(p.sheet, p.sheet)
    column = p.column.split(": ", 1)[1] if p.column and ": " in p.column else p.column
    files = {"manifest": "dataset.yaml", **listed}
    rule = re.sub(r"the (\w+) sheet", lambda m: files.get(m.group(1), m.group(0)), p.rule)
    return Problem(str(folder / file), rule, p.row, column, p.value, p.key)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every failing-input test through the folder and, in the slow tier, through the same
    dataset written as one workbook (issue 15) — except a broken file's, which has no workbook
    form (``folder_only``)."""
    if "dataset_form" in metafunc.fixturenames:
        forms: list[Any] = ["folder"]
        if not metafunc.definition.get_closest_marker("folder_only"):
            forms.append(pytest.param("workbook", marks=pytest.mark.slow))
        metafunc.parametrize("dataset_form", forms)


@pytest.fixture
def expect_problem(dataset_form: str) -> Callable[..., Problem]:
    """``expect_problem(folder, file=..., row=..., column=..., rule=..., key=..., value=...)``.

    Asserts that loading ``folder`` raises InputError and that one problem matches every given
    field (``file`` is a basename, ``rule`` a case-insensitive fragment, ``row`` an editor line
    number); returns that problem.
    """

    def check(
        folder: Path,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        rule: str | None = None,
        key: str | None = None,
        value: Any = None,
        no_row: bool = False,
    ) -> Problem:
        problems = problems_of(folder, dataset_form)
        hits = [p for p in problems if _matches(p, file, row, column, rule, key, value)]
        shown = "\n".join(f"  {p!s}  [row={p.row!r} column={p.column!r} key={p.key!r}]"
                          for p in problems)
        wanted = dict(file=file, row=row, column=column, rule=rule, key=key, value=value)
        assert hits, f"no problem matches {wanted}; got:\n{shown}"
        if no_row:
            assert any(p.row is None for p in hits), f"expected a whole-file problem:\n{shown}"
        return hits[0]

    return check
