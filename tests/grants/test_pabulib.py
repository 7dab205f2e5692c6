"""Pabulib files both ways, and the cross-check with pabutools: on instances where only the
budget binds, the exact selection's total score equals pabutools' exact utilitarian rule
(``max_additive_utilitarian_welfare``)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from budgetopt.core.errors import InputError
from budgetopt.grants.inputs import load_round_inputs
from budgetopt.grants.pabulib import read_pabulib, write_pabulib
from budgetopt.grants.selection import select

from grant_rounds import bid, write_round

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pabutools' own PuLP use


def pabutools_best(path: Path) -> float:
    """The total score of pabutools' exact utilitarian selection (the panel's points as one
    cardinal ballot: its welfare is the sum of the chosen projects' scores)."""
    from pabutools.election import Additive_Cardinal_Sat, parse_pabulib
    from pabutools.rules import max_additive_utilitarian_welfare

    instance, profile = parse_pabulib(str(path))
    chosen = max_additive_utilitarian_welfare(instance, profile, sat_class=Additive_Cardinal_Sat)
    return float(sum(float(instance.project_meta[p]["score"]) for p in chosen))


def pb_text(costs: list[int], scores: list[int], budget: int) -> str:
    ids = [str(i + 1) for i in range(len(costs))]
    lines = ["META", "key;value", "description;generated", "country;Nowhere", "unit;town",
             f"num_projects;{len(costs)}", "num_votes;1", f"budget;{budget}",
             "vote_type;scoring", "PROJECTS", "project_id;cost;score;name"]
    lines += [f"{i};{c};{s};Project {i}" for i, c, s in zip(ids, costs, scores, strict=True)]
    lines += ["VOTES", "voter_id;vote;points",
              f"v1;{','.join(ids)};{','.join(map(str, scores))}"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(8))
def test_the_exact_selection_equals_pabutools_on_budget_only_instances(tmp_path, seed):
    rng = random.Random(seed)
    n = rng.randint(5, 25)
    costs = [rng.randint(1, 40) * 250 for _ in range(n)]
    scores = [rng.randint(1, 30) for _ in range(n)]
    budget = int(sum(costs) * rng.uniform(0.3, 0.7))
    path = tmp_path / "generated.pb"
    path.write_text(pb_text(costs, scores, budget))
    inputs = read_pabulib(path)
    sel = select(inputs)
    assert sel.proven and sel.money <= budget
    assert sel.score == pabutools_best(path)


def test_a_round_written_as_pabulib_is_read_back_and_checked_by_pabutools(tmp_path):
    rows = [bid(f"B{i}", (i % 7 + 3, (3 * i) % 11 + 2), 1000 + 500 * (i % 9),
                area="north" if i % 3 else "south") for i in range(18)]
    path = write_round(tmp_path, rows, funds=[{"id": "f", "name": "Fund", "budget": {
        "north": 9000, "south": 4000}}])
    inputs = load_round_inputs(path)
    sel = select(inputs)
    written = write_pabulib(inputs, tmp_path / "pb")
    assert [p.name for p in written] == ["tiny_f_north.pb", "tiny_f_south.pb"]
    for p in written:
        again = read_pabulib(p)
        area = again.budgets.index[0][1]
        here = inputs.bids[(inputs.bids["area"] == area) & inputs.bids["eligible"]]
        assert list(again.bids.index) == list(here.index)
        assert (again.bids["requested_gbp"] == here["requested_gbp"]).all()
        # only the budget binds in each area: the same best score three ways
        part = sum(here.at[b, "second_score"] for b in sel.funded if b in here.index)
        assert select(again).score == part == pabutools_best(p)


def test_a_pabulib_file_without_a_budget_is_refused(tmp_path):
    path = tmp_path / "broken.pb"
    path.write_text(pb_text([1000], [5], 100).replace("budget;100\n", ""))
    with pytest.raises(InputError) as e:
        read_pabulib(path)
    assert "META has no 'budget' line" in e.value.report()
