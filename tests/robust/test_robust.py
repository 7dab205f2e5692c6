"""The robustness analysis against answers known in advance (issue 11): no spread gives the point
plan exactly, a two-service race gives probabilities within Monte Carlo error of the exact
ones, the expected-value plan on one draw is that draw's plan and on its own draws beats the
point plan, regret is never below zero, and the draws are the same whatever splits them."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from budgetopt.data.inputs import load_inputs, resolve
from budgetopt.data.scenario import Robustness
from budgetopt.data.uncertainty import sample
from budgetopt.results.result import make_result
from budgetopt.robust.analysis import analyse
from budgetopt.robust.montecarlo import run_draws
from budgetopt.solve.allocator import Allocator

from tiny_dataset import TABLES, tiny_inputs, write_tiny

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "parameters" / "baseline.yaml"


def settings(**kw) -> Robustness:
    return Robustness.model_validate({"draws": 40, "seed": 7, "plan_draws": 10, **kw})


def with_spreads(tmp_path: Path, rows: list[str], **tables) -> Path:
    """The tiny dataset with an uncertainty table of ``rows``."""
    folder = write_tiny(tmp_path / "tiny", **tables)
    (folder / "uncertainty.csv").write_text(
        "input,key,log_sd,from_year,notes\n" + "".join(f"{r}\n" for r in rows))
    manifest = (folder / "dataset.yaml").read_text()
    (folder / "dataset.yaml").write_text(
        manifest.replace("tables:\n", "tables:\n  uncertainty: uncertainty.csv\n"))
    return folder


# ------------------------------------------------------------------ the draws
def test_the_same_seed_gives_the_same_draws_and_any_share_of_them():
    ds = load_inputs(BASELINE).dataset
    a, b = sample(ds, 30, 5), sample(ds, 30, 5)
    assert a.effect.equals(b.effect) and a.funding.equals(b.funding)
    assert all(a.need_shares[k].equals(b.need_shares[k]) for k in a.need_shares)
    part = a.take(range(10, 20))
    assert part.effect.equals(a.effect.loc[10:19])
    assert not sample(ds, 30, 6).effect.equals(a.effect)
    for frame in a.need_shares.values():  # need shares are shares in every draw
        assert np.allclose(frame.sum(axis=1), 1.0)


def test_spreads_follow_the_evidence_ratings():
    ds = load_inputs(BASELINE).dataset
    d = sample(ds, 4000, 1)
    spread = np.log(d.effect).std()
    rating = ds.services["evidence"]
    expect = {"strong": 0.15, "moderate": 0.3, "weak": 0.5}
    for service, sd in spread.items():
        assert sd == pytest.approx(expect[rating[service]], rel=0.06)
    assert np.log(d.funding["svd"]).std() == pytest.approx(0.15, rel=0.06)


# ------------------------------------------------------------------ known answers
def test_no_spread_gives_the_point_plan_in_every_draw(tmp_path):
    rows = ["effect,strong,0,,", "effect,weak,0,,", "outcome_value,o,0,,", "need,local,0,,",
            "funding,core,0,2026,"]
    inputs = tiny_inputs(with_spreads(tmp_path, rows))
    report = analyse(inputs, settings())
    point = report.plans["point"].totals.to_numpy()
    table = report.table
    for col in ("p5_gbp", "p50_gbp", "p95_gbp"):
        assert np.array_equal(table[col].to_numpy(), table["recommended_gbp"].to_numpy()), col
    assert np.array_equal(table["recommended_gbp"].to_numpy(), point)
    assert np.abs(report.regret_gbp).max() < 1e-6 and abs(report.evpi_gbp) < 1e-6
    assert report.infeasible == 0


def race(tmp_path: Path, sigma: float) -> Path:
    """v1 and v2 race for £200 (l1 is held at £400, the grant is nil): each one's first
    segment is £200 wide, v1's worth 2 per £ and v2's 1, both times its own lognormal effect
    multiplier (weak evidence, log-sd ``sigma``). v1 gets the £200 when m1·2 > m2·1."""
    services = [TABLES["services"][0],
                "v1,Victim service 1,P,victims,false,100,0,300,,,,weak,o,",
                "v2,Victim service 2,P,victims,false,100,0,300,,,,weak,o,",
                "l1,Local service,P,local,true,400,400,400,,,,strong,o,"]
    curves = [TABLES["curves"][0], "v1,1,200,2", "v1,2,50,0.02", "v1,3,50,0.01",
              "v2,1,200,1", "v2,2,50,0.02", "v2,3,50,0.01",
              "l1,1,400,2.8", "l1,2,300,1.2", "l1,3,300,0.2"]
    amounts = [line.replace("grant,2025,300", "grant,2025,0")
               .replace("grant,2026,300", "grant,2026,0")
               .replace("core,2025,700", "core,2025,600")
               .replace("core,2026,700", "core,2026,600") for line in TABLES["stream_amounts"]]
    return with_spreads(tmp_path, [f"effect,weak,{sigma},,", "effect,strong,0,,"],
                        services=services, curves=curves, stream_amounts=amounts)


def test_a_two_service_race_gives_the_exact_probability_within_monte_carlo_error(tmp_path):
    sigma, n = 0.5, 400
    inputs = tiny_inputs(race(tmp_path, sigma))
    report = analyse(inputs, settings(draws=n))
    exact = 0.5 * (1 + math.erf(math.log(2) / (sigma * math.sqrt(2)) / math.sqrt(2)))
    error = math.sqrt(exact * (1 - exact) / n)  # Monte Carlo standard error
    t = report.table.set_index(["service_id", "year"])
    for year in (2025, 2026):
        assert abs(t.at[("v1", year), "p_above_min"] - exact) < 4 * error
        assert abs(t.at[("v2", year), "p_above_min"] - (1 - exact)) < 4 * error
    # and the draws' own multipliers decide it, draw by draw
    d = sample(inputs.dataset, n, 7)
    wins = (2 * d.effect["v1"] > d.effect["v2"]).mean()
    assert t.at[("v1", 2025), "p_above_min"] == pytest.approx(wins, abs=1e-12)


def test_the_expected_value_plan_on_one_draw_is_that_draws_plan():
    base = load_inputs(BASELINE)
    one = resolve(base.dataset, base.scenario.with_changes(
        objective="expected", robustness={"plan_draws": 1, "seed": 3}))
    alloc = Allocator(one)
    expected = make_result(alloc, alloc.solve(warm=False)).allocation()
    draw = sample(base.dataset, 1, 3).valuation_inputs(base, 0)
    own = Allocator(draw)
    direct = make_result(own, own.solve(warm=False)).allocation()
    assert expected["amount_gbp"].tolist() == direct["amount_gbp"].tolist()


def test_on_its_own_draws_the_expected_value_plan_is_worth_at_least_the_point_plan():
    base = load_inputs(BASELINE)
    s = settings(plan_draws=30)
    report = analyse(base, s)
    plans = [report.plans["point"].cells, report.plans["expected"].cells]
    own = run_draws(base, sample(base.dataset, s.plan_draws, s.seed), plans)
    point, expected = (np.mean([r.plan_values[i] for r in own]) for i in (0, 1))
    assert expected >= point - 1e-6 * abs(point)
    assert report.plans["expected"].value == pytest.approx(expected, rel=1e-9)


def test_regret_is_never_below_zero_and_evpi_is_its_mean_against_the_best_plan():
    report = analyse(load_inputs(BASELINE), settings(draws=60))
    best = report.best_mean
    assert report.regret_gbp.min() >= -1e-6 * abs(best)
    assert report.regret_gbp.mean() == pytest.approx(best - report.plan_means["point"],
                                                     rel=1e-9)
    assert report.evpi_gbp == pytest.approx(best - max(report.plan_means.values()), rel=1e-9)
    assert report.evpi_gbp >= 0


def test_an_expected_value_plan_scenario_recommends_that_plan():
    base = load_inputs(BASELINE)
    inputs = replace(base, scenario=base.scenario.with_changes(
        objective="expected", robustness={"plan_draws": 10, "draws": 20, "seed": 7}))
    report = analyse(inputs)
    assert report.recommended == "expected"
    rec = report.table.set_index(["service_id", "year"])["recommended_gbp"]
    assert rec.to_numpy().tolist() == report.plans["expected"].totals.to_numpy().tolist()


@pytest.mark.slow
def test_serial_and_parallel_runs_agree_to_the_last_digit():
    base = load_inputs(BASELINE)
    one, two = analyse(base, settings(draws=60), jobs=1), analyse(base, settings(draws=60),
                                                                  jobs=2)
    assert one.table.equals(two.table)
    assert np.array_equal(one.regret_gbp, two.regret_gbp)
    assert ({k: v for k, v in one.record().items() if k != "seconds"}
            == {k: v for k, v in two.record().items() if k != "seconds"})


# ------------------------------------------------------------------ the paper and the files
def test_the_paper_says_how_sure_the_plan_is_only_when_asked(tmp_path):
    from budgetopt.paper.document import Paper
    from budgetopt.pipeline import run_scenario

    folder = race(tmp_path, 0.5)
    plain = {"name": "race", "title": "Race", "dataset": str(folder), "plan_years": 2,
             "stability_limit": 1.0, "fairness_tolerance": 1.0}
    paper = Paper(run_scenario(plain, repo_root=REPO))
    assert paper.section("robustness").html == ""
    assert "draws of the uncertain evidence" not in paper.section("summary").html
    asked = Paper(run_scenario({**plain, "robustness": {"draws": 60, "seed": 7}},
                               repo_root=REPO))
    html = asked.section("robustness").html
    report = asked.run.robustness
    assert html.startswith("<h2") and "How sure can we be?" in html
    contested = report.classes(2025)["contested"]
    assert contested == ["v1", "v2"]  # each wins some of the race's draws
    assert "Contested" in html and "Victim service 1; Victim service 2" in html
    assert f"drawn {report.draws} times (seed 7)" in html
    assert "Which evidence matters most" in html and "<svg" in html
    summary = asked.section("summary").html
    assert f"(section {asked.number('robustness')})" in summary
    # the section's table and figures are numbered only in the paper that has them
    assert asked.numbering.tables.keys() - paper.numbering.tables.keys() == {"evidence"}


def test_robustness_files_hold_the_table_and_the_run(tmp_path):
    import json

    import pandas as pd

    from budgetopt.reporting.robustness import CSV_COLUMNS, write_robustness

    report = analyse(tiny_inputs(race(tmp_path, 0.5)), settings(draws=30))
    csv, js = write_robustness(report, tmp_path / "out")
    table = pd.read_csv(csv)
    assert list(table.columns) == CSV_COLUMNS
    assert set(table["class"]) <= {"core", "contested", "never"}
    assert table["financial_year"].iloc[0] == "2025/26"
    record = json.loads(js.read_text())
    for key in ("draws", "seed", "regret_gbp", "evpi_gbp", "vss_gbp", "classes",
                "evidence_that_matters_most", "seconds", "infeasible_draws"):
        assert key in record, key
    assert record["draws"] == 30 and record["seed"] == 7
