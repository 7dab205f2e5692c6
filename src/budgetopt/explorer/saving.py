"""Saving an explored scenario without losing anyone's work, and exporting what is on screen.

A save goes to ``parameters/<name>.yaml``. It never replaces a scenario that git tracks (a
shipped or committed one, such as ``baseline.yaml``) nor a hand-written file: the explorer
offers a free name instead. A file the explorer itself saved earlier is replaced only when the
analyst ticks "replace". The outcome is one sentence for the line under the Save button —
saved, refused (with the name to use) or invalid — and a scenario that cannot be met is saved
with a word saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from budgetopt.core.errors import InputError
from budgetopt.data.problems import problems_from
from budgetopt.data.scenario import NAME_LENGTH, Scenario, save_scenario
from budgetopt.reporting.manifest import is_tracked, run_manifest
from budgetopt.reporting.outputs import write_compared, write_outputs
from budgetopt.results.compare import settings_compared

MARK = "saved from the scenario explorer"  # in the header of every file the explorer writes
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
Kind = Literal["saved", "refused", "invalid"]


@dataclass(frozen=True)
class SaveOutcome:
    kind: Kind
    message: str
    path: Path | None = None
    suggestion: str | None = None  # a free name, when the one asked for is taken


def target(repo_root: Path, name: str) -> Path:
    return repo_root / "parameters" / f"{name}.yaml"


def explorer_made(path: Path) -> bool:
    """Whether ``path`` is a file the explorer saved (its header says so)."""
    try:
        head = path.read_text(encoding="utf-8").split("\n", 3)[:3]
    except OSError:
        return False
    return any(line.startswith("#") and MARK in line for line in head)


def free_name(repo_root: Path, name: str) -> str:
    """``name``, or ``name-2``, ``name-3``… — the first that no file in parameters/ has."""
    if not target(repo_root, name).exists():
        return name
    stem = re.sub(r"-\d+$", "", name)
    n = 2
    while target(repo_root, f"{stem}-{n}").exists():
        n += 1
    return f"{stem}-{n}"


def save(scenario: Scenario, repo_root: Path, *, replace: bool = False,
         met: bool = True, start: str = "") -> SaveOutcome:
    """Save ``scenario`` as parameters/<its name>.yaml unless that would replace work that is
    not the explorer's (or replace the explorer's own file without ``replace``)."""
    name = scenario.name
    if not NAME.match(name) or len(name) > NAME_LENGTH:
        return SaveOutcome("invalid", f"“{name}” cannot be a scenario name: use letters, digits, "
                           "'-', '_' or '.', starting with a letter or digit, at most "
                           f"{NAME_LENGTH} characters.")
    path = target(repo_root, name)
    rel = path.relative_to(repo_root)
    if path.exists():
        suggestion = free_name(repo_root, name)
        if is_tracked(repo_root, path) or not explorer_made(path):
            return SaveOutcome("refused", f"Not saved: {rel} is a shipped or hand-written "
                               f"scenario and is never replaced. Save under another name, "
                               f"for example “{suggestion}”.", path, suggestion)
        if not replace:
            return SaveOutcome("refused", f"Not saved: {rel} already exists (saved from the "
                               "explorer earlier). Tick “Replace it” to overwrite it, or save "
                               f"as “{suggestion}”.", path, suggestion)
    header = (f"{scenario.title}: {MARK}"
              + (f", starting from '{start}'." if start else "."))
    save_scenario(scenario, path, header=header)
    note = ("" if met else " This scenario cannot be met as it stands: `budgetopt run` will "
            "give its diagnosis paper, not an allocation.")
    return SaveOutcome("saved", f"Saved {rel}.{note}", path)


# -- the explorer's Save and Export buttons -------------------------------------------------
def save_from(ex: Any) -> Path | None:
    """Save the explorer's current settings under the name and title in its boxes; the outcome
    goes to the line under the button (and only there). Returns the path written, or None."""
    try:
        scenario = ex.scenario().with_changes(
            name=ex.save_name.value.strip(), title=ex.save_title.value.strip(),
            description="Saved from the scenario explorer.")
    except (InputError, ValidationError) as e:
        problems = e.problems if isinstance(e, InputError) else problems_from(e, "explorer")
        labels = {"name": "Scenario name", "title": "Title"}
        show(ex, "invalid", "Not saved: " + "; ".join(
            f"{labels.get(p.key or '', p.key or 'a setting')}: {p.rule}" for p in problems))
        return None
    outcome = save(scenario, ex.repo_root, replace=ex.save_replace.value,
                   met=ex.run is not None and ex.run.is_met, start=ex.base_scenario.name)
    show(ex, outcome.kind, outcome.message)
    if outcome.suggestion:
        ex.save_name.value = outcome.suggestion
    return outcome.path if outcome.kind == "saved" else None


def export_from(ex: Any) -> Path | None:
    """Write the tables of what is on screen (CSV, JSON, workbook) with the writers of
    ``budgetopt run``, into reports/explorer/<name>/ — and, when settings are kept, the
    comparison of them with the start (comparison.csv, comparison.xlsx)."""
    if ex.run is None:
        show(ex, "invalid", "Nothing to export yet.")
        return None
    name = ex.save_name.value.strip() or "explored"
    folder = ex.repo_root / "reports" / "explorer" / name
    write_outputs(ex.run, folder)
    written = "allocation.csv, flows.csv, result.json, allocation.xlsx, manifest.json"
    if ex.kept:
        write_compared(settings_compared(ex.baseline, ex.kept), folder,
                       f"{ex.base_scenario.title}: kept settings compared",
                       run_manifest(ex.run)["marking"])
        written += ", comparison.csv, comparison.xlsx"
    show(ex, "saved", f"Exported {folder.relative_to(ex.repo_root)}/ ({written}).")
    return folder


def show(ex: Any, kind: str, text: str) -> None:
    colour = "#1d6b2f" if kind == "saved" else "#b00020"
    ex.saved.value = (f'<p style="color:{colour}" class="budgetopt-saved-{kind}">'
                      f"{escape(text)}</p>")
