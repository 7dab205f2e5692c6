"""Scheme bounds: each commissioning scheme's floor and cap on its total ``T[k,y]``.

``T[k,y] = Σ_{s∈k} t[s,y]`` (``scheme_total`` rows) exists to carry these two families' bounds,
so they build it, whichever comes first. A floor protects a scheme (it can be lowered to make a
scenario possible, at 3 per £ in the diagnosis); a cap is a decision of the plan that the
diagnosis never moves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from budgetopt.core.text import fy, money
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    Bounds,
    BoundsOf,
    Limit,
    LimitFamily,
    Numbers,
    Release,
    Slack,
    SlackSpec,
    Solved,
    at,
    widen,
)
from budgetopt.model.lp import INF, Col, LpModel, add_column, add_row

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.elastic import ElasticModel
    from budgetopt.model.limits import Family


def scheme_total(scheme: str, year: int) -> Col:
    """The column of a scheme's total in a year, which scheme floors and caps bound."""
    return Col("T", (scheme, year))


def add_scheme_totals(m: LpModel) -> None:
    """T[k,y] = Σ_{s∈k} t[s,y], once."""
    if "T" in m.cols:
        return
    ds = m.inputs.dataset
    t = m.cols["t"]
    m.col_block("T").structural = (0.0, INF)
    for k in ds.schemes.index:
        members = ds.services.index[ds.services["scheme_id"] == k]
        for y in m.years:
            T = add_column(m, "T", (k, y))
            add_row(m, "scheme_total", (k, y), [(T, 1.0), *((t[(s, y)], -1.0) for s in members)],
                    "==", 0.0)


def _scheme_column(m: LpModel, inputs: ModelInputs, column: str) -> np.ndarray:
    schemes = inputs.dataset.schemes
    return m.memo(f"schemes.{column}", lambda: schemes[column].loc[
        [k for k, _ in m.cols["T"].keys]].to_numpy(dtype=float))


def _scheme_limits(family: LimitFamily, s: Solved, amounts: np.ndarray, side: str,
                   words: str) -> list[Limit]:
    names = s.inputs.dataset.schemes["name"]
    out = []
    for (k, y), amount in zip(s.model.cols["T"].keys, amounts, strict=True):
        ref = scheme_total(k, y)
        if (side == "hi" or amount > 0) and at(s.value(ref), amount):
            out.append(Limit(family.family, y, names[k], amount,
                             f"{names[k]} {words} of £{amount:,.0f} in {fy(y)}.", ref,
                             "lo" if side == "lo" else "hi", (k,)))
    return out


class SchemeFloor(LimitFamily):
    meaning = 'the least a scheme must receive'
    at_limit = "at its scheme's floor"
    because = 'the scheme sits at its floor'
    relax_cost = 3.0

    def build(self, m: LpModel) -> None:
        add_scheme_totals(m)

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        lo = _scheme_column(m, inputs, "floor_gbp")
        return [Bounds("col", "T", lo, np.full(len(lo), np.inf))]

    def binding(self, s: Solved) -> list[Limit]:
        floors = _scheme_column(s.model, s.inputs, "floor_gbp")
        return _scheme_limits(self, s, floors, "lo", "is held at its floor")

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return [{limit.ref: widen(bounds(limit.ref), down=step, floor=0.0)}]

    def relax(self, el: ElasticModel) -> None:
        names = el.inputs.dataset.schemes["name"]
        T = el.m.cols["T"]
        floors = _scheme_column(el.m, el.inputs, "floor_gbp")
        for (k, y), v, floor in zip(T.keys, T.items, floors, strict=True):
            if floor > 0:
                el.relax(self, Col("T", (k, y)), [(v, 1.0)], ">=", float(floor),
                         SlackSpec("lo", y, names[k], float(floor), k, 1.0))

    def relaxation(self, slack: Slack, amount: float) -> str:
        return (f"Lower the floor of {slack.subject} in {fy(slack.year)} from "
                f"{money(slack.limit_gbp)} to {money(slack.limit_gbp - amount)}.")

    def context(self, inputs: ModelInputs, families_by_year: dict[int, set[Family]]
                ) -> list[str]:
        """In a year whose fix lowers floors, floors that add up to more than the money
        available explain the conflict by themselves. (When they do, the fix always lowers
        floors in that year: a £ of floor costs less to move than a £ of funding to add.)"""
        out = []
        for y in sorted(families_by_year):
            if self.family not in families_by_year[y]:
                continue
            floors = float(inputs.dataset.schemes["floor_gbp"].sum())
            available = inputs.total_available(y)
            if floors > available:
                out.append(f"Scheme floors add up to {money(floors)} in {fy(y)} but only "
                           f"{money(available)} is available: lower floors by at least "
                           f"{money(floors - available)}, or add funding.")
        return out


class SchemeCap(LimitFamily):
    meaning = 'the most a scheme may receive'
    at_limit = "at its scheme's cap"
    because = 'the scheme sits at its cap'

    def build(self, m: LpModel) -> None:
        add_scheme_totals(m)

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        hi = _scheme_column(m, inputs, "cap_gbp")
        return [Bounds("col", "T", np.full(len(hi), -np.inf), hi)]

    def binding(self, s: Solved) -> list[Limit]:
        caps = _scheme_column(s.model, s.inputs, "cap_gbp")
        return _scheme_limits(self, s, caps, "hi", "is at its cap")

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return [{limit.ref: widen(bounds(limit.ref), up=step)}]
