"""Adding a limit family touches one new module and the registry's lines, nothing else.

A copy of the package gets a made-up family — a ceiling on every service total — written the
way docs/architecture.md says ("Adding a family"), and the copy then runs the whole chain a user
meets: the pipeline, the binding limits, the diagnosis, every section of the paper, the
explorer's "What changed" and the run's files. Nothing outside ``model/limits/`` is edited, so a
front end that keeps its own list of families fails here.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a copy of the package, run in a fresh process

SRC = Path(__file__).resolve().parents[2] / "src"
TESTS = Path(__file__).resolve().parents[1]

CEILING = '''
"""A ceiling on every service total (made up for the test of adding a family)."""

from __future__ import annotations

import numpy as np

from budgetopt.core.text import fy
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    Bounds, BoundsOf, Limit, LimitFamily, Numbers, Release, Solved, own_bounds,
    service_total_limits, widen,
)
from budgetopt.model.lp import LpModel

CEILING = 350.0


class Ceiling(LimitFamily):
    meaning = "the most any one service may receive (a made-up limit)"
    at_limit = "at the ceiling"
    because = "{who} is at the ceiling"

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        n = len(m.cols["t"])
        return [Bounds("col", "t", np.full(n, -np.inf), np.full(n, CEILING))]

    def binding(self, s: Solved) -> list[Limit]:
        return service_total_limits(
            self, s, own_bounds(self, s.model, s.inputs).hi, "hi",
            lambda name, _s, y, v: f"{name} is at the ceiling of £{v:,.0f} in {fy(y)}.")

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return [{limit.ref: widen(bounds(limit.ref), up=step)}]
'''

RUN = '''
import sys
from pathlib import Path

from budgetopt.explain.limits import binding_limits
from budgetopt.explorer.changes import what_changed
from budgetopt.model.limits import Family
from budgetopt.paper.document import Paper
from budgetopt.paper.registry import SECTIONS
from budgetopt.pipeline import run_scenario
from budgetopt.reporting.outputs import write_outputs
from tiny_dataset import write_tiny

tmp = Path(sys.argv[1])
params = {"name": "tiny", "title": "Tiny", "dataset": str(write_tiny(tmp / "data")),
          "plan_years": 2, "stability_limit": 1.0, "fairness_tolerance": 1.0}
before = run_scenario({**params, "budget_change_pct": -20}, repo_root=tmp)
run = run_scenario(params, repo_root=tmp)
assert run.is_met, run.status
held = [lim for lim in binding_limits(run.allocator.solved(run.solution))
        if lim.family is Family.CEILING]
assert held, "the ceiling does not bind"
paper = Paper(run)
html = "".join(paper.section(s.name).html for s in SECTIONS if s.shown(run.is_met))
assert "the most any one service may receive" in html, "the table of limits lost its meaning"
print("changed:", what_changed(run, before.result))
write_outputs(run, tmp / "out", explained=True)
stuck = run_scenario({**params, "pins": [{"service": "v1", "year": 2025, "amount_gbp": 900,
                                         "reason": "Above the ceiling"}]}, repo_root=tmp)
assert stuck.diagnosis is not None and not stuck.is_met
print("diagnosis:", stuck.diagnosis.summary)
print("ok")
'''


def test_a_new_family_needs_no_file_outside_its_own_home(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    limits = copy / "budgetopt" / "model" / "limits"
    (limits / "ceiling.py").write_text(textwrap.dedent(CEILING), encoding="utf-8")
    registry = limits / "__init__.py"
    text = registry.read_text(encoding="utf-8")
    for old, new in [
        ("from budgetopt.model.limits.contracts import Contracts\n",
         "from budgetopt.model.limits.ceiling import Ceiling\n"
         "from budgetopt.model.limits.contracts import Contracts\n"),
        ('    FAIRNESS = "fairness"\n', '    FAIRNESS = "fairness"\n    CEILING = "ceiling"\n'),
        ("    Fairness(Family.FAIRNESS),\n",
         "    Fairness(Family.FAIRNESS),\n    Ceiling(Family.CEILING),\n"),
    ]:
        assert old in text, old
        text = text.replace(old, new)
    registry.write_text(text, encoding="utf-8")
    script = tmp_path / "run.py"
    script.write_text(RUN, encoding="utf-8")
    env = {"PYTHONPATH": f"{copy}:{TESTS}", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "MPLBACKEND": "Agg"}
    p = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True,
                       text=True, env=env, cwd=tmp_path, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ok" in p.stdout.splitlines()
    assert "at the ceiling" in p.stdout  # the explorer's words came from the family
