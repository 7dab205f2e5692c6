"""What panels do today: fund down the ranked list until the money runs out.

Bids are taken in the ranked list's order (:func:`budgetopt.grants.selection.ranks`: higher
second-round score first). Each candidate is funded in full when its fund in its area still has
the money for it (or, with part-funding, for at least its smallest amount, when it gets what is
left), unless its organisation already has an award or a theme's maximum share would be passed;
otherwise the list moves on to the next bid. Theme minimums are not looked at — a panel checks
them by hand — so the list can miss one, and the comparison says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from budgetopt.grants.inputs import RoundInputs
from budgetopt.grants.selection import organisation_key, ranks, theme_base, theme_members


@dataclass(frozen=True)
class RankedList:
    awards: dict[str, int]  # £ per candidate (0: not funded)
    score: float
    money: int
    themes_missed: list[str]  # theme minimums the list does not reach, in words

    @property
    def funded(self) -> list[str]:
        return [b for b, v in self.awards.items() if v > 0]


def ranked_list(inputs: RoundInputs) -> RankedList:
    bids, rules = inputs.bids, inputs.round
    candidates = [str(b) for b in bids.index[bids["eligible"]]]
    order = sorted(candidates, key=ranks(inputs, candidates).__getitem__)
    left = inputs.caps.to_dict()
    theme_left = {i: t.max_share * theme_base(inputs, i) for i, t in enumerate(rules.themes)
                  if t.max_share is not None}
    members = {i: set(theme_members(inputs, candidates, i)) for i in range(len(rules.themes))}
    orgs: set[str] = set()
    awards = dict.fromkeys(candidates, 0)
    for b in order:
        key, org = (bids.at[b, "fund"], bids.at[b, "area"]), organisation_key(
            bids.at[b, "organisation"])
        if rules.one_award_per_organisation and org in orgs:
            continue
        room = min([left[key], *(theme_left[i] for i in theme_left if b in members[i])])
        full, least = int(bids.at[b, "highest_gbp"]), int(bids.at[b, "lowest_gbp"])
        amount = full if room >= full else (int(room) if rules.part_funding
                                             and room >= least else 0)
        if amount == 0:
            continue
        awards[b] = amount
        left[key] -= amount
        for i in theme_left:
            if b in members[i]:
                theme_left[i] -= amount
        orgs.add(org)
    missed = []
    for i, t in enumerate(rules.themes):
        if t.min_share is None:
            continue
        given = sum(awards[b] for b in members[i])
        if given < t.min_share * theme_base(inputs, i) - 0.5:
            where = f" in {inputs.fund(t.fund).name}" if t.fund else ""
            missed.append(f"{t.theme}{where}: {given:,} awarded, below the minimum share of "
                          f"{t.min_share:.0%}")
    score = float(sum(bids.at[b, "second_score"] for b, v in awards.items() if v > 0))
    return RankedList(awards, score, sum(awards.values()), missed)
