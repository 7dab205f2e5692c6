"""A scenario's folder in a batch run: its outputs, how it ends, and what a failed or
interrupted run leaves there (an ``error.txt`` and nothing that reads as a result); and the paper
rendered from the executed notebook, or the sentence saying why it could not be."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from budgetopt.core import files
from budgetopt.data.scenario import load_scenario
from budgetopt.reporting.outputs import OUTPUT_FILES
from budgetopt.reporting.render import render_html, render_pdf

RESULT_FILES = (*OUTPUT_FILES, "paper.html", "paper.pdf")
OUTPUTS = ("paper.ipynb", "error.txt", *RESULT_FILES)
STAGING = ".partial.ipynb"
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


def keep_failed(folder: Path, staging: Path) -> None:
    """After a failure: keep the executed notebook when it is whole (it shows the failing
    cell), drop a truncated one, and remove every result file, so the folder holds nothing
    that could be read as this run's result."""
    import nbformat

    if staging.exists():
        try:
            nbformat.read(staging, as_version=4)
            staging.replace(folder / "paper.ipynb")
        except Exception:  # noqa: BLE001 - truncated or unreadable: not a notebook to keep
            staging.unlink(missing_ok=True)
    for name in RESULT_FILES:
        (folder / name).unlink(missing_ok=True)
    for tmp in folder.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


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
        keep_failed(folder, folder / STAGING)
        (folder / "paper.ipynb").unlink(missing_ok=True)
        write_error(folder, message)
    return Outcome(scenario.name, scenario.title, folder, state, message, 0.0)


def render_paper(executed: Path, folder: Path, *, title: str, **marks: Any) -> str | None:
    """Render an executed notebook as ``folder``/paper.html and paper.pdf (``marks``: the
    marking arguments of :func:`render_html`). Returns None, or the sentence saying why the
    paper could not be rendered — never raises, so no half-rendered paper is left as if done."""
    try:
        html = render_html(executed, folder / "paper.html", title=title, **marks)
        render_pdf(html, folder / "paper.pdf", title=title)
    except files.OutputError as e:
        return str(e)
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
