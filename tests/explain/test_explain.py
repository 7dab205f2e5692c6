"""Explanations checked numerically against independent cold re-solves.

Every figure :class:`~budgetopt.explain.explainer.Explainer` gives comes from a warm re-solve of
the kept model with one thing changed (for "why not more", the held service pushed up by £100).
Each test here builds the changed scenario or dataset *from scratch* — new inputs through
:func:`budgetopt.data.inputs.resolve` or a rewritten dataset folder — solves it cold in a fresh
:class:`~budgetopt.solve.allocator.Allocator` and compares. On the tiny dataset (see
``tiny_dataset.py``: social value per £ of a segment equals its outcomes per £1,000, weights 1)
the answers are also worked out by hand:

    segments in order of value: v1 300@3, l1 400@2.8, v2 300@2.5, v1 300@2, v2 300@1.5,
    l1 300@1.2, v1 400@1, ...

Infeasible fixtures each have one smallest fix, which the tests show to be sufficient (applied, the
scenario solves) and minimal (£1 less of it does not).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from budgetopt.core.text import money
from budgetopt.data.dataset import load_dataset
from budgetopt.data.inputs import ModelInputs, load_inputs, resolve
from budgetopt.data.scenario import Scenario
from budgetopt.data.synthetic import make_dataset
from budgetopt.explain.diagnose import diagnose
from budgetopt.explain.explainer import Explainer
from budgetopt.explain.frontier import MOVED, stream_edge
from budgetopt.results.result import make_result
from budgetopt.solve.allocator import Allocator, Solution
from budgetopt.solve.status import Status

from tiny_dataset import TABLES, tiny_inputs, write_tiny

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "parameters" / "baseline.yaml"
REL = 1e-6
Y1, Y2 = 2025, 2026  # the tiny dataset's plan years


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------
def replace_row(table: str, prefix: str, new: str, lines: list[str] | None = None) -> list[str]:
    rows = TABLES[table] if lines is None else lines
    assert any(line.startswith(prefix) for line in rows), prefix
    return [new if line.startswith(prefix) else line for line in rows]


def services_with(**rows: str) -> list[str]:
    lines = TABLES["services"]
    for sid, row in rows.items():
        lines = replace_row("services", f"{sid},", row, lines)
    return lines


def curves_with(**segments: tuple[float, float, float]) -> list[str]:
    """Replace the three segment slopes of each named service (widths kept)."""
    lines = list(TABLES["curves"])
    for sid, slopes in segments.items():
        for k, slope in enumerate(slopes, start=1):
            old = next(line for line in lines if line.startswith(f"{sid},{k},"))
            width = old.split(",")[2]
            lines = replace_row("curves", f"{sid},{k},", f"{sid},{k},{width},{slope:g}", lines)
    return lines


def explainer(inputs: ModelInputs) -> Explainer:
    alloc = Allocator(inputs)
    sol = alloc.solve(warm=False)
    assert sol.status.is_optimal, sol.status.sentence
    return Explainer(alloc, sol, make_result(alloc, sol))


def cold(inputs: ModelInputs) -> tuple[Allocator, Solution]:
    """A fresh build and a cold solve: independent of any kept model."""
    alloc = Allocator(inputs)
    return alloc, alloc.solve(warm=False)


def cold_value(inputs: ModelInputs) -> Solution:
    return cold(inputs)[1]


def with_stream(inputs: ModelInputs, stream: str, year: int, delta: float) -> ModelInputs:
    """New inputs through the scenario: ``stream`` changed by ``delta`` in ``year`` only."""
    amounts = {y: float(inputs.stream_amounts.at[stream, y]) for y in inputs.years}
    amounts[year] += delta
    overrides = {**inputs.scenario.stream_amounts, stream: amounts}
    return resolve(inputs.dataset, inputs.scenario.with_changes(stream_amounts=overrides))


def with_core(inputs: ModelInputs, stream: str, factor: float) -> ModelInputs:
    """The frontier's point ``factor``: the core stream changed by (factor − 1) × each year's
    total, exactly (not rounded to whole pounds)."""
    amounts = inputs.stream_amounts.copy()
    for y in inputs.years:
        amounts.at[stream, y] = max(0.0, amounts.at[stream, y]
                                    + (factor - 1) * inputs.total_available(y))
    return dataclasses.replace(inputs, stream_amounts=amounts)


def service_total(alloc: Allocator, sol: Solution, service: str, year: int) -> float:
    return sol.values.block("t")[(service, year)]


def first_year_totals(alloc: Allocator, sol: Solution, year: int) -> dict[str, float]:
    return {s: v for (s, y), v in sol.values.block("t").items() if y == year}


@pytest.fixture(scope="module")
def baseline() -> Explainer:
    return explainer(load_inputs(BASELINE))


# --------------------------------------------------------------------------------------------
# the marginal value of money
# --------------------------------------------------------------------------------------------
def test_money_value_by_hand_on_the_tiny_dataset(tmp_path):
    # £1,000 a year fills v1 300@3, l1 400@2.8 and v2 300@2.5 exactly: the next £100 goes to
    # v1's second segment (@2), the last £100 cut comes off v2's first (@2.5)
    inputs = tiny_inputs(write_tiny(tmp_path))
    e = explainer(inputs)
    more = e.money_value(step=100)
    assert more.what_if.feasible
    assert more.what_if.value_change_gbp == pytest.approx(200.0, rel=REL)
    assert [(m.service_id, round(m.change_gbp, 6)) for m in more.what_if.moves] == [("v1", 100)]
    less = e.money_value(step=100, direction="less")
    assert less.what_if.value_change_gbp == pytest.approx(-250.0, rel=REL)
    assert [(m.service_id, round(m.change_gbp, 6)) for m in less.what_if.moves] == [("v2", -100)]
    # and the same from cold re-solves of the changed scenario
    for mv, delta in ((more, 100), (less, -100)):
        changed = cold_value(with_stream(inputs, "core", Y1, delta))
        assert changed.social_value - e.base.social_value == pytest.approx(
            mv.what_if.value_change_gbp, rel=REL)


@pytest.mark.parametrize("direction", ["more", "less"])
def test_money_value_on_the_baseline_equals_a_cold_re_solve(baseline, direction):
    e = baseline
    y = e.inputs.years[0]
    mv = e.money_value(direction=direction)
    assert mv.what_if.feasible and mv.year == y
    delta = mv.step_gbp if direction == "more" else -mv.step_gbp
    changed = cold_value(with_stream(e.inputs, e.core_stream(), y, delta))
    assert changed.status.is_optimal
    expected = changed.social_value - e.base.social_value
    assert mv.what_if.value_change_gbp == pytest.approx(expected, rel=REL)
    assert mv.what_if.objective_change == pytest.approx(
        changed.objective - e.base.objective, rel=REL)
    assert (expected > 0) == (direction == "more")


# --------------------------------------------------------------------------------------------
# sign-normalised duals
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stream", ["core", "moj-victims"])
def test_dual_value_equals_a_small_cold_re_solve(baseline, stream):
    e = baseline
    y = e.inputs.years[0]
    step = 1_000.0
    up = cold_value(with_stream(e.inputs, stream, y, step))
    down = cold_value(with_stream(e.inputs, stream, y, -step))
    slope_up = (up.objective - e.base.objective) / step
    slope_down = (e.base.objective - down.objective) / step
    # the basis does not change within ±£1,000: both one-sided slopes agree, and equal the dual
    assert slope_up == pytest.approx(slope_down, rel=REL)
    assert e.dual_value(stream, y) == pytest.approx(slope_up, rel=REL)
    assert e.dual_value(stream, y) > 0  # sign-normalised: more money is worth more


# --------------------------------------------------------------------------------------------
# the value of £1 more of each stream
# --------------------------------------------------------------------------------------------
def test_stream_values_on_the_baseline_equal_cold_re_solves(baseline):
    e = baseline
    y = e.inputs.years[0]
    values = e.stream_values(step=1_000)
    assert {v.stream_id for v in values} == set(e.ds.streams.index)
    for v in values:
        changed = cold_value(with_stream(e.inputs, v.stream_id, y, 1_000))
        assert v.value_per_gbp is not None, v.sentence
        assert changed.status.is_optimal
        assert v.value_per_gbp == pytest.approx(
            (changed.social_value - e.base.social_value) / 1_000, rel=REL)
        assert f"£{v.value_per_gbp:,.2f}" in v.sentence


def test_stream_values_on_the_tiny_dataset(tmp_path):
    inputs = tiny_inputs(write_tiny(tmp_path))
    e = explainer(inputs)
    by_id = {v.stream_id: v for v in e.stream_values(step=1_000)}
    core = cold_value(with_stream(inputs, "core", Y1, 1_000))
    assert by_id["core"].value_per_gbp == pytest.approx(
        (core.social_value - e.base.social_value) / 1_000, rel=REL)
    # £1,000 more of the must-spend victims grant cannot be spent: v1 and v2 may rise at most to
    # 800 and 400 (δ = 100% of 400 and 200), 1,200 < 1,300
    assert by_id["grant"].value_per_gbp is None
    assert "could not be spent" in by_id["grant"].sentence
    grant = cold_value(with_stream(inputs, "grant", Y1, 1_000))
    assert grant.status.status is Status.INFEASIBLE


# --------------------------------------------------------------------------------------------
# limits: what releasing £step of each would add
# --------------------------------------------------------------------------------------------
def released_tables(limit_family: str, key: tuple, step: float, tables: dict) -> dict:
    """The dataset tables with one limit released by ``step`` (all plan years)."""
    tables = {name: list(lines) for name, lines in tables.items()}

    def edit(table: str, row_id: str, column: str, delta: float) -> None:
        lines = tables.get(table, TABLES[table])
        header = lines[0].split(",")
        j = header.index(column)
        out = []
        for line in lines:
            cells = line.split(",")
            if cells[0] == row_id:
                cells[j] = f"{float(cells[j]) + delta:g}"
            out.append(",".join(cells))
        tables[table] = out

    if limit_family == "scheme cap":
        edit("schemes", key[0], "cap_gbp", step)
    elif limit_family == "scheme floor":
        edit("schemes", key[0], "floor_gbp", -step)
    elif limit_family == "capacity":
        edit("services", key[0], "capacity_gbp", step)
    elif limit_family == "service minimum":
        edit("services", key[0], "min_gbp", -step)
    else:  # pragma: no cover - the fixtures below hold only these families
        raise AssertionError(f"no data edit releases a {limit_family} limit")
    return tables


LIMIT_CASES = {
    # victims capped at 400: v1 300 + v2 100, l1 600; £100 more cap: v2 +100 @2.5, l1 −100 @1.2
    "scheme cap": ({"schemes": replace_row("schemes", "victims,", "victims,Victims,0,400,false,")},
                   130.0),
    # local floor 700: v1 300, v2 0, l1 700; £100 lower: l1 −100 @1.2, v2 +100 @2.5 (v2 is new,
    # last year 0, so it is not also at the bottom of its stability band)
    "scheme floor": ({"schemes": replace_row("schemes", "local,", "local,Local,700,10000,true,"),
                      "services": services_with(v2="v2,Victim service 2,P,victims,false,0,0,1000,"
                                                   ",,,strong,o,")},
                     130.0),
    # l1 capacity 250: v1 450, v2 300, l1 250; £100 more: l1 +100 @2.8, v1 −100 @2
    "capacity": ({"services": services_with(l1="l1,Local service,P,local,true,250,0,250,,,,strong,"
                                                "o,")}, 80.0),
    # v2 minimum 350: v1 300, v2 350, l1 350; £100 lower: v2 gives up the 50 on its second
    # segment (@1.5) to l1's first (@2.8) and stops there (2.5 > 1.2): +65
    "service minimum": ({"services": services_with(v2="v2,Victim service 2,P,victims,false,200,"
                                                      "350,1000,,,,strong,o,")}, 65.0),
}


@pytest.mark.parametrize("family", list(LIMIT_CASES))
def test_limit_values_equal_cold_re_solves_of_the_released_data(tmp_path, family):
    tables, by_hand = LIMIT_CASES[family]
    step = 100.0
    inputs = tiny_inputs(write_tiny(tmp_path / "set", **tables), plan_years=1)
    e = explainer(inputs)
    values = e.limit_values(step=step)
    assert family in {v.limit.family for v in values}
    for v in values:
        released = released_tables(v.limit.family, v.limit.key, step, tables)
        folder = write_tiny(tmp_path / f"released-{v.limit.family}-{v.limit.key[0]}", **released)
        changed = cold_value(tiny_inputs(folder, plan_years=1))
        assert changed.status.is_optimal
        assert v.what_if.value_change_gbp == pytest.approx(
            changed.social_value - e.base.social_value, rel=REL, abs=1e-6), v.sentence
        if v.limit.family == family:
            assert v.what_if.value_change_gbp == pytest.approx(by_hand, rel=REL)
            assert v.sentence.startswith(v.limit.sentence)
            assert money(by_hand) in v.sentence


# --------------------------------------------------------------------------------------------
# why not more
# --------------------------------------------------------------------------------------------
WHY_NOT_CASES = {
    # v2's curve 1 / 0.5 / 0.2 and £950 a year: v1 300@3, l1 400@2.8, v1 250@2 (the margin);
    # v2 is held at zero and needs £1 more per £ on its first segment
    "zero": dict(tables={"curves": curves_with(v2=(1, 0.5, 0.2)),
                         "stream_amounts": replace_row("stream_amounts", "core,2025,",
                                                       "core,2025,650")},
                 held="zero", amount=0.0, next_value=1.0, needed=1.0),
    # the same with v2's first segment at 0.8: it needs £1.20 more per £; at this degenerate
    # vertex HiGHS puts the gap on the flow columns g[f, v2] instead of the segment
    "zero, gap on the flows": dict(
        tables={"curves": curves_with(v2=(0.8, 0.5, 0.2)),
                "stream_amounts": replace_row("stream_amounts", "core,2025,", "core,2025,650")},
        held="zero", amount=0.0, next_value=0.8, needed=1.2),
    # v2's minimum 350 sits inside its second segment (@1.5); the margin is l1's first segment
    # (@2.8), so v2 needs £1.30 more per £ before it gets more than its minimum
    "minimum": dict(tables={"services": services_with(
                        v2="v2,Victim service 2,P,victims,false,200,350,1000,,,,strong,o,")},
                    held="its minimum", amount=350.0, next_value=1.5, needed=1.3),
}


def scaled_curves(tables: dict, service: str, factor: float) -> list[str]:
    out = []
    for line in tables.get("curves", TABLES["curves"]):
        cells = line.split(",")
        if cells[0] == service:
            cells[3] = repr(float(cells[3]) * factor)
        out.append(",".join(cells))
    return out


@pytest.mark.parametrize("case", [
    "zero",
    pytest.param("minimum"),
    pytest.param("zero, gap on the flows"),
])
def test_why_not_more_gives_the_threshold_value_per_pound(tmp_path, case):
    spec = WHY_NOT_CASES[case]
    tables = spec["tables"]
    inputs = tiny_inputs(write_tiny(tmp_path / "base", **tables), plan_years=1)
    e = explainer(inputs)
    w = next(w for w in e.why_not_more() if w.service_id == "v2")
    assert w.held_at == spec["held"]
    assert w.amount_gbp == pytest.approx(spec["amount"], abs=1e-6)
    assert w.next_value_per_gbp == pytest.approx(spec["next_value"], rel=REL)
    assert w.needed_per_gbp == pytest.approx(spec["needed"], rel=REL)
    # scale v2's outcomes so its next segment is worth needed × 1.05 more per £: it gets more;
    # × 0.95: it still gets nothing more
    for share, gains in ((1.05, True), (0.95, False)):
        factor = (w.next_value_per_gbp + share * w.needed_per_gbp) / w.next_value_per_gbp
        folder = write_tiny(tmp_path / f"scaled-{share}",
                            **{**tables, "curves": scaled_curves(tables, "v2", factor)})
        alloc, sol = cold(tiny_inputs(folder, plan_years=1))
        got = service_total(alloc, sol, "v2", Y1)
        assert (got > spec["amount"] + MOVED) is gains, (share, got)


def test_why_not_more_names_a_service_whose_priorities_carry_no_weight(tmp_path):
    # v2 serves only p2; with p2's weight 0 it is held at zero whatever its value per £
    inputs = tiny_inputs(write_tiny(tmp_path), plan_years=1, priority_weights={"p2": 0.0})
    e = explainer(inputs)
    w = next(w for w in e.why_not_more() if w.service_id == "v2")
    assert w.needed_per_gbp is None and w.held_at == "zero"
    assert "carry no weight" in w.sentence


# --------------------------------------------------------------------------------------------
# pins
# --------------------------------------------------------------------------------------------
def pin(service: str, year: int, amount: float) -> dict:
    return {"service": service, "year": year, "amount_gbp": amount, "reason": "Test pin"}


def test_pin_prices_equal_cold_solves_with_and_without_each_pin(tmp_path):
    folder = write_tiny(tmp_path)
    pins = [pin("v2", Y1, 50), pin("l1", Y2, 300)]
    e = explainer(tiny_inputs(folder, pins=pins))
    prices = {(p.service_id, p.year): p for p in e.pin_prices()}
    assert set(prices) == {("v2", Y1), ("l1", Y2)}
    for i, p in enumerate(pins):
        others = pins[:i] + pins[i + 1:]
        alloc, free = cold(tiny_inputs(folder, pins=others))
        price = prices[(p["service"], p["year"])]
        assert price.what_if.value_change_gbp == pytest.approx(
            free.social_value - e.base.social_value, rel=REL)
        assert price.unpinned_gbp == pytest.approx(
            service_total(alloc, free, p["service"], p["year"]), abs=1e-6)
    # by hand: without the pin v2 gets its 300 @2.5 back from v1's second segment (@2) in
    # 2025 (+125); in 2026 the pinned 50 held v2 to 250 under δ = 100% of 200 (+25)
    assert prices[("v2", Y1)].what_if.value_change_gbp == pytest.approx(150, rel=REL)
    assert prices[("v2", Y1)].unpinned_gbp == pytest.approx(300, abs=1e-6)
    assert "gives up an estimated £150 of social value" in prices[("v2", Y1)].sentence


def test_pin_price_on_the_baseline(baseline):
    y = baseline.inputs.years[0]
    pinned = baseline.inputs.scenario.with_changes(pins=[pin("street-marshals", y, 175_000)])
    inputs = resolve(baseline.ds, pinned)
    e = explainer(inputs)
    (price,) = e.pin_prices()
    alloc, free = cold(resolve(baseline.ds, baseline.inputs.scenario.with_changes(pins=[])))
    assert price.what_if.value_change_gbp == pytest.approx(
        free.social_value - e.base.social_value, rel=REL)
    assert price.what_if.value_change_gbp > 0
    assert price.unpinned_gbp == pytest.approx(
        service_total(alloc, free, "street-marshals", y), abs=1e-3)


# --------------------------------------------------------------------------------------------
# diagnosis: infeasible fixtures with one known smallest fix each
# --------------------------------------------------------------------------------------------
def _floor(folder: Path, floor: float, years: int = 2) -> ModelInputs:
    schemes = replace_row("schemes", "local,", f"local,Local,{floor:g},10000,true,")
    return tiny_inputs(write_tiny(folder, schemes=schemes), plan_years=years)


def _pin_vs_contract(folder: Path, amount: float) -> ModelInputs:
    svc = services_with(v2="v2,Victim service 2,P,victims,false,200,0,1000,100,2025,0,strong,o,")
    return tiny_inputs(write_tiny(folder, services=svc), plan_years=1,
                       pins=[pin("v2", Y1, amount)])


def _must_spend(folder: Path, grant: float) -> ModelInputs:
    svc = services_with(v1="v1,Victim service 1,P,victims,false,100,0,100,,,,strong,o,",
                        v2="v2,Victim service 2,P,victims,false,100,0,100,,,,strong,o,")
    return tiny_inputs(write_tiny(folder, services=svc), plan_years=1,
                       stream_amounts={"grant": grant})


def _stability(folder: Path, delta: float) -> ModelInputs:
    # v2 and l1 are held by contracts at their base amounts (200, 400); only v1 (base 400) may
    # move, by ±δ·400. With core 600 and the grant 300 there is 900 in all: v1 gets at most 300,
    # a fall of 100 against a band of ±40 at δ = 10%.
    svc = services_with(
        v2="v2,Victim service 2,P,victims,false,200,0,1000,200,2026,0,strong,o,",
        l1="l1,Local service,P,local,true,400,0,1000,400,2026,0,strong,o,")
    return tiny_inputs(write_tiny(folder, services=svc), plan_years=1, stability_limit=delta,
                       stream_amounts={"core": 600})


DIAGNOSIS_CASES = {
    # local floor 1,200: l1 can have at most the core's 700 (the grant is ring-fenced to
    # victims, l1 may reach 800 under δ = 100%); lowering the floor (3/£) by 500 beats adding
    # funding (4/£) in each year
    "scheme floor": dict(
        build=lambda f, fix: _floor(f, 1200 - fix), amount=500.0,
        expected=[("scheme floor", Y1, "Local", 500.0), ("scheme floor", Y2, "Local", 500.0)],
        sentence="Lower the floor of Local in 2025/26 from £1,200 to £700.",
        context="Scheme floors add up to £1,200 in 2025/26 but only £1,000 is available"),
    # a pin of 50 against a contract of 100: the pin moves (1/£), not the contract (10/£)
    "pin": dict(
        build=lambda f, fix: _pin_vs_contract(f, 50 + fix), amount=50.0,
        expected=[("pin", Y1, "Victim service 2", 50.0)],
        sentence="Move the pin on Victim service 2 in 2025/26 from £50 to £100."),
    # the must-spend grant (300) can reach only v1 and v2, capacity 100 each
    "funding": dict(
        build=lambda f, fix: _must_spend(f, 300 - fix), amount=100.0,
        expected=[("funding", Y1, "Victims grant", 100.0)],
        sentence="Leave £100 of the Victims grant unspent in 2025/26"),
    # a 10% stability limit (±£40 for v1) against a core cut: v1 must fall £60 more
    "stability": dict(
        build=lambda f, fix: _stability(f, (40 + fix) / 400), amount=60.0,
        expected=[("stability", Y1, "Victim service 1", 60.0)],
        sentence="Let Victim service 1 fall by £60 more than the stability limit (±£40)"),
}


@pytest.mark.parametrize("case", list(DIAGNOSIS_CASES))
def test_diagnosis_finds_the_unique_smallest_fix(tmp_path, case):
    spec = DIAGNOSIS_CASES[case]
    build, amount = spec["build"], spec["amount"]
    inputs = build(tmp_path / "as-set", 0.0)
    assert cold_value(inputs).status.status is Status.INFEASIBLE
    d = diagnose(inputs)
    assert d.found
    got = [(r.family, r.year, r.subject) for r in d.relaxations]
    assert got == [(f, y, s) for f, y, s, _ in spec["expected"]]
    for r, (*_, want) in zip(d.relaxations, spec["expected"], strict=True):
        assert r.amount_gbp == pytest.approx(want, abs=1e-6)
    assert d.total_gbp == pytest.approx(sum(a for *_, a in spec["expected"]), abs=1e-6)
    assert any(spec["sentence"] in s for s in d.sentences), d.sentences
    if "context" in spec:
        assert any(spec["context"] in s for s in d.context), d.context
    # sufficient: applied, the scenario solves and needs no further fix
    fixed = build(tmp_path / "fixed", amount)
    assert cold_value(fixed).status.is_optimal
    assert diagnose(fixed).relaxations == []
    # minimal: £1 less of the fix is still infeasible
    short = build(tmp_path / "short", amount - 1)
    assert cold_value(short).status.status is Status.INFEASIBLE


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("case", list(DIAGNOSIS_CASES))
def test_every_infeasible_fixture_is_infeasible_on_both_solvers(tmp_path, case, solver):
    # Before issue 10, CBC proved a pin below a contract infeasible while presolving, wrote no
    # solution and came back as "error" (PuLP's "undefined"), and the run got no diagnosis.
    inputs = DIAGNOSIS_CASES[case]["build"](tmp_path, 0.0)
    assert Allocator(inputs, solver).solve(warm=False).status.status is Status.INFEASIBLE


def test_stream_edge_of_a_must_spend_grant_too_large_for_its_schemes(tmp_path):
    # the grant (300) can reach only v1 and v2, capacity 100 each: the most of it that can be
    # met is 200, two thirds of the reference; the edge is on the side that can be met
    inputs = _must_spend(tmp_path, 300)
    alloc = Allocator(inputs)
    edge = stream_edge(alloc, "grant", {Y1: 300.0}, high=3.0)
    assert edge is not None and 2 / 3 - 0.0005 <= edge <= 2 / 3
    amounts = inputs.stream_amounts.copy()
    amounts.at["grant", Y1] = 300 * edge
    assert cold_value(dataclasses.replace(inputs, stream_amounts=amounts)).status.is_optimal
    # a grant that can be met: the least of it that still can (the core covers every minimum)
    fine = _must_spend(tmp_path / "fine", 150)
    assert stream_edge(Allocator(fine), "grant", {Y1: 300.0}) == 0.0
    assert stream_edge(Allocator(fine), "grant", {}) is None  # no reference amount


def test_diagnosis_of_a_feasible_scenario_moves_nothing(tmp_path):
    d = diagnose(tiny_inputs(write_tiny(tmp_path)))
    assert d.found and d.relaxations == [] and d.total_gbp == 0
    assert d.summary == "The scenario can be met; nothing needs to change."


# --------------------------------------------------------------------------------------------
# the budget frontier
# --------------------------------------------------------------------------------------------
def check_frontier_shape(e: Explainer, fr, value: str) -> np.ndarray:
    """Optimal points form one interval of budgets; over it ``value`` is non-decreasing and
    concave (the points are equally spaced). Returns the optimal factors."""
    pts = fr.points
    assert len(pts) == 25
    assert np.allclose(pts["factor"], np.linspace(0.7, 1.3, 25))
    ok = (pts["status"] == "optimal").to_numpy()
    idx = np.flatnonzero(ok)
    assert len(idx) >= 5 and (np.diff(idx) == 1).all(), "feasible budgets are one interval"
    v = pts[value].to_numpy(dtype=float)[idx]
    scale = float(np.abs(v).max())
    assert (np.diff(v) >= -1e-7 * scale).all(), np.diff(v)
    assert (np.diff(v, 2) <= 1e-7 * scale).all(), np.diff(v, 2)
    at_one = pts.index[np.isclose(pts["factor"], 1.0)][0]
    assert pts.at[at_one, "objective"] == pytest.approx(e.base.objective, rel=REL)
    assert pts.at[at_one, "social_value_gbp"] == pytest.approx(e.base.social_value, rel=REL)
    return pts["factor"].to_numpy()[idx]


def test_baseline_frontier(baseline):
    e = baseline
    assert (e.inputs.priority_weights == 1).all()  # so social value is what the LP maximises
    fr = e.frontier()
    pts = fr.points
    factors = check_frontier_shape(e, fr, "social_value_gbp")
    assert np.allclose(pts["social_value_gbp"].dropna(), pts["objective"].dropna(), rtol=REL)
    # infeasible points (deep cuts against the 10% stability limit) carry a diagnosis
    bad = pts.loc[pts["status"] == "infeasible", "factor"].tolist()
    assert bad and set(bad) == set(fr.diagnoses)
    for x in bad:
        assert fr.diagnoses[x].found and fr.diagnoses[x].relaxations
    f = e.core_stream()
    y = e.inputs.years[0]
    base = first_year_totals(e.alloc, e.base, y)
    # every optimal point below the base budget, from cold rebuilds
    below = sorted((x for x in factors if x < 1 - 1e-9), reverse=True)
    cuts = {}
    for x in below:
        alloc, sol = cold(with_core(e.inputs, f, x))
        assert sol.objective == pytest.approx(
            pts.loc[np.isclose(pts["factor"], x), "objective"].item(), rel=REL)
        cuts[x] = first_year_totals(alloc, sol, y)
    # the disinvestment list: each service at the highest budget below 1 where it first loses
    # money, highest budgets first
    assert fr.disinvestment, "a cut below the base budget takes money from someone"
    expected: dict[str, float] = {}
    for x in below:
        for s, v in cuts[x].items():
            if v < base[s] - MOVED:
                expected.setdefault(e.names[s], x)
    assert dict(fr.disinvestment) == expected
    got = [x for _, x in fr.disinvestment]
    assert got == sorted(got, reverse=True)
    name, x = fr.disinvestment[0]
    sid = e.names.index[e.names == name][0]
    assert cuts[x][sid] < base[sid] - MOVED
    assert all(v >= base[s] - MOVED for z in below if z > x for s, v in cuts[z].items())
    # the investment list runs the other way
    got = [x for _, x in fr.investment]
    assert got == sorted(got)
    name, x = fr.investment[0]
    sid = e.names.index[e.names == name][0]
    alloc, sol = cold(with_core(e.inputs, f, x))
    assert first_year_totals(alloc, sol, y)[sid] > base[sid] + MOVED


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple:
    folder = make_dataset(tmp_path_factory.mktemp("synthetic") / "ds", services=30, areas=4,
                          plan_years=2, seed=1)
    return load_dataset(folder), folder


@pytest.mark.parametrize("weights", ["default", "equal"])
def test_synthetic_frontier(synthetic, weights):
    ds, folder = synthetic
    settings = {"name": "syn", "title": "Synthetic", "dataset": str(folder), "plan_years": 2}
    if weights == "equal":
        settings["priority_weights"] = dict.fromkeys(ds.priorities.index, 1.0)
    inputs = resolve(ds, Scenario.model_validate(settings))
    e = explainer(inputs)
    fr = e.frontier()
    # what the LP maximises is non-decreasing and concave in the budget; unweighted social value
    # is too when every weight is 1 (then it is the objective)
    check_frontier_shape(e, fr, "objective")
    if weights == "equal":
        check_frontier_shape(e, fr, "social_value_gbp")
    pts = fr.points
    bad = pts.loc[pts["status"] == "infeasible", "factor"].tolist()
    assert set(bad) == set(fr.diagnoses)
    assert all(fr.diagnoses[x].found for x in bad)
    # the lowest and highest optimal points against cold rebuilds
    ok = pts[pts["status"] == "optimal"]
    for x in (ok["factor"].min(), ok["factor"].max()):
        sol = cold_value(with_core(inputs, e.core_stream(), x))
        assert sol.social_value == pytest.approx(
            ok.loc[ok["factor"] == x, "social_value_gbp"].item(), rel=REL)


# --------------------------------------------------------------------------------------------
# sentences come from the data
# --------------------------------------------------------------------------------------------
def test_money_sentence_follows_the_data(tmp_path):
    before = explainer(tiny_inputs(write_tiny(tmp_path / "a"))).money_value(step=100).sentence
    assert "of Core in 2025/26 would buy an estimated £200 of social value (£2,000 per £1,000)" \
        in before and "Victim service 1 (+£100)" in before
    streams = replace_row("streams", "core,", "core,Council core,PCC,false,false,,")
    curves = curves_with(v1=(3, 2.2, 1))
    after = explainer(tiny_inputs(write_tiny(tmp_path / "b", streams=streams, curves=curves))
                      ).money_value(step=100).sentence
    assert after != before
    assert "of Council core in 2025/26 would buy an estimated £220 of social value (£2,200 per " \
        "£1,000)" in after


def test_limit_sentence_follows_the_data(tmp_path):
    def sentence(folder: Path, cap: int, **tables: list[str]) -> str:
        schemes = replace_row("schemes", "victims,", f"victims,Victims,0,{cap},false,")
        e = explainer(tiny_inputs(write_tiny(folder, schemes=schemes, **tables), plan_years=1))
        return next(v.sentence for v in e.limit_values(step=100)
                    if v.limit.family == "scheme cap")

    before = sentence(tmp_path / "a", 400)
    assert "Victims is at its cap of £400 in 2025/26." in before
    assert "would add an estimated £130 of social value" in before
    # cap 450 and v2's first segment at 2.6: v1 300, v2 150; releasing £100 moves 100 into
    # v2 (@2.6) from l1's second segment (@1.2): 260 − 120 = 140
    after = sentence(tmp_path / "b", 450, curves=curves_with(v2=(2.6, 1.5, 0.5)))
    assert after != before
    assert "Victims is at its cap of £450 in 2025/26." in after
    assert "would add an estimated £140 of social value" in after


def test_why_not_sentence_follows_the_data(tmp_path):
    def sentence(folder: Path, slope: float) -> str:
        tables = {"curves": curves_with(v2=(slope, 0.5, 0.2)),
                  "stream_amounts": replace_row("stream_amounts", "core,2025,", "core,2025,650")}
        e = explainer(tiny_inputs(write_tiny(folder, **tables), plan_years=1))
        return next(w.sentence for w in e.why_not_more() if w.service_id == "v2")

    before = sentence(tmp_path / "a", 1.0)
    assert ("its next £ buys an estimated £1.00 of social value, and it would need £1.00 more "
            "per £ (100% more)") in before
    after = sentence(tmp_path / "b", 1.5)  # the margin is v1's second segment, @2
    assert after != before
    assert ("its next £ buys an estimated £1.50 of social value, and it would need £0.50 more "
            "per £ (33% more)") in after


def test_diagnosis_sentence_follows_the_data(tmp_path):
    a = diagnose(_floor(tmp_path / "a", 1200)).sentences
    b = diagnose(_floor(tmp_path / "b", 1300)).sentences
    assert "Lower the floor of Local in 2025/26 from £1,200 to £700." in a
    assert "Lower the floor of Local in 2025/26 from £1,300 to £700." in b
    assert "The smallest fix moves limits by £1,200 in all (scheme floor)." in b
