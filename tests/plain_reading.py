"""A dataset's files and the source register read with plain text handling (the csv module,
regular expressions), not through budgetopt, so that a parsing bug in the package cannot hide
a wrong figure in a test of the shipped datasets."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

from budgetopt.data.schemas import TABLES


def source_register(repo_root: Path) -> dict[str, str]:
    """docs/aqa/source_register.md: for each source id, the research passage it records
    (its ``>`` lines)."""
    text = (repo_root / "docs" / "aqa" / "source_register.md").read_text(encoding="utf-8")
    passages: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        heading = re.fullmatch(r"### `([^`]+)`", line.strip())
        if heading:
            current = heading.group(1)
            passages[current] = []
        elif current and line.startswith(">"):
            passages[current].append(line[1:].strip())
    return {sid: "\n".join(lines) for sid, lines in passages.items()}


def read_csv(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def money(text: str) -> Decimal:
    return Decimal(text.strip().replace(",", "").lstrip("£"))


def key_text(row: dict[str, str], table: str) -> str:
    return "/".join(row[k].strip() for k in TABLES[table].key)


def sourced_cells_differing(folder: Path, manifest: dict) -> list[tuple]:
    """Each sourced figure whose cell in the CSV holds another value (or no single row)."""
    wrong = []
    for f in manifest["sourced_figures"]:
        rows = read_csv(folder, Path(manifest["tables"][f["table"]]).stem)
        hits = [r for r in rows if key_text(r, f["table"]) == f["key"]]
        if len(hits) != 1:
            wrong.append((f["table"], f["key"], f"{len(hits)} rows with this key"))
        elif money(hits[0][f["column"]]) != Decimal(str(f["value"])):
            wrong.append((f["table"], f["key"], f["column"], hits[0][f["column"]], f["value"]))
    return wrong


def unsupported_figures(manifest: dict) -> list[dict]:
    """Sourced figures citing an unknown source, with an unknown status, in a column that is
    not a figure, or derived (D) without their working."""
    from budgetopt.data.schemas import Kind

    ids = {s["id"] for s in manifest["sources"]}
    return [f for f in manifest["sourced_figures"]
            if f["source"] not in ids or f["status"] not in {"F", "S", "D"}
            or TABLES[f["table"]].column(f["column"]).kind not in (Kind.MONEY, Kind.NUMBER)
            or (f["status"] == "D" and not f.get("working"))]
