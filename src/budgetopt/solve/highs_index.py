"""Where PuLP puts each column and row in the HiGHS model it builds — the one PuLP-version-specific
piece of budgetopt.

PuLP 3.x numbers columns in ``prob.variables()`` order (sorted by name) and stores the position on
``var.index``; rows follow the order constraints were added, on ``constraint.index``. PuLP 4.x
(Rust core) keeps insertion order and exposes ``var.id`` / ``constraint.id``. Everything else in
budgetopt addresses columns and rows by family and key and asks this module for positions; the
test suite checks the mapping against a fresh solve.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pulp

PULP_MAJOR = int(pulp.__version__.split(".")[0])


def hand_over(prob: pulp.LpProblem, options: dict | None = None):
    """Let PuLP build its HiGHS model for ``prob`` without solving it, and return it."""
    solver = pulp.HiGHS(msg=False, **(options or {}))
    solver.createAndConfigureSolver(prob)
    solver.buildSolverModel(prob)
    return prob.solverModel


def column_positions(prob: pulp.LpProblem, variables: Sequence[pulp.LpVariable]) -> np.ndarray:
    """HiGHS column of each variable, after :func:`hand_over`."""
    if PULP_MAJOR >= 4:  # pragma: no cover - exercised where PuLP 4 is installed
        order = {v.id: i for i, v in enumerate(prob.exported_variables())}
        return np.fromiter((order[v.id] for v in variables), dtype=np.int32, count=len(variables))
    return np.fromiter((v.index for v in variables), dtype=np.int32, count=len(variables))


def row_positions(prob: pulp.LpProblem, constraints: Sequence) -> np.ndarray:
    """HiGHS row of each constraint, after :func:`hand_over`."""
    attr = "id" if PULP_MAJOR >= 4 else "index"
    return np.fromiter((getattr(c, attr) for c in constraints), dtype=np.int32,
                       count=len(constraints))
