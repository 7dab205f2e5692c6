"""A small LP given as arrays, solved by HiGHS in one ``passModel`` call.

Used where budgetopt needs an LP that is not the allocation model — the controlled rounding of
:mod:`budgetopt.results.rounding` — so that this layer stays the only code that calls a solver.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def solve_lp(cost: np.ndarray, col_lo: np.ndarray, col_hi: np.ndarray, row_lo: np.ndarray,
             row_hi: np.ndarray, a: sp.csc_matrix) -> np.ndarray | None:
    """Minimise cost·x subject to row_lo ≤ A·x ≤ row_hi and col_lo ≤ x ≤ col_hi; the optimal x,
    or None when HiGHS finds no optimum."""
    import highspy

    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = len(row_lo)
    lp.col_cost_ = cost
    lp.col_lower_ = col_lo
    lp.col_upper_ = col_hi
    lp.row_lower_ = row_lo
    lp.row_upper_ = row_hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr
    lp.a_matrix_.index_ = a.indices
    lp.a_matrix_.value_ = a.data
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # tie-breaks in these LPs cost 1e-6 or less: HiGHS's default 1e-7 would leave them undecided
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return np.asarray(h.getSolution().col_value)
