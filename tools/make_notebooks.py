"""Write notebooks/paper.ipynb and notebooks/compare.ipynb from this script (no outputs).

The notebooks are generated so that their cells, tags and parameter annotations stay
reviewable as code; run `python tools/make_notebooks.py` after changing this file.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}

PAPER_PARAMETERS = '''\
name: str = "baseline"  # Scenario identifier; names the report folder
title: str = "Baseline"  # Scenario title as the paper shows it
description: str = ""  # What the scenario explores
dataset: str = "data/devon-cornwall"  # Dataset folder, relative to the repository root
plan_years: int = 3  # Number of plan years after the base year (1-5)
budget_change_pct: float = 0.0  # Change to the total budget in %, applied to the core stream
stream_amounts: dict = {}  # Stream overrides: stream -> amount, or stream -> {year: amount}
priority_weights: dict = {}  # Overrides of the priorities' default weights
fairness_tolerance: float = 0.1  # Tau: area share within this fraction of its need share
stability_limit: float = 0.1  # Delta: year-on-year move at most this fraction of base amount
pins: list = []  # Fixed amounts: [{service, year, amount_gbp, reason}]
solver: str = "highs"  # Solver: highs or cbc
expected_status: str = "optimal"  # What the scenario is meant to show
params_file: str = "parameters/baseline.yaml"  # Parameters file, relative to the repository root
repo_root: str = ""  # Repository root (absolute); empty: found from the package
output_dir: str = ""  # Folder for result files; empty: none are written
meeting_date: str = "to be arranged"  # Date of the Police and Crime Panel meeting
'''

PAPER_SECTIONS = ["title_block", "not_met", "purpose", "recommendations", "summary",
                  "background", "funding", "allocation", "committed", "status_quo", "change",
                  "areas", "fairness", "more_money", "cut", "frontier", "limits", "why_not_more",
                  "pins", "risks", "implications", "sources", "appendix_services",
                  "appendix_assumptions"]


def paper() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell(
            "# Budget-setting paper\n\nThis notebook is run by `budgetopt run` (papermill) once "
            "per scenario; the parameters cell below holds the baseline. Each cell displays one "
            "section of the paper; the logic lives in `budgetopt.paper`. A scenario that cannot "
            "be met shows only its diagnosis, funding and sources.",
            metadata={"tags": ["remove-cell"]}),
        new_code_cell(PAPER_PARAMETERS, metadata={"tags": ["parameters", "remove-cell"]}),
        new_code_cell(
            "from budgetopt.paper import Paper\n\n"
            "paper = Paper.from_parameters(globals(), params_file=params_file, "
            "repo_root=repo_root,\n"
            "                              output_dir=output_dir, meeting_date=meeting_date)",
            metadata={"tags": ["remove-cell"]}),
    ]
    cells += [new_code_cell(f"paper.{name}()", metadata={"tags": ["remove-input"]})
              for name in PAPER_SECTIONS]
    cells.append(new_code_cell("paper.finish(output_dir)", metadata={"tags": ["remove-input"]}))
    return new_notebook(cells=cells, metadata=KERNEL)


COMPARE_PARAMETERS = '''\
scenarios: list = ["baseline", "cut-5pct", "flat-cash", "hotspot-ends"]  # Scenario names
reports_dir: str = "reports"  # Folder holding reports/<scenario>/, relative to the repository root
baseline: str = "baseline"  # The scenario the others are compared with
repo_root: str = ""  # Repository root (absolute); empty: found from the package
'''


def compare() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Scenario comparison\n\nRun by `budgetopt run` after the scenario "
                          "papers; reads each scenario's result files.",
                          metadata={"tags": ["remove-cell"]}),
        new_code_cell(COMPARE_PARAMETERS, metadata={"tags": ["parameters", "remove-cell"]}),
        new_code_cell(
            "from budgetopt.comparison import Comparison\n\n"
            "comparison = Comparison.from_reports(scenarios, reports_dir=reports_dir, "
            "baseline=baseline,\n"
            "                                     repo_root=repo_root)",
            metadata={"tags": ["remove-cell"]}),
    ]
    cells += [new_code_cell(f"comparison.{name}()", metadata={"tags": ["remove-input"]})
              for name in ("title_block", "summary", "by_scheme", "notes")]
    return new_notebook(cells=cells, metadata=KERNEL)


def explore() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Scenario explorer\n\nMove a control and the allocation re-solves "
                          "(warm, in place). Save a scenario to `parameters/` for "
                          "`budgetopt run`. Served by `budgetopt explore` with Voila.",
                          metadata={"tags": ["remove-cell"]}),
        new_code_cell('params: str = "parameters/baseline.yaml"  # Scenario to start from',
                      metadata={"tags": ["parameters"]}),
        new_code_cell("from budgetopt.explorer import ScenarioExplorer\n\n"
                      "ScenarioExplorer.from_parameters(params)"),
    ]
    return new_notebook(cells=cells, metadata=KERNEL)


if __name__ == "__main__":
    (ROOT / "notebooks").mkdir(exist_ok=True)
    nbformat.write(paper(), ROOT / "notebooks" / "paper.ipynb")
    nbformat.write(compare(), ROOT / "notebooks" / "compare.ipynb")
    nbformat.write(explore(), ROOT / "notebooks" / "explore.ipynb")
    print("wrote notebooks/paper.ipynb, compare.ipynb and explore.ipynb")
