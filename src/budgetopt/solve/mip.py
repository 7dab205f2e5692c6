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

import time
from collections.abc import Callable, Mapping
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


@dataclass(frozen=True)
class Stage:
    """One stage of a lexicographic objective: maximised (or minimised, in the problem's
    sense) to ``gap``; ``whole`` when its values are whole numbers only."""

    objective: pulp.LpAffineExpression
    gap: float = 0.0
    whole: bool = False


@dataclass(frozen=True)
class Final:
    """A last stage solved with the ``hold`` columns held at the values the stages before
    found and the ``integer`` columns made integer."""

    objective: pulp.LpAffineExpression
    hold: list[str]
    integer: list[str]
    whole: bool = False


@dataclass(frozen=True)
class Lexicographic:
    status: MipStatus
    gap: float | None  # the first stage's gap when it stopped
    done: int  # stages solved to their end
    values: dict[str, float]  # the last solution found, by variable name


def solve_lexicographic(prob: pulp.LpProblem, stages: list[Stage], solver: str,
                        seconds: float, final: Final | None = None) -> Lexicographic:
    """Each stage in turn, the one before held as a row (within 0.5 of its optimum for whole
    values, else 1e-6 relative); each starts from the answer of the one before; then the
    ``final`` stage, when given (see the grant rounds' awards). HiGHS keeps one model for all
    of it; CBC gets the PuLP problem each time with the
    problem afresh each time (its warm start through PuLP failed the later stages)."""
    started = time.perf_counter()

    def left() -> float:
        return seconds - (time.perf_counter() - started)

    if solver == "highs":
        return _lexicographic_highs(prob, stages, left, final)
    values: dict[str, float] = {}
    first_gap: float | None = 0.0
    status: MipStatus = "optimal"
    done = 0
    for i, st in enumerate(stages):
        outcome = solve_stage(prob, st.objective, solver, gap=st.gap, seconds=left(),
                              whole=st.whole)
        if i == 0:
            first_gap = outcome.gap
        if outcome.status in ("infeasible", "error"):
            return Lexicographic(outcome.status if i == 0 else "error", None, done, {})
        values = {v.name: float(v.varValue or 0.0) for v in prob.variables()}
        if outcome.status != "optimal":
            status = "time limit"
            break
        done = i + 1
        reached = float(pulp.value(st.objective) or 0.0)
        prob += st.objective >= reached - _slack(st, reached, i), f"stage_{i + 1}"
    if final is not None and status == "optimal":
        held, integer = set(final.hold), set(final.integer)
        for v in prob.variables():
            if v.name in held:
                v.lowBound = v.upBound = round(values[v.name])
            if v.name in integer:
                v.cat = pulp.LpInteger
        outcome = solve_stage(prob, final.objective, solver, gap=0.0,
                              seconds=max(left(), 1.0), whole=final.whole)
        if outcome.status != "optimal":
            return Lexicographic("error", None, done, {})
        values = {v.name: float(v.varValue or 0.0) for v in prob.variables()}
        done += 1
    return Lexicographic(status, first_gap, done, values)


def _slack(st: Stage, reached: float, i: int) -> float:
    return 0.5 if st.whole and i > 0 else 1e-6 * max(1.0, abs(reached))


def _lexicographic_highs(prob: pulp.LpProblem, stages: list[Stage], left: Callable[[], float],
                         final: Final | None) -> Lexicographic:
    import highspy

    k = KeptMip(prob, left())
    start: np.ndarray | None = None
    first_gap: float | None = 0.0
    status: MipStatus = "optimal"
    done = 0
    for i, st in enumerate(stages):
        outcome, values, reached = k.run(st.objective, gap=st.gap, whole=st.whole,
                                         seconds=left(), start=start)
        if i == 0:
            first_gap = outcome.gap
        if outcome.status in ("infeasible", "error") or values is None:
            return Lexicographic(outcome.status if i == 0 else "error", None, done, {})
        start = values
        if outcome.status != "optimal":
            status = "time limit"
            break
        done = i + 1
        k.add_row(st.objective, reached - _slack(st, reached, i), highspy.kHighsInf)
    if final is not None and status == "optimal" and start is not None:
        k.hold({n: float(round(start[k.index[n]])) for n in final.hold})
        k.integer(final.integer)
        outcome, values, _ = k.run(final.objective, whole=final.whole,
                                   seconds=max(left(), 1.0), start=np.round(start))
        if outcome.status != "optimal" or values is None:
            return Lexicographic("error", None, done, {})
        start = values
        done += 1
    assert start is not None
    return Lexicographic(status, first_gap, done,
                         {v.name: float(start[i]) for i, v in enumerate(k.variables)})


class KeptMip:
    """One HiGHS model of a PuLP problem, solved again and again: stage after stage of a
    lexicographic objective (each from the last stage's answer, which HiGHS takes as its first
    incumbent), or what-ifs with some variables held."""

    def __init__(self, prob: pulp.LpProblem, seconds: float, whole: bool = False) -> None:
        """``whole``: what-ifs (:meth:`best`) are on an objective of whole values, so they
        may stop at an absolute gap below 1."""
        import highspy

        self.whole = whole
        self.variables = prob.variables()
        self.index = {v.name: i for i, v in enumerate(self.variables)}
        self.maximise = prob.sense == pulp.LpMaximize
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        self.seconds = seconds
        inf = highspy.kHighsInf
        lo = np.array([-inf if v.lowBound is None else v.lowBound for v in self.variables],
                      dtype=float)
        hi = np.array([inf if v.upBound is None else v.upBound for v in self.variables],
                      dtype=float)
        self.bounds = (lo, hi)
        h.addVars(len(self.variables), lo, hi)
        self.highs = h
        self.integer([v.name for v in self.variables if v.cat == pulp.LpInteger])
        for c in prob.constraints():  # a list on PuLP 3.3 and 4
            rhs = -float(c.constant)
            self.add_row(c, rhs if c.sense in (pulp.LpConstraintGE, pulp.LpConstraintEQ)
                         else -inf, rhs if c.sense in (pulp.LpConstraintLE, pulp.LpConstraintEQ)
                         else inf, with_constant=False)

    def integer(self, names: list[str]) -> None:
        """Make the named columns integer."""
        import highspy

        cols = np.array([self.index[n] for n in names], dtype=np.int32)
        if len(cols):
            self.highs.changeColsIntegrality(len(cols), cols, np.full(
                len(cols), highspy.HighsVarType.kInteger))

    def add_row(self, e: pulp.LpAffineExpression, lo: float, hi: float,
                with_constant: bool = True) -> None:
        """``lo ≤ e ≤ hi`` (``e``'s constant moved to the bounds when ``with_constant``)."""
        shift = float(e.constant) if with_constant else 0.0
        items = [(self.index[v.name], float(a)) for v, a in e.items() if a != 0]
        self.highs.addRow(lo - shift, hi - shift, len(items),
                          np.array([i for i, _ in items], dtype=np.int32),
                          np.array([a for _, a in items], dtype=float))

    def hold(self, fixed: Mapping[str, float]) -> None:
        cols = np.array([self.index[k] for k in fixed], dtype=np.int32)
        vals = np.array(list(fixed.values()), dtype=float)
        self.highs.changeColsBounds(len(cols), cols, vals, vals)

    def run(self, objective: pulp.LpAffineExpression, *, gap: float = 0.0,
            whole: bool = False, seconds: float | None = None,
            start: np.ndarray | None = None) -> tuple[MipOutcome, np.ndarray | None, float]:
        """Solve for ``objective``: the outcome, the column values and the objective's value."""
        import highspy

        h = self.highs
        h.setOptionValue("time_limit", float(max(seconds or self.seconds, 0.1)))
        h.setOptionValue("mip_rel_gap", float(gap))
        h.setOptionValue("mip_abs_gap", WHOLE_GAP if whole else 1e-6)
        cost = np.zeros(len(self.variables))
        for v, a in objective.items():
            cost[self.index[v.name]] = float(a)
        h.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize if self.maximise
                               else highspy.ObjSense.kMinimize)
        if start is not None:
            given = highspy.HighsSolution()
            given.col_value = list(start)
            given.value_valid = True
            h.setSolution(given)
        h.run()
        status = h.getModelStatus()
        info = h.getInfo()
        has = info.primal_solution_status == 2  # a feasible solution is held
        values = np.array(h.getSolution().col_value) if has else None
        value = info.objective_function_value + float(objective.constant)
        h.clearSolver()
        if status in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kModelEmpty):
            return MipOutcome("optimal", 0.0 if gap == 0 else float(info.mip_gap)), values, value
        if status == highspy.HighsModelStatus.kInfeasible:
            return MipOutcome("infeasible", None), None, value
        if status == highspy.HighsModelStatus.kTimeLimit and has:
            return MipOutcome("time limit", float(info.mip_gap)), values, value
        return MipOutcome("error", None), None, value

    def best(self, objective: pulp.LpAffineExpression,
             fixed: Mapping[str, float]) -> float | None:
        """The optimum of ``objective`` with the variables named in ``fixed`` held at their
        values (then released); None when no solution keeps every row (or none is proven)."""
        lo, hi = self.bounds
        cols = np.array([self.index[k] for k in fixed], dtype=np.int32)
        self.hold(fixed)
        try:
            outcome, _, value = self.run(objective, whole=self.whole)
        finally:
            self.highs.changeColsBounds(len(cols), cols, lo[cols], hi[cols])
        return float(value) if outcome.status == "optimal" else None
