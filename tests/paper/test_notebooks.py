"""The committed notebooks are exactly what the generator makes from the section registries and
the Scenario model, with outputs stripped and stable cell ids."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat

from budgetopt.data.scenario import Scenario
from budgetopt.paper.comparison import COMPARISON_SECTIONS
from budgetopt.paper.notebook import RUN_PARAMETERS, notebooks, stale_notebooks
from budgetopt.paper.registry import SECTIONS

REPO = Path(__file__).resolve().parents[2]


def read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "notebooks" / name, as_version=4)


def test_committed_notebooks_are_what_the_generator_makes():
    assert stale_notebooks(REPO) == [], "run python tools/make_notebooks.py"


def test_a_changed_notebook_is_noticed(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "parameters").mkdir()
    (tmp_path / "parameters" / "baseline.yaml").write_text(
        (REPO / "parameters" / "baseline.yaml").read_text())
    for name, text in notebooks().items():
        (tmp_path / "notebooks" / name).write_text(text)
    assert stale_notebooks(tmp_path) == []
    edited = (tmp_path / "notebooks" / "paper.ipynb")
    edited.write_text(edited.read_text().replace('paper.section(\\"summary\\")', "1 + 1"))
    assert stale_notebooks(tmp_path) == ["paper.ipynb"]


def test_notebooks_have_no_outputs_and_stable_unique_ids():
    for name in ("paper.ipynb", "compare.ipynb", "explore.ipynb", "grants.ipynb"):
        nb = read(name)
        ids = [c.get("id") for c in nb.cells]
        assert all(ids) and len(set(ids)) == len(ids), name
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), name


def test_paper_parameters_are_the_scenario_fields_plus_the_run_settings():
    nb = read("paper.ipynb")
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    names = [node.target.id for node in ast.parse(cell.source).body]
    assert names == [*Scenario.model_fields, *(p[0] for p in RUN_PARAMETERS)]


def test_paper_cells_follow_the_section_registry():
    nb = read("paper.ipynb")
    shown = [c.id.removeprefix("section-") for c in nb.cells
             if c.get("id", "").startswith("section-")]
    assert shown == [s.name.replace("_", "-") for s in SECTIONS]
    compare = [c.id.removeprefix("section-") for c in read("compare.ipynb").cells
               if c.get("id", "").startswith("section-")]
    assert compare == [s.name.replace("_", "-") for s in COMPARISON_SECTIONS]


def test_unknown_parameters_are_refused_with_the_closest_valid_name():
    # before: papermill only warned, and the default was used
    import pytest

    from budgetopt.core.errors import InputError
    from budgetopt.paper.notebook import check_parameters, parameter_names

    kernel = {"In": [], "Out": {}, "get_ipython": print, "exit": print}
    defaults = {name: "" for name in parameter_names()}
    check_parameters({**kernel, **defaults, "_": 1, "_i3": ""}, set(kernel))  # all fine
    # a second run of the setup cell in Jupyter: its imports and results are not parameters
    check_parameters({**kernel, **defaults, "Paper": type, "run": object(),
                      "check_parameters": check_parameters}, set(kernel))
    with pytest.raises(InputError) as e:
        check_parameters({**kernel, **defaults, "fairness_tolerence": 0.2, "colour": "red"},
                         set(kernel))
    report = e.value.report()
    assert "2 problems found" in report
    assert "key 'fairness_tolerence' — unknown parameter; did you mean 'fairness_tolerance'?" \
        in report
    assert "key 'colour' — unknown parameter; the parameters are name, title," in report
    assert e.value._render_traceback_() == report.splitlines()  # what a notebook shows


def test_the_setup_cell_checks_what_the_parameters_cells_defined_and_can_run_twice():
    nb = read("paper.ipynb")
    ids = [c.id for c in nb.cells]
    before, params = ids.index("before-parameters"), ids.index("parameters")
    assert before == params - 1
    setup = next(c for c in nb.cells if c.id == "run").source
    check = setup[:setup.index("from budgetopt.data.scenario")]  # the lines before the run
    namespace: dict = {"In": []}
    for source in (nb.cells[before].source, nb.cells[params].source, check, check):
        exec(source, namespace)  # the generated cells, as a kernel runs them (check twice)
    namespace["fairness_tolerence"] = 0.2  # as papermill's injected cell would
    import pytest

    from budgetopt.core.errors import InputError

    with pytest.raises(InputError, match="did you mean 'fairness_tolerance'"):
        exec(check, namespace)
