"""`budgetopt run`: every scenario becomes a budget-setting paper, safely and in parallel.

1. Check every parameters file and its dataset first; report all invalid ones together before
   any kernel starts. Invalid ones are not run; valid ones are.
2. Execute ``notebooks/paper.ipynb`` with papermill once per scenario (kernel ``python3``, a cell
   timeout, absolute paths so the kernel's working directory does not matter), in parallel
   processes with ``--jobs``.
3. Render each executed notebook to ``paper.html`` (the project's own template: no code, no
   script, no external URL) and ``paper.pdf`` (WeasyPrint, A4, tagged PDF/UA).
4. A scenario that fails keeps its executed notebook up to the failure and gets an ``error.txt``
   saying what went wrong in a sentence — never a ``paper.pdf``. Files are written atomically.
5. Write ``reports/index.html`` (every scenario side by side against the baseline) and the
   comparison paper from ``notebooks/compare.ipynb``.

Exit code: 0 every scenario produced its paper; 1 any could not be met or failed; 2 any
parameters file or dataset was invalid.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from budgetopt.core import files
from budgetopt.core.errors import InputError, Problem
from budgetopt.data.inputs import load_inputs
from budgetopt.data.scenario import load_scenario, repository_root
from budgetopt.pipeline import run_scenario
from budgetopt.reporting.index import write_index
from budgetopt.reporting.manifest import is_draft
from budgetopt.reporting.outputs import write_outputs
from budgetopt.reporting.render import render_html, render_pdf

CELL_TIMEOUT = 600  # seconds per notebook cell
OUTPUTS = ("paper.ipynb", "paper.html", "paper.pdf", "error.txt", "allocation.csv",
           "flows.csv", "result.json", "allocation.xlsx", "manifest.json")
BASELINE = "baseline"


@dataclass(frozen=True)
class Outcome:
    """What happened to one scenario."""

    name: str
    title: str
    folder: Path
    state: str  # "paper", "not met", "failed"
    message: str
    seconds: float

    @property
    def ok(self) -> bool:
        return self.state == "paper"


def notebook_path(repo_root: Path, name: str = "paper.ipynb") -> Path:
    return repo_root / "notebooks" / name


def _clear(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in OUTPUTS:
        (folder / name).unlink(missing_ok=True)


def _execute(notebook: Path, out: Path, parameters: dict, cwd: Path) -> None:
    """papermill, with one retry on the kernel start-up races seen under parallel runs."""
    import papermill as pm

    for attempt in (1, 2):
        try:
            pm.execute_notebook(str(notebook), str(out), parameters=parameters,
                                kernel_name="python3", progress_bar=False, log_output=False,
                                execution_timeout=CELL_TIMEOUT, cwd=str(cwd))
            return
        except RuntimeError as e:  # "Kernel didn't respond", ZMQ "Address already in use"
            transient = "Kernel didn't respond" in str(e) or "Address already in use" in str(e)
            if attempt == 2 or not transient:
                raise
            time.sleep(1)


def _failure_sentence(nb_path: Path) -> str:
    """The failing cell's error from the executed notebook, in one sentence."""
    import nbformat

    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception:  # noqa: BLE001 - missing or half-written notebook
        return "The paper notebook could not be executed."
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return (f"The paper notebook failed in cell {i + 1}: {out.get('ename')}: "
                        f"{out.get('evalue')}".strip())
    return "The paper notebook stopped before it finished."


def run_one(params_path: Path, out_root: Path, repo_root: Path, meeting_date: str = "") -> Outcome:
    """Run one scenario's paper end to end; never raises for a scenario's own failure."""
    import json

    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    scenario = load_scenario(params_path)
    folder = out_root / scenario.name
    _clear(folder)
    executed = folder / "paper.ipynb"
    staging = folder / ".partial.ipynb"
    params = scenario.model_dump(mode="json")
    rel = os.path.relpath(params_path.resolve(), repo_root)
    params.update(params_file=rel, repo_root=str(repo_root), output_dir=str(folder),
                  meeting_date=meeting_date or "to be arranged")

    def done(state: str, message: str) -> Outcome:
        if state != "paper":
            files.write_text(folder / "error.txt", message + "\n")
        return Outcome(scenario.name, scenario.title, folder, state, message,
                       time.perf_counter() - start)

    try:
        _execute(notebook_path(repo_root), staging, params, cwd=folder)
    except PapermillExecutionError:
        staging.replace(executed)
        return done("failed", _failure_sentence(executed))
    except Exception as e:  # noqa: BLE001 - kernel death, timeout: report, never crash the batch
        if staging.exists():
            staging.replace(executed)
        return done("failed", f"The paper notebook could not run: {type(e).__name__}: {e}")
    staging.replace(executed)

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    summary = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    met = summary.get("status") == "optimal"
    title = (f"Commissioning Intentions Plan — {scenario.title}"
             + ("" if met else " (cannot be met)"))
    try:
        html = render_html(executed, folder / "paper.html", title=title,
                           draft=is_draft(manifest), cannot_be_met=not met)
        render_pdf(html, folder / "paper.pdf", title=title)
    except Exception as e:  # noqa: BLE001 - a rendering fault must not leave half a paper
        for name in ("paper.html", "paper.pdf"):
            (folder / name).unlink(missing_ok=True)
        return done("failed", f"The paper could not be rendered: {type(e).__name__}: {e}")
    if not met:
        return Outcome(scenario.name, scenario.title, folder, "not met",
                       f"This scenario cannot be met: {folder / 'paper.pdf'} gives the "
                       "diagnosis and the smallest fix.", time.perf_counter() - start)
    return done("paper", f"Paper written: {folder / 'paper.pdf'}")


def validate_all(paths: list[Path]) -> tuple[list[Path], list[InputError]]:
    """Split parameter files into valid ones and the problems of the others."""
    valid: list[Path] = []
    invalid: list[InputError] = []
    names: dict[str, Path] = {}
    for p in paths:
        try:
            inputs = load_inputs(p)
        except InputError as e:
            invalid.append(e)
            continue
        name = inputs.scenario.name
        if name in names:
            invalid.append(InputError([Problem(str(p), f"scenario name '{name}' is also used by "
                                               f"{names[name]}; each needs its own name",
                                               key="name")], f"Scenario '{p}'"))
            continue
        names[name] = p
        valid.append(p)
    return valid, invalid


def ensure_baseline(out_root: Path, repo_root: Path, ran: list[Outcome]) -> Path | None:
    """The baseline's result files, solving it (without a paper) when the run did not."""
    for o in ran:
        if o.name == BASELINE and (o.folder / "result.json").is_file():
            return o.folder
    params = repo_root / "parameters" / f"{BASELINE}.yaml"
    if not params.is_file():
        return None
    try:
        run = run_scenario(params, repo_root=repo_root)
    except InputError:
        return None
    folder = out_root / "_baseline"
    write_outputs(run, folder, workbook=False, manifest=False)
    return folder


def write_comparison(out_root: Path, outcomes: list[Outcome], baseline: Path | None,
                     repo_root: Path) -> Outcome | None:
    """The comparison paper over this run's scenarios (HTML and PDF)."""
    if len(outcomes) < 1:
        return None
    folder = out_root / "comparison"
    _clear(folder)
    params = {"scenarios": [o.name for o in outcomes], "reports_dir": str(out_root),
              "baseline": baseline.name if baseline else BASELINE,
              "repo_root": str(repo_root)}
    start = time.perf_counter()
    staging = folder / ".partial.ipynb"
    try:
        _execute(notebook_path(repo_root, "compare.ipynb"), staging, params, cwd=folder)
        staging.replace(folder / "paper.ipynb")
        title = "Commissioning Intentions Plan — scenarios compared"
        html = render_html(folder / "paper.ipynb", folder / "paper.html", title=title)
        render_pdf(html, folder / "paper.pdf", title=title)
    except Exception as e:  # noqa: BLE001 - report the comparison's failure
        if staging.exists():
            staging.replace(folder / "paper.ipynb")
        message = f"The comparison paper failed: {type(e).__name__}: {e}"
        files.write_text(folder / "error.txt", message + "\n")
        return Outcome("comparison", "Comparison", folder, "failed", message,
                       time.perf_counter() - start)
    return Outcome("comparison", "Comparison", folder, "paper", "Comparison written",
                   time.perf_counter() - start)


def run(paths: list[Path], out_root: Path | None = None, jobs: int = 1,
        echo: Callable[[str], None] = print, progress: bool | None = None,
        meeting_date: str = "") -> int:
    """Run scenarios; return the exit code (0 all papers, 1 any not met/failed, 2 invalid)."""
    logging.getLogger("papermill").setLevel(logging.WARNING)
    if paths:
        repo_root = repository_root(paths[0].resolve().parent)
    else:
        repo_root = repository_root(Path.cwd())
        paths = sorted((repo_root / "parameters").glob("*.yaml"))
    out_root = (out_root or repo_root / "reports").resolve()
    valid, invalid = validate_all(paths)
    for err in invalid:
        echo(err.report())
    if invalid:
        echo(f"{len(invalid)} parameter file(s) are invalid and will not be run.")
    if progress is None:
        progress = sys.stderr.isatty() and not os.environ.get("CI")
    outcomes: list[Outcome] = []
    if valid:
        outcomes = _run_many(valid, out_root, repo_root, jobs, progress, meeting_date)
        for o in outcomes:
            echo(f"{o.title}: {o.state} ({o.seconds:.1f}s) — {o.message}")
        baseline = ensure_baseline(out_root, repo_root, outcomes)
        comparison = write_comparison(out_root, outcomes, baseline, repo_root)
        if comparison and not comparison.ok:
            echo(comparison.message)
        index = write_index(out_root, outcomes, baseline, repo_root)
        echo(f"Index of papers: {index}")
    if invalid:
        return 2
    return 0 if all(o.ok for o in outcomes) else 1


def _run_many(paths: list[Path], out_root: Path, repo_root: Path, jobs: int, progress: bool,
              meeting_date: str) -> list[Outcome]:
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), unit="paper", desc="budgetopt run")
    outcomes = []
    try:
        if jobs <= 1 or len(paths) == 1:
            for p in paths:
                outcomes.append(run_one(p, out_root, repo_root, meeting_date))
                if bar:
                    bar.update()
        else:
            with ProcessPoolExecutor(max_workers=jobs) as pool:
                futures = [pool.submit(run_one, p, out_root, repo_root, meeting_date)
                           for p in paths]
                for f in as_completed(futures):
                    outcomes.append(f.result())
                    if bar:
                        bar.update()
    finally:
        if bar:
            bar.close()
    by_name = {o.name: o for o in outcomes}
    return [by_name[load_scenario(p).name] for p in paths]
