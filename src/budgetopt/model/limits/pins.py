"""Pins: an amount the commissioner fixes for a service in a year, with the reason why.

A pin fixes ``t[s,y]`` at its amount. It is a choice, so it is the first thing the diagnosis
moves (1 per £), and the paper prices what each pin costs against the optimum without it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from budgetopt.core.text import fy, money
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    Bounds,
    FixedAmount,
    Numbers,
    Slack,
    Solved,
)
from budgetopt.model.lp import LpModel


class Pins(FixedAmount):
    meaning = 'amounts this scenario fixes'
    at_limit = 'pinned'
    commits = 'pins'
    because = 'the scenario pins {who}'
    relax_cost = 1.0

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        n = len(m.cols["t"])
        lo, hi = np.full(n, -np.inf), np.full(n, np.inf)
        pos = m.cols["t"].pos
        for pin in inputs.pins:
            i = pos[(pin.service, pin.year)]
            lo[i] = hi[i] = pin.amount_gbp
        return [Bounds("col", "t", lo, hi)]

    def held(self, s: Solved) -> Callable[[str, str, int, float], str]:
        reasons = {(p.service, p.year): p.reason for p in s.inputs.pins}
        return lambda name, sid, y, v: (f"{name} is pinned at £{v:,.0f} in {fy(y)}: "
                                        f"{reasons[(sid, y)]}")

    def relaxation(self, slack: Slack, amount: float) -> str:
        new = slack.limit_gbp - amount if slack.side == "lo" else slack.limit_gbp + amount
        return (f"Move the pin on {slack.subject} in {fy(slack.year)} from "
                f"{money(slack.limit_gbp)} to {money(new)}.")
