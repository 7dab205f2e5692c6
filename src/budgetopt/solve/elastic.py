"""Solving the elastic model of a scenario that cannot be met (always with HiGHS)."""

from __future__ import annotations

import pulp

from budgetopt.model.elastic import ElasticModel


def solve_elastic(el: ElasticModel) -> list[float] | None:
    """How far each slack of ``el`` moves in the cheapest fix, or None when no move of the
    relaxable limits makes the scenario possible."""
    status = el.prob.solve(pulp.HiGHS(msg=False))
    if status != pulp.LpStatusOptimal:
        return None
    return [float(s.column.varValue or 0.0) for s in el.slacks]
