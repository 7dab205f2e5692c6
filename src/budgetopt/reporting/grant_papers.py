"""A grant round's summary paper in a batch run: ``budgetopt run ROUND.yaml``.

The round's notebook (``notebooks/grants.ipynb``) is executed with papermill in the round's
folder, ``reports/grants/<round>/``, where it writes ``awards.csv``, ``round.json`` and
``awards.xlsx``; the executed notebook becomes ``paper.html`` and ``paper.pdf``, marked
ILLUSTRATIVE when the bids are synthetic, DRAFT when the selection is not a proven optimum, and
with the cannot-be-met banner (in its own words: the round) when its rules cannot all be kept.
A failure leaves ``error.txt`` and no result files, as a scenario's does.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from budgetopt.core import files
from budgetopt.data.grant_round import load_round
from budgetopt.paper.notebook import notebook_file
from budgetopt.reporting.execute import execute, failure_sentence
from budgetopt.reporting.grants import ROUND_FILES
from budgetopt.reporting.scenario_folder import (
    STAGING,
    Outcome,
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
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    grant_round = load_round(path)
    folder = out_root / "grants" / grant_round.name
    staging, executed = folder / STAGING, folder / "paper.ipynb"

    def done(state: str, message: str) -> Outcome:
        if state == "failed":
            keep_failed(folder, staging)
            for name in ROUND_FILES:
                (folder / name).unlink(missing_ok=True)
            write_error(folder, message)
        return Outcome(grant_round.name, grant_round.title, folder, state, message,
                       time.perf_counter() - start)

    try:
        files.prepare_folder(folder, (*PAPER_FILES, STAGING))
    except files.OutputError as e:
        return done("failed", str(e))
    params = {"round_file": os.path.relpath(path.resolve(), repo_root),
              "repo_root": str(repo_root), "output_dir": str(folder),
              "meeting_date": meeting_date or "to be arranged"}
    try:
        execute(notebook_file("grants.ipynb", repo_root), staging, params, cwd=folder)
        staging.replace(executed)
        summary = json.loads((folder / "round.json").read_text(encoding="utf-8"))
    except PapermillExecutionError:
        keep_failed(folder, staging)
        return done("failed", failure_sentence(executed))
    except Exception as e:  # noqa: BLE001 - kernel death, a full disk: report, never crash
        return done("failed", f"The round's notebook could not run: {type(e).__name__}: {e}")
    met = summary.get("status") in ("optimal", "time limit")
    failure = render_paper(executed, folder, title=grant_round.title,
                           draft=not summary.get("proven_optimal", False),
                           placeholders=1 if grant_round.synthetic else 0,
                           cannot_be_met=not met, notes=NOTES)
    return done(*paper_state(failure, met, folder, "round", "the smallest fix"))
