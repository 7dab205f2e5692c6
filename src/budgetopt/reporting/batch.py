"""`budgetopt run`: every scenario becomes a budget-setting paper, safely and in parallel.

1. Check every parameters file and its dataset first; report all invalid ones together before
   any kernel starts. Invalid ones are not run; valid ones are.
2. Execute ``notebooks/paper.ipynb`` with papermill once per scenario (kernel ``python3``, a cell
   timeout, absolute paths so the kernel's working directory does not matter), in parallel
   processes with ``--jobs``.
3. Render each executed notebook to ``paper.html`` (the project's own template: no code, no
   script, no external URL) and ``paper.pdf`` (WeasyPrint, A4, tagged PDF/UA).
4. A scenario that fails gets an ``error.txt`` saying what went wrong in a sentence — never a
   ``paper.pdf``, and none of the result files, so nothing in its folder reads as a result; it
   keeps its executed notebook only when a cell of the notebook failed (the notebook shows it).
   Files are written atomically; a full disk leaves no file under a final name.
5. Write ``reports/index.html`` (every scenario asked for — papers, diagnoses, failures and
   invalid files — against the baseline) and the comparison paper from
   ``notebooks/compare.ipynb``.

A grant round's file given to ``budgetopt run`` (``parameters/grants/<round>.yaml``) gets its
summary paper instead (:mod:`~budgetopt.reporting.grant_papers`), in ``reports/grants/<round>/``,
before the scenarios; it is not in the scenarios' index or comparison.

Ctrl+C (SIGINT, to the command or its process group) and SIGTERM stop the run within seconds:
the workers and their kernels are ended, each scenario not finished is marked ``interrupted``
(its ``error.txt`` says so), a comparison paper not made by this run is withdrawn (its folder's
``error.txt`` says why), the index is rewritten to show what finished, and the exit code is 130 —
also when the signal comes before any paper started, and however often Ctrl+C is pressed.
Every paper runs in a worker process (:mod:`~budgetopt.reporting.parallel`), so an interruption
ends processes and nothing prints on the way out. Running again recovers: every scenario's
folder is cleared before it runs.

Kernels run with their own logging turned down (:mod:`~budgetopt.reporting.execute`), so the
terminal shows what the analyst needs: one line per scenario, and the index.

Exit code: 0 every scenario produced its paper, and the comparison too; 1 any could not be met
or failed (the comparison included); 2 any parameters file or dataset was invalid; 3 an output
cannot be written — the output folder, a scenario's, a grant round's or the comparison's folder,
a paper on a full disk, the index — each said in a sentence naming the path; 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Set
from contextlib import suppress
from pathlib import Path

from budgetopt.core import files
from budgetopt.core.errors import InputError, Problem
from budgetopt.data.grant_round import is_round, load_round
from budgetopt.data.inputs import load_inputs
from budgetopt.data.scenario import load_scenario, repository_root, scenario_dataset_path
from budgetopt.paper.notebook import notebook_file
from budgetopt.pipeline import run_scenario
from budgetopt.reporting.execute import execute
from budgetopt.reporting.grant_papers import run_round_paper
from budgetopt.reporting.index import write_index
from budgetopt.reporting.interrupted_run import (
    ROUND_INTERRUPTED,
    finished_baseline,
    interrupted_sentence,
    withdraw_comparison,
)
from budgetopt.reporting.interrupts import (
    Interrupted,
    end_descendants,
    running_children,
    signals_interrupt,
)
from budgetopt.reporting.manifest import is_draft
from budgetopt.reporting.outputs import write_outputs
from budgetopt.reporting.parallel import in_worker, run_all
from budgetopt.reporting.render import render_html, render_pdf
from budgetopt.reporting.scenario_folder import (
    BASELINE,
    COMPARISON,
    INTERRUPTED,
    STAGING,
    Outcome,
    clear,
    failure,
    file_in_the_way,
    keep_failed,
    paper_state,
    render_paper,
    write_error,
)

EXIT_OUTPUT, EXIT_INTERRUPTED = 3, 130


def notebook_path(repo_root: Path, name: str = "paper.ipynb") -> Path:
    return notebook_file(name, repo_root)


def run_one(params_path: Path, out_root: Path, repo_root: Path, meeting_date: str = "") -> Outcome:
    """Run one scenario's paper end to end; never raises for a scenario's own failure."""
    start = time.perf_counter()
    scenario = load_scenario(params_path)
    folder = out_root / scenario.name
    executed = folder / "paper.ipynb"
    staging = folder / STAGING

    def done(state: str, message: str, cannot_write: bool = False) -> Outcome:
        if state == "failed":  # a scenario not met has its diagnosis paper, not an error.txt
            keep_failed(folder, staging, notebook=not cannot_write)
            write_error(folder, message)
        return Outcome(scenario.name, scenario.title, folder, state, message,
                       time.perf_counter() - start, cannot_write)

    in_the_way = file_in_the_way(folder, scenario.name)
    if in_the_way:  # a file with the scenario's name: renaming the scenario is the fix
        return Outcome(scenario.name, scenario.title, folder, "failed", in_the_way,
                       time.perf_counter() - start, cannot_write=True)
    try:
        clear(folder)
    except files.OutputError as e:  # nothing of this run's in the folder to clear
        return Outcome(scenario.name, scenario.title, folder, "failed", str(e),
                       time.perf_counter() - start, cannot_write=True)
    params = scenario.model_dump(mode="json")
    rel = os.path.relpath(params_path.resolve(), repo_root)
    params.update(params_file=rel, repo_root=str(repo_root), output_dir=str(folder),
                  meeting_date=meeting_date or "to be arranged")
    try:
        execute(notebook_path(repo_root), staging, params, cwd=folder)
        staging.replace(executed)
    except Exception as e:  # noqa: BLE001 - a cell, a full disk, kernel death: never crash the batch
        return done("failed", *failure(e, staging, "The paper notebook could not run"))
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        summary = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return done("failed", f"The paper notebook finished without its result files: {e}")
    met = summary.get("status") == "optimal"
    title = manifest.get("paper_title") or scenario.title  # the title on page 1
    try:
        fault = render_paper(executed, folder, title=title, draft=is_draft(manifest),
                             # a manifest that does not say: illustrative, never final
                             placeholders=int(manifest.get("placeholders_used", 1)),
                             cannot_be_met=not met)
    except files.OutputError as e:
        return done("failed", str(e), cannot_write=True)
    return done(*paper_state(fault, met, folder, "scenario",
                             "the diagnosis and the smallest fix"))


def validate_all(paths: list[Path]) -> tuple[list[Path], list[tuple[Path, InputError]]]:
    """Split parameter files into valid ones and the problems of the others."""
    valid: list[Path] = []
    invalid: list[tuple[Path, InputError]] = []
    names: dict[str, Path] = {}
    for p in paths:
        try:
            inputs = load_inputs(p)
        except InputError as e:
            invalid.append((p, e))
            continue
        name = inputs.scenario.name
        if name in names:
            invalid.append((p, InputError([Problem(
                str(p), f"scenario name '{name}' is also used by {names[name]}; each needs its "
                "own name", key="name")], f"Scenario '{p}'")))
            continue
        names[name] = p
        valid.append(p)
    return valid, invalid


def invalid_outcome(path: Path, error: InputError, out_root: Path,
                    taken: set[str]) -> Outcome:
    """How the index shows a file that was not run: its name (the file's, when the file has no
    valid name) and its first problem."""
    try:
        scenario = load_scenario(path)
        name, title, known = scenario.name, scenario.title, True
    except InputError:
        name, title, known = path.stem, path.stem, False
    first = str(error.problems[0]) if error.problems else error.report()
    more = len(error.problems) - 1
    message = (f"Not run: {first}" + (f" (and {more} more problem{'s' if more != 1 else ''}; "
               f"budgetopt validate {path} lists them)" if more > 0 else ""))
    folder = out_root / name
    if known and name not in taken:  # an earlier run's paper there is not this file's: clear it
        try:
            clear(folder)
            write_error(folder, error.report())
        except files.OutputError:
            pass
    return Outcome(name, title, folder, "invalid", message, 0.0)


def _datasets_used(ran: list[Outcome], repo_root: Path) -> set[Path]:
    """The dataset folders the run's scenarios planned, from their run manifests."""
    used = set()
    for o in ran:
        try:
            manifest = json.loads((o.folder / "manifest.json").read_text(encoding="utf-8"))
            used.add((repo_root / manifest["parameters"]["dataset"]).resolve())
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return used


def ensure_baseline(out_root: Path, repo_root: Path, ran: list[Outcome]) -> Path | None:
    """The baseline's result files, solving it (without a paper) when the run did not —
    but none when parameters/baseline.yaml plans another dataset than the run's scenarios
    (another force's: a second dataset's papers are not set against the default's)."""
    if (finished := finished_baseline(ran)) is not None:
        return finished
    params = repo_root / "parameters" / f"{BASELINE}.yaml"
    if not params.is_file():
        return None
    try:
        used = _datasets_used(ran, repo_root)
        if used and scenario_dataset_path(load_scenario(params), params).resolve() not in used:
            return None  # it plans another dataset (another force): no baseline for this run
        run = run_scenario(params, repo_root=repo_root)
    except InputError:
        return None
    folder = out_root / "_baseline"
    try:
        write_outputs(run, folder, workbook=False)  # with its manifest: the comparison's marking
    except files.OutputError:
        return None  # the index and comparison then say "not available"
    return folder


def _compared_marking(folders: list[Path]) -> tuple[bool, int]:
    """The comparison is as sure as its least sure scenario (the baseline included): a draft
    if any is (or has no manifest), illustrative on the most placeholders any uses."""
    draft, placeholders = False, 0
    for folder in folders:
        path = folder / "manifest.json"
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            draft = True
            continue
        draft = draft or is_draft(manifest)
        placeholders = max(placeholders, int(manifest.get("placeholders_used", 1)))
    return draft, placeholders


def write_comparison(out_root: Path, outcomes: list[Outcome], baseline: Path | None,
                     repo_root: Path) -> Outcome | None:
    """The comparison paper over this run's scenarios (HTML and PDF)."""
    if len(outcomes) < 1:
        return None
    folder = out_root / COMPARISON
    params = {"scenarios": [o.name for o in outcomes], "reports_dir": str(out_root),
              "baseline": baseline.name if baseline else BASELINE,
              "repo_root": str(repo_root)}
    start = time.perf_counter()
    staging = folder / STAGING
    try:
        clear(folder)
        execute(notebook_path(repo_root, "compare.ipynb"), staging, params, cwd=folder)
        staging.replace(folder / "paper.ipynb")
        title = "Commissioning Intentions Plan — scenarios compared"
        draft, placeholders = _compared_marking(
            [o.folder for o in outcomes] + ([baseline] if baseline else []))
        html = render_html(folder / "paper.ipynb", folder / "paper.html", title=title,
                           draft=draft, placeholders=placeholders)
        render_pdf(html, folder / "paper.pdf", title=title)
    except Exception as e:  # noqa: BLE001 - report the comparison's failure
        message, cannot_write = failure(e, staging, "The comparison paper failed")
        keep_failed(folder, staging, notebook=not cannot_write)
        write_error(folder, message)
        return Outcome(COMPARISON, "Comparison", folder, "failed", message,
                       time.perf_counter() - start, cannot_write)
    return Outcome(COMPARISON, "Comparison", folder, "paper", "Comparison written",
                   time.perf_counter() - start)


def _round_papers(rounds: list[Path], out_root: Path, repo_root: Path,
                  echo: Callable[[str], None], meeting_date: str, spare: Set[int]) -> int:
    """Each grant round's paper, in turn (its own selection is quick), each in a worker process
    as the scenarios' are; the exit code so far. An interruption marks the round's folder
    interrupted and raises :class:`Interrupted` again."""
    from budgetopt.grants.inputs import load_round_inputs

    code = 0
    for path in rounds:
        try:
            load_round_inputs(path, repo_root)
        except InputError as e:
            echo(e.report())
            code = max(code, 2)
            continue
        try:
            o = in_worker(run_round_paper, path, out_root, repo_root, meeting_date, spare=spare)
        except Interrupted:
            folder = out_root / "grants" / load_round(path).name
            with suppress(OSError, files.OutputError):
                keep_failed(folder, folder / STAGING, notebook=False)
                write_error(folder, INTERRUPTED)
            echo(ROUND_INTERRUPTED)
            raise
        echo(f"{o.title}: {o.state} ({o.seconds:.1f}s) — {o.message}")
        if not o.ok:
            code = max(code, EXIT_OUTPUT if o.cannot_write else 1)
    return code


def run(paths: list[Path], out_root: Path | None = None, jobs: int = 1,
        echo: Callable[[str], None] = print, progress: bool | None = None,
        meeting_date: str = "", scheduler: str | None = None) -> int:
    """Run scenarios; return the exit code (0 all papers, 1 any not met/failed, 2 invalid,
    3 an output that cannot be written, 130 interrupted). An output folder that cannot be
    written raises :class:`~budgetopt.core.files.OutputError` before anything runs."""
    logging.getLogger("papermill").setLevel(logging.WARNING)
    if paths:
        repo_root = repository_root(paths[0].resolve().parent)
    else:
        repo_root = repository_root(Path.cwd())
        paths = sorted((repo_root / "parameters").glob("*.yaml"))
    out_root = files.prepare_folder((out_root or repo_root / "reports").resolve())
    rounds = [p for p in paths if is_round(p)]
    paths = [p for p in paths if p not in rounds]
    with signals_interrupt():
        try:
            code = _round_papers(rounds, out_root, repo_root, echo, meeting_date,
                                 running_children())
        except Interrupted:
            return EXIT_INTERRUPTED
    if not paths:
        return code
    valid, invalid = validate_all(paths)
    for _, err in invalid:
        echo(err.report())
    if invalid:
        echo(f"{len(invalid)} parameter file(s) are invalid and will not be run.")
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI")
    names = {load_scenario(p).name for p in valid}
    refused = [invalid_outcome(p, e, out_root, names) for p, e in invalid]
    outcomes: list[Outcome] = []
    baseline: Path | None = None
    comparison: Outcome | None = None
    interrupted = index_written = False
    shown = 0  # scenarios whose line is on the terminal: an interruption does not repeat them
    spare = running_children()  # processes that were there before the run are not its to end

    def index() -> bool:
        if not (valid or refused):
            return False
        try:
            path = write_index(out_root, [*outcomes, *refused], baseline, repo_root,
                               interrupted=interrupted)
        except files.OutputError as e:
            echo(str(e))
            return False
        echo(f"Index of papers: {path}")
        return True

    with signals_interrupt():  # the first signal interrupts; later ones are ignored
        try:
            if valid:
                outcomes = run_all(run_one, valid, out_root, repo_root, jobs, progress,
                                   meeting_date, spare, scheduler)
                for o in outcomes:
                    echo(f"{o.title}: {o.state} ({o.seconds:.1f}s) — {o.message}")
                    shown += 1
                baseline = ensure_baseline(out_root, repo_root, outcomes)
                comparison = in_worker(write_comparison, out_root, outcomes, baseline,
                                       repo_root, spare=spare)
                if comparison and not comparison.ok:
                    echo(comparison.message)
            index_written = index()
        except Interrupted as e:
            end_descendants(spare)  # the comparison's worker and kernel, when it came then
            interrupted = True
            outcomes = e.args[0] if e.args else outcomes
            for o in outcomes[shown:]:
                echo(f"{o.title}: {o.state} — {o.message}")
            baseline = baseline or finished_baseline(outcomes)  # nothing solved after a signal
            if valid and not (comparison and comparison.ok):
                withdraw_comparison(out_root)  # an earlier run's, or this one's half-made
            echo(interrupted_sentence(outcomes))
            index_written = index()
    papers = [*outcomes, *([comparison] if comparison else [])]
    if interrupted:
        return EXIT_INTERRUPTED
    if (((valid or refused) and not index_written) or code == EXIT_OUTPUT
            or any(o.cannot_write for o in papers)):
        return EXIT_OUTPUT
    if invalid:
        return 2
    return max(code, 0 if all(o.ok for o in papers) else 1)


