"""The files a grant round leaves behind: ``awards.csv``, ``round.json`` and ``awards.xlsx``.

Written into the round's folder all or none, stale copies removed first, so a run that fails
leaves nothing that could be read as its result. A round whose rules cannot all be kept writes
``round.json`` with the smallest fix and no awards.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from openpyxl import Workbook

from budgetopt.core import files
from budgetopt.grants.result import RoundResult
from budgetopt.reporting.sheets import Col, PrintSetup, write_sheet

ROUND_FILES = ("awards.csv", "round.json", "awards.xlsx")
AWARD_COLS = [Col("Bid"), Col("Organisation"), Col("Project"), Col("Area"), Col("Fund"),
              Col("Theme"), Col("Asked (£)", "money"), Col("Awarded (£)", "money"),
              Col("Outcome"), Col("Why"), Col("First-round score", "number"),
              Col("Second-round score", "number"), Col("Margin", "number"),
              Col("Score needed", "number"), Col("Reserve place", "integer"),
              Col("Ranked list (£)", "money")]


def write_round(result: RoundResult, folder: str | Path) -> list[Path]:
    out = files.prepare_folder(folder, ROUND_FILES)
    paths = []
    with files.together() as written:
        if result.is_met:
            paths.append(written.write_csv(out / "awards.csv", result.awards()))
            paths.append(written.write_bytes(out / "awards.xlsx", _workbook(result)))
        paths.append(written.write_text(out / "round.json",
                                        json.dumps(result.summary(), indent=2) + "\n"))
    return paths


def _workbook(result: RoundResult) -> bytes:
    setup = PrintSetup(result.inputs.round.title, "OFFICIAL — " + " — ".join(result.marking))
    wb = Workbook()
    wb.remove(wb.active)
    c = result.comparison()
    rows = [("Round", result.inputs.round.title), ("Marking", " · ".join(result.marking)),
            ("Solver", result.selection.sentence())]
    rows += [(f"{label}: {what}", c[k][what]) for k, label in (("exact", "Exact selection"),
                                                               ("ranked_list", "Ranked list"))
             for what in ("score", "bids_funded", "awarded_gbp", "unspent_gbp")]
    write_sheet(wb, "Summary", [Col("What"), Col("Value")], rows, setup=setup)
    write_sheet(wb, "Awards", AWARD_COLS, result.awards().itertuples(index=False), "Total",
                autofilter=True, setup=setup)
    t = result.totals()
    body = t[t["fund"] != "total"]
    write_sheet(wb, "Totals", [Col("Fund"), Col("Area"), Col("Budget (£)", "money"),
                               Col("Bids", "integer"), Col("Asked (£)", "money"),
                               Col("Funded", "integer"), Col("Awarded (£)", "money"),
                               Col("Unspent (£)", "money"), Col("Reserve", "integer"),
                               Col("Ranked list (£)", "money")],
                body.itertuples(index=False), "Total", setup=setup)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
