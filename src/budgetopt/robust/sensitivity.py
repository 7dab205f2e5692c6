"""Which evidence matters most: one uncertain input at a time, at its P10 and at its P90.

For each uncertain input — each service's effect, each outcome's value, each area's need share
in each area-split scheme, each stream's unconfirmed funding — the plan is re-solved (warm, from
the point plan's state) with that input at the 10th and at the 90th percentile of its spread
and everything else at its point value. Two swings are measured: the plan's priority-weighted
value, and the allocation — £ moved between services, the sum of the service totals' changes
over the plan years, halved (money that leaves one service arrives at another). Inputs are
ranked by the allocation's swing: the evidence to strengthen first is the evidence whose range
would change the recommendation most.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.core.text import fy
from budgetopt.data.inputs import ModelInputs
from budgetopt.data.uncertainty import Draws
from budgetopt.solve.allocator import Allocator

Z90 = 1.2815515655446004  # the standard normal's 90th percentile


@dataclass(frozen=True)
class Input:
    """One uncertain input: what it is, how it is named, and its log-sd."""

    kind: str  # effect, outcome_value, need, funding
    key: tuple[str, ...]  # (service,), (outcome,), (scheme, area), (stream,)
    label: str
    log_sd: float


def uncertain_inputs(inputs: ModelInputs) -> list[Input]:
    """Every input with a spread above 0, in the order of docs/model.md's groups."""
    ds = inputs.dataset
    spread = ds.uncertainty["log_sd"]
    out = []
    for s, rating in ds.services["evidence"].items():
        sd = float(spread.get(("effect", rating), 0.0))
        if sd > 0:
            out.append(Input("effect", (s,), f"Effect of {ds.services.at[s, 'name']}", sd))
    for o in ds.outcomes.index:
        sd = float(spread.get(("outcome_value", o), 0.0))
        if sd > 0:
            out.append(Input("outcome_value", (o,), f"Value of one {ds.outcomes.at[o, 'unit']}",
                             sd))
    for k in ds.need_shares.index:
        sd = float(spread.get(("need", k), 0.0))
        for a in ds.need_shares.columns if sd > 0 else ():
            out.append(Input("need", (k, a), f"Need of {ds.areas.at[a, 'name']} in "
                             f"{ds.schemes.at[k, 'name']}", sd))
    for (kind, f), row in ds.uncertainty.iterrows():
        if kind == "funding" and row["log_sd"] > 0:
            out.append(Input("funding", (f,), f"Funding of {ds.streams.at[f, 'name']} from "
                             f"{fy(int(row['from_year']))}", float(row["log_sd"])))
    return out


def one_at_a_time(inputs: ModelInputs, items: list[Input], seed: int = 0) -> Draws:
    """Two draws per input (its P10, then its P90), every other figure at its point value."""
    ds = inputs.dataset
    n = 2 * len(items)
    index = pd.RangeIndex(n, name="draw")
    effect = pd.DataFrame(1.0, index=index, columns=ds.services.index)
    value = pd.DataFrame(1.0, index=index, columns=ds.outcomes.index)
    need = {k: pd.DataFrame(np.tile(ds.need_shares.loc[k].to_numpy(), (n, 1)), index=index,
                            columns=ds.need_shares.columns) for k in ds.need_shares.index}
    streams = [f for (kind, f) in ds.uncertainty.index if kind == "funding"]
    funding = pd.DataFrame(1.0, index=index, columns=pd.Index(streams, name="stream_id"))
    first = {f: int(ds.uncertainty.at[("funding", f), "from_year"]) for f in streams}
    for j, item in enumerate(items):
        for row, z in ((2 * j, -Z90), (2 * j + 1, Z90)):
            m = float(np.exp(z * item.log_sd))
            if item.kind == "effect":
                effect.at[row, item.key[0]] = m
            elif item.kind == "outcome_value":
                value.at[row, item.key[0]] = m
            elif item.kind == "funding":
                funding.at[row, item.key[0]] = m
            else:
                shares = need[item.key[0]].loc[row].copy()
                shares[item.key[1]] *= m
                need[item.key[0]].loc[row] = (shares / shares.sum()).to_numpy()
    return Draws(seed, effect, value, need, funding, first)


def sensitivity(inputs: ModelInputs, alloc: Allocator | None = None) -> pd.DataFrame:
    """The ranked table: input, its P10 and P90 multipliers, the plan's value at each (and at
    the point figures), and the £ of allocation each moves; largest allocation swing first."""
    items = uncertain_inputs(inputs)
    columns = ["input", "kind", "p10_multiplier", "p90_multiplier", "value_p10_gbp",
               "value_point_gbp", "value_p90_gbp", "value_swing_gbp", "moved_p10_gbp",
               "moved_p90_gbp", "moved_gbp"]
    if not items:
        return pd.DataFrame(columns=columns)
    alloc = alloc or Allocator(inputs, "highs")
    base = alloc.solve(inputs, warm=False)
    assert base.values is not None and base.objective is not None
    state, point = alloc.warm_state(), base.values.array("t").copy()
    draws = one_at_a_time(inputs, items)
    rows = []
    for j, item in enumerate(items):
        ends = []
        for i in (2 * j, 2 * j + 1):
            sol = alloc.solve(draws.inputs(inputs, i), start=state, stages=2)
            ends.append((sol.objective, None if sol.values is None else
                         float(np.abs(sol.values.array("t") - point).sum() / 2)))
        (v10, m10), (v90, m90) = ends
        rows.append([item.label, item.kind, np.exp(-Z90 * item.log_sd),
                     np.exp(Z90 * item.log_sd), v10, base.objective, v90,
                     None if v10 is None or v90 is None else abs(v90 - v10), m10, m90,
                     max(m for m in (m10, m90) if m is not None) if (m10, m90) != (None, None)
                     else None])
    alloc.solve(inputs, start=state)  # leave the kept model as it was found
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["moved_gbp", "value_swing_gbp"], ascending=False,
                             na_position="first", ignore_index=True)
