"""Every decision of a round explained: why a bid is not funded and what score it would have
needed, by how much a funded bid is in, the reserve list, and — for a round whose rules cannot
all be kept — the smallest fix.

The scores come from the programme itself (:func:`budgetopt.grants.selection.build`, solved
for the score alone): a funded bid stays funded while its score falls by less than the best
total with it minus the best total without it (its *margin*); a bid that is not funded would be
funded with a score above its own plus the best total minus the best total with it forced in
(the *score it would have needed*). One solve per bid, on the same rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pulp

from budgetopt.core.text import money
from budgetopt.grants.inputs import RoundInputs
from budgetopt.grants.selection import (
    Selection,
    build,
    organisation_key,
    theme_base,
    theme_members,
    whole_scores,
)
from budgetopt.solve.mip import KeptMip, solve_stage

FUNDED, RESERVE, NOT_FUNDED = "funded", "reserve", "not funded"


@dataclass(frozen=True)
class Decision:
    """One bid's outcome and why."""

    bid: str
    status: str  # funded / reserve / not funded
    awarded_gbp: int
    reason: str
    margin: float | None = None  # funded: how far its score could fall and it stay funded
    needed: float | None = None  # not funded: the score above which it would be funded
    reserve_place: int | None = None  # 1 = first to be funded if money came back


@dataclass(frozen=True)
class ThemeFix:
    theme: str
    fund: str | None
    short_gbp: int
    min_share: float
    share_that_can_be_met: float

    def sentence(self, inputs: RoundInputs) -> str:
        where = f" of {inputs.fund(self.fund).name}" if self.fund else " of the round"
        return (f"Lower the minimum share of '{self.theme}'{where} from {self.min_share:.1%} "
                f"to {self.share_that_can_be_met:.1%}: the eligible bids of that theme can "
                f"take {money(self.short_gbp)} less than the minimum asks.")


def theme_fixes(inputs: RoundInputs, solver: str = "highs") -> list[ThemeFix]:
    """For a round that cannot be met: the least shortfall of theme minimums that makes it
    possible, theme by theme (an elastic programme: every other rule as set)."""
    m = build(inputs, elastic=True)
    outcome = solve_stage(m.prob, -pulp.lpSum(m.theme_slack.values()), solver, gap=0.0,
                          seconds=inputs.round.solve.time_limit_s)
    if outcome.status != "optimal":
        return []
    out = []
    for i, slack in m.theme_slack.items():
        short = float(pulp.value(slack) or 0.0)
        if short > 0.5:
            t, base = inputs.round.themes[i], theme_base(inputs, i)
            floor = math.ceil((t.min_share or 0.0) * base - 1e-9)  # as the programme rounds it
            out.append(ThemeFix(t.theme, t.fund, round(short), t.min_share or 0.0,
                                (floor - short) / base if base else 0.0))
    return out


def _tidy(v: float, whole: bool) -> float:
    """A score difference as the solver found it, without its floating-point noise."""
    return float(round(v)) if whole else round(v, 6)


def decisions(inputs: RoundInputs, sel: Selection, scores: bool = True) -> list[Decision]:
    """A decision for every bid, in the bids' order. ``scores`` adds each candidate's margin or
    needed score (one solve each, on a kept HiGHS model whichever solver selected); without it,
    the reasons and the reserve list only."""
    bids, rules = inputs.bids, inputs.round
    whole = whole_scores(inputs)
    kept = build(inputs) if scores else None
    mip = KeptMip(kept.prob, rules.solve.time_limit_s, whole=whole) if kept else None

    def best_score(fix: dict[str, int]) -> float | None:
        """The best total score with ``fix`` (bid → 0 or 1) held; None when no selection
        keeps the rules with it."""
        assert kept is not None and mip is not None
        return mip.best(kept.score, {kept.funded[b].name: v for b, v in fix.items()})

    awards = sel.awards
    best = sel.score
    left = inputs.caps.to_dict()
    for b, v in awards.items():
        left[(bids.at[b, "fund"], bids.at[b, "area"])] -= v
    funded_orgs = {organisation_key(bids.at[b, "organisation"]): b
                   for b, v in awards.items() if v > 0}
    candidates = list(awards)
    theme_full = {}
    for i, t in enumerate(rules.themes):
        if t.max_share is not None:
            given = sum(awards[b] for b in theme_members(inputs, candidates, i))
            theme_full[i] = (t.max_share * theme_base(inputs, i) - given,
                             set(theme_members(inputs, candidates, i)))
    reserve: dict[tuple[str, str], list[str]] = {}
    out: dict[str, Decision] = {}
    for b in bids.index:
        b = str(b)
        row = bids.loc[b]
        if not row["eligible"]:
            out[b] = Decision(b, NOT_FUNDED, 0, f"Not eligible: it {row['ineligible_reason']}.")
            continue
        if awards.get(b, 0) > 0:
            margin = None
            if scores:
                without = best_score({b: 0})
                margin = _tidy(min(float(row["second_score"]), best - without),
                               whole) if without is not None else None
            part = ("" if awards[b] >= row["requested_gbp"] else
                    f" ({money(awards[b])} of the {money(row['requested_gbp'])} asked for)")
            out[b] = Decision(b, FUNDED, awards[b], f"Funded{part}.", margin=margin)
            continue
        key = (row["fund"], row["area"])
        org = organisation_key(row["organisation"])
        full = [i for i, (room, members) in theme_full.items()
                if b in members and room < row["lowest_gbp"]]
        if rules.one_award_per_organisation and org in funded_orgs:
            reason = (f"One award per organisation: {funded_orgs[org]} from the same "
                      "organisation is funded.")
            status = NOT_FUNDED
        elif left[key] < row["lowest_gbp"]:
            reason = (f"The money is used up: {money(left[key])} is left in "
                      f"{inputs.fund(row['fund']).name} in {row['area']}, less than the "
                      f"{money(row['lowest_gbp'])} it needs.")
            status = RESERVE
        elif full:
            t = rules.themes[full[0]]
            reason = (f"The theme '{t.theme}' has reached its maximum share of "
                      f"{t.max_share:.0%}.")
            status = RESERVE
        else:
            reason = ("Other bids score more with this money: the best selection within the "
                      "rules leaves it out.")
            status = RESERVE
        needed = None
        if scores:
            forced = best_score({b: 1})
            needed = (_tidy(float(row["second_score"]) + best - forced, whole)
                      if forced is not None else None)
            if forced is None:
                reason += " No selection within the rules can include it."
        if status == RESERVE:
            reserve.setdefault(key, []).append(b)
        out[b] = Decision(b, status, 0, reason, needed=needed)
    for members in reserve.values():  # in the ranked list's order within its fund and area
        members.sort(key=lambda k: (-bids.at[k, "second_score"], bids.at[k, "requested_gbp"], k))
        for place, b in enumerate(members, start=1):
            d = out[b]
            out[b] = Decision(d.bid, d.status, d.awarded_gbp, d.reason, d.margin, d.needed,
                              place)
    return [out[str(b)] for b in bids.index]
