"""Mixed-integer programmes built with PuLP (the grant rounds' selection), solved here.

:func:`solve_stage` solves one stage of a lexicographic objective with HiGHS (in-process,
``pulp.HiGHS``) or CBC (``COIN_CMD`` with the cbcbox binary), told the relative gap it may stop
at and the time left, and reports the outcome in words the caller can rely on: ``optimal``,
``time limit`` (a feasible answer, not proven), ``infeasible`` or ``error``. An objective that
takes whole values only (pounds, sums of ranks, scores of whole points) may stop at an absolute
gap below 1, which is a proof of optimality, and is much quicker.

:class:`KeptMip` keeps one HiGHS model of a PuLP problem for many what-ifs (a bid forced in or
out, one solve each): the problem is read once through PuLP's public API — variables, their
bounds and kind, the constraints' coefficients and senses — so it works the same on PuLP 3 and 4.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pulp

MipStatus = Literal["optimal", "time limit", "infeasible", "error"]
SOLVERS = ("highs", "cbc")
WHOLE_GAP = 0.999  # an absolute gap below 1 proves an optimum whose values are whole


@dataclass(frozen=True)
class MipOutcome:
    status: MipStatus
    gap: float | None  # the relative gap when it stopped (0: proven), None when unknown


def solver_for(name: str, gap: float, seconds: float, whole: bool = False) -> pulp.LpSolver:
    gap_abs = WHOLE_GAP if whole else None
    if name == "highs":
        return pulp.HiGHS(msg=False, gapRel=gap, gapAbs=gap_abs, timeLimit=max(seconds, 0.1),
                          threads=1)
    if name == "cbc":
        import cbcbox

        return pulp.COIN_CMD(msg=False, path=cbcbox.cbc_bin_path(), gapRel=gap, gapAbs=gap_abs,
                             timeLimit=max(seconds, 1.0), threads=1)
    raise ValueError(f"unknown solver '{name}' (valid: {', '.join(SOLVERS)})")


def solve_stage(prob: pulp.LpProblem, objective: pulp.LpAffineExpression, solver: str, *,
                gap: float, seconds: float, whole: bool = False) -> MipOutcome:
    """Solve ``prob`` for ``objective`` (in the problem's sense)."""
    prob.setObjective(objective)
    try:
        prob.solve(solver_for(solver, gap, seconds, whole))
    except pulp.PulpSolverError:
        return MipOutcome("error", None)
    info = getattr(getattr(prob, "solverModel", None), "getInfo", None)
    mip_gap = float(info().mip_gap) if solver == "highs" and callable(info) else None
    if prob.status == pulp.LpStatusInfeasible:
        return MipOutcome("infeasible", None)
    if prob.sol_status == pulp.LpSolutionOptimal:
        return MipOutcome("optimal", 0.0 if gap == 0 else mip_gap)
    if prob.sol_status == pulp.LpSolutionIntegerFeasible:
        return MipOutcome("time limit", mip_gap)
    return MipOutcome("error", None)


class KeptMip:
    """One HiGHS model of a PuLP problem, re-solved with some variables fixed."""

    def __init__(self, prob: pulp.LpProblem, seconds: float, whole: bool = False) -> None:
        import highspy

        self.variables = prob.variables()
        self.index = {v.name: i for i, v in enumerate(self.variables)}
        self.maximise = prob.sense == pulp.LpMaximize
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        h.setOptionValue("time_limit", float(seconds))
        h.setOptionValue("mip_rel_gap", 0.0)
        if whole:
            h.setOptionValue("mip_abs_gap", WHOLE_GAP)
        inf = highspy.kHighsInf
        lo = np.array([-inf if v.lowBound is None else v.lowBound for v in self.variables],
                      dtype=float)
        hi = np.array([inf if v.upBound is None else v.upBound for v in self.variables],
                      dtype=float)
        self.bounds = (lo, hi)
        h.addVars(len(self.variables), lo, hi)
        integer = [i for i, v in enumerate(self.variables) if v.cat == pulp.LpInteger]
        if integer:
            h.changeColsIntegrality(len(integer), np.array(integer, dtype=np.int32),
                                    np.full(len(integer), highspy.HighsVarType.kInteger))
        for c in prob.constraints():  # a list on PuLP 3.3 and 4
            items = [(self.index[v.name], float(a)) for v, a in c.items() if a != 0]
            rhs = -float(c.constant)
            r_lo = rhs if c.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ) else -inf
            r_hi = rhs if c.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ) else inf
            idx = np.array([i for i, _ in items], dtype=np.int32)
            val = np.array([a for _, a in items], dtype=float)
            h.addRow(r_lo, r_hi, len(items), idx, val)
        self.highs = h

    def best(self, objective: pulp.LpAffineExpression,
             fixed: Mapping[str, float]) -> float | None:
        """The optimum of ``objective`` with the variables named in ``fixed`` held at their
        values; None when no solution keeps every row (or none is proven in time)."""
        import highspy

        h, (lo, hi) = self.highs, self.bounds
        cost = np.zeros(len(self.variables))
        for v, a in objective.items():
            cost[self.index[v.name]] = float(a)
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if self.maximise
                               else highspy.ObjSense.kMinimize)
        cols = np.array([self.index[k] for k in fixed], dtype=np.int32)
        vals = np.array(list(fixed.values()), dtype=float)
        h.changeColsBounds(len(cols), cols, vals, vals)
        try:
            h.run()
            ok = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            value = h.getInfo().objective_function_value + float(objective.constant)
        finally:
            h.changeColsBounds(len(cols), cols, lo[cols], hi[cols])
            h.clearSolver()
        return float(value) if ok else None
