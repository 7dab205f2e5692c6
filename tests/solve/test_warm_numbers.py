"""A warm edit writes exactly the numbers a fresh build would: every bound, coefficient and cost
that a scenario changes, read back from the kept HiGHS model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from budgetopt.data.inputs import load_inputs, resolve
from budgetopt.solve.allocator import Allocator

REPO = Path(__file__).resolve().parents[2]
CHANGES = {
    "budget": {"budget_change_pct": -5},
    "stability": {"stability_limit": 0.2},
    "fairness": {"fairness_tolerance": 0.25},
    "weights": {"priority_weights": {"victims": 2.0, "theft": 0.0}},
    "streams": {"stream_amounts": {"svd": 500000, "hotspot": {"2026/27": 0}}},
    "pins": {"pins": [{"service": "csp-grants", "year": 2026, "amount_gbp": 700000,
                       "reason": "Partner agreement"}]},
}


def held(alloc: Allocator) -> dict[str, object]:
    """What the kept HiGHS model holds, in HiGHS's own order (the matrix whichever way HiGHS
    stores it after a solve)."""
    import highspy

    lp = alloc.backend.h.getLp()
    m = lp.a_matrix_
    kind = sp.csc_matrix if m.format_ == highspy.MatrixFormat.kColwise else sp.csr_matrix
    a = kind((np.asarray(m.value_), np.asarray(m.index_), np.asarray(m.start_)),
             shape=(lp.num_row_, lp.num_col_))
    return {"col_lower": np.asarray(lp.col_lower_), "col_upper": np.asarray(lp.col_upper_),
            "row_lower": np.asarray(lp.row_lower_), "row_upper": np.asarray(lp.row_upper_),
            "matrix": a.tocsr()}


def same(x: object, y: object) -> bool:
    if sp.issparse(x):
        return (x != y).nnz == 0
    return np.array_equal(x, y)


@pytest.fixture(scope="module")
def baseline():
    return load_inputs(REPO / "parameters" / "baseline.yaml")


@pytest.mark.parametrize("name", list(CHANGES))
def test_warm_edit_holds_the_numbers_of_a_fresh_build(baseline, name):
    changed = resolve(baseline.dataset, baseline.scenario.with_changes(**CHANGES[name]))
    warm = Allocator(baseline, "highs")
    warm.solve(warm=False)
    warm.update(changed)
    fresh = Allocator(changed, "highs")
    a, b = held(warm), held(fresh)
    differs = [k for k in a if not same(a[k], b[k])]
    assert not differs, f"{name}: warm model differs from a fresh build in {differs}"
    for x, y in zip(warm.stage_costs(), fresh.stage_costs(), strict=True):
        assert np.array_equal(x, y)
    # the edit is not a no-op: something the scenario changes differs from the baseline's
    base = held(Allocator(baseline, "highs"))
    moved = [k for k in a if not same(a[k], base[k])]
    costs_moved = not np.array_equal(warm.stage_costs()[0],
                                     Allocator(baseline, "highs").stage_costs()[0])
    assert moved or costs_moved, name
