"""Whole pounds that add up: rounding functions and the result tables of the default dataset."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from budgetopt.data.inputs import load_inputs
from budgetopt.results.result import make_result
from budgetopt.results.rounding import cell_ids, controlled_round, largest_remainder
from budgetopt.solve.allocator import Allocator

from constraint_check import tables_add_up, violations

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def baseline():
    inputs = load_inputs(REPO / "parameters" / "baseline.yaml")
    alloc = Allocator(inputs)
    return make_result(alloc, alloc.solve(warm=False))


@given(st.lists(st.floats(0, 1e7, allow_nan=False), min_size=1, max_size=60))
def test_largest_remainder_sums_exactly_and_moves_each_value_less_than_a_pound(values):
    r = largest_remainder(values)
    assert r.sum() == round(sum(values))
    assert np.all(np.abs(r - np.asarray(values)) < 1 + 1e-6)


def test_largest_remainder_example():
    # 1/3 each of £100: 33.33 x 3 -> 34, 33, 33 (the first of equal remainders gets the pound)
    assert largest_remainder([100 / 3] * 3).tolist() == [34, 33, 33]


@given(st.integers(1, 6), st.integers(1, 8), st.integers(0, 2**31 - 1))
def test_controlled_rounding_keeps_every_group_within_a_pound(n_rows, n_cols, seed):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n_rows), n_cols)
    cols = np.tile(np.arange(n_cols), n_rows)
    groups = cols // 2  # columns nested in groups
    v = rng.uniform(0, 1000, n_rows * n_cols)
    r = controlled_round(v, [rows, cols, groups])
    assert r.sum() == round(v.sum())
    assert np.all(np.abs(r - v) < 1)
    for labels in (rows, cols, groups):
        exact = np.bincount(labels, weights=v)
        got = np.bincount(labels, weights=r)
        assert np.all(np.abs(got - exact) < 1)


def test_a_tied_cell_rounds_the_same_way_wherever_it_sits_in_the_table():
    # Four cells of £0.50 in one group of total £2: two round up. Which two used to depend on
    # their positions, so a solver that listed one more cell (a penny elsewhere) or in another
    # order moved a pound between areas. Ties are now broken by what the cell is.
    names = np.array(["plymouth", "torbay", "devon", "cornwall-ios"])
    values = np.full(4, 0.5)
    group = [np.zeros(4, dtype=int)]
    rounded = dict(zip(names, controlled_round(values, group, cell_ids(names)), strict=True))
    assert sum(rounded.values()) == 2
    for order in ([3, 2, 1, 0], [1, 3, 0, 2], [2, 0, 3, 1]):
        again = controlled_round(values[order], group, cell_ids(names[order]))
        assert dict(zip(names[order], again, strict=True)) == rounded
    # one more cell beside them (a penny in another group) changes nothing either
    extra = np.append(names, "force")
    more = controlled_round(np.append(values, 0.01), [np.array([0, 0, 0, 0, 1])],
                            cell_ids(extra))
    assert dict(zip(extra[:4], more[:4], strict=True)) == rounded


def test_baseline_tables_add_up_and_meet_every_limit(baseline):
    assert baseline.is_optimal
    assert tables_add_up(baseline) == []
    assert violations(baseline) == []


def test_baseline_totals_match_the_funding_available(baseline):
    # every stream is spent (all slopes positive, ring-fenced grants must be spent)
    for y, total in baseline.totals().items():
        assert total == round(baseline.inputs.total_available(y))
    s = baseline.by_stream()
    assert (s["unspent_gbp"] == 0).all()


def test_change_in_real_terms_uses_the_inflation_assumption(baseline):
    c = baseline.change().set_index("service_id")
    y = baseline.years[0]
    rate = float(baseline.inputs.dataset.inflation.at[y, "rate"])
    cash, real = c[f"{y}_gbp"], c[f"{y}_real_gbp"]
    assert np.all(np.abs(real - cash / (1 + rate)) < 1)


def test_committed_money_counts_contracts(baseline):
    committed = baseline.committed()
    y = baseline.years[0]
    ds = baseline.inputs.dataset
    contracts = ds.services.dropna(subset=["contract_value_gbp"])
    expected = sum(r["contract_value_gbp"] * (1 + r["contract_uplift"]) ** (y - 2024)
                   for _, r in contracts.iterrows() if r["contract_end_year"] >= y)
    assert abs(committed.at["contracts", y] - expected) < 2
    assert committed.at["free to place", y] > 0


def test_result_json_has_the_required_fields(baseline):
    import json

    data = json.loads(baseline.to_json())
    for key in ("status", "objective", "social_value_gbp", "total_allocated_gbp", "per_year"):
        assert key in data
    assert data["status"] == "optimal"
    assert data["total_allocated_gbp"] == sum(v["allocated_gbp"] for v in data["per_year"].values())
