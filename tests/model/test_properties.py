"""Property-based tests on random valid datasets and scenarios (hypothesis).

* every constraint family holds in the rounded output, and every table adds up exactly;
* more budget never lowers the optimal objective.
"""

from __future__ import annotations

import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetopt.data.dataset import Dataset, load_dataset
from budgetopt.data.inputs import resolve
from budgetopt.data.scenario import Scenario
from budgetopt.data.synthetic import make_dataset
from budgetopt.results.result import make_result
from budgetopt.solve.allocator import Allocator

from constraint_check import tables_add_up, violations

_TMP = Path(tempfile.mkdtemp(prefix="budgetopt-hypothesis-"))


@lru_cache(maxsize=64)
def dataset(services: int, areas: int, years: int, seed: int, tied: bool) -> Dataset:
    folder = _TMP / f"d{services}-{areas}-{years}-{seed}-{int(tied)}"
    if not folder.exists():
        make_dataset(folder, services=services, areas=areas, plan_years=years, seed=seed,
                     tied=tied)
    return load_dataset(folder)


datasets = st.builds(
    dataset,
    services=st.integers(4, 24),
    areas=st.integers(2, 5),
    years=st.integers(1, 3),
    seed=st.integers(0, 10_000),
    tied=st.booleans(),
)
scenarios = st.fixed_dictionaries({
    "budget_change_pct": st.floats(-3, 10, allow_nan=False),
    "fairness_tolerance": st.sampled_from([0.05, 0.1, 0.25, 1.0]),
    "stability_limit": st.sampled_from([0.1, 0.2, 0.5, 1.0]),
    "priority_weights": st.fixed_dictionaries({
        "harm": st.floats(0.1, 3), "victims": st.floats(0.1, 3), "prevention": st.floats(0.1, 3),
    }),
})

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def inputs_for(ds: Dataset, params: dict):
    scenario = Scenario.model_validate({"name": "prop", "title": "Property", "dataset":
                                        str(ds.path), "plan_years": len(ds.plan_years), **params})
    return resolve(ds, scenario)


@SETTINGS
@given(ds=datasets, params=scenarios)
def test_every_constraint_holds_in_rounded_output(ds, params):
    inputs = inputs_for(ds, params)
    alloc = Allocator(inputs, "highs")
    result = make_result(alloc, alloc.solve(warm=False))
    if not result.is_optimal:  # a tight τ/δ with a cut can be impossible: that is allowed
        assert result.status.status.value == "infeasible"
        return
    assert violations(result) == []
    assert tables_add_up(result) == []


@SETTINGS
@given(ds=datasets, params=scenarios, extra=st.floats(0.5, 15))
def test_more_budget_never_lowers_the_objective(ds, params, extra):
    low = inputs_for(ds, params)
    high = inputs_for(ds, {**params,
                           "budget_change_pct": params["budget_change_pct"] + extra})
    alloc = Allocator(low, "highs")
    s_low = alloc.solve(warm=False)
    if not s_low.status.is_optimal:
        return
    s_high = alloc.solve(high)  # warm, in place
    assert s_high.status.is_optimal
    assert s_high.objective >= s_low.objective * (1 - 1e-9)


@pytest.mark.parametrize("seed", [1, 2])
def test_default_sized_random_instance_meets_constraints_on_cbc(seed):
    ds = dataset(12, 3, 2, seed, True)
    result = make_result(*(lambda a: (a, a.solve(warm=False)))(
        Allocator(inputs_for(ds, {}), "cbc")))
    assert result.is_optimal
    assert violations(result) == []
    assert tables_add_up(result) == []
