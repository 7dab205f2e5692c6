"""The limit-family registry: one entry per family, each able to tell when it binds, how to release
it and how to relax it, and an elastic model laid out the same whatever order families add to it.

Each family is made to bind on the tiny dataset (hand-checkable) and asked the same questions."""

from __future__ import annotations

import pytest

from budgetopt.explain.limits import binding_limits
from budgetopt.model.elastic import ElasticModel, build_elastic
from budgetopt.model.limits import (
    BY_FAMILY,
    REGISTRY,
    TOUCH,
    Family,
    LimitFamily,
    relaxation_order,
)
from budgetopt.model.lp import Col, Row
from budgetopt.solve.allocator import Allocator

from tiny_dataset import TABLES, tiny_inputs, write_tiny


def _replace(table: str, old: str, new: str) -> list[str]:
    lines = [line.replace(old, new) for line in TABLES[table]]
    assert lines != TABLES[table], f"{old!r} is not in {table}"
    return lines


# need by crime, twice as high per head in the north: money goes further there, so the optimum
# leans north up to the edge of the fairness band
LEANS_NORTH = {"areas": _replace("areas", "north,North,300,30,", "north,North,300,60,"),
               "need_formula": _replace("need_formula", "local,population,1", "local,crime,1")}

# a tiny dataset (and scenario) on which each family binds in 2025/26
BINDS = {
    Family.FUNDING: ({}, {}),
    Family.SERVICE_MINIMUM: ({"services": _replace("services", "v2,Victim service 2,P,victims,"
                                                   "false,200,0,", "v2,Victim service 2,P,"
                                                   "victims,false,200,250,")},
                             {"priority_weights": {"p2": 0.0}}),
    Family.CAPACITY: ({"services": _replace("services", "v2,Victim service 2,P,victims,false,"
                                            "200,0,1000", "v2,Victim service 2,P,victims,"
                                            "false,200,0,250")}, {}),
    Family.CONTRACT: ({"services": _replace("services", "v2,Victim service 2,P,victims,false,"
                                            "200,0,1000,,,", "v2,Victim service 2,P,victims,"
                                            "false,200,0,1000,150,2026,0")}, {}),
    Family.PIN: ({}, {"pins": [{"service": "l1", "year": 2025, "amount_gbp": 123,
                                "reason": "Test pin"}]}),
    Family.SCHEME_FLOOR: ({"schemes": _replace("schemes", "local,Local,0,", "local,Local,500,")},
                          {}),
    Family.SCHEME_CAP: ({"schemes": _replace("schemes", "victims,Victims,0,10000",
                                             "victims,Victims,0,400")}, {}),
    Family.STABILITY: ({}, {"stability_limit": 0.05}),
    Family.FAIRNESS: (LEANS_NORTH, {"fairness_tolerance": 0.05}),
}


def test_every_family_is_registered_once():
    assert sorted(f.family for f in REGISTRY) == sorted(Family)
    assert len(REGISTRY) == len(Family) and set(BY_FAMILY) == set(Family)
    assert set(BINDS) == set(Family)


def test_the_diagnosis_moves_cheapest_families_first():
    order = relaxation_order()
    costs = [BY_FAMILY[f].relax_cost for f in order]
    assert costs == sorted(costs)
    assert order[0] is Family.PIN and order[-1] is Family.CONTRACT
    assert Family.CAPACITY not in order and Family.SCHEME_CAP not in order


@pytest.mark.parametrize("family", list(Family), ids=str)
def test_each_family_binds_is_at_its_bound_and_can_be_released(tmp_path, family):
    tables, scenario = BINDS[family]
    alloc = Allocator(tiny_inputs(write_tiny(tmp_path, **tables), **scenario))
    solution = alloc.solve(warm=False)
    assert solution.status.is_optimal
    solved = alloc.solved(solution)
    limits = [lim for lim in binding_limits(solved) if lim.family is family]
    assert limits, f"{family} does not bind on its instance"
    for lim in limits:
        assert lim.sentence and lim.subject.split(" (")[0] in lim.sentence
        value, (lo, hi) = solved.value(lim.ref), alloc.bounds(lim.ref)
        if family is Family.FAIRNESS:  # X − (1±τ)·n·S sits on its row bound, 0
            assert isinstance(lim.ref, Row) and abs(value) <= 1e-6
        elif family is Family.STABILITY:  # the move d is at ±δ·base
            assert abs(abs(value) - lim.amount_gbp) <= TOUCH and hi == lim.amount_gbp
        else:
            assert abs(value - lim.amount_gbp) <= TOUCH
            assert min(abs(value - lo), abs(value - hi)) <= TOUCH
        releases = BY_FAMILY[family].releases(lim, alloc.bounds, 100.0)
        assert releases
        for changes in releases:
            for ref, (new_lo, new_hi) in changes.items():
                old_lo, old_hi = alloc.bounds(ref)
                assert new_lo <= old_lo and new_hi >= old_hi and (new_lo, new_hi) != (
                    old_lo, old_hi), (family, ref)
    # ... and relaxes in the elastic model of a diagnosis, with its own sentence, unless it
    # never moves
    el = build_elastic(alloc.inputs)
    mine = [slack for slack in el.slacks if slack.family is family]
    if BY_FAMILY[family].relax_cost is None:
        assert not mine, f"{family} never moves, but has slack"
    else:
        assert mine, f"{family} has no slack in the elastic model"
        for slack in mine[:3]:
            sentence = BY_FAMILY[family].relaxation(slack, 100.0)
            assert sentence.endswith(".") and slack.subject in sentence
            assert sentence != BY_FAMILY[family].relaxation(slack, 200.0), "the move is told"


def test_binding_limits_come_in_the_order_of_the_family_enum(tmp_path):
    pins = [{"service": "l1", "year": 2026, "amount_gbp": 390, "reason": "Test pin"}]
    alloc = Allocator(tiny_inputs(write_tiny(tmp_path, **LEANS_NORTH), stability_limit=0.05,
                                  fairness_tolerance=0.05, pins=pins))
    limits = binding_limits(alloc.solved(alloc.solve(warm=False)))
    families = [lim.family for lim in limits]
    position = {f: i for i, f in enumerate(Family)}
    assert families == sorted(families, key=position.__getitem__)
    assert {Family.PIN, Family.STABILITY, Family.FAIRNESS} <= set(families)


def test_elastic_model_is_laid_out_the_same_whatever_order_families_relax_in(tmp_path):
    schemes = _replace("schemes", "local,Local,0,10000,true,", "local,Local,5000,10000,true,")
    inputs = tiny_inputs(write_tiny(tmp_path, schemes=schemes), stability_limit=0.1,
                         pins=[{"service": "v1", "year": 2025, "amount_gbp": 500,
                                "reason": "Test pin"}])
    el = build_elastic(inputs)
    reversed_el = ElasticModel(build_elastic(inputs).m)
    for family in reversed(REGISTRY):
        family.relax(reversed_el)
    reversed_el._materialise()

    def layout(model: ElasticModel) -> list[tuple]:
        return [(s.family, s.side, s.year, str(s.key), s.cost) for s in model.slacks]

    assert layout(reversed_el) == layout(el)
    assert {s.family for s in el.slacks} >= {Family.PIN, Family.SCHEME_FLOOR, Family.STABILITY,
                                             Family.FUNDING, Family.FAIRNESS}
    assert not {s.family for s in el.slacks} & {Family.CAPACITY, Family.SCHEME_CAP}


def test_no_limits_bind_without_an_optimum(tmp_path):
    pins = [{"service": "l1", "year": 2025, "amount_gbp": 5000, "reason": "Too much"}]
    alloc = Allocator(tiny_inputs(write_tiny(tmp_path), pins=pins))
    solution = alloc.solve(warm=False)
    assert not solution.status.is_optimal
    assert binding_limits(alloc.solved(solution)) == []


def test_refs_name_columns_and_rows_by_block_and_key(tmp_path):
    alloc = Allocator(tiny_inputs(write_tiny(tmp_path)))
    m = alloc.model
    assert m.index(Col("t", ("v1", 2025))) == m.col_slice("t").start
    assert m.index(Row("stream", ("core", 2025))) == m.row_slice("stream").start
    assert alloc.bounds(Row("stream", ("grant", 2025))) == (300.0, 300.0)  # must be spent
    lo, hi = alloc.bounds(Row("stream", ("core", 2025)))
    assert lo == float("-inf") and hi == 700.0


def test_every_family_says_what_it_is_in_its_own_words():
    """The paper's table of limits, page 1's reasons and the explorer's "What changed" take
    their words from the family, so no front end keeps a list of families of its own."""
    default = LimitFamily
    for fam in REGISTRY:
        assert fam.meaning, f"{fam.family} has no meaning"
        assert fam.at_limit != default.at_limit, f"{fam.family} has no words of its own"
        assert type(fam).reason is not default.reason or fam.because != default.because, (
            f"{fam.family} gives no reason")
