"""Papers in worker processes: a worker that dies fails its own scenario only (real processes,
a task that ends its worker the way an out-of-memory kill would)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from budgetopt.reporting.parallel import run_all
from budgetopt.reporting.scenario_folder import Outcome


def task(path: Path, out_root: Path, repo_root: Path, meeting_date: str) -> Outcome:
    """A paper that 'dies' for the scenario named doomed, and is written for the others."""
    if path.stem == "doomed":
        os._exit(9)  # the worker ends abruptly, as when the kernel's OOM killer takes it
    folder = out_root / path.stem
    folder.mkdir(parents=True, exist_ok=True)
    return Outcome(path.stem, path.stem.title(), folder, "paper", "Paper written", 0.0)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_fails_its_own_scenario_only(tmp_path, jobs):
    # before: the dead worker broke the pool, and every scenario it had not finished failed
    # with it ("BrokenProcessPool"), with --jobs 1 (the default) too
    names = ["first", "doomed", "third", "fourth"]
    paths = []
    for name in names:
        path = tmp_path / f"{name}.yaml"
        path.write_text(f"name: {name}\ntitle: {name.title()}\ndataset: data/devon-cornwall\n")
        paths.append(path)
    out = tmp_path / "reports"
    outcomes = run_all(task, paths, out, tmp_path, jobs, False, "", frozenset())
    assert [o.name for o in outcomes] == names
    assert {o.name: o.state for o in outcomes} == {
        "first": "paper", "doomed": "failed", "third": "paper", "fourth": "paper"}
    (doomed,) = [o for o in outcomes if o.state == "failed"]
    assert doomed.message.startswith("The worker running this paper stopped: BrokenProcessPool")
