"""A grant round's summary paper in a batch run: ``budgetopt run ROUND.yaml``.

The round's notebook (``notebooks/grants.ipynb``) is executed with papermill in the round's
folder, ``reports/grants/<round>/``, where it writes ``awards.csv``, ``round.json`` and
``awards.xlsx``; the executed notebook becomes ``paper.html`` and ``paper.pdf``, marked
ILLUSTRATIVE when the bids are synthetic, DRAFT when the selection is not a proven optimum, and
with the cannot-be-met banner (in its own words: the round) when its rules cannot all be kept.
A failure leaves ``error.txt`` and no result files, as a scenario's does (the executed notebook
only when it shows the failing cell); one whose output cannot be written makes the run exit 3.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import suppress
from pathlib import Path

from budgetopt.core import files
from budgetopt.data.grant_round import load_round
from budgetopt.paper.notebook import notebook_file
from budgetopt.reporting.execute import execute
from budgetopt.reporting.grants import ROUND_FILES
from budgetopt.reporting.scenario_folder import (
    STAGING,
    Outcome,
    failure,
    keep_failed,
    paper_state,
    render_paper,
    write_error,
)

NOTES = {
    "illustrative": "Illustrative: the bids in this round are synthetic — made up to show the "
                    "method. No award in this paper is a recommendation about a real "
                    "organisation.",
    "draft": "Draft: the selection is not a proven optimum (the solver stopped at its time "
             "limit or the round's accepted gap); a better selection may exist.",
    "cannot_be_met": "Round cannot be met: no selection keeps every rule of this round. The "
                     "paper gives the smallest change that makes it possible.",
}
PAPER_FILES = (*ROUND_FILES, "paper.ipynb", "paper.html", "paper.pdf", "error.txt")


def run_round_paper(path: Path, out_root: Path, repo_root: Path,
                    meeting_date: str = "") -> Outcome:
    """Render one round's paper; never raises for the round's own failure (bad input is
    checked before, by the caller)."""
    start = time.perf_counter()
    grant_round = load_round(path)
    folder = out_root / "grants" / grant_round.name
    staging, executed = folder / STAGING, folder / "paper.ipynb"

    def done(state: str, message: str, cannot_write: bool = False) -> Outcome:
        if state == "failed":
            keep_failed(folder, staging, notebook=not cannot_write)
            for name in ROUND_FILES:
                with suppress(OSError):
                    (folder / name).unlink(missing_ok=True)
            write_error(folder, message)
        return Outcome(grant_round.name, grant_round.title, folder, state, message,
                       time.perf_counter() - start, cannot_write)

    try:
        files.prepare_folder(folder, (*PAPER_FILES, STAGING))
    except files.OutputError as e:  # nothing of this run's in the folder to clear
        return Outcome(grant_round.name, grant_round.title, folder, "failed", str(e),
                       time.perf_counter() - start, cannot_write=True)
    params = {"round_file": os.path.relpath(path.resolve(), repo_root),
              "repo_root": str(repo_root), "output_dir": str(folder),
              "meeting_date": meeting_date or "to be arranged"}
    try:
        execute(notebook_file("grants.ipynb", repo_root), staging, params, cwd=folder)
        staging.replace(executed)
        summary = json.loads((folder / "round.json").read_text(encoding="utf-8"))
    except Exception as e:  # noqa: BLE001 - a cell, a full disk, kernel death: never crash
        return done("failed", *failure(e, staging, "The round's notebook could not run"))
    met = summary.get("status") in ("optimal", "time limit")
    try:
        fault = render_paper(executed, folder, title=grant_round.title,
                             draft=not summary.get("proven_optimal", False),
                             placeholders=1 if grant_round.synthetic else 0,
                             cannot_be_met=not met, notes=NOTES)
    except files.OutputError as e:
        return done("failed", str(e), cannot_write=True)
    return done(*paper_state(fault, met, folder, "round", "the smallest fix"))
