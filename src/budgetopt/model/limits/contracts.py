"""Contracts: a committed contract holds its value, with its annual uplift, to its end year.

A contract fixes the service total ``t[s,y]`` at the contracted value
``value · (1 + uplift)^(y − base year)`` in every plan year up to ``contract_end_year``. Varying a
contract is possible but dearest of all moves in the diagnosis (10 per £): it means renegotiating
with a provider.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from budgetopt.core.text import fy, money
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    Bounds,
    FixedAmount,
    Numbers,
    Slack,
    Solved,
    service_rows,
)
from budgetopt.model.lp import LpModel

if TYPE_CHECKING:  # pragma: no cover
    pass


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


class Contracts(FixedAmount):
    meaning = 'amounts fixed by a contract, with its agreed uplift'
    at_limit = 'held by its contract'
    commits = 'contracts'
    because = '{who} is held at its contract value, with the agreed uplift'
    relax_cost = 10.0

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        return [contract_bounds(m, inputs)]

    def held(self, s: Solved) -> Callable[[str, str, int, float], str]:
        provider = s.inputs.dataset.services["provider"]
        return lambda name, sid, y, v: (f"The contract with {provider[sid]} fixes £{v:,.0f} "
                                        f"for {name} in {fy(y)}.")

    def relaxation(self, slack: Slack, amount: float) -> str:
        verb = "down" if slack.side == "lo" else "up"
        return (f"Vary the contract for {slack.subject} in {fy(slack.year)} {verb} by "
                f"{money(amount)} (from {money(slack.limit_gbp)}).")
