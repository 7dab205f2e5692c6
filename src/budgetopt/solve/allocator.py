"""The allocator: the model built once, solved, edited in place and re-solved warm.

:class:`Allocator` is the only way to the solver's numbers. PuLP builds the model once and hands
its HiGHS model over; a new scenario on the same dataset and plan years writes the numbers it
changes (:func:`~budgetopt.model.build.model_numbers`: bounds, costs, coefficients) into the kept
model and re-solves from the previous basis. Solutions are typed (:class:`Solution`,
:class:`Values`, :class:`Duals`) and read by block and key; explanations change a limit for a
moment through :meth:`Allocator.adjusted`, by naming its column or row.

>>> alloc = Allocator(inputs)             # builds once (PuLP), hands over to HiGHS
>>> solution = alloc.solve()              # the first solve is cold
>>> solution = alloc.solve(other_inputs)  # same dataset and years: edited in place, warm
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from budgetopt.data.inputs import ModelInputs
from budgetopt.model.build import build_model, model_numbers
from budgetopt.model.costs import filled_in_order, stage1_costs
from budgetopt.model.lp import Col, Interval, LpModel, Ref, Row
from budgetopt.model.structure import segment_numbers
from budgetopt.model.tiebreak import anchor_costs, flow_costs
from budgetopt.solve.backends import Backend, CbcBackend, HighsBackend
from budgetopt.solve.lexicographic import lexicographic_solve
from budgetopt.solve.status import STATUS_SENTENCES, SolveStatus, Status


@dataclass(frozen=True)
class WarmState:
    """Where a warm solve starts: each stage's optimal basis (HiGHS; CBC solves cold)."""

    bases: dict[int, Any]


@dataclass(frozen=True)
class Values:
    """Primal values of one solve, in budgetopt's order, read by block and key."""

    model: LpModel
    col: np.ndarray
    row: np.ndarray

    def array(self, block: str) -> np.ndarray:
        """Values of one block of columns, in key order."""
        return self.col[self.model.col_slice(block)]

    def block(self, block: str) -> dict[tuple, float]:
        """Values of one block of columns by key; block "x" gives the allocation cells
        x[s,a,y], each the sum of its curve segments."""
        if block == "x":
            return self.cells()
        return dict(zip(self.model.cols[block].keys, self.array(block).tolist(), strict=True))

    def cells(self) -> dict[tuple, float]:
        return dict(zip(self.model.cells.keys, self.cell_array().tolist(), strict=True))

    def cell_array(self) -> np.ndarray:
        """The allocation cells x[s,a,y] = Σ_k z, in the order of ``model.cells``."""
        z = self.array("z")
        return np.add.reduceat(z, self.model.cell_starts) if len(z) else z

    def filled(self) -> np.ndarray:
        """The curve segments as the cells' money fills them in order (see
        :func:`~budgetopt.model.costs.filled_in_order`): what social value is counted on."""
        return filled_in_order(self.model, self.cell_array())

    def at(self, ref: Ref) -> float:
        """A column's value, or a row's activity."""
        return float((self.col if isinstance(ref, Col) else self.row)[self.model.index(ref)])


@dataclass(frozen=True)
class Duals:
    """Reduced costs and row duals of stage 1 ("minimise −value") as HiGHS reports them."""

    model: LpModel
    col: np.ndarray
    row: np.ndarray

    def of(self, ref: Ref) -> float:
        return float((self.col if isinstance(ref, Col) else self.row)[self.model.index(ref)])


@dataclass(frozen=True)
class Solution:
    """One solve of the allocator: status, values and value."""

    status: SolveStatus
    values: Values | None
    objective: float | None  # priority-weighted social value, £
    social_value: float | None  # unweighted social value, £
    seconds: float
    warm: bool
    stage1: Duals | None = None  # stage 1's duals, for explanations that compare with them


@dataclass(frozen=True)
class SolvedModel:
    """A solution with the bounds the allocator holds: what limit families read to tell which
    of their limits bind (the :class:`~budgetopt.model.limits.Solved` protocol)."""

    allocator: Allocator
    solution: Solution

    @property
    def inputs(self) -> ModelInputs:
        return self.allocator.inputs

    @property
    def model(self) -> LpModel:
        return self.allocator.model

    @property
    def is_optimal(self) -> bool:
        return self.solution.values is not None

    def value(self, ref: Ref) -> float:
        assert self.solution.values is not None
        return self.solution.values.at(ref)

    def bounds(self, ref: Ref) -> Interval:
        return self.allocator.bounds(ref)


class Allocator:
    """A built model for one dataset and number of plan years, re-solvable in place."""

    def __init__(self, inputs: ModelInputs, solver: str | None = None) -> None:
        self.solver = solver or inputs.scenario.solver
        self._build(inputs)

    def _build(self, inputs: ModelInputs) -> None:
        self.inputs = inputs
        self.model = build_model(inputs)
        self.backend: Backend = (HighsBackend if self.solver == "highs" else CbcBackend)(
            self.model)
        self._solved_once = False
        self._coefficients: dict[str, np.ndarray] | None = None
        self._stage_costs_fixed = [self._costs(anchor_costs(self.model)),
                                   self._costs(flow_costs(self.model))]

    def _costs(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        c = np.zeros(self.model.n_cols)
        for block, values in parts.items():
            c[self.model.col_slice(block)] = values
        return c

    def stage_costs(self, inputs: ModelInputs | None = None) -> list[np.ndarray]:
        """The cost vector of each stage (to minimise), in budgetopt's column order."""
        stage1 = -self._costs({"z": stage1_costs(self.model, inputs or self.inputs)})
        return [stage1, *self._stage_costs_fixed]

    # ------------------------------------------------------------------ scenarios
    def accepts(self, inputs: ModelInputs) -> bool:
        """Whether ``inputs`` can be solved by editing this model (same structure: the same
        dataset, or one with other figures in the same places, and the same plan years; an
        expected-value plan is built for its draws)."""
        mine, theirs = self.inputs.scenario, inputs.scenario
        return (inputs.dataset.structure_hash == self.inputs.dataset.structure_hash
                and inputs.years == self.inputs.years
                and mine.objective == theirs.objective == "point")

    def update(self, inputs: ModelInputs) -> None:
        """Write every number a scenario can change into the kept model."""
        if not self.accepts(inputs):
            raise ValueError("a different dataset or number of plan years needs a new Allocator")
        if not isinstance(self.backend, HighsBackend):  # CBC has no kept model: rebuild
            self._build(inputs)
            return
        m, b = self.model, self.backend
        if self._coefficients is None:
            self._coefficients = {c.row_block: c.values
                                  for c in model_numbers(m, self.inputs).coefficients}
        if inputs.dataset.content_hash != self.inputs.dataset.content_hash:
            self._update_curves(inputs)
        m.inputs = inputs
        numbers = model_numbers(m, inputs)
        for block, (lo, hi) in numbers.col_bounds.items():
            sl = m.col_slice(block)
            changed = np.flatnonzero((lo != b.col_lo[sl]) | (hi != b.col_hi[sl]))
            b.col_lo[sl], b.col_hi[sl] = lo, hi
            b.push_bounds(changed + sl.start, None)
        for block, (lo, hi) in numbers.row_bounds.items():
            sl = m.row_slice(block)
            changed = np.flatnonzero((lo != b.row_lo[sl]) | (hi != b.row_hi[sl]))
            b.row_lo[sl], b.row_hi[sl] = lo, hi
            b.push_bounds(None, changed + sl.start)
        for c in numbers.coefficients:
            changed = np.flatnonzero(c.values != self._coefficients[c.row_block])
            if len(changed):
                rows = m.row_slice(c.row_block).start + changed
                cols = np.array([m.index(c.cols[i]) for i in changed])
                b.set_coefficients(rows, cols, c.values[changed])
                self._coefficients[c.row_block] = c.values
        self.inputs = inputs

    def _update_curves(self, inputs: ModelInputs) -> None:
        """Other figures in the same dataset (a draw of the robustness analysis): the curve
        segments' values per £ (stage-1 costs) and widths (the z columns' bounds)."""
        m, b = self.model, self.backend
        m.z_value, m.z_width = segment_numbers(m, inputs.dataset)
        sl = m.col_slice("z")
        changed = np.flatnonzero(m.z_width != b.col_hi[sl])
        b.col_hi[sl] = m.z_width
        b.push_bounds(changed + sl.start, None)

    def warm_state(self) -> WarmState:
        """The starting points of the next warm solve (each stage's last optimal basis): keep
        it, and :meth:`solve` from it later, so a re-solve does not depend on what was solved
        in between (a Monte Carlo draw gives the same answer in any order, on any worker)."""
        return WarmState(dict(getattr(self.backend, "bases", {})))

    def solve(self, inputs: ModelInputs | None = None, warm: bool = True,
              start: WarmState | None = None, stages: int = 3) -> Solution:
        """Solve (after editing in ``inputs`` if given); cold on the first call or warm=False.
        A warm solve begins at ``start`` (:meth:`warm_state`) when given, else where the last
        one ended; ``stages=1`` finds the optimal value alone, without the tie-breaks."""
        began = time.perf_counter()
        if inputs is not None and inputs is not self.inputs:
            self.update(inputs)
        if start is not None and isinstance(self.backend, HighsBackend):
            self.backend.bases = dict(start.bases)
        costs = self.stage_costs()[:stages]  # stages=1: the value alone, no tie-breaks
        use_warm = warm and self._solved_once
        run = lexicographic_solve(self.backend, costs, warm=use_warm)
        self._solved_once = True
        seconds = time.perf_counter() - began
        if run.status is not Status.OPTIMAL or run.final is None:
            status, sentence = run.status, STATUS_SENTENCES[run.status]
            if run.stages_done:
                sentence = (f"Stage {run.stages_done + 1} of the solve failed after an optimum "
                            f"was found ({status.value}); this is a solver fault.")
                status = Status.ERROR
            return Solution(SolveStatus(status, sentence, self.solver), None, None, None,
                            seconds, use_warm)
        values = Values(self.model, run.final.col_value, run.final.row_value)
        z = values.filled()
        weighted = float(-costs[0][self.model.col_slice("z")] @ z)
        social = float(self.model.z_value @ z)
        duals = (Duals(self.model, run.stage1.col_dual, run.stage1.row_dual)
                 if run.stage1 is not None else None)
        return Solution(SolveStatus(Status.OPTIMAL, STATUS_SENTENCES[Status.OPTIMAL],
                                    self.solver), values, weighted, social, seconds, use_warm,
                        duals)

    # ------------------------------------------------------------------ bounds of named limits
    def bounds(self, ref: Ref) -> Interval:
        """The bounds the kept model holds for one column or row."""
        i, b = self.model.index(ref), self.backend
        if isinstance(ref, Col):
            return float(b.col_lo[i]), float(b.col_hi[i])
        return float(b.row_lo[i]), float(b.row_hi[i])

    def block_bounds(self, block: str) -> tuple[np.ndarray, np.ndarray]:
        """The bounds of one block of columns, in key order (copies)."""
        sl = self.model.col_slice(block)
        return self.backend.col_lo[sl].copy(), self.backend.col_hi[sl].copy()

    @contextmanager
    def adjusted(self, changes: Mapping[Ref, Interval] | None = None) -> Iterator[None]:
        """Temporarily give some columns and rows new bounds — how explanations ask "what if
        this limit were £100k looser?" without touching the scenario."""
        b, m = self.backend, self.model
        cols = {m.index(r): v for r, v in (changes or {}).items() if isinstance(r, Col)}
        rows = {m.index(r): v for r, v in (changes or {}).items() if isinstance(r, Row)}
        saved_c = {i: (b.col_lo[i], b.col_hi[i]) for i in cols}
        saved_r = {i: (b.row_lo[i], b.row_hi[i]) for i in rows}
        col_idx, row_idx = np.array(list(cols), dtype=int), np.array(list(rows), dtype=int)
        for i, (lo, hi) in cols.items():
            b.col_lo[i], b.col_hi[i] = lo, hi
        for i, (lo, hi) in rows.items():
            b.row_lo[i], b.row_hi[i] = lo, hi
        b.push_bounds(col_idx, row_idx)
        try:
            yield
        finally:
            for i, (lo, hi) in saved_c.items():
                b.col_lo[i], b.col_hi[i] = lo, hi
            for i, (lo, hi) in saved_r.items():
                b.row_lo[i], b.row_hi[i] = lo, hi
            b.push_bounds(col_idx, row_idx)

    def solved(self, solution: Solution) -> SolvedModel:
        """``solution`` read with this allocator's bounds (for the limit families)."""
        return SolvedModel(self, solution)
