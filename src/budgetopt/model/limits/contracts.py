"""Contracts: a committed contract holds its value, with its annual uplift, to its end year.

A contract fixes the service total ``t[s,y]`` at the contracted value
``value · (1 + uplift)^(y − base year)`` in every plan year up to ``contract_end_year``. Varying a
contract is possible but dearest of all moves in the diagnosis (10 per £): it means renegotiating
with a provider.
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
    either_way,
    own_bounds,
    service_rows,
    service_total_limits,
)
from budgetopt.model.lp import Col, LpModel

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.elastic import ElasticModel


def contract_bounds(m: LpModel, inputs: ModelInputs) -> Bounds:
    """Each service total held at its contract's value (±inf where no contract binds)."""
    return m.memo("contracts", lambda: _contract_bounds(m, inputs))


def _contract_bounds(m: LpModel, inputs: ModelInputs) -> Bounds:
    rows = service_rows(m, inputs)
    year = np.array([y for _, y in m.cols["t"].keys], dtype=float)
    value = rows["contract_value_gbp"].to_numpy(dtype=float)
    active = ((np.nan_to_num(value) > 0)
              & (year <= rows["contract_end_year"].to_numpy(dtype=float)))
    uplift = np.nan_to_num(rows["contract_uplift"].to_numpy(dtype=float))
    c = value * (1 + uplift) ** (year - inputs.base_year)
    return Bounds("col", "t", np.where(active, c, -np.inf), np.where(active, c, np.inf))


class Contracts(LimitFamily):
    relax_cost = 10.0

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        return [contract_bounds(m, inputs)]

    def binding(self, s: Solved) -> list[Limit]:
        provider = s.inputs.dataset.services["provider"]
        return service_total_limits(
            self, s, contract_bounds(s.model, s.inputs).lo, "lo",
            lambda name, sid, y, v: f"The contract with {provider[sid]} fixes £{v:,.0f} for "
            f"{name} in {fy(y)}.")

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return either_way(limit, bounds, step)

    def relax(self, el: ElasticModel) -> None:
        fixed_amount_slack(self, el)

    def relaxation(self, slack: Slack, amount: float) -> str:
        verb = "down" if slack.side == "lo" else "up"
        return (f"Vary the contract for {slack.subject} in {fy(slack.year)} {verb} by "
                f"{money(amount)} (from {money(slack.limit_gbp)}).")


def fixed_amount_slack(family: LimitFamily, el: ElasticModel) -> None:
    """Slack both ways on a family that fixes service totals at an amount (contracts, pins)."""
    t = el.m.cols["t"]
    names = el.inputs.dataset.services["name"]
    own = own_bounds(family, el.m, el.inputs)
    for (sid, y), v, lo, hi in zip(t.keys, t.items, own.lo, own.hi, strict=True):
        if np.isinf(hi):
            continue
        ref, rank = Col("t", (sid, y)), el.service_rank(sid)
        if lo > 0:
            el.relax(family, ref, [(v, 1.0)], ">=", float(lo),
                     SlackSpec("lo", y, names[sid], float(lo), sid, 1.0, rank))
        el.relax(family, ref, [(v, 1.0)], "<=", float(hi),
                 SlackSpec("hi", y, names[sid], float(hi), sid, -1.0, rank))
