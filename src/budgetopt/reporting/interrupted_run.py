"""What an interrupted ``budgetopt run`` leaves and says.

The scenarios that had not finished are marked by :mod:`~budgetopt.reporting.parallel` (each
``error.txt`` says so). Here: the baseline an interrupted run's index is set against (the run's
own, when it finished — nothing is solved after a signal), the comparison paper withdrawn when
it is not this run's (an earlier run's paper compares scenarios whose folders now hold only
``error.txt``; its folder then holds an ``error.txt`` saying why, which the index shows), and
the sentence for a run interrupted before any scenario's paper was started.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from budgetopt.core import files
from budgetopt.reporting.scenario_folder import (
    BASELINE,
    COMPARISON,
    STAGING,
    Outcome,
    keep_failed,
    write_error,
)

COMPARISON_WITHDRAWN = ("The run was interrupted (Ctrl+C or SIGTERM) before the comparison "
                        "paper was made, so no comparison paper is shown; run again to make it.")
ROUND_INTERRUPTED = ("Interrupted (Ctrl+C or SIGTERM) during a grant round's paper: its worker "
                     "and kernel were stopped and its folder says so (error.txt); no scenario "
                     "was run; run again to make the papers.")
BEFORE_ANY_PAPER = ("Interrupted (Ctrl+C or SIGTERM) before any scenario's paper was started: "
                    "no scenario was run and the index was not changed; run again to make the "
                    "papers.")


def finished_baseline(outcomes: Sequence[Outcome]) -> Path | None:
    """The run's own baseline folder when its scenario finished with its result files."""
    for o in outcomes:
        if o.name == BASELINE and o.state in ("paper", "not met") and (
                o.folder / "result.json").is_file():
            return o.folder
    return None


def withdraw_comparison(out_root: Path) -> None:
    """Remove the comparison paper (an earlier run's, or this run's half-made one, with its
    ``.partial.ipynb``) and leave ``error.txt`` saying why."""
    folder = out_root / COMPARISON
    with suppress(OSError, files.OutputError):
        keep_failed(folder, folder / STAGING, notebook=False)  # results and notebooks go
        write_error(folder, COMPARISON_WITHDRAWN)


def interrupted_sentence(outcomes: Sequence[Outcome]) -> str:
    done = sum(o.state != "interrupted" for o in outcomes)
    return ("Interrupted: the workers and their kernels were stopped; "
            f"{done} of {len(outcomes)} scenario(s) had finished.")
