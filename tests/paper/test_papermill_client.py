"""papermill as a client of the paper notebook, as an analyst calls it (issue 10, point 16): the
manifest records the parameters actually used, DRAFT follows the same rule as `budgetopt run`,
misspelt parameters are refused, and a wrong type ends in the problem, not two tracebacks."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # papermill in a real kernel

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "paper.ipynb"


def papermill(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "papermill", str(NOTEBOOK),
                           str(tmp_path / "out.ipynb"), "--cwd", str(REPO),
                           "-p", "output_dir", str(tmp_path), *args],
                          capture_output=True, text=True, timeout=300)


def test_a_parameters_file_given_with_f_is_the_one_the_manifest_names(tmp_path):
    # before: the manifest always named parameters/baseline.yaml and its hash
    params = REPO / "parameters" / "cut-5pct.yaml"
    p = papermill(tmp_path, "-f", str(params))
    assert p.returncode == 0, p.stderr[-2000:]
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["scenario"] == "cut-5pct"
    assert m["params_file"] == "parameters/cut-5pct.yaml"
    assert m["params_sha256"] == hashlib.sha256(params.read_bytes()).hexdigest()


def test_values_from_no_committed_file_make_a_draft_naming_no_file(tmp_path):
    # before: an uncommitted scenario given with -f was marked FINAL under baseline's name
    edited = tmp_path / "edited.yaml"
    edited.write_text((REPO / "parameters" / "cut-5pct.yaml").read_text()
                      .replace("budget_change_pct: -5", "budget_change_pct: -6"))
    p = papermill(tmp_path, "-f", str(edited))
    assert p.returncode == 0, p.stderr[-2000:]
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["params_file"] is None and m["params_sha256"] is None and m["draft"]
    assert m["parameters"]["budget_change_pct"] == -6
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    shown = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells
                    for o in c.get("outputs", []))
    assert "none: the parameters were given directly" in shown


def test_a_misspelt_parameter_is_refused_with_the_closest_name(tmp_path):
    p = papermill(tmp_path, "-p", "fairness_tolerence", "0.2")
    assert p.returncode != 0
    assert ("key 'fairness_tolerence' — unknown parameter; did you mean "
            "'fairness_tolerance'?") in p.stderr
    assert not (tmp_path / "result.json").exists()


def test_a_wrong_type_ends_in_the_problem_not_a_kernel_traceback(tmp_path):
    # before: 68 lines with two tracebacks (the kernel's and papermill's)
    p = papermill(tmp_path, "-p", "plan_years", "abc")
    assert p.returncode != 0
    tail = p.stderr.strip().splitlines()[-2:]
    assert tail == ["Scenario 'parameters' is not valid: 1 problem found",
                    "  - parameters, key 'plan_years': value 'abc' — must be a whole "
                    "number from 1 to 5"]
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    (error,) = [o for c in nb.cells for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
    assert error["traceback"] == tail  # the kernel shows the problem, not its traceback
    assert "Cell In[" not in p.stderr


def test_a_file_without_pins_runs_as_budgetopt_run_runs_it(tmp_path):
    # before: a key the file left out took the notebook's default, the baseline's, so a file
    # without pins was pinned at the published 2025/26 rounds under papermill but not under
    # budgetopt run, and the other force's scenario failed on Devon & Cornwall's services
    minimal = tmp_path / "minimal.yaml"
    minimal.write_text("name: minimal\ntitle: Minimal\ndataset: data/devon-cornwall\n")
    p = papermill(tmp_path, "-f", str(minimal))
    assert p.returncode == 0, p.stderr[-2000:]
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["parameters"]["pins"] == [] and m["parameters"]["plan_years"] == 3


def test_a_committed_file_not_named_after_its_scenario_is_recognised(tmp_path):
    # the other force's scenario is parameters/thames-valley/baseline.yaml, named
    # thames-valley-baseline: the manifest finds it by its content, as budgetopt run names it
    params = REPO / "parameters" / "thames-valley" / "baseline.yaml"
    p = papermill(tmp_path, "-f", str(params))
    assert p.returncode == 0, p.stderr[-2000:]
    m = json.loads((tmp_path / "manifest.json").read_text())
    assert m["params_file"] == "parameters/thames-valley/baseline.yaml"
    assert m["params_sha256"] == hashlib.sha256(params.read_bytes()).hexdigest()
