"""The cells of a workbook a value reader cannot judge, found in the workbook's XML: a formula
that was never calculated and an Excel error value (``#N/A``, ``#DIV/0!``, ``#REF!``).

A value reader (python-calamine) gives both as an empty cell, so a dataset would read a
missing figure as "none" — a stream that never ends, a contract that is not there — without a
word. Here each is named, to be reported at its row and column.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from pathlib import Path

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_ANY_FORMULA_OR_ERROR = re.compile(rb'<(?:\w+:)?f[\s>/]|\bt\s*=\s*["\']e["\']')
_CELL = re.compile(r"([A-Z]+)([0-9]+)")


@dataclass(frozen=True)
class Flagged:
    row: int
    letters: str
    value: str  # the formula ("=A1*2") or the error ("#N/A")
    never_calculated: bool  # else an error value

    @property
    def rule(self) -> str:
        if self.never_calculated:
            return ("a formula that was never calculated: open the workbook in Excel or "
                    "LibreOffice and save it, so its values are stored")
        return (f"the cell holds the error {self.value}, not a value: correct the formula or "
                "type the figure")


def flagged_cells(path: Path, sheets: set[str]) -> dict[str, list[Flagged]]:
    """For each of ``sheets`` (by name), its cells a value reader would read as empty. A
    formula has a value when it has a ``<v>`` element — empty only for a formula whose result
    is the empty string (``t="str"``); a workbook written by a program and never opened in a
    spreadsheet has none."""
    out: dict[str, list[Flagged]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            book = ET.fromstring(z.read("xl/workbook.xml"))
            rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_PKG}}}"
                                                                              "Relationship")}
            for sheet in book.iter(f"{{{_MAIN}}}sheet"):
                name = sheet.get("name", "")
                target = targets.get(sheet.get(f"{{{_R}}}id"), "")
                member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                if name not in sheets or member not in z.namelist():
                    continue
                data = z.read(member)
                if not _ANY_FORMULA_OR_ERROR.search(data):
                    continue  # no formula and no error: the common case, at no cost
                found = [f for c in ET.fromstring(data).iter(f"{{{_MAIN}}}c")
                         if (f := _flag(c)) is not None]
                if found:
                    out[name] = found
    except (OSError, KeyError, zipfile.BadZipFile, ET.ParseError):
        return {}  # not a zip of XML: the value reader has said why already
    return out


def _flag(cell: ET.Element) -> Flagged | None:
    ref = _CELL.fullmatch(cell.get("r", ""))
    if ref is None:
        return None
    formula = cell.find(f"{{{_MAIN}}}f")
    value = cell.find(f"{{{_MAIN}}}v")
    kind = cell.get("t", "n")
    letters, row = ref.group(1), int(ref.group(2))
    if kind == "e":
        return Flagged(row, letters, (value.text or "") if value is not None else "#ERROR",
                       never_calculated=False)
    if formula is not None and (value is None or (not (value.text or "") and kind != "str")):
        return Flagged(row, letters, f"={formula.text or ''}", never_calculated=True)
    return None
