"""Steady paths (issue 10, point 1): among equally valuable plans the second stage picks the one
without reversals, and every reversal left is one that value or a limit asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetopt.explain.paths import _turns, reversals
from budgetopt.pipeline import run_scenario
from budgetopt.solve.allocator import Allocator

from tiny_dataset import TABLES, tiny_inputs, write_tiny

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = sorted(p for p in (REPO / "parameters").rglob("*.yaml")
                   if "grants" not in p.relative_to(REPO / "parameters").parts)
# (every shipped scenario, the other force's under parameters/thames-valley/ too)


def twins(tmp_path: Path) -> Path:
    """v1 and v2 with the same base (£300) and the same curve, and £300 more core money in both
    plan years than the tiny dataset has: the extra £300 a year can go to either."""
    services = [line.replace(",400,0,1000,", ",300,0,1000,", 1) if line.startswith("v1,")
                else line.replace(",200,0,1000,", ",300,0,1000,", 1) if line.startswith("v2,")
                else line for line in TABLES["services"]]
    curves = [line for line in TABLES["curves"] if not line.startswith("v2,")]
    curves += [line.replace("v1,", "v2,") for line in TABLES["curves"] if line.startswith("v1,")]
    amounts = [line.replace("core,2025,700", "core,2025,1000")
               .replace("core,2026,700", "core,2026,1000") for line in TABLES["stream_amounts"]]
    return write_tiny(tmp_path / "twins", services=services, curves=curves,
                      stream_amounts=amounts)


def test_equal_value_goes_to_the_plan_without_a_reversal(tmp_path):
    # v2 is pinned at its base (£300) in 2026/27, so the extra £300 must go to v1 that year. In
    # 2025/26 it can go to either at the same value: measured from the base year only, giving it
    # to v2 (300 → 600 → 300) cost the second stage the same as giving it to v1 (300 → 600 →
    # 600), and the solve chose v2's reversal. Year-to-year moves make v1's steady path cheaper.
    inputs = tiny_inputs(twins(tmp_path),
                         pins=[{"service": "v2", "year": 2026, "amount_gbp": 300,
                                "reason": "held at its base"}])
    alloc = Allocator(inputs, "highs")
    sol = alloc.solve(warm=False)
    t = sol.values.block("t")
    assert round(t[("v2", 2025)]) == 300 and round(t[("v2", 2026)]) == 300
    assert round(t[("v1", 2025)]) == 600 and round(t[("v1", 2026)]) == 600
    assert reversals(alloc, sol) == []


def test_a_reversal_that_money_asks_for_is_priced(tmp_path):
    # The tiny dataset with £300 more core money in 2025/26 only. By hand (segments in order of
    # value: v1 300@3, l1 400@2.8, v2 300@2.5, v1 300@2, v2 300@1.5, l1 300@1.2, ...): 2025/26
    # funds v1 to £600, 2026/27 only to £300, so v1 rises from its base £400 and falls back.
    # Holding v1 at £400 in 2025/26 takes £200 off v1's £2 segment; v2 may rise by at most its
    # base (δ = 1), so £100 goes to v2 at £1.5 and £100 to l1 at £1.2: 400 − 270 = £130 lost.
    # Holding it at £600 in 2026/27 as well loses £180 (measured by pinning). The cheaper is
    # what the reversal buys.
    amounts = [line.replace("core,2025,700", "core,2025,1000")
               for line in TABLES["stream_amounts"]]
    alloc = Allocator(tiny_inputs(write_tiny(tmp_path / "d", stream_amounts=amounts)), "highs")
    sol = alloc.solve(warm=False)
    (r,) = reversals(alloc, sol)
    assert (r.service_id, r.kind, r.years) == ("v1", "peak", (2024, 2025, 2026))
    assert r.amounts == pytest.approx((400, 600, 300))
    assert r.needed and r.value_lost_gbp == pytest.approx(130.0, abs=0.5)
    assert "falls back to £300" in r.sentence and "£130" in r.sentence


def test_without_counting_moves_the_same_instance_has_an_avoidable_reversal(tmp_path,
                                                                             monkeypatch):
    # the check the shipped scenarios pass can fail: with year-to-year moves left out of stage
    # 2 (as before issue 10) the twins' plan has v2 300 → 600 → 300, and an equally valuable
    # steadier plan is found
    import budgetopt.model.tiebreak as tiebreak

    monkeypatch.setattr(tiebreak, "MOVE_WEIGHT", 0.0)
    inputs = tiny_inputs(twins(tmp_path),
                         pins=[{"service": "v2", "year": 2026, "amount_gbp": 300,
                                "reason": "held at its base"}])
    alloc = Allocator(inputs, "highs")
    (r,) = reversals(alloc, alloc.solve(warm=False))
    assert (r.service_id, r.kind, r.needed, r.value_lost_gbp) == ("v2", "peak", False, 0.0)
    assert "an equally valuable steadier path exists" in r.sentence


@pytest.mark.parametrize(("path", "turns"), [
    ([100, 110, 100], [(1, 1)]),                      # a peak
    ([100, 90, 90.5, 100], [(1, 2)]),                 # a dip held over two years (a plateau)
    ([100, 110, 110, 110, 100], [(1, 3)]),
    ([100, 110, 120, 130], []),                       # steady rises
    ([100, 100.4, 100], []),                          # rounding, not a move
    ([100, 110, 100, 110], [(1, 1), (2, 2)]),         # a peak, then a dip
    ([100, 110, 110], []),                            # a step that stays
])
def test_turns_are_years_or_plateaus_above_or_below_both_neighbours(path, turns):
    assert _turns([float(v) for v in path]) == turns


@pytest.mark.slow
@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(REPO / "parameters")))
def test_no_shipped_scenario_has_a_reversal_an_equally_valuable_plan_avoids(path):
    run = run_scenario(path)
    found = run.explainer.reversals()
    assert [r.sentence for r in found if not r.needed] == []
    totals = run.result.allocation().groupby(["service_id", "year"])["amount_gbp"].sum()
    for r in found:  # the sentences quote the amounts the tables show
        for year, amount in zip(r.years[1:], r.amounts[1:], strict=True):
            assert totals[(r.service_id, year)] == amount


def test_baseline_paper_says_why_each_reversal_is_there():
    from budgetopt.paper.document import Paper

    html = Paper(run_scenario(REPO / "parameters" / "baseline.yaml")).section("change").html
    assert "7 services do not move steadily" in html
    assert "Grants to the four top-tier Community Safety Partnerships rises from £719,200" in html
    # a peak: the money is worth more there that year; a dip: elsewhere; a contract holds IDVA
    assert ("rises again to £1,380,000 in 2027/28: a steadier path would lose an estimated "
            "£13,503 of priority-weighted social value, as the money is worth more elsewhere "
            "that year.") in html
    assert ("falls back to £200,000 in 2026/27: a steadier path would lose an estimated £2,706 "
            "of priority-weighted social value, as the money is worth more there that year."
            ) in html
    assert ("Domestic abuse victim support (IDVA) falls from £430,000 in 2024/25 to £426,300 in "
            "2025/26 and rises again to £432,694 in 2026/27: the limits it sits against hold it "
            "there (contract in 2025/26, 2026/27).") in html
