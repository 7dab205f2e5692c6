"""Stability: each continuing service moves by at most δ of its base-year amount a year.

For every service with a base-year amount above 0, ``stability[s,y]`` rows define the move
``d[s,y] = t[s,y] − t[s,y−1]`` (with ``t[s, base year]`` the base-year amount) and the band is
the bound ``d ∈ ±δ·base`` on a single column: a two-sided limit around a known amount as one
bounded column, because with two rows warm re-solves were 5–24× slower.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from budgetopt.core.text import fy, money
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    TOUCH,
    Bounds,
    BoundsOf,
    Limit,
    LimitFamily,
    Numbers,
    Release,
    Slack,
    SlackSpec,
    Solved,
    own_bounds,
    widen,
)
from budgetopt.model.lp import INF, Col, LpModel, add_column, add_row

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.elastic import ElasticModel


MOVES = "d"
"""The block of move columns d[s,y] = t[s,y] − t[s,y−1], which the stability band bounds."""


class Stability(LimitFamily):
    meaning = 'how far a service may move in a year'
    at_limit = 'at its stability limit'

    def reason(self, who: str, rising: bool, inputs: ModelInputs, service: str) -> str:
        pace = f"{inputs.scenario.stability_limit:.0%} of its {fy(inputs.base_year)} amount a year"
        if rising:
            return (f"{who} rises as fast as the stability limit allows ({pace}), its next £ "
                    "buying more social value than elsewhere")
        weak = inputs.dataset.services.at[service, "evidence"] == "weak"
        return (f"{who} falls as fast as the stability limit allows ({pace}), its next £ "
                "buying less social value than elsewhere"
                + (" (weak evidence, so a lower assumed return)" if weak else ""))
    relax_cost = 1.0

    def build(self, m: LpModel) -> None:
        t = m.cols["t"]
        m.col_block(MOVES).structural = (-INF, INF)
        for s, base in m.inputs.dataset.services["last_year_gbp"].astype(float).items():
            if base <= 0:
                continue
            for i, y in enumerate(m.years):
                d = add_column(m, MOVES, (s, y), None, None)
                terms = [(t[(s, y)], 1.0), (d, -1.0)]
                if i:
                    terms.append((t[(s, m.years[i - 1])], -1.0))
                add_row(m, "stability", (s, y), terms, "==", 0.0 if i else base)

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        """Bounds of d[s,y]: ±δ of the service's base-year amount."""
        if MOVES not in m.cols:
            return []
        base = m.memo("stability.base", lambda: inputs.dataset.services["last_year_gbp"].loc[
            [s for s, _ in m.cols[MOVES].keys]].to_numpy(dtype=float))
        half = inputs.scenario.stability_limit * base
        return [Bounds("col", MOVES, -half, half)]

    def binding(self, s: Solved) -> list[Limit]:
        if MOVES not in s.model.cols:
            return []
        names = s.inputs.dataset.services["name"]
        delta = s.inputs.scenario.stability_limit
        out = []
        for sid, y in s.model.cols[MOVES].keys:
            ref = Col(MOVES, (sid, y))
            move, (lo, hi) = s.value(ref), s.bounds(ref)
            if abs(move - hi) <= TOUCH or abs(move - lo) <= TOUCH:
                word = "rise" if move > 0 else "fall"
                out.append(Limit(self.family, y, names[sid], hi,
                                 f"{names[sid]} may {word} by at most £{hi:,.0f} "
                                 f"({delta:.0%} of its {fy(s.inputs.base_year)} amount) into "
                                 f"{fy(y)}, and does.", ref,
                                 "hi" if move > 0 else "lo", (sid,)))
        return out

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return [{limit.ref: widen(bounds(limit.ref), down=step, up=step)}]

    def relax(self, el: ElasticModel) -> None:
        if MOVES not in el.m.cols:
            return
        names = el.inputs.dataset.services["name"]
        d = el.m.cols[MOVES]
        own = own_bounds(self, el.m, el.inputs)
        for (sid, y), v, band in zip(d.keys, d.items, own.hi, strict=True):
            ref, rank, band = Col(MOVES, (sid, y)), el.service_rank(sid), float(band)
            el.relax(self, ref, [(v, 1.0)], "<=", band,
                     SlackSpec("hi", y, names[sid], band, sid, -1.0, rank))
            el.relax(self, ref, [(v, 1.0)], ">=", -band,
                     SlackSpec("lo", y, names[sid], band, sid, 1.0, rank))

    def relaxation(self, slack: Slack, amount: float) -> str:
        word = "rise" if slack.side == "hi" else "fall"
        return (f"Let {slack.subject} {word} by {money(amount)} more than the stability limit "
                f"(±{money(slack.limit_gbp)}) into {fy(slack.year)}.")
