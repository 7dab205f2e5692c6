"""Every file a solved scenario leaves behind, written by one function.

:func:`write_outputs` writes, atomically, into a scenario's folder:

* ``allocation.csv`` and ``flows.csv`` — the allocation and the funding flows in whole pounds
  (only when the scenario can be met; stale copies are removed otherwise);
* ``result.json`` — status, value, totals per year, and the diagnosis when it cannot be met;
* ``allocation.xlsx`` — the same tables as a workbook, with the run's marking (optional);
* ``manifest.json`` — what the run was computed from (optional).

:func:`write_compared` writes the explorer's kept settings side by side (``comparison.csv`` and
``comparison.xlsx``) with the same CSV and sheet writers.

Every one of these left by an earlier run is removed first, and the files of one call are
written all or none (:func:`~budgetopt.core.files.together`), so a run that fails midway (a full
disk, an interrupted solve) leaves nothing that could be read as its result. A paper's run
writes the tables first and the manifest last (:func:`write_manifest_file`), so a notebook that
fails midway never leaves a manifest that looks like a finished run's.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from budgetopt.core import files
from budgetopt.core.text import fy
from budgetopt.pipeline import ScenarioRun
from budgetopt.reporting.manifest import manifest_text, run_manifest, write_manifest
from budgetopt.reporting.sheets import Col, PrintSetup, write_sheet
from budgetopt.reporting.workbook import workbook_bytes

SOLVE_FILES = ("allocation.csv", "flows.csv", "result.json")
"""What ``budgetopt solve`` writes (no workbook, no manifest)."""
OUTPUT_FILES = (*SOLVE_FILES, "allocation.xlsx", "manifest.json")
"""Every file of a run: what the paper notebook writes."""


def write_outputs(run: ScenarioRun, folder: str | Path | None, *, workbook: bool = True,
                  manifest: bool = True, explained: bool = False) -> None:
    """Write the run's files into ``folder`` (nothing when it is empty or None). ``explained``
    adds the explanations the paper shortens (every frontier point, every binding limit) to
    the workbook."""
    if not folder:
        return
    out = files.prepare_folder(folder, (*SOLVE_FILES, *(("allocation.xlsx",) if workbook else ()),
                                        *(("manifest.json",) if manifest else ())))
    result = run.result
    with files.together() as written:
        if result.is_optimal:
            for name, table in (("allocation.csv", result.allocation()),
                                ("flows.csv", result.flows())):
                table.insert(1, "financial_year", table["year"].map(fy))
                written.write_csv(out / name, table)
        summary = result.summary()
        if run.diagnosis is not None:
            summary["diagnosis"] = run.diagnosis.record()
        written.write_text(out / "result.json", json.dumps(summary, indent=2) + "\n")
        if workbook:
            marking = run_manifest(run)["marking"]
            explainer = run.explainer if explained and result.is_optimal else None
            written.write_bytes(out / "allocation.xlsx",
                                workbook_bytes(result, marking, explainer))
        if manifest:
            written.write_text(out / "manifest.json", manifest_text(run_manifest(run)))


def write_manifest_file(run: ScenarioRun, folder: str | Path | None) -> dict[str, Any]:
    """The run manifest as the run ends, written to ``folder``/manifest.json (when a folder is
    given) — the paper's last appendix shows it."""
    record = run_manifest(run)
    if folder:
        write_manifest(record, Path(folder) / "manifest.json")
    return record


COMPARED_FILES = ("comparison.csv", "comparison.xlsx")


def write_compared(table: pd.DataFrame, folder: str | Path, title: str,
                   marking: list[str]) -> None:
    """Write a :func:`~budgetopt.results.compare.settings_compared` table as CSV and as a
    workbook sheet whose money columns are summed by formula."""
    out = files.prepare_folder(folder, COMPARED_FILES)
    csv = table.copy()
    csv.insert(3, "financial_year", csv["year"].map(fy))
    money = [c for c in table.columns if c.endswith("_gbp")]
    headers = [c.removesuffix("_gbp").replace("_change", ": change").replace("start", "Start")
               + " (£)" for c in money]
    wb = Workbook()
    wb.remove(wb.active)
    write_sheet(wb, "Compared", [Col("Scheme"), Col("Year"), *(Col(h, "money") for h in headers)],
                [[r["scheme"], fy(int(r["year"])), *(int(r[c]) for c in money)]
                 for _, r in table.iterrows()], "Total",
                setup=PrintSetup(title, "OFFICIAL — " + " — ".join(marking)))
    buffer = io.BytesIO()
    wb.save(buffer)
    with files.together() as written:
        written.write_csv(out / "comparison.csv", csv)
        written.write_bytes(out / "comparison.xlsx", buffer.getvalue())
