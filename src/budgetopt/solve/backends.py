"""Solver backends: the HiGHS model PuLP hands over, kept and edited in place; CBC, solved cold.

A backend holds the model's column and row bounds in budgetopt's order (the layout of
:class:`~budgetopt.model.lp.LpModel`) and maps them onto its solver: HiGHS through the index
mapping of :mod:`~budgetopt.solve.highs_index`, CBC through PuLP's ``COIN_CMD`` with the cbcbox
binary. What the lexicographic solve needs from either is the :class:`Backend` protocol.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pulp

from budgetopt.model.lp import INF, LpModel, set_column_bounds, set_row_bounds
from budgetopt.solve import highs_index
from budgetopt.solve.status import Status

REUSE_STAGE_BASES = True  # warm stages start from their own previous basis (see HighsBackend.run)
# With CBC, later stages keep each earlier optimum within the first of these slacks that CBC
# can hold — (relative to |optimum|, per unit of Σ|cost|) — as tight as possible so that CBC
# lands where HiGHS does, looser only when CBC's own rounding makes the row infeasible. The last
# allows for the solution file's 6 decimals in every x, whatever the dataset's scale.
CBC_TOLERANCES = ((1e-14, 0.0), (1e-12, 0.0), (1e-10, 0.0), (1e-10, 1e-6))
# what CBC's log says when it proved a model infeasible (presolve or the LP); "dual infeasible"
# (unbounded) and the iteration log's "Dual inf" column are not it
CBC_INFEASIBLE = re.compile(r"infeasibility proved|problem is (?:primal )?infeasible",
                            re.IGNORECASE)


def cbc_log_says_infeasible(text: str) -> bool:
    """Whether a CBC log says the model was proved infeasible."""
    return CBC_INFEASIBLE.search(text) is not None


@dataclass(frozen=True)
class StageSolution:
    """A solver's answer in budgetopt's order: primal and dual values of columns and rows.
    Duals are those of "minimise cost" as the solver reports them; explanations normalise their
    signs."""

    col_value: np.ndarray
    col_dual: np.ndarray
    row_value: np.ndarray
    row_dual: np.ndarray


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
    def solution(self) -> StageSolution: ...
    def restrict_to_optimum(self, cost: np.ndarray) -> None: ...
    def release(self) -> None: ...


def _pulp_bounds(m: LpModel) -> tuple[np.ndarray, ...]:
    cols, rows = m.columns(), m.constraints()
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
        import highspy

        self.col_lo, self.col_hi, self.row_lo, self.row_hi = _pulp_bounds(m)
        cols, rows = m.columns(), m.constraints()
        self.h = highs_index.hand_over(m.prob)
        self.colpos = highs_index.column_positions(m.prob, cols)
        self.rowpos = highs_index.row_positions(m.prob, rows)
        self.h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        self.h.setOptionValue("output_flag", False)
        self._highspy = highspy
        self.cost = np.full(len(cols), np.nan)  # what HiGHS holds; nan: not yet set
        self.bases: dict[int, Any] = {}  # optimal basis of each stage in the last solve
        self.push_bounds(np.arange(len(cols)), np.arange(len(rows)))

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
        restrict_to_optimal_face(self, cost)

    def release(self) -> None:
        pass  # the face restriction is undone with the saved bounds

    def solution(self) -> StageSolution:
        sol = self.h.getSolution()
        return StageSolution(np.asarray(sol.col_value)[self.colpos],
                             np.asarray(sol.col_dual)[self.colpos],
                             np.asarray(sol.row_value)[self.rowpos],
                             np.asarray(sol.row_dual)[self.rowpos])


class CbcBackend:
    """CBC through PuLP's COIN_CMD with the cbcbox binary: every run is a cold solve.

    CBC's duals are consistent with its reduced costs but not always complementary with its
    primal solution, so a stage is restricted to the previous optimum by a row instead:
    ``cost·x ≤ optimum + slack``, the slack the first of :data:`CBC_TOLERANCES` under which
    the stage solves.

    When CBC proves a model infeasible while presolving it writes no solution, and PuLP can only
    say "undefined"; CBC's own log says "infeasible", so the log decides.
    """

    name = "cbc"

    def __init__(self, m: LpModel) -> None:
        import cbcbox

        self.m = m
        self.col_lo, self.col_hi, self.row_lo, self.row_hi = _pulp_bounds(m)
        self.cols, self.rows = m.columns(), m.constraints()
        self.cost = np.zeros(len(self.cols))
        # each earlier optimum: its cost expression, its value, Σ|cost| and the index of the
        # tolerance (in CBC_TOLERANCES) it holds at
        self.optimum_rows: list[tuple[pulp.LpAffineExpression, float, float, int]] = []
        fd, self.log = tempfile.mkstemp(prefix="budgetopt-cbc-", suffix=".log")
        os.close(fd)
        self.solver = pulp.COIN_CMD(msg=False, mip=False, path=cbcbox.cbc_bin_path(),
                                    logPath=self.log)

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
        self.optimum_rows.append((self._expression(cost), float(cost @ self.solution().col_value),
                                  float(np.abs(cost).sum()), 0))

    def release(self) -> None:
        self.optimum_rows = []

    def run(self, warm: bool, stage: int = 0) -> Status:
        """Solve; when the newest optimum row makes the stage infeasible, loosen that row alone
        (the earlier ones keep the tolerance their own stage held them at)."""
        status = self._run()
        while status is Status.INFEASIBLE and self.optimum_rows:
            expression, optimum, size, level = self.optimum_rows[-1]
            if level + 1 == len(CBC_TOLERANCES):
                break
            self.optimum_rows[-1] = (expression, optimum, size, level + 1)
            status = self._run()
        return status

    def _run(self) -> Status:
        for v, lo, hi in zip(self.cols, np.minimum(self.col_lo, self.col_hi), self.col_hi,
                             strict=True):  # bounds equal but for rounding: CBC wants lo <= hi
            set_column_bounds(v, lo, hi)
        prob = pulp.LpProblem(self.m.prob.name, pulp.LpMinimize)
        for c, lo, hi in zip(self.rows, np.minimum(self.row_lo, self.row_hi), self.row_hi,
                             strict=True):
            set_row_bounds(c, lo, hi)
            prob.addConstraint(c)
        for i, (expression, optimum, size, level) in enumerate(self.optimum_rows):
            relative, per_cost = CBC_TOLERANCES[level]
            slack = relative * max(1.0, abs(optimum)) + per_cost * size
            prob.addConstraint(expression <= optimum + slack, f"optimum_of_stage_{i + 1}")
        prob.setObjective(self._expression(self.cost))
        try:
            code = prob.solve(self.solver)
        except pulp.PulpSolverError:
            return Status.ERROR
        self.prob = prob
        status = {1: Status.OPTIMAL, -1: Status.INFEASIBLE, -2: Status.UNBOUNDED}.get(
            code, Status.ERROR)
        if status is Status.ERROR and self._log_says_infeasible():
            return Status.INFEASIBLE
        return status

    def _log_says_infeasible(self) -> bool:
        try:
            return cbc_log_says_infeasible(Path(self.log).read_text(encoding="utf-8",
                                                                     errors="replace"))
        except OSError:
            return False

    def __del__(self) -> None:
        if getattr(self, "log", None):
            Path(self.log).unlink(missing_ok=True)

    def solution(self) -> StageSolution:
        return StageSolution(np.array([v.varValue or 0.0 for v in self.cols]),
                             np.array([v.dj or 0.0 for v in self.cols]),
                             np.array([c.value() - c.constant for c in self.rows]),
                             np.array([c.pi or 0.0 for c in self.rows]))


def solver_version(name: str) -> str | None:
    """The version of a solver as a run manifest records it: the HiGHS library highspy is built
    on (e.g. ``1.13.0``), or the cbcbox distribution that carries CBC; None when unknown."""
    if name == "cbc":
        try:
            return metadata.version("cbcbox")
        except metadata.PackageNotFoundError:
            return None
    if name != "highs":
        return None
    try:
        import highspy

        h = highspy.Highs()
        try:
            return f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
        except AttributeError:
            return str(h.version())
    except Exception:  # noqa: BLE001 - optional module: any failure is 'unknown'
        return None


FACE_TOLERANCE = 1e-7  # |reduced cost| or |dual| above this × max|cost| counts as non-zero


def restrict_to_optimal_face(b: Backend, cost: np.ndarray) -> None:
    """Fix every column with a non-zero reduced cost at its bound and make every row with a
    non-zero dual tight: the remaining feasible set is exactly the optimal face."""
    s = b.solution()
    cv, cd, rv, rd = s.col_value, s.col_dual, s.row_value, s.row_dual
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
