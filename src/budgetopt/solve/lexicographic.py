"""The unique optimum: three stages, each optimising over the optimal set of the one before.

1. maximise priority-weighted social value;
2. among allocations of equal value, the steadiest: least relative change of each service total
   from its base-year amount and from year to year, and area splits in proportion to need;
3. among those, pay each service from ring-fenced money first (the split of streams), and fill
   each curve's segments in order.

A stage is restricted to the previous stage's optimal face *exactly*, by complementary
slackness (:func:`~budgetopt.solve.backends.restrict_to_optimal_face`): every column with a
non-zero reduced cost is fixed at its bound and every row with a non-zero dual is made tight.
Unlike an "objective ≥ optimum − tolerance" row this loses no value, needs no coefficient edits
(a weight change stays a cost change) and keeps the face whichever optimal dual the solver
returned. Ties that remain after stage 2 (services equal in every respect) are broken by the
fixed perturbation of :mod:`budgetopt.model.tiebreak`, so HiGHS and CBC, warm and cold, return
the same allocation. The stage costs themselves come from the model layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from budgetopt.solve.backends import Backend, StageSolution
from budgetopt.solve.status import Status


@dataclass(frozen=True)
class StagedSolve:
    status: Status
    stages_done: int  # stages solved to optimality
    final: StageSolution | None  # after the last stage
    stage1: StageSolution | None  # after stage 1, for explanations that read duals


BOUND_TOLERANCE = 1e-9  # relative: bounds this close count as equal, not crossed


def crossed(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Where a lower bound lies above its upper bound by more than rounding."""
    return lo - hi > BOUND_TOLERANCE * np.maximum(1.0, np.abs(hi))


def lexicographic_solve(b: Backend, stages: list[np.ndarray], warm: bool) -> StagedSolve:
    """Minimise each cost vector in turn over the previous optimum; restore bounds after.

    Bounds that contradict each other (a pin below a contract: a lower bound above an upper
    one) make the model infeasible as it stands, whatever the solver; CBC refuses to read such a
    model, so they are found here."""
    if crossed(b.col_lo, b.col_hi).any() or crossed(b.row_lo, b.row_hi).any():
        return StagedSolve(Status.INFEASIBLE, 0, None, None)
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
        final = b.solution() if status is Status.OPTIMAL else None
    finally:
        changed_c = np.flatnonzero((b.col_lo != saved[0]) | (b.col_hi != saved[1]))
        changed_r = np.flatnonzero((b.row_lo != saved[2]) | (b.row_hi != saved[3]))
        b.col_lo, b.col_hi, b.row_lo, b.row_hi = saved
        b.push_bounds(changed_c, changed_r)
        b.release()
    return StagedSolve(status, done, final, stage1)
