"""Solve the allocation model: typed status, a unique optimum, warm re-solves in place.

Three stages, each optimising over the optimal set of the one before (a lexicographic LP):

1. maximise priority-weighted social value;
2. among allocations of equal value, the one closest to last year's: least relative change of
   each service total from its base-year amount, and area splits in proportion to need;
3. among those, pay each service from ring-fenced money first (the split of streams).

A stage is restricted to the previous stage's optimal face *exactly*, by complementary
slackness: every column with a non-zero reduced cost is fixed at its bound and every row with a
non-zero dual is made tight. Unlike an "objective ≥ optimum − tolerance" row this loses no value,
needs no coefficient edits (a weight change stays a cost change) and keeps the face whichever
optimal dual the solver returned. Ties that remain after stage 2 (services equal in every
respect) are broken by a deterministic perturbation of at most 1% of the stage-2 costs, so HiGHS
and CBC, warm and cold, return the same allocation.

:class:`Allocator` keeps the model built: PuLP builds it once and hands its HiGHS model over; a
new scenario on the same dataset and plan years edits bounds, costs and the fairness
coefficients in place and re-solves from the previous basis.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np
import pulp

from budgetopt import highs_index
from budgetopt.inputs import ModelInputs
from budgetopt.model import (
    LpModel,
    anchor_costs,
    build_model,
    fairness_coefficients,
    flow_costs,
    service_total_numbers,
    stability_numbers,
    stage1_costs,
    stream_numbers,
)

INF = float("inf")
FACE_TOLERANCE = 1e-7  # |reduced cost| or |dual| above this × max|cost| counts as non-zero
REUSE_STAGE_BASES = True  # warm stages start from their own previous basis (see run())
CBC_TOLERANCE = 1e-12  # with CBC, later stages keep each optimum within this fraction


class Status(StrEnum):
    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"


STATUS_SENTENCES = {
    Status.OPTIMAL: "An optimal allocation was found that meets every limit.",
    Status.INFEASIBLE: "No allocation meets every limit of this scenario: the floors, contracts, "
    "pins, stability and fairness limits ask for more than the funding allows, or contradict "
    "each other.",
    Status.UNBOUNDED: "The model is unbounded: some spending has no upper limit. This points to "
    "a fault in the model, not in the scenario.",
    Status.ERROR: "The solver failed to finish.",
}


@dataclass(frozen=True)
class SolveStatus:
    status: Status
    sentence: str
    solver: str

    @property
    def is_optimal(self) -> bool:
        return self.status is Status.OPTIMAL


@dataclass(frozen=True)
class Solution:
    """Values in budgetopt's column order (``LpModel.cols`` blocks concatenated)."""

    status: SolveStatus
    col_value: np.ndarray | None
    objective: float | None  # priority-weighted social value, £
    social_value: float | None  # unweighted social value, £
    seconds: float
    warm: bool
    # stage 1 (the value-maximising LP) as the solver left it: HiGHS reduced costs and row
    # duals of "minimise −value"; explanations normalise their signs (budgetopt.explain)
    stage1: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None = None


class Backend(Protocol):
    """What the lexicographic solve needs from a solver. Arrays are in budgetopt's order."""

    name: str
    col_lo: np.ndarray
    col_hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray

    def set_costs(self, cost: np.ndarray) -> None: ...
    def push_bounds(self, cols: np.ndarray | None, rows: np.ndarray | None) -> None: ...
    def set_coefficients(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None: ...
    def run(self, warm: bool, stage: int = 0) -> Status: ...
    def solution(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
    def restrict_to_optimum(self, cost: np.ndarray) -> None: ...
    def release(self) -> None: ...


def _pulp_bounds(m: LpModel) -> tuple[np.ndarray, ...]:
    cols = [v for b in m.cols.values() for v in b.items]
    rows = [c for b in m.rows.values() for c in b.items]
    col_lo = np.array([-INF if v.lowBound is None else v.lowBound for v in cols], dtype=float)
    col_hi = np.array([INF if v.upBound is None else v.upBound for v in cols], dtype=float)
    rhs = np.array([-c.constant for c in rows], dtype=float)
    sense = np.array([c.sense for c in rows])
    row_lo = np.where(sense == pulp.LpConstraintLE, -INF, rhs)
    row_hi = np.where(sense == pulp.LpConstraintGE, INF, rhs)
    return col_lo, col_hi, row_lo, row_hi


class HighsBackend:
    """The HiGHS model PuLP built, kept and edited in place."""

    name = "highs"

    def __init__(self, m: LpModel) -> None:
        self.col_lo, self.col_hi, self.row_lo, self.row_hi = _pulp_bounds(m)
        self.cols = [v for b in m.cols.values() for v in b.items]
        self.rows = [c for b in m.rows.values() for c in b.items]
        self.h = highs_index.hand_over(m.prob)
        self.colpos = highs_index.column_positions(m.prob, self.cols)
        self.rowpos = highs_index.row_positions(m.prob, self.rows)
        import highspy

        self.h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h.setOptionValue("output_flag", False)
        self._highspy = highspy
        self.cost = np.full(len(self.cols), np.nan)  # what HiGHS holds; nan: not yet set
        self.bases: dict[int, Any] = {}  # optimal basis of each stage in the last solve
        self.push_bounds(np.arange(len(self.cols)), np.arange(len(self.rows)))

    def set_costs(self, cost: np.ndarray) -> None:
        cost = np.asarray(cost, dtype=float)
        changed = np.flatnonzero(cost != self.cost)
        if len(changed):
            self.h.changeColsCost(len(changed), self.colpos[changed], cost[changed])
            self.cost = cost.copy()

    def push_bounds(self, cols: np.ndarray | None, rows: np.ndarray | None) -> None:
        if cols is not None and len(cols):
            self.h.changeColsBounds(len(cols), self.colpos[cols], self.col_lo[cols],
                                    self.col_hi[cols])
        if rows is not None and len(rows):
            self.h.changeRowsBounds(len(rows), self.rowpos[rows], self.row_lo[rows],
                                    self.row_hi[rows])

    def set_coefficients(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        for r, c, v in zip(self.rowpos[rows], self.colpos[cols], values, strict=True):
            self.h.changeCoeff(int(r), int(c), float(v))

    def run(self, warm: bool, stage: int = 0) -> Status:
        """Solve; warm runs start from this stage's basis of the previous solve when there is
        one — it stays dual feasible under bound changes, so dual simplex needs few steps."""
        if not warm:
            self.h.clearSolver()
            self.bases.clear()
        elif stage in self.bases and REUSE_STAGE_BASES:
            self.h.setBasis(self.bases[stage])
        try:
            self.h.run()
        except Exception:  # noqa: BLE001 - highspy raises bare exceptions
            return Status.ERROR
        ms = self.h.getModelStatus()
        k = self._highspy.HighsModelStatus
        if ms == k.kOptimal:
            self.bases[stage] = self.h.getBasis()
            return Status.OPTIMAL
        if ms in (k.kInfeasible, k.kUnboundedOrInfeasible):
            return Status.INFEASIBLE
        if ms == k.kUnbounded:
            return Status.UNBOUNDED
        return Status.ERROR

    def restrict_to_optimum(self, cost: np.ndarray) -> None:
        _restrict_to_optimal_face(self, cost)

    def release(self) -> None:
        pass  # the face restriction is undone with the saved bounds

    def solution(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        sol = self.h.getSolution()
        cv, cd = np.asarray(sol.col_value), np.asarray(sol.col_dual)
        rv, rd = np.asarray(sol.row_value), np.asarray(sol.row_dual)
        return cv[self.colpos], cd[self.colpos], rv[self.rowpos], rd[self.rowpos]


class CbcBackend:
    """CBC through PuLP's COIN_CMD with the cbcbox binary: every run is a cold solve.

    CBC's duals are consistent with its reduced costs but not always complementary with its
    primal solution, so a stage is restricted to the previous optimum by a row instead:
    ``cost·x ≤ optimum + CBC_TOLERANCE·|optimum|``.
    """

    name = "cbc"

    def __init__(self, m: LpModel) -> None:
        import cbcbox

        self.m = m
        self.col_lo, self.col_hi, self.row_lo, self.row_hi = _pulp_bounds(m)
        self.cols = [v for b in m.cols.values() for v in b.items]
        self.rows = [c for b in m.rows.values() for c in b.items]
        self.cost = np.zeros(len(self.cols))
        self.optimum_rows: list[pulp.LpConstraint] = []
        self.solver = pulp.COIN_CMD(msg=False, mip=False, path=cbcbox.cbc_bin_path())

    def set_costs(self, cost: np.ndarray) -> None:
        self.cost = np.asarray(cost, dtype=float)

    def _expression(self, cost: np.ndarray) -> pulp.LpAffineExpression:
        nz = np.flatnonzero(cost)
        return pulp.LpAffineExpression([(self.cols[i], float(cost[i])) for i in nz])

    def push_bounds(self, cols: np.ndarray | None, rows: np.ndarray | None) -> None:
        pass  # applied to the PuLP objects just before each run

    def set_coefficients(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray) -> None:
        raise NotImplementedError("CBC solves cold: Allocator rebuilds the model instead")

    def restrict_to_optimum(self, cost: np.ndarray) -> None:
        cv = self.solution()[0]
        optimum = float(cost @ cv)
        self.optimum_rows.append(
            self._expression(cost) <= optimum + CBC_TOLERANCE * max(1.0, abs(optimum)))

    def release(self) -> None:
        self.optimum_rows = []

    def run(self, warm: bool, stage: int = 0) -> Status:
        from budgetopt.model import _set_row_bounds

        for v, lo, hi in zip(self.cols, self.col_lo, self.col_hi, strict=True):
            v.lowBound = None if np.isinf(lo) else float(lo)
            v.upBound = None if np.isinf(hi) else float(hi)
        prob = pulp.LpProblem(self.m.prob.name, pulp.LpMinimize)
        for c, lo, hi in zip(self.rows, self.row_lo, self.row_hi, strict=True):
            _set_row_bounds(c, lo, hi)
            prob.addConstraint(c)
        for i, c in enumerate(self.optimum_rows):
            prob.addConstraint(c, f"optimum_of_stage_{i + 1}")
        prob.setObjective(self._expression(self.cost))
        try:
            code = prob.solve(self.solver)
        except pulp.PulpSolverError:
            return Status.ERROR
        self.prob = prob
        return {1: Status.OPTIMAL, -1: Status.INFEASIBLE, -2: Status.UNBOUNDED}.get(
            code, Status.ERROR)

    def solution(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        cv = np.array([v.varValue or 0.0 for v in self.cols])
        cd = np.array([v.dj or 0.0 for v in self.cols])
        rv = np.array([c.value() - c.constant for c in self.rows])
        rd = np.array([c.pi or 0.0 for c in self.rows])
        return cv, cd, rv, rd


# --------------------------------------------------------------------------------------------
def _restrict_to_optimal_face(b: Backend, cost: np.ndarray) -> None:
    """Fix every column with a non-zero reduced cost at its bound and make every row with a
    non-zero dual tight: the remaining feasible set is exactly the optimal face."""
    cv, cd, rv, rd = b.solution()
    tol = FACE_TOLERANCE * max(1.0, float(np.abs(cost).max()))
    cols = np.flatnonzero(np.abs(cd) > tol)
    at = np.where(np.abs(cv[cols] - b.col_lo[cols]) <= np.abs(cv[cols] - b.col_hi[cols]),
                  b.col_lo[cols], b.col_hi[cols])
    b.col_lo[cols] = b.col_hi[cols] = at
    rows = np.flatnonzero((np.abs(rd) > tol) & (b.row_lo != b.row_hi))
    side = np.where(np.abs(rv[rows] - b.row_lo[rows]) <= np.abs(rv[rows] - b.row_hi[rows]),
                    b.row_lo[rows], b.row_hi[rows])
    b.row_lo[rows] = b.row_hi[rows] = side
    b.push_bounds(cols, rows)


@dataclass(frozen=True)
class StagedSolve:
    status: Status
    stages_done: int  # stages solved to optimality
    values: tuple[np.ndarray, ...] | None  # final (col value, col dual, row value, row dual)
    stage1: tuple[np.ndarray, ...] | None  # the same after stage 1, for explanations


def lexicographic_solve(b: Backend, stages: list[np.ndarray], warm: bool) -> StagedSolve:
    """Minimise each cost vector in turn over the previous optimum; restore bounds after."""
    saved = (b.col_lo.copy(), b.col_hi.copy(), b.row_lo.copy(), b.row_hi.copy())
    status, done, stage1 = Status.OPTIMAL, 0, None
    try:
        for i, cost in enumerate(stages):
            b.set_costs(cost)
            status = b.run(warm=warm or i > 0, stage=i)
            if status is not Status.OPTIMAL:
                break
            done += 1
            if i == 0:
                stage1 = b.solution()
            if i < len(stages) - 1:
                b.restrict_to_optimum(cost)
        values = b.solution() if status is Status.OPTIMAL else None
    finally:
        changed_c = np.flatnonzero((b.col_lo != saved[0]) | (b.col_hi != saved[1]))
        changed_r = np.flatnonzero((b.row_lo != saved[2]) | (b.row_hi != saved[3]))
        b.col_lo, b.col_hi, b.row_lo, b.row_hi = saved
        b.push_bounds(changed_c, changed_r)
        b.release()
    return StagedSolve(status, done, values, stage1)


def _offsets(blocks: dict) -> dict[str, int]:
    """Start of each family in budgetopt's order (families concatenated as created)."""
    out, n = {}, 0
    for fam, block in blocks.items():
        out[fam] = n
        n += len(block)
    return out


# --------------------------------------------------------------------------------------------
class Allocator:
    """A built model for one dataset and number of plan years, re-solvable in place.

    >>> alloc = Allocator(inputs)             # builds once (PuLP), hands over to HiGHS
    >>> solution = alloc.solve()              # the first solve is cold
    >>> solution = alloc.solve(other_inputs)  # same dataset and years: edited in place, warm
    """

    def __init__(self, inputs: ModelInputs, solver: str | None = None) -> None:
        self.solver = solver or inputs.scenario.solver
        self._build(inputs)

    def _build(self, inputs: ModelInputs) -> None:
        self.inputs = inputs
        self.model = build_model(inputs)
        self._offsets = _offsets(self.model.cols)
        self._row_offsets = _offsets(self.model.rows)
        self.n_cols = sum(len(b) for b in self.model.cols.values())
        self.backend: Backend = (HighsBackend if self.solver == "highs" else CbcBackend)(
            self.model)
        self._solved_once = False
        self._stage_costs_fixed = [self._costs(anchor_costs(self.model)),
                                   self._costs(flow_costs(self.model))]

    # -- column/row positions in budgetopt's order
    def col_slice(self, family: str) -> slice:
        start = self._offsets[family]
        return slice(start, start + len(self.model.cols[family]))

    def row_slice(self, family: str) -> slice:
        start = self._row_offsets[family]
        return slice(start, start + len(self.model.rows[family]))

    def _costs(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        c = np.zeros(self.n_cols)
        for fam, values in parts.items():
            c[self.col_slice(fam)] = values
        return c

    def accepts(self, inputs: ModelInputs) -> bool:
        """Whether ``inputs`` can be solved by editing this model (same structure)."""
        return (inputs.dataset.content_hash == self.inputs.dataset.content_hash
                and inputs.years == self.inputs.years)

    def update(self, inputs: ModelInputs) -> None:
        """Write every number a scenario can change into the kept model."""
        if not self.accepts(inputs):
            raise ValueError("a different dataset or number of plan years needs a new Allocator")
        if not isinstance(self.backend, HighsBackend):  # CBC has no kept model: rebuild
            self._build(inputs)
            return
        m, b = self.model, self.backend
        m.inputs = inputs
        for fam, numbers in (("t", service_total_numbers), ("d", stability_numbers)):
            if fam in m.cols:
                sl = self.col_slice(fam)
                lo, hi = numbers(m, inputs)
                changed = np.flatnonzero((lo != b.col_lo[sl]) | (hi != b.col_hi[sl]))
                b.col_lo[sl], b.col_hi[sl] = lo, hi
                b.push_bounds(changed + sl.start, None)
        sl = self.row_slice("stream")
        lo, hi = stream_numbers(m, inputs)
        changed = np.flatnonzero((lo != b.row_lo[sl]) | (hi != b.row_hi[sl]))
        b.row_lo[sl], b.row_hi[sl] = lo, hi
        b.push_bounds(None, changed + sl.start)
        tau_changed = (inputs.scenario.fairness_tolerance
                       != self.inputs.scenario.fairness_tolerance)
        if "fair_hi" in m.rows and tau_changed:
            hi_c, lo_c = fairness_coefficients(m, inputs)
            s_cols = np.array([self._offsets["S"] + m.cols["S"].pos[(k, y)]
                               for k, _, y in m.rows["fair_hi"].keys])
            for fam, coef in (("fair_hi", hi_c), ("fair_lo", lo_c)):
                sl = self.row_slice(fam)
                b.set_coefficients(np.arange(sl.start, sl.stop), s_cols, coef)
        self.inputs = inputs

    def solve(self, inputs: ModelInputs | None = None, warm: bool = True) -> Solution:
        """Solve (after editing in ``inputs`` if given); cold on the first call or warm=False."""
        start = time.perf_counter()
        if inputs is not None and inputs is not self.inputs:
            self.update(inputs)
        stage1 = -self._costs({"z": stage1_costs(self.model, self.inputs)})
        use_warm = warm and self._solved_once
        run = lexicographic_solve(self.backend, [stage1, *self._stage_costs_fixed],
                                  warm=use_warm)
        status, done = run.status, run.stages_done
        self._solved_once = True
        seconds = time.perf_counter() - start
        if status is not Status.OPTIMAL:
            sentence = STATUS_SENTENCES[status]
            if done:
                sentence = (f"Stage {done + 1} of the solve failed after an optimum was found "
                            f"({status.value}); this is a solver fault.")
                status = Status.ERROR
            return Solution(SolveStatus(status, sentence, self.solver), None, None, None,
                            seconds, use_warm)
        cv = run.values[0]
        z = cv[self.col_slice("z")]
        weighted = float(-stage1[self.col_slice("z")] @ z)
        social = float(self.model.z_value @ z)
        return Solution(SolveStatus(Status.OPTIMAL, STATUS_SENTENCES[Status.OPTIMAL],
                                    self.solver), cv, weighted, social, seconds, use_warm,
                        run.stage1)

    def col_index(self, family: str, key: tuple) -> int:
        return self._offsets[family] + self.model.cols[family].pos[key]

    def row_index(self, family: str, key: tuple) -> int:
        return self._row_offsets[family] + self.model.rows[family].pos[key]

    @contextmanager
    def adjusted(self, cols: dict[int, tuple[float, float]] | None = None,
                 rows: dict[int, tuple[float, float]] | None = None) -> Iterator[None]:
        """Temporarily change column and row bounds (by budgetopt position) — how explanations
        ask "what if this limit were £100k looser?" without touching the scenario."""
        b = self.backend
        cols, rows = cols or {}, rows or {}
        saved_c = {i: (b.col_lo[i], b.col_hi[i]) for i in cols}
        saved_r = {i: (b.row_lo[i], b.row_hi[i]) for i in rows}
        for i, (lo, hi) in cols.items():
            b.col_lo[i], b.col_hi[i] = lo, hi
        for i, (lo, hi) in rows.items():
            b.row_lo[i], b.row_hi[i] = lo, hi
        b.push_bounds(np.array(list(cols), dtype=int), np.array(list(rows), dtype=int))
        try:
            yield
        finally:
            for i, (lo, hi) in saved_c.items():
                b.col_lo[i], b.col_hi[i] = lo, hi
            for i, (lo, hi) in saved_r.items():
                b.row_lo[i], b.row_hi[i] = lo, hi
            b.push_bounds(np.array(list(cols), dtype=int), np.array(list(rows), dtype=int))

    def values(self, solution: Solution, family: str) -> dict[tuple, float]:
        """Solution values of one family of columns, by key; family "x" gives the allocation
        cells x[s,a,y], each the sum of its curve segments."""
        assert solution.col_value is not None
        if family == "x":
            z = solution.col_value[self.col_slice("z")]
            vals = np.add.reduceat(z, self.model.cell_starts) if len(z) else z
            return dict(zip(self.model.cells.keys, vals.tolist(), strict=True))
        vals = solution.col_value[self.col_slice(family)]
        return dict(zip(self.model.cols[family].keys, vals.tolist(), strict=True))
