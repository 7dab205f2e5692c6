"""A new, empty dataset to fill in: ``budgetopt dataset new NAME [--xlsx]``.

A folder (``dataset.yaml``, a README saying how to fill it in, and every table's CSV file with
its header alone) or one workbook (the guide, the manifest sheet and every table's sheet with its
header and Excel's data validation). Every table holding figures has the ``placeholder`` column,
so a team marks its estimates where it types them. ``budgetopt validate`` on the template lists
everything still to fill in, sheet by sheet, until the dataset is complete.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from budgetopt.core import files
from budgetopt.core.errors import InputError, Problem
from budgetopt.data.guide import manifest_template, readme_text
from budgetopt.data.manifest import MANIFEST
from budgetopt.data.schemas import TABLES
from budgetopt.data.workbook_writer import write_book

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")  # it names folders, files and papers


def new_dataset(name: str, to: Path, *, workbook: bool = False) -> list[Path]:
    """Write an empty dataset called ``name`` at ``to`` (a folder, or a workbook when
    ``workbook``); refuse a name that is not an id or a path that exists (InputError), so
    nothing a team has filled in is ever replaced."""
    problems = []
    if not _NAME.fullmatch(name):
        problems.append(Problem(name, "a dataset's name is up to 40 lower-case letters, digits, "
                                "'-' and '_', starting with a letter or digit (e.g. "
                                "thames-valley)"))
    if workbook != (to.suffix.lower() == ".xlsx"):
        problems.append(Problem(str(to), "a workbook's path ends in .xlsx and a folder's does "
                                "not: give --xlsx with a path ending in .xlsx, or neither"))
    if to.exists():
        problems.append(Problem(str(to), "already exists: give a new name or another place "
                                "(nothing was written)"))
    if problems:
        raise InputError(problems, "The new dataset's name or place")
    headers = {t.name: [list(t.column_names)] for t in TABLES.values()}
    if workbook:
        return [write_book(headers, manifest_template(name), to)]
    written = [files.write_text(to / MANIFEST, manifest_template(name)),
               files.write_text(to / "README.md", readme_text(name))]
    for table, rows in headers.items():
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        written.append(files.write_text(to / f"{table}.csv", buf.getvalue()))
    return written
