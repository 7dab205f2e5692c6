"""The notebooks, generated: ``paper.ipynb``, ``compare.ipynb`` and ``grants.ipynb`` from their
section registries, ``explore.ipynb`` around the explorer.

Notebooks are committed without outputs and never edited by hand: ``python
tools/make_notebooks.py`` writes what :func:`notebooks` makes, and a test fails when a committed
notebook differs from it. The paper notebook's ``parameters`` cell is made from the
:class:`~budgetopt.data.scenario.Scenario` model's fields (their descriptions become papermill's
help texts) with the model's own defaults — what a parameters file gets for a key it leaves out,
so ``papermill -f FILE`` runs what ``budgetopt run FILE`` runs — plus the few settings of a run;
each later cell displays one registered section, and every cell has a stable id.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from budgetopt.core.errors import InputError, Problem
from budgetopt.data.scenario import Scenario
from budgetopt.paper.comparison import COMPARISON_SECTIONS
from budgetopt.paper.registry import SECTIONS

KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}
HIDE_CELL = {"tags": ["remove-cell"]}
HIDE_INPUT = {"tags": ["remove-input"]}
EXAMPLE = {"name": "example", "dataset": "data/devon-cornwall",
           "title": "Example: the default settings on the default dataset"}
"""The paper notebook's values for the fields a parameters file must give; run as it is (nbval,
or papermill without parameters), the notebook makes this small example's paper."""

RUN_PARAMETERS: tuple[tuple[str, str, str], ...] = (
    ("params_file", "",
     "Parameters file the values are from, relative to the repository root; empty: "
     "parameters/<name>.yaml when its values are exactly these (else the manifest records no "
     "file and the paper is a draft)"),
    ("repo_root", "", "Repository root (absolute); empty: found from the working directory"),
    ("output_dir", "", "Folder for result files; empty: none are written"),
    ("meeting_date", "to be arranged", "Date of the Police and Crime Panel meeting"),
)
"""Settings of a run of the paper notebook beside the scenario's own parameters."""


def parameter_names() -> list[str]:
    """Every parameter the paper notebook takes: the scenario's fields and the run settings."""
    return [*Scenario.model_fields, *(name for name, _, _ in RUN_PARAMETERS)]


PARAMETER_TYPES = (str, int, float, bool, list, dict, type(None))  # what papermill can inject


def check_parameters(namespace: Mapping[str, Any], before: Iterable[str]) -> None:
    """Refuse parameters the paper notebook does not take, naming the closest valid one.

    papermill only warns about an unknown parameter (``-p fairness_tolerence 0.2``) and the
    default is used, so the paper would silently answer another question. The candidates are
    the names in ``namespace`` (the notebook's globals) that were not there ``before`` the
    parameters cell and hold a value papermill can inject; names starting with ``_`` are the
    kernel's own, and the setup's imports and results (a second run of the cell in Jupyter)
    are modules, functions and objects, not parameters."""
    valid = parameter_names()
    given = [n for n, v in namespace.items() if n not in before and not n.startswith("_")
             and isinstance(v, PARAMETER_TYPES)]
    problems = []
    for name in sorted(n for n in given if n not in valid):
        close = difflib.get_close_matches(name, valid, n=1)
        hint = (f"did you mean '{close[0]}'?" if close
                else "the parameters are " + ", ".join(valid))
        problems.append(Problem("papermill parameters", f"unknown parameter; {hint}",
                                key=name))
    if problems:
        raise InputError(problems, "The paper notebook's parameters")


def _literal(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else repr(value)


def _parameter_line(name: str, value: Any, help_text: str) -> str:
    kind = "None" if value is None else type(value).__name__  # (NoneType is not a name)
    return f"{name}: {kind} = {_literal(value)}  # {help_text}"


def paper_parameters() -> str:
    """The paper notebook's parameters cell: every Scenario field with the model's default (the
    example's values for the fields without one), then the settings of a run. Not the
    baseline's values: papermill keeps a default for every key a ``-f`` file leaves out, and a
    file without pins would have run with the baseline's."""
    defaults = Scenario.model_validate(EXAMPLE).model_dump(mode="json")
    lines = [_parameter_line(name, defaults[name], field.description or name)
             for name, field in Scenario.model_fields.items()]
    lines += [_parameter_line(*p) for p in RUN_PARAMETERS]
    return "\n".join(lines) + "\n"


BEFORE_PARAMETERS = "_names_before_parameters = set(globals())"
"""Run before the parameters cell, so the setup can tell which names the parameters defined."""

PAPER_SETUP = """\
from budgetopt.paper.notebook import check_parameters

check_parameters(globals(), _names_before_parameters)

from budgetopt.data.scenario import scenario_fields
from budgetopt.paper.document import Paper
from budgetopt.pipeline import run_scenario
from budgetopt.reporting.manifest import run_manifest
from budgetopt.reporting.outputs import write_manifest_file, write_outputs

run = run_scenario(scenario_fields(globals()), params_file=params_file, repo_root=repo_root)
write_outputs(run, output_dir, manifest=False, explained=True)  # the manifest: as it ends
paper = Paper(run, meeting_date=meeting_date, manifest=run_manifest(run))"""

FINISHING = {"appendix_manifest": "paper = paper.with_manifest(write_manifest_file(run, "
                                  "output_dir))\n"}
"""Code a section's cell runs first: the manifest appendix shows the final run manifest."""


def paper_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Budget-setting paper\n\nThis notebook is run by `budgetopt run` (papermill) once "
            "per scenario; the parameters cell below holds a small example, every other value "
            "at the default a parameters file gets for a key it leaves out. Each cell displays one "
            "section of the paper; the logic lives in `budgetopt.paper`. A scenario that cannot "
            "be met shows only its diagnosis, funding, sources and appendices. Generated by "
            "`tools/make_notebooks.py` from `budgetopt.paper.registry`: do not edit by hand.",
            id="about", metadata=HIDE_CELL),
        new_code_cell(BEFORE_PARAMETERS, id="before-parameters", metadata=HIDE_CELL),
        new_code_cell(paper_parameters(), id="parameters",
                      metadata={"tags": ["parameters", "remove-cell"]}),
        new_code_cell(PAPER_SETUP, id="run", metadata=HIDE_CELL),
    ]
    cells += [new_code_cell(f'{FINISHING.get(s.name, "")}paper.section("{s.name}")',
                            id=f"section-{s.name.replace('_', '-')}", metadata=HIDE_INPUT)
              for s in SECTIONS]
    return new_notebook(cells=cells, metadata=KERNEL)


COMPARE_PARAMETERS = (
    ("scenarios", ["baseline", "cut-5pct", "flat-cash", "hotspot-ends"], "Scenario names"),
    ("reports_dir", "reports",
     "Folder holding reports/<scenario>/, relative to the repository root"),
    ("baseline", "baseline", "The scenario the others are compared with"),
    ("repo_root", "", "Repository root (absolute); empty: found from the working directory"),
)


def compare_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Scenario comparison\n\nRun by `budgetopt run` after the scenario "
                          "papers; reads each scenario's result files. Generated by "
                          "`tools/make_notebooks.py`: do not edit by hand.",
                          id="about", metadata=HIDE_CELL),
        new_code_cell("\n".join(_parameter_line(*p) for p in COMPARE_PARAMETERS) + "\n",
                      id="parameters", metadata={"tags": ["parameters", "remove-cell"]}),
        new_code_cell(
            "from budgetopt.paper.comparison import Comparison\n\n"
            "comparison = Comparison.from_reports(scenarios, reports_dir=reports_dir, "
            "baseline=baseline,\n"
            "                                     repo_root=repo_root)",
            id="compare", metadata=HIDE_CELL),
    ]
    cells += [new_code_cell(f'comparison.section("{s.name}")',
                            id=f"section-{s.name.replace('_', '-')}", metadata=HIDE_INPUT)
              for s in COMPARISON_SECTIONS]
    return new_notebook(cells=cells, metadata=KERNEL)


def explore_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Scenario explorer\n\nMove a control and the allocation is solved "
                          "again at once. Keep settings to compare them, save one as a "
                          "scenario for the budget-setting papers.",
                          id="about", metadata=HIDE_CELL),
        new_code_cell('# Generated by tools/make_notebooks.py: do not edit by hand. Served by '
                      '`budgetopt explore` (Voila hides code).\n'
                      'params: str = "parameters/baseline.yaml"  # Scenario to start from',
                      id="parameters", metadata={"tags": ["parameters"]}),
        new_code_cell("from budgetopt.explorer.app import ScenarioExplorer\n\n"
                      "ScenarioExplorer.from_parameters(params)", id="explorer"),
    ]
    return new_notebook(cells=cells, metadata=KERNEL)


GRANTS_PARAMETERS = (
    ("round_file", "parameters/grants/cgs-2025-26-sample.yaml",
     "The round file, relative to the repository root"),
    ("repo_root", "", "Repository root (absolute); empty: found from the working directory"),
    ("output_dir", "", "Folder for awards.csv, round.json and awards.xlsx; empty: none written"),
    ("solver", "highs", "highs or cbc"),
    ("meeting_date", "to be arranged", "Date of the grants panel"),
)

GRANTS_SETUP = """\
from pathlib import Path

from budgetopt.data.scenario import repository_root
from budgetopt.grants.result import run_round
from budgetopt.paper.grants import GrantPaper
from budgetopt.reporting.grants import write_round

root = Path(repo_root) if repo_root else repository_root(Path.cwd())
path = Path(round_file) if Path(round_file).is_absolute() else root / round_file
result = run_round(path, solver=solver, root=root)
if output_dir:
    write_round(result, output_dir)
paper = GrantPaper(result, meeting_date=meeting_date)"""


def grants_notebook() -> nbformat.NotebookNode:
    from budgetopt.paper.grants import GRANT_SECTIONS

    cells = [
        new_markdown_cell("# Grant round summary\n\nRun by `budgetopt run ROUND.yaml` "
                          "(papermill): the round's selection, its reasons and the comparison "
                          "with the ranked list. Generated by `tools/make_notebooks.py`: do not "
                          "edit by hand.", id="about", metadata=HIDE_CELL),
        new_code_cell("\n".join(_parameter_line(*p) for p in GRANTS_PARAMETERS) + "\n",
                      id="parameters", metadata={"tags": ["parameters", "remove-cell"]}),
        new_code_cell(GRANTS_SETUP, id="run", metadata=HIDE_CELL),
    ]
    cells += [new_code_cell(f'paper.section("{s.name}")',
                            id=f"section-{s.name.replace('_', '-')}", metadata=HIDE_INPUT)
              for s in GRANT_SECTIONS]
    return new_notebook(cells=cells, metadata=KERNEL)


def notebooks() -> dict[str, str]:
    """Every generated notebook as the JSON text committed under ``notebooks/``."""
    made = {"paper.ipynb": paper_notebook(), "compare.ipynb": compare_notebook(),
            "explore.ipynb": explore_notebook(), "grants.ipynb": grants_notebook()}
    return {name: nbformat.writes(nb) + "\n" for name, nb in made.items()}


def stale_notebooks(repo_root: Path) -> list[str]:
    """Committed notebooks that differ from what the generator makes (or are missing)."""
    folder = repo_root / "notebooks"
    return [name for name, text in notebooks().items()
            if not (folder / name).is_file()
            or (folder / name).read_text(encoding="utf-8") != text]


def notebook_file(name: str, repo_root: Path) -> Path:
    """The notebook ``name`` to run for a project: the project's own ``notebooks/`` copy (this
    repository's, committed), else the one of the budgetopt checkout the package runs from — so
    a team's project folder needs only its ``data/`` and ``parameters/``."""
    own = repo_root / "notebooks" / name
    return own if own.is_file() else Path(__file__).resolve().parents[3] / "notebooks" / name
