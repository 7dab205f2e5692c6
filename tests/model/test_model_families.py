"""Each constraint family on the tiny dataset, against answers worked out by hand.

Social value per £ of each segment equals its outcomes per £1,000 (one outcome is worth £1,000),
and all priority weights are 1, so the optimum fills the steepest segments first:
v1 300@3, l1 400@2.8, v2 300@2.5, v1 300@2, v2 300@1.5, l1 300@1.2, ...
"""

from __future__ import annotations

import pytest

from budgetopt.solve.status import Status

from tiny_dataset import TABLES, solve_tiny, totals, write_tiny


def replace_row(table: str, prefix: str, new: str) -> list[str]:
    return [new if line.startswith(prefix) else line for line in TABLES[table]]


def services_with(**rows: str) -> list[str]:
    lines = TABLES["services"]
    for sid, row in rows.items():
        lines = [row if line.startswith(f"{sid},") else line for line in lines]
    return lines


def test_unconstrained_optimum_fills_steepest_segments(tmp_path):
    r = solve_tiny(write_tiny(tmp_path))
    assert r.is_optimal
    for y in (2025, 2026):
        assert totals(r)[("v1", y)] == 300
        assert totals(r)[("l1", y)] == 400
        assert totals(r)[("v2", y)] == 300
    assert r.social_value_gbp == pytest.approx(2 * (300 * 3 + 400 * 2.8 + 300 * 2.5))
    # area split of l1 in proportion to need (75% north)
    a = r.allocation().set_index(["service_id", "area_id", "year"])["amount_gbp"]
    assert a[("l1", "north", 2025)] == 300 and a[("l1", "south", 2025)] == 100


def test_ring_fenced_grant_funds_only_eligible_schemes(tmp_path):
    amounts = [line.replace("core,2025,700", "core,2025,100").replace("core,2026,700",
                                                                        "core,2026,100")
               for line in TABLES["stream_amounts"]]
    r = solve_tiny(write_tiny(tmp_path, stream_amounts=amounts))
    t = totals(r)
    # the grant (300) can only go to victims: v1 takes it; core's 100 goes to l1 (2.8 > 2.5)
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (300, 0, 100)
    flows = r.flows()
    assert flows[(flows["stream_id"] == "grant") & (flows["service_id"] == "l1")].empty
    by_stream = r.by_stream().set_index(["stream_id", "year"])
    assert by_stream.at[("grant", 2025), "allocated_gbp"] == 300  # must-spend: all of it


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_must_spend_grant_that_cannot_be_spent_is_infeasible(tmp_path, solver):
    # infeasible is infeasible whichever solver says it (issue 10: CBC said "error")
    svc = services_with(v1="v1,V1,P,victims,false,100,0,100,,,,strong,o,",
                        v2="v2,V2,P,victims,false,100,0,100,,,,strong,o,")
    r = solve_tiny(write_tiny(tmp_path, services=svc), solver)
    assert r.status.status is Status.INFEASIBLE
    assert "No allocation meets every limit" in r.status.sentence


def test_stream_not_must_spend_may_be_left_unspent(tmp_path):
    svc = services_with(v1="v1,V1,P,victims,false,100,0,100,,,,strong,o,",
                        v2="v2,V2,P,victims,false,100,0,100,,,,strong,o,",
                        l1="l1,L1,P,local,true,100,0,100,,,,strong,o,")
    streams = replace_row("streams", "grant,", "grant,Victims grant,MoJ,true,false,,")
    r = solve_tiny(write_tiny(tmp_path, services=svc, streams=streams))
    assert r.is_optimal
    assert r.totals()[2025] == 300
    s = r.by_stream().set_index(["stream_id", "year"])
    assert s["unspent_gbp"].groupby(level="year").sum()[2025] == 700


def test_scheme_cap(tmp_path):
    schemes = replace_row("schemes", "victims,", "victims,Victims,0,400,false,")
    t = totals(solve_tiny(write_tiny(tmp_path, schemes=schemes)))
    # victims capped at 400: v1 300 + v2 100; l1 takes 400 + 200 of segment 2 (1.2)
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (300, 100, 600)


def test_scheme_floor(tmp_path):
    schemes = replace_row("schemes", "local,", "local,Local,700,10000,true,")
    t = totals(solve_tiny(write_tiny(tmp_path, schemes=schemes)))
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (300, 0, 700)


def test_service_minimum(tmp_path):
    svc = services_with(v2="v2,V2,P,victims,false,200,350,1000,,,,strong,o,")
    t = totals(solve_tiny(write_tiny(tmp_path, services=svc)))
    # v2 held at its minimum 350; v1 300 @3 and l1 350 @2.8 share the rest
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (300, 350, 350)


def test_service_capacity(tmp_path):
    svc = services_with(l1="l1,L1,P,local,true,250,0,250,,,,strong,o,")
    t = totals(solve_tiny(write_tiny(tmp_path, services=svc)))
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (450, 300, 250)


def test_contract_held_with_uplift_until_end_year(tmp_path):
    svc = services_with(v2="v2,V2,P,victims,false,200,0,1000,100,2025,0.1,strong,o,")
    t = totals(solve_tiny(write_tiny(tmp_path, services=svc)))
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (490, 110, 400)
    assert (t[("v1", 2026)], t[("v2", 2026)], t[("l1", 2026)]) == (300, 300, 400)


def test_stability_band_around_base_year(tmp_path):
    r = solve_tiny(write_tiny(tmp_path), stability_limit=0.1)
    t = totals(r)
    # 2025 bands: v1 360-440, v2 180-220, l1 360-440 (10% of 400/200/400)
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (380, 220, 400)
    # 2026 moves at most 40/20/40 from 2025
    assert (t[("v1", 2026)], t[("v2", 2026)], t[("l1", 2026)]) == (360, 240, 400)


def test_stability_band_is_a_share_of_the_base_year_not_of_the_year_before(tmp_path):
    # v2 and l1 are held at their bases by contracts; core falls to 600 then 500, so v1 (base
    # 400) must take £300 then £200. With δ = 25% each fall may be £100 (25% of the base
    # year's £400): 400 → 300 → 200, the second fall a third of the year before. The paper and
    # the binding-limit sentence say "of its 2024/25 amount", which is what the model does.
    from budgetopt.explain.limits import binding_limits
    from budgetopt.solve.allocator import Allocator

    from tiny_dataset import tiny_inputs

    svc = services_with(
        v2="v2,Victim service 2,P,victims,false,200,0,1000,200,2026,0,strong,o,",
        l1="l1,Local service,P,local,true,400,0,1000,400,2026,0,strong,o,")
    inputs = tiny_inputs(write_tiny(tmp_path, services=svc), stability_limit=0.25,
                         stream_amounts={"core": {2025: 600, 2026: 500}})
    alloc = Allocator(inputs, "highs")
    sol = alloc.solve(warm=False)
    assert sol.status.is_optimal
    t = sol.values.block("t")
    assert (round(t[("v1", 2025)]), round(t[("v1", 2026)])) == (300, 200)
    sentences = [lim.sentence for lim in binding_limits(alloc.solved(sol))
                 if lim.subject == "Victim service 1"]
    assert "Victim service 1 may fall by at most £100 (25% of its 2024/25 amount) into " \
           "2026/27, and does." in sentences
    assert not any("last year" in text for text in sentences)


def test_fairness_band_limits_area_share(tmp_path):
    # need by crime (equal), population 3:1 -> south has 3x the need per head: its outcomes
    # per £ are 1.5x the curve, north's 0.5x; need shares are 50/50.
    formula = ["scheme_id,indicator,weight", "local,crime,1"]
    areas = ["area_id,name,population,crime,domestic_abuse,asb,deprivation",
             "north,North,300,30,3,30,1", "south,South,100,30,1,10,1"]
    free = solve_tiny(write_tiny(tmp_path / "a", need_formula=formula, areas=areas))
    a = free.allocation().set_index(["service_id", "area_id", "year"])["amount_gbp"]
    assert a[("l1", "south", 2025)] == 200 and a.get(("l1", "north", 2025), 0) == 0

    fair = solve_tiny(write_tiny(tmp_path / "b", need_formula=formula, areas=areas),
                      fairness_tolerance=0.1)
    a = fair.allocation().set_index(["service_id", "area_id", "year"])["amount_gbp"]
    # south's share may be at most 55%: l1 = 363.6 (south 200, north 163.6), v1 takes the rest
    assert a[("l1", "south", 2025)] == 200
    assert a[("l1", "north", 2025)] == 164
    assert totals(fair)[("v1", 2025)] == 336
    exact_x = fair.exact["x"]
    south, north = exact_x[("l1", "south", 2025)], exact_x[("l1", "north", 2025)]
    assert south / (south + north) == pytest.approx(0.55, abs=1e-9)


def test_pin_fixes_amount(tmp_path):
    pins = [{"service": "v2", "year": 2025, "amount_gbp": 50, "reason": "Provider exit"}]
    t = totals(solve_tiny(write_tiny(tmp_path), pins=pins))
    assert (t[("v1", 2025)], t[("v2", 2025)], t[("l1", 2025)]) == (550, 50, 400)
    # 2026: v2 may rise by at most 100% of its base (200) from the pinned 50
    assert (t[("v1", 2026)], t[("v2", 2026)], t[("l1", 2026)]) == (350, 250, 400)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_pin_conflicting_with_contract_is_infeasible(tmp_path, solver):
    svc = services_with(v2="v2,V2,P,victims,false,200,0,1000,100,2025,0,strong,o,")
    pins = [{"service": "v2", "year": 2025, "amount_gbp": 50, "reason": "Conflict"}]
    r = solve_tiny(write_tiny(tmp_path, services=svc), solver, pins=pins)
    assert r.status.status is Status.INFEASIBLE


def test_priority_weights_change_the_optimum(tmp_path):
    # weight 0 on p1 leaves v1 (100% p1) worthless and halves l1 (50% p1): weighted slopes
    # v2 2.5, 1.5, ... and l1 1.4, 0.6, ...; v2 stops at 400 (base 200 + 100% stability),
    # so l1 takes 400 @1.4 and 200 @0.6, and v1 gets nothing
    t = totals(solve_tiny(write_tiny(tmp_path), priority_weights={"p1": 0.0}))
    assert (t[("v2", 2025)], t[("l1", 2025)], t[("v1", 2025)]) == (400, 600, 0)


def test_constraints_are_named_after_family_and_keys(tmp_path):
    from budgetopt.model.build import build_model

    from tiny_dataset import tiny_inputs

    m = build_model(tiny_inputs(write_tiny(tmp_path)))
    names = {c.name for block in m.rows.values() for c in block.items}
    assert "stream_grant_2025" in names
    assert "scheme_total_victims_2026" in names
    assert "stability_v1_2025" in names
    assert "fair_hi_local_north_2025" in names
    assert {"service_total", "flow_balance", "stream", "scheme_total", "stability",
            "fair_area", "fair_total", "fair_hi", "fair_lo", "anchor", "area_anchor"} <= set(m.rows)


def test_service_total_bounds_are_the_intersection_of_the_service_limits(tmp_path):
    """The bounds the model puts on each service total are the intersection of the minimum,
    capacity, contract (with uplift) and pin, as written out here one service at a time."""
    from budgetopt.model.build import build_model, model_numbers

    from constraint_check import contract_amount
    from tiny_dataset import tiny_inputs

    svc = services_with(v2="v2,V2,P,victims,false,200,0,1000,100,2025,0.1,strong,o,")
    pins = [{"service": "l1", "year": 2026, "amount_gbp": 123, "reason": "Test pin"}]
    inputs = tiny_inputs(write_tiny(tmp_path, services=svc), pins=pins)
    m = build_model(inputs)
    lo, hi = model_numbers(m, inputs).col_bounds["t"]
    checked = set()
    for (s, y), a, b in zip(m.cols["t"].keys, lo, hi, strict=True):
        row = inputs.dataset.services.loc[s]
        limits = [(row["min_gbp"], row["capacity_gbp"])]
        c = contract_amount(row, inputs.base_year, y)
        if c is not None:
            limits.append((c, c))
            checked.add("contract")
        for pin in inputs.pins:
            if (pin.service, pin.year) == (s, y):
                limits.append((pin.amount_gbp, pin.amount_gbp))
                checked.add("pin")
        assert a == max(x for x, _ in limits) and b == min(x for _, x in limits), (s, y)
    assert checked == {"contract", "pin"}
