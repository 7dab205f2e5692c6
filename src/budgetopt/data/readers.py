"""Reading one table file: encoding, delimiter, header, cell types and bounds, duplicate keys.

:func:`read_csv_table` turns a CSV file into a frame of typed cells (plus ``_line``, the line
number as an editor shows it) or records every problem it finds and returns ``None``. Cells are
parsed by :func:`parse_cell` against the table's :mod:`~budgetopt.data.schemas` declaration, so a
workbook reader can share the same rules.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd

from budgetopt.core.errors import ProblemLog
from budgetopt.data.schemas import YEAR_TEXT, Column, Kind, Table, figure, key_text
from budgetopt.data.yaml_files import not_a_file

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}
# 1,234,567.89: a first group starting with 0 (0,125) is a decimal comma, never thousands
_THOUSANDS = re.compile(r"[-+]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?")
# what a number cell may hold once the thousands commas are gone: ASCII digits, a sign, a point
# and an exponent (Python's float() would also take '1_000' and other scripts' digits, '１２３')
_PLAIN_NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[-+]?(nan|inf|infinity)", re.IGNORECASE)
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "'|' characters"}


def read_csv_table(path: Path, spec: Table, log: ProblemLog) -> pd.DataFrame | None:
    file = str(path)
    if (what := not_a_file(path)) is not None:
        log.add(file, f"is {what}, not a file: give the path of a file")
        return None
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.add(file, f"file is missing (table '{spec.name}' is required)")
        return None
    except OSError as e:
        log.add(file, f"cannot read the file ({e.strerror or e})")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # Excel's "CSV UTF-8" byte-order mark
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        log.add(file, "file is not UTF-8 text (in Excel, save as 'CSV UTF-8 (Comma delimited)')",
                row=line)
        return None
    if not text.strip():
        log.add(file, f"file is empty (table '{spec.name}' needs a header and at least one row)")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    if len(header) == 1:
        for delim, what in _OTHER_DELIMITERS.items():
            if delim in header[0]:
                log.add(file, f"columns are separated by {what}; budgetopt reads comma-separated "
                        "files", row=1)
                return None
    ok = True
    for name in sorted({h for h in header if header.count(h) > 1}):
        log.add(file, "column appears more than once in the header", row=1, column=name)
        ok = False
    for col in spec.columns:
        if col.name not in header and col.required:
            log.add(file, f"required column is missing (expected columns: "
                    f"{', '.join(spec.column_names)})", row=1, column=col.name)
            ok = False
    for name in header:
        if name not in spec.column_names:
            log.add(file, f"unknown column (valid columns: {', '.join(spec.column_names)})",
                    row=1, column=name or "(blank)")
            ok = False
    if not ok:
        return None

    records = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            log.add(file, f"row has {len(fields)} fields but the header has {len(header)} "
                    "(check for a stray comma or a missing value)", row=line)
            continue
        cells = dict(zip(header, fields, strict=True))
        record: dict[str, Any] = {"_line": line}
        for col in spec.columns:
            record[col.name] = parse_cell(cells.get(col.name, ""), col, file, line, log)
        records.append(record)
    if not records:
        if spec.optional:  # a header alone: the table is given, and empty
            return empty_frame(spec)
        log.add(file, f"table is empty: it has a header but no rows (table '{spec.name}')")
        return None
    frame = pd.DataFrame.from_records(records)
    for col in spec.columns:  # empty numeric cells become NaN, not None, so comparisons work
        if col.kind in (Kind.YEAR, Kind.MONEY, Kind.NUMBER):
            frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce")
    dup = frame.duplicated(list(spec.key), keep="first")
    for line, keys in zip(frame.loc[dup, "_line"], frame.loc[dup, list(spec.key)].itertuples(
            index=False, name=None), strict=True):
        log.add(file, f"duplicate {' + '.join(spec.key)}: each must appear once", row=int(line),
                column=spec.key[-1], value=key_text(keys))
    return frame


def empty_frame(spec: Table) -> pd.DataFrame:
    """A table with no rows (an optional table left out, or given as its header alone)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in (*spec.column_names, "_line")})


def parse_cell(raw: str, col: Column, file: str, line: int, log: ProblemLog) -> Any:
    text = raw.strip()
    if text == "":
        if col.required:
            log.add(file, f"value is missing (expected {col.rule()})", row=line, column=col.name)
        return None
    bad = lambda why: log.add(file, why, row=line, column=col.name, value=text)  # noqa: E731
    match col.kind:
        case Kind.TEXT:
            return text
        case Kind.ID:
            if not all(ch.isalnum() or ch in "-_." for ch in text):
                bad(f"not a valid identifier (expected {col.rule()})")
                return None
            if col.choices and text not in col.choices:
                bad(f"not allowed (expected one of {', '.join(col.choices)})")
                return None
            return text
        case Kind.BOOL:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            bad("not true or false")
            return None
        case Kind.YEAR:
            if not YEAR_TEXT.fullmatch(text):
                bad("not a year (expected e.g. 2025 for 2025/26)")
                return None
            year = int(text[:4])
            if not 2000 <= year <= 2100:
                bad("year out of range (expected 2000 to 2100)")
                return None
            return year
        case Kind.MONEY | Kind.NUMBER:
            number = text.removeprefix("£") if col.kind is Kind.MONEY else text
            if number.startswith("£"):
                bad(f"a £ sign belongs only in money columns (those ending _gbp); this column "
                    f"holds {col.rule()}: write the number without it")
                return None
            if "," in number:
                if not _THOUSANDS.fullmatch(number):
                    bad("not a number: a comma may only separate thousands, as in 1,234,567; "
                        "write a decimal with a point, as in 13.5")
                    return None
                number = number.replace(",", "")
            if _NOT_FINITE.fullmatch(number):
                bad(f"not a finite number (expected {col.rule()})")
                return None
            if not _PLAIN_NUMBER.fullmatch(number):
                odd = "_" in number or any(ch.isdigit() and not ch.isascii() for ch in number)
                bad("not a number: write digits 0 to 9, with a point for decimals, as in "
                    "1234.5 (no '_' and no digits of other scripts)" if odd else
                    f"not a number (expected {col.rule()})")
                return None
            value = float(number)
            if col.kind is Kind.MONEY and value < 0:
                bad("money cannot be negative")
                return None
            for limit, ok, sign in (
                (col.ge, lambda v, lim: v >= lim, ">="),
                (col.gt, lambda v, lim: v > lim, ">"),
                (col.upper, lambda v, lim: v <= lim, "<="),
            ):
                if limit is not None and not ok(value, limit):
                    hint = ("; a percentage? write 2% as 0.02" if sign == "<=" and limit <= 1
                            < value <= 100 else "")
                    bad(f"out of range (must be {sign} {figure(limit)}){hint}")
                    return None
            return value
    raise AssertionError(col.kind)  # pragma: no cover
