"""The scenario pipeline, written once: parameters → dataset → inputs → solve → tables → diagnosis.

:func:`run_scenario` is the one way every front end gets a solved scenario — ``budgetopt solve``,
``budgetopt run`` (through the paper notebook), the comparison's baseline and the explorer. It
returns a :class:`ScenarioRun`: the validated scenario, its dataset and inputs, the kept solved
model (so explanations and the explorer can re-solve it warm), the tables in whole pounds, the
diagnosis when the scenario cannot be met, and the time each step took. It raises
:class:`~budgetopt.core.errors.InputError` for bad input and nothing else: a scenario that
cannot be met is a result, not an error.

Writing files is not part of the pipeline: that is
:func:`budgetopt.reporting.outputs.write_outputs`.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from budgetopt.core.errors import InputError
from budgetopt.data.dataset import Dataset, load_dataset
from budgetopt.data.inputs import ModelInputs, resolve
from budgetopt.data.problems import problems_from
from budgetopt.data.scenario import (
    Scenario,
    load_scenario,
    repository_root,
    scenario_dataset_path,
)
from budgetopt.explain.diagnose import Diagnosis, diagnose
from budgetopt.explain.explainer import Explainer
from budgetopt.results.result import Result, make_result
from budgetopt.robust.analysis import RobustnessReport, analyse
from budgetopt.solve.allocator import Allocator, Solution
from budgetopt.solve.status import SolveStatus

Params = str | Path | Scenario | Mapping[str, Any]
"""A parameters file, a validated scenario, or the scenario's fields as a mapping."""


@dataclass(frozen=True)
class ScenarioRun:
    """A solved scenario and everything the front ends need to show it."""

    scenario: Scenario
    params_file: Path | None  # where the parameters came from (None: built in memory)
    repo_root: Path
    dataset: Dataset
    inputs: ModelInputs
    allocator: Allocator  # the kept, solved model; handing it to a later run gives it up
    solution: Solution
    result: Result  # the tables, in whole pounds
    diagnosis: Diagnosis | None  # the smallest fix, when the scenario cannot be met
    started: dt.datetime
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step

    @property
    def status(self) -> SolveStatus:
        return self.solution.status

    @property
    def is_met(self) -> bool:
        return self.solution.status.is_optimal

    @property
    def solver(self) -> str:
        return self.allocator.solver

    @cached_property
    def explainer(self) -> Explainer:
        """Explanations of this run's optimum, from warm re-solves of its kept model."""
        return Explainer(self.allocator, self.solution, self.result)

    @cached_property
    def robustness(self) -> RobustnessReport:
        """The robustness analysis with the scenario's ``robustness`` settings (or the
        defaults): computed when first asked for, in this process."""
        return analyse(self.inputs)


def run_scenario(params: Params, *, dataset: Dataset | None = None, solver: str | None = None,
                 allocator: Allocator | None = None, params_file: str | Path | None = None,
                 repo_root: str | Path | None = None) -> ScenarioRun:
    """Validate, resolve, solve, tabulate and (when it cannot be met) diagnose a scenario.

    ``params`` is a parameters file, a :class:`Scenario` or a mapping of its fields (validated
    here; problems name ``params_file`` when given). ``dataset`` skips reading the scenario's
    dataset when the caller holds it already. ``solver`` overrides the scenario's. ``allocator``
    is a kept model to re-solve warm when its structure fits; otherwise a new one is built.
    Relative dataset paths resolve from ``repo_root`` (default: the repository holding the
    parameters file, or the working directory's).
    """
    started = dt.datetime.now(dt.UTC)
    clock = _Clock()
    scenario, file, label, root = _scenario(params, params_file, repo_root)
    if dataset is None:
        anchor = file if file is not None else root / "parameters" / "scenario.yaml"
        dataset = load_dataset(scenario_dataset_path(scenario, anchor))
        clock.lap("load")
    inputs = resolve(dataset, scenario, label)
    clock.lap("resolve")
    solver = solver or scenario.solver
    if (allocator is not None and allocator.solver == solver and allocator.accepts(inputs)):
        solution = allocator.solve(inputs)
        clock.lap("solve")
    else:
        allocator = Allocator(inputs, solver)
        clock.lap("build")
        solution = allocator.solve(warm=False)
        clock.lap("solve")
    result = make_result(allocator, solution)
    clock.lap("tables")
    diagnosis = None
    if solution.status.is_infeasible:
        diagnosis = diagnose(inputs)
        clock.lap("diagnose")
    return ScenarioRun(scenario, file, root, dataset, inputs, allocator, solution, result,
                       diagnosis, started, clock.laps)


def _scenario(params: Params, params_file: str | Path | None, repo_root: str | Path | None
              ) -> tuple[Scenario, Path | None, str, Path]:
    """The validated scenario, the file it came from, the name problems give it, and the
    repository root. A parameters file given as ``params`` is read where it is; one named by
    ``params_file`` beside a mapping is relative to the repository root."""
    if isinstance(params, str | Path):
        path = Path(params)
        scenario = load_scenario(path)
        root = Path(repo_root) if repo_root else repository_root(path.resolve().parent)
        return scenario, path, str(path), root
    root = Path(repo_root) if repo_root else repository_root(Path.cwd())
    label = str(params_file) if params_file else "parameters"
    file = None if not params_file else root / params_file
    if isinstance(params, Scenario):
        return params, file, label, root
    try:
        return Scenario.model_validate(dict(params)), file, label, root
    except ValidationError as e:
        raise InputError(problems_from(e, label, Scenario), f"Scenario '{label}'") from None


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now
