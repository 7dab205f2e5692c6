"""A scenario's folder in a batch run: its outputs, how it ends, and what a failed or
interrupted run leaves there (an ``error.txt`` and nothing that reads as a result); and the paper
rendered from the executed notebook, or the sentence saying why it could not be.

A failed scenario keeps its executed notebook only when the notebook itself failed: it is whole
and shows the failing cell. After any other failure — an output that cannot be written (a full
disk), a paper that could not be rendered, a worker that stopped, an interruption — its folder
holds ``error.txt`` alone, since a notebook that ran to its end reads as a finished paper. A
scenario that cannot be met is not a failure: it keeps its diagnosis paper.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetopt.core import files
from budgetopt.data.scenario import load_scenario
from budgetopt.reporting.execute import failure_sentence
from budgetopt.reporting.outputs import OUTPUT_FILES
from budgetopt.reporting.render import render_html, render_pdf

RESULT_FILES = (*OUTPUT_FILES, "paper.html", "paper.pdf")
OUTPUTS = ("paper.ipynb", "error.txt", *RESULT_FILES)
STAGING = ".partial.ipynb"
BASELINE = "baseline"  # the scenario the others are compared with (parameters/baseline.yaml)
COMPARISON = "comparison"  # the comparison paper's folder, beside the scenarios'
INTERRUPTED = ("The run was interrupted (Ctrl+C or SIGTERM) before this paper was finished; "
               "run again to make it.")


@dataclass(frozen=True)
class Outcome:
    """What happened to one scenario."""

    name: str
    title: str
    folder: Path
    state: str  # "paper", "not met", "failed", "interrupted" or "invalid"
    message: str
    seconds: float
    cannot_write: bool = False  # failed because an output cannot be written: the run exits 3

    @property
    def ok(self) -> bool:
        return self.state == "paper"


def clear(folder: Path) -> None:
    files.prepare_folder(folder, (*OUTPUTS, STAGING))


def file_in_the_way(folder: Path, name: str) -> str | None:
    """When a scenario's folder is a file already there (one with the scenario's name): the
    sentence saying which file is in the way and to rename the scenario — choosing another
    output folder, which the output folder's own sentence advises, is not the fix."""
    if folder.is_dir() or not folder.exists():
        return None
    return (f"Cannot write the paper of scenario '{name}': its folder would be {folder}, but "
            "that is a file already there; rename the scenario (name: in its parameters file) "
            "or move that file.")


def keep_failed(folder: Path, staging: Path, notebook: bool = True) -> None:
    """After a failure: remove every result file, so the folder holds nothing that could be
    read as this run's result. The executed notebook (``staging``) becomes ``paper.ipynb`` only
    when ``notebook`` and it shows the failing cell; any other notebook goes."""
    if not folder.is_dir():  # the folder itself could not be made: nothing in it to remove
        return
    kept = notebook and _shows_failure(staging)
    gone = [*(folder / name for name in RESULT_FILES), *folder.glob(".*.tmp"),
            *([] if kept else [staging, folder / "paper.ipynb"])]
    for path in gone:
        with suppress(OSError):  # a folder that cannot be changed is left as it is
            path.unlink(missing_ok=True)
    if kept:
        staging.replace(folder / "paper.ipynb")


def _shows_failure(notebook: Path) -> bool:
    """Whether ``notebook`` is a whole notebook with a cell that failed."""
    import nbformat

    try:
        nb = nbformat.read(notebook, as_version=4)
    except Exception:  # noqa: BLE001 - missing, truncated or unreadable
        return False
    return any(out.get("output_type") == "error"
               for cell in nb.cells for out in cell.get("outputs", []))


def failure(error: Exception, staging: Path, what: str) -> tuple[str, bool]:
    """A notebook run's failure in a sentence, and whether it is an output that cannot be
    written (a full disk: the run then exits 3). ``what`` begins the sentence for a fault
    that is neither the notebook's nor a file's (a kernel that died, a timeout)."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(error, files.OutputError):
        return str(error), True
    if isinstance(error, PapermillExecutionError):
        if error.ename == "OutputError":  # a cell could not write the paper's files
            return error.evalue, True
        return failure_sentence(staging), False
    if isinstance(error, OSError) and files.is_write_error(error):
        path = Path(error.filename) if error.filename else staging
        return files.why(error, path), True
    return f"{what}: {type(error).__name__}: {error}", False


def write_error(folder: Path, message: str) -> None:
    with suppress(files.OutputError):  # a full disk: the message still reaches the terminal
        files.write_text(folder / "error.txt", message + "\n")


def interrupted(path: Path, out_root: Path) -> Outcome:
    """Mark a scenario that did not finish: its folder holds error.txt saying so, and no
    result files (nor a half-written notebook)."""
    return failed(path, out_root, INTERRUPTED, "interrupted")


def failed(path: Path, out_root: Path, message: str, state: str = "failed") -> Outcome:
    """Mark a scenario its worker could not finish: error.txt with ``message``, nothing else."""
    scenario = load_scenario(path)
    folder = out_root / scenario.name
    if folder.is_dir():
        keep_failed(folder, folder / STAGING, notebook=False)
        write_error(folder, message)
    return Outcome(scenario.name, scenario.title, folder, state, message, 0.0)


def render_paper(executed: Path, folder: Path, *, title: str, **marks: Any) -> str | None:
    """Render an executed notebook as ``folder``/paper.html and paper.pdf (``marks``: the
    marking arguments of :func:`render_html`). Returns None, or the sentence saying why the
    paper could not be rendered; raises :class:`~budgetopt.core.files.OutputError` when a file
    cannot be written. The caller then clears the folder (:func:`keep_failed`), so no
    half-rendered paper is left as if done."""
    try:
        html = render_html(executed, folder / "paper.html", title=title, **marks)
        render_pdf(html, folder / "paper.pdf", title=title)
    except files.OutputError:
        raise
    except Exception as e:  # noqa: BLE001 - a rendering fault must not leave half a paper
        return f"The paper could not be rendered: {type(e).__name__}: {e}"
    return None


def paper_state(failure: str | None, met: bool, folder: Path, what: str,
                gives: str) -> tuple[str, str]:
    """A rendered paper's state and sentence: failed (``failure``, from :func:`render_paper`),
    not met (the paper of a ``what`` that cannot be met, which ``gives`` its fix), or written."""
    if failure:
        return "failed", failure
    if not met:
        return "not met", f"This {what} cannot be met: {folder / 'paper.pdf'} gives {gives}."
    return "paper", f"Paper written: {folder / 'paper.pdf'}"
