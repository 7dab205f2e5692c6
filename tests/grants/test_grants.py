"""Grant rounds: hand-checkable rounds for every rule, HiGHS against CBC, the ranked list, the
explanations, the smallest fix of a round that cannot be met, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from budgetopt.core.errors import InputError
from budgetopt.grants.result import run_round

from full_disk import budgetopt_full_at
from grant_rounds import bid, write_round

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "parameters" / "grants" / "cgs-2025-26-sample.yaml"
def outcome(result) -> dict[str, tuple[str, int]]:
    return {d.bid: (d.status, d.awarded_gbp) for d in result.decisions}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_the_budget_binds_and_two_smaller_bids_beat_one_large(tmp_path, solver):
    # A (30 points, £6,000) tops the list; B and C (25 and 24, £5,000 each) score 49 together
    path = write_round(tmp_path, [bid("A", (15, 15), 6000), bid("B", (15, 10), 5000),
                                  bid("C", (12, 12), 5000)])
    r = run_round(path, solver)
    assert r.selection.proven and outcome(r) == {"A": ("reserve", 0), "B": ("funded", 5000),
                                                 "C": ("funded", 5000)}
    assert r.selection.score == 49 and r.selection.money == 10000
    # the ranked list funds A, then neither B nor C fits the £4,000 left
    assert r.ranked.awards == {"A": 6000, "B": 0, "C": 0}
    assert r.comparison()["gain"] == {"score": 19.0, "bids_funded": 1, "awarded_gbp": 4000}
    d = {x.bid: x for x in r.decisions}
    assert d["A"].needed == 49  # with A in, nothing else fits: it needs more than B and C
    assert d["A"].reason == ("The money is used up: £0 is left in Fund in north, less than the "
                             "£6,000 it needs.")
    assert d["A"].reserve_place == 1
    assert d["B"].margin == 19 and d["C"].margin == 19  # without either, A alone (30) is best


def test_one_award_per_organisation_whatever_the_case_of_its_name(tmp_path):
    path = write_round(tmp_path, [bid("A", (15, 15), 3000, org="Friends of the Park"),
                                  bid("B", (10, 10), 3000, org="friends of  the park"),
                                  bid("C", (5, 10), 3000)])
    r = run_round(path)
    assert outcome(r) == {"A": ("funded", 3000), "B": ("not funded", 0), "C": ("funded", 3000)}
    reason = next(x.reason for x in r.decisions if x.bid == "B")
    assert reason == "One award per organisation: A from the same organisation is funded."


def test_the_threshold_and_the_second_round_weights(tmp_path):
    # X scores more in the first round (34 > 32), Y more once fit counts double (52 > 50);
    # Z is below the threshold of half the highest first-round score (40 × 0.5 = 20)
    path = write_round(tmp_path, [bid("X", (16, 18), 6000), bid("Y", (20, 12), 6000),
                                  bid("Z", (10, 9), 1000)],
                       threshold="1/2", second_round_weights={"fit": 2})
    r = run_round(path)
    assert outcome(r) == {"X": ("reserve", 0), "Y": ("funded", 6000), "Z": ("not funded", 0)}
    z = next(x for x in r.decisions if x.bid == "Z")
    assert z.reason == ("Not eligible: it scored 19 in the first round, below the 20 (50% of "
                        "the highest possible 40) needed for the second round.")


def test_grant_limits_with_and_without_part_funding(tmp_path):
    bids = [bid("big", (15, 15), 9000, minimum=7000), bid("small", (15, 15), 500)]
    whole = run_round(write_round(tmp_path / "whole", bids))
    assert outcome(whole) == {"big": ("not funded", 0), "small": ("not funded", 0)}
    reasons = {x.bid: x.reason for x in whole.decisions}
    assert "more than the largest grant in north (£8,000)" in reasons["big"]
    assert "less than the smallest grant of £1,000" in reasons["small"]
    part = run_round(write_round(tmp_path / "part", bids, part_funding=True))
    assert outcome(part)["big"] == ("funded", 8000)  # capped at the largest grant


def test_part_funding_fits_two_bids_and_money_goes_to_the_higher_ranked(tmp_path):
    path = write_round(tmp_path, [bid("A", (15, 15), 6000, minimum=4000),
                                  bid("B", (15, 10), 6000, minimum=4500)], part_funding=True)
    r = run_round(path)
    assert r.selection.score == 55 and r.selection.money == 10000
    assert outcome(r) == {"A": ("funded", 5500), "B": ("funded", 4500)}
    assert next(x.reason for x in r.decisions if x.bid == "A") == \
        "Funded (£5,500 of the £6,000 asked for)."


def test_a_theme_maximum(tmp_path):
    # theme t may have at most 40% of the £10,000: A (t) and B (t) cannot both be funded
    path = write_round(tmp_path, [bid("A", (15, 15), 3000), bid("B", (14, 14), 3000),
                                  bid("C", (5, 5), 3000, theme="u")],
                       themes=[{"theme": "t", "max_share": 0.4}])
    r = run_round(path)
    assert outcome(r) == {"A": ("funded", 3000), "B": ("reserve", 0), "C": ("funded", 3000)}
    assert next(x.reason for x in r.decisions if x.bid == "B") == \
        "The theme 't' has reached its maximum share of 40%."


def test_a_theme_minimum_that_cannot_be_met_gets_its_smallest_fix(tmp_path):
    # theme t must have half the £10,000, but its bids ask for £3,000 in all
    path = write_round(tmp_path, [bid("A", (15, 15), 1000), bid("B", (14, 14), 2000),
                                  bid("C", (5, 5), 3000, theme="u")],
                       themes=[{"theme": "t", "min_share": 0.5}])
    r = run_round(path)
    assert not r.is_met and r.selection.status == "infeasible"
    [fix] = r.fixes
    assert fix.short_gbp == 2000 and fix.share_that_can_be_met == pytest.approx(0.3)
    assert fix.sentence(r.inputs) == (
        "Lower the minimum share of 't' of the round from 50.0% to 30.0%: the eligible bids "
        "of that theme can take £2,000 less than the minimum asks.")
    assert "CANNOT BE MET" in r.marking[0]


def test_a_theme_minimum_is_kept_where_the_ranked_list_misses_it(tmp_path):
    path = write_round(tmp_path, [bid("A", (15, 15), 6000), bid("B", (14, 14), 4000),
                                  bid("C", (5, 5), 4000, theme="u")],
                       themes=[{"theme": "u", "min_share": 0.3}])
    r = run_round(path)
    assert outcome(r)["C"] == ("funded", 4000)
    assert r.ranked.themes_missed == ["u: 0 awarded, below the minimum share of 30%"]


def test_over_allocation_lets_a_fund_award_past_its_budget(tmp_path):
    bids = [bid("A", (15, 15), 5500), bid("B", (14, 14), 5500)]
    assert run_round(write_round(tmp_path / "a", bids)).selection.money == 5500
    r = run_round(write_round(tmp_path / "b", bids, over_allocation=0.1))
    assert r.selection.money == 11000 and len(r.selection.funded) == 2


def test_the_sample_round_on_both_solvers(tmp_path):
    highs = run_round(SAMPLE, "highs", scores=False)
    cbc = run_round(SAMPLE, "cbc", scores=False)
    assert highs.selection.proven and cbc.selection.proven
    assert highs.selection.awards == cbc.selection.awards  # the tie-break makes it unique
    assert highs.selection.score >= highs.ranked.score
    t = highs.totals()
    body, total = t[t["fund"] != "total"], t[t["fund"] == "total"].iloc[0]
    assert (body["awarded_gbp"] <= body["budget_gbp"]).all()
    assert total["awarded_gbp"] == body["awarded_gbp"].sum() == highs.selection.money
    assert "ILLUSTRATIVE — the bids are synthetic" in highs.marking[0]
    a = highs.awards()
    assert set(a["status"]) <= {"funded", "reserve", "not funded"} and a["reason"].all()


@pytest.mark.slow  # one MIP per bid of the sample round
def test_budgetopt_grants_writes_its_files(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "budgetopt.cli", "grants", str(SAMPLE),
                           "--out", str(out)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "The exact selection gains" in done.stdout
    awards = pd.read_csv(out / "awards.csv")
    summary = json.loads((out / "round.json").read_text())
    assert summary["proven_optimal"] and summary["synthetic"]
    funded = awards[awards["status"] == "funded"]
    assert funded["margin"].notna().all()
    eligible_out = awards[(awards["status"] != "funded")
                          & ~awards["reason"].str.startswith("Not eligible")]
    assert eligible_out["score_needed"].notna().all()
    assert (eligible_out["score_needed"] >= eligible_out["second_score"]).all()
    assert (out / "awards.xlsx").is_file()


def test_a_round_that_cannot_be_met_exits_1_with_its_fix(tmp_path):
    path = write_round(tmp_path, [bid("A", (15, 15), 1000)],
                       themes=[{"theme": "t", "min_share": 0.5}])
    done = subprocess.run([sys.executable, "-m", "budgetopt.cli", "grants", str(path),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "Lower the minimum share of 't'" in done.stdout
    assert not (tmp_path / "out" / "awards.csv").exists()
    assert json.loads((tmp_path / "out" / "round.json").read_text())["status"] == "infeasible"


@pytest.mark.parametrize("at", ["awards.xlsx", "round.json"])
def test_a_full_disk_at_a_later_file_leaves_none_of_the_round_files(tmp_path, at):
    # before: awards.csv stayed under its final name when awards.xlsx could not be written
    path = write_round(tmp_path, [bid("A", (15, 15), 3000), bid("B", (12, 12), 4000)])
    out = tmp_path / "out"
    done = budgetopt_full_at(at, "grants", str(path), "--no-scores", "--out", str(out))
    assert done.returncode == 3, done.stderr
    assert done.stderr.strip() == (f"Cannot write {out / at}: the disk is full (or a size "
                                   "limit reached); free some space.")
    assert sorted(f.name for f in out.iterdir()) == []


@pytest.mark.parametrize("where", ["--out", "the default folder"])
def test_a_bad_round_removes_an_earlier_result_from_the_folder(tmp_path, where):
    # before: exit 2 left the earlier run's awards, which could be read as this run's
    path = write_round(tmp_path, [bid("A", (15, 15), 3000)], over_allocation=2)
    out = tmp_path / "out" if where == "--out" else tmp_path / "reports" / "grants" / "tiny"
    out.mkdir(parents=True)
    for name in ("awards.csv", "round.json", "awards.xlsx", "notes.txt"):
        (out / name).write_text("an earlier run's\n")
    done = subprocess.run([sys.executable, "-m", "budgetopt.cli", "grants", str(path),
                           *(["--out", str(out)] if where == "--out" else [])],
                          capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 2, done.stderr
    assert "over_allocation" in done.stderr and "Traceback" not in done.stdout + done.stderr
    assert sorted(f.name for f in out.iterdir()) == ["notes.txt"]


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("rows", "rule"), [
    ([bid("A", (15, 15), 3000, area="south")],
     "bids.csv, line 2, column 'area': value 'south' — fund 'f' has no budget for this area"),
    ([bid("A", (15, 15), 3000, fund="g")],
     "bids.csv, line 2, column 'fund': value 'g' — not one of the round's funds (f)"),
    ([bid("A", (15, 25), 3000)], "bids.csv, line 2, column 'score_need': value '25'"),
    ([bid("A", (15, 15), 3000, minimum=4000)],
     "column 'minimum_gbp': value 4000 — the smallest amount is more than the £3,000"),
    ([bid("A", (15, 15), 3000), bid("A", (1, 1), 2000)],
     "bids.csv, line 3, column 'bid_id': value 'A' — duplicate bid_id"),
])
def test_bad_bids_are_named_by_file_line_and_column(tmp_path, rows, rule):
    with pytest.raises(InputError) as e:
        run_round(write_round(tmp_path, rows))
    assert rule in e.value.report()


def test_a_missing_score_column_is_named(tmp_path):
    path = write_round(tmp_path, [bid("A", (15, 15), 3000)],
                       criteria={"fit": {"max": 20}, "need": {"max": 20}, "reach": {"max": 5}})
    with pytest.raises(InputError) as e:
        run_round(path)
    assert "column 'score_reach' — required column is missing" in e.value.report()


@pytest.mark.parametrize(("change", "rule"), [
    ({"threshold": "2/0"}, "key 'threshold'"),
    ({"funds": [{"id": "f", "name": "Fund"}]}, "give either 'budget'"),
    ({"second_round_weights": {"reach": 2}}, "names 'reach', which is not a criterion"),
    ({"themes": [{"theme": "t"}]}, "give min_share, max_share or both"),
    ({"grant": {"min_gbp": 5000, "max_gbp": 1000}}, "grant.max_gbp is below grant.min_gbp"),
    ({"over_allocation": 2}, "key 'over_allocation'"),
    ({"grant": {"min_gbp": 1000, "max_gbp": 1e30}},
     "key 'grant.max_gbp': value 1e+30 — must be at most 1,000,000,000"),
    ({"grant": {"min_gbp": 1000, "max_gbp": {"north": 1e30}}},
     "key 'grant.max_gbp.north': value 1e+30 — must be at most 1,000,000,000"),
    ({"second_round_weights": {"fit": 1e30}},
     "key 'second_round_weights.fit': value 1e+30 — must be at most 100"),
    ({"funds": [{"id": "f", "name": "Fund", "budget": {"north": 1e30}}]},
     "key 'funds.0.budget.north': value 1e+30 — must be at most 1,000,000,000"),
])
def test_bad_rounds_are_named_by_key(tmp_path, change, rule):
    with pytest.raises(InputError) as e:
        run_round(write_round(tmp_path, [bid("A", (15, 15), 3000)], **change))
    assert rule in e.value.report(), e.value.report()


@pytest.mark.parametrize(("line", "key"), [("    north: 10000\n", "north"),
                                           ("  max_gbp: 8000\n", "max_gbp")],
                         ids=["fund-budget", "grant"])
def test_a_nested_round_key_written_twice_is_named_with_its_line(tmp_path, line, key):
    from budgetopt.data.grant_round import load_round

    path = write_round(tmp_path, [bid("A", (15, 15), 3000)])
    text = path.read_text()
    assert text.count(line) == 1
    head = text[: text.index(line) + len(line)]
    path.write_text(head + line.replace("000", "001") + text[len(head):])
    with pytest.raises(InputError) as e:
        load_round(path)
    (p,) = e.value.problems
    first = head.count("\n")
    assert p.row == first + 1
    assert f"found the key '{key}' twice (first on line {first})" in p.rule


def test_every_number_of_a_round_and_its_bids_has_a_documented_range():
    """A round's every number key, and every number column of its bids, has an upper bound,
    and docs/grants.md gives its range."""
    from budgetopt.data.bids import bids_table
    from budgetopt.data.grant_round import GrantRound, load_round
    from budgetopt.data.schemas import Kind, figure
    from model_keys import keys, mentions

    rows = {}
    for line in (REPO / "docs" / "grants.md").read_text().splitlines():
        if line.startswith("| `"):
            for name in line.split("|")[1].split(","):
                rows[name.strip().strip("`")] = line
    for key in keys(GrantRound):
        for low, high in key.bounds():
            assert high is not None, f"{key.path} has no upper bound"
            assert key.path in rows, f"docs/grants.md does not give the range of {key.path}"
            assert mentions(rows[key.path], figure(low)), key.path
            assert mentions(rows[key.path], figure(high)), key.path
    for col in bids_table(load_round(SAMPLE)).columns:
        if col.kind in (Kind.MONEY, Kind.NUMBER):
            assert col.upper is not None, f"bids column {col.name} has no upper bound"
            name = "score_<criterion>" if col.name.startswith("score_") else col.name
            assert name in rows, f"docs/grants.md does not give the range of {name}"
            if name == col.name:
                assert mentions(rows[name], figure(col.upper)), name


def sample_taking_cgs_from_the_baseline(tmp_path: Path, service: str = "community-grant-scheme",
                                        year: int = 2025, devon: tuple[str, ...] = (
                                            "devon", "plymouth", "torbay")) -> Path:
    """The sample round with its CGS fund taken from the baseline scenario's allocation."""
    doc = yaml.safe_load(SAMPLE.read_text())
    doc["funds"][0] = {"id": "cgs", "name": "Community Grant Scheme", "from_scenario": {
        "params": "parameters/baseline.yaml", "service": service, "year": year,
        "areas": {"devon": list(devon), "cornwall": ["cornwall-ios"]}}}
    path = tmp_path / "round.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def test_checking_a_round_names_a_fund_scenario_s_unknown_service_and_year(tmp_path):
    from budgetopt.grants.inputs import check_round

    path = sample_taking_cgs_from_the_baseline(tmp_path, "community-grants", 2031, ("devon",))
    with pytest.raises(InputError) as e:
        check_round(path, root=REPO)  # checked without solving the scenario
    found = {p.key: p for p in e.value.problems}
    assert found["funds.0.from_scenario.service"].value == "community-grants"
    assert "not a plan year of the scenario (2025/26 to 2027/28)" in found[
        "funds.0.from_scenario.year"].rule


def test_a_misspelt_area_of_a_fund_is_said_alike_by_validate_and_by_a_run(tmp_path):
    # before: budgetopt validate passed a round whose fund gathered an area 'plymuth', which
    # budgetopt grants and run refused; one check serves both now
    from budgetopt.grants.inputs import check_round, load_round_inputs

    path = sample_taking_cgs_from_the_baseline(tmp_path, devon=("devon", "plymuth", "torbay"))
    for check in (check_round, load_round_inputs):
        with pytest.raises(InputError) as e:
            check(path, REPO)
        (problem,) = e.value.problems
        assert problem.key == "funds.0.from_scenario.areas.devon"
        assert problem.rule.startswith("area(s) plymuth get no share of 'community-grant-"
                                       "scheme' (its areas: cornwall-ios, devon, plymouth, ")


def test_a_fund_taken_from_a_scenario(tmp_path):
    r = run_round(sample_taking_cgs_from_the_baseline(tmp_path), scores=False, root=REPO)
    cgs = r.inputs.budgets.loc["cgs"]
    assert cgs.sum() == 200000  # the scenario pins the published £200,000
    assert set(cgs.index) == {"devon", "cornwall"}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_the_tie_break_between_selections_whose_ranks_add_up_the_same(tmp_path, solver):
    # four bids of equal score; £5,000 buys {A, D} or {B, C}, both scoring 40 and spending it
    # all. The ranked list (equal scores: the smaller request first) is D, B, C, A, so both
    # pairs hold ranks adding up to 3; the harmonic part of the tie-break prefers D's pair
    path = write_round(tmp_path, [bid("A", (10, 10), 3000), bid("B", (10, 10), 2500),
                                  bid("C", (10, 10), 2500), bid("D", (10, 10), 2000)],
                       funds=[{"id": "f", "name": "Fund", "budget": {"north": 5000}}])
    r = run_round(path, solver, scores=False)
    assert sorted(r.selection.funded) == ["A", "D"]


def test_the_sample_bids_are_as_their_generator_writes_them():
    done = subprocess.run([sys.executable, str(REPO / "tools" / "make_sample_round.py"),
                           "--check"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
