"""Properties of the exact selection on generated rounds: every rule holds in the output, the
selection scores at least as much as the ranked list, more money never lowers the score, and
HiGHS and CBC give the same selection."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budgetopt.grants.ranked import ranked_list
from budgetopt.grants.result import RoundResult, run_round
from budgetopt.grants.selection import organisation_key, select, theme_base, theme_members

from grant_rounds import bid, write_round

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def rounds(draw) -> tuple[list[str], dict]:
    n = draw(st.integers(2, 9))
    rows = []
    for i in range(n):
        requested = draw(st.integers(2, 16)) * 500
        rows.append(bid(
            f"B{i}", (draw(st.integers(0, 20)), draw(st.integers(0, 20))), requested,
            org=f"Org {draw(st.integers(0, n))}", area=draw(st.sampled_from(["north", "south"])),
            theme=draw(st.sampled_from(["t", "u"])),
            minimum=draw(st.integers(1, requested // 500)) * 500))
    budget = {"north": draw(st.integers(2, 30)) * 500, "south": draw(st.integers(2, 30)) * 500}
    rules = {"funds": [{"id": "f", "name": "Fund", "budget": budget}],
             "threshold": draw(st.sampled_from([0, "1/3", "1/2"])),
             "part_funding": draw(st.booleans()),
             "one_award_per_organisation": draw(st.booleans()),
             "over_allocation": draw(st.sampled_from([0, 0.1]))}
    if draw(st.booleans()):
        rules["themes"] = [{"theme": "t", "max_share": draw(st.sampled_from([0.3, 0.6]))}]
    return rows, rules


def check_rules(r: RoundResult) -> None:
    inputs, awards = r.inputs, r.selection.awards
    bids, caps = inputs.bids, inputs.caps
    for b, v in awards.items():
        assert bool(bids.at[b, "eligible"])
        assert v == 0 or bids.at[b, "lowest_gbp"] <= v <= bids.at[b, "highest_gbp"]
        if not inputs.round.part_funding:
            assert v in (0, bids.at[b, "requested_gbp"])
    for (fund, area), cap in caps.items():
        assert sum(v for b, v in awards.items()
                   if bids.at[b, "fund"] == fund and bids.at[b, "area"] == area) <= cap
    if inputs.round.one_award_per_organisation:
        orgs = [organisation_key(bids.at[b, "organisation"]) for b, v in awards.items() if v]
        assert len(orgs) == len(set(orgs))
    for i, t in enumerate(inputs.round.themes):
        given = sum(awards[b] for b in theme_members(inputs, list(awards), i))
        if t.max_share is not None:
            assert given <= t.max_share * theme_base(inputs, i) + 1e-6


@SETTINGS
@given(rounds())
def test_every_rule_holds_and_the_exact_selection_beats_the_ranked_list(generated):
    rows, rules = generated
    with tempfile.TemporaryDirectory() as tmp:
        r = run_round(write_round(Path(tmp), rows, **rules), scores=False)
        assert r.selection.proven
        check_rules(r)
        assert r.selection.score >= r.ranked.score - 1e-9  # no theme minimum: the list is valid
        for b, v in r.ranked.awards.items():  # and the ranked list keeps the rules too
            assert v == 0 or r.inputs.bids.at[b, "lowest_gbp"] <= v


@SETTINGS
@given(rounds(), st.integers(1, 10))
def test_more_money_never_lowers_the_score(generated, more):
    rows, rules = generated
    with tempfile.TemporaryDirectory() as tmp:
        base = run_round(write_round(Path(tmp) / "a", rows, **rules), scores=False)
        budget = rules["funds"][0]["budget"]
        richer = {**rules, "funds": [{"id": "f", "name": "Fund", "budget": {
            "north": budget["north"] + 500 * more, "south": budget["south"]}}]}
        r = run_round(write_round(Path(tmp) / "b", rows, **richer), scores=False)
        assert r.selection.score >= base.selection.score - 1e-9


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(rounds())
def test_highs_and_cbc_give_the_same_selection(generated):
    rows, rules = generated
    with tempfile.TemporaryDirectory() as tmp:
        from budgetopt.grants.inputs import load_round_inputs

        inputs = load_round_inputs(write_round(Path(tmp), rows, **rules))
        a, b = select(inputs, "highs"), select(inputs, "cbc")
        assert a.awards == b.awards and a.score == b.score
        assert ranked_list(inputs).score <= a.score + 1e-9
