"""Service limits: each service's minimum (what keeps it viable) and its capacity.

Both are bounds on the service total ``t[s,y]``, taken from ``services.csv``. The minimum can be
lowered to make a scenario possible (at a cost per £ in the diagnosis); capacity is a physical
limit and never relaxes.
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
    own_bounds,
    service_rows,
    service_total_limits,
    widen,
)
from budgetopt.model.limits.contracts import contract_bounds
from budgetopt.model.lp import Col, LpModel

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.elastic import ElasticModel


class ServiceMinimum(LimitFamily):
    meaning = 'the least a service needs to keep running'
    at_limit = 'at its minimum'
    commits = 'service minimums'
    because = '{who} is held at its minimum: its next £ buys less social value than elsewhere'
    relax_cost = 3.0

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        return [m.memo("minimum", lambda: Bounds(
            "col", "t", service_rows(m, inputs)["min_gbp"].to_numpy(dtype=float),
            np.full(len(m.cols["t"]), np.inf)))]

    def binding(self, s: Solved) -> list[Limit]:
        """A minimum above £0 that holds a service with no contract that year."""
        lo = own_bounds(self, s.model, s.inputs).lo
        no_contract = np.isinf(contract_bounds(s.model, s.inputs).lo)
        return service_total_limits(
            self, s, lo, "lo", lambda name, _s, y, v: f"{name} is held at its minimum of "
            f"£{v:,.0f} in {fy(y)}.", keep=(lo > 0) & no_contract)

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return [{limit.ref: widen(bounds(limit.ref), down=step, floor=0.0)}]

    def relax(self, el: ElasticModel) -> None:
        t = el.m.cols["t"]
        names = el.inputs.dataset.services["name"]
        own = own_bounds(self, el.m, el.inputs)
        for (sid, y), v, lo in zip(t.keys, t.items, own.lo, strict=True):
            if lo > 0:
                el.relax(self, Col("t", (sid, y)), [(v, 1.0)], ">=", float(lo),
                         SlackSpec("lo", y, names[sid], float(lo), sid, 1.0,
                                   el.service_rank(sid)))

    def relaxation(self, slack: Slack, amount: float) -> str:
        return (f"Lower the minimum of {slack.subject} in {fy(slack.year)} from "
                f"{money(slack.limit_gbp)} to {money(slack.limit_gbp - amount)}.")


class Capacity(LimitFamily):
    meaning = 'the most a service can use'
    at_limit = 'at its capacity'
    because = '{who} is at its capacity'

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        return [m.memo("capacity", lambda: Bounds(
            "col", "t", np.full(len(m.cols["t"]), -np.inf),
            service_rows(m, inputs)["capacity_gbp"].to_numpy(dtype=float)))]

    def binding(self, s: Solved) -> list[Limit]:
        return service_total_limits(
            self, s, own_bounds(self, s.model, s.inputs).hi, "hi",
            lambda name, _s, y, v: f"{name} is at its capacity of £{v:,.0f} in {fy(y)}.")

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return [{limit.ref: widen(bounds(limit.ref), up=step)}]
