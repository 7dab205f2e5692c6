"""Funding: what each stream brings, where it may go, and that it is spent.

Flows ``g[f,s,y]`` carry stream f's money to service s; a ring-fenced stream has a flow column
only to the schemes its grant conditions name, so eligibility is structural and can never be
relaxed. ``flow_balance`` rows make the flows into a service equal its total; each ``stream``
row spends at most the stream's amount (exactly it when it must be spent in year). The amounts
are the numbers a scenario changes (overrides, a budget change on the core stream).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from budgetopt.core.text import fy, money
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    Bounds,
    BoundsOf,
    Limit,
    LimitFamily,
    Numbers,
    Release,
    Row,
    Slack,
    SlackSpec,
    Solved,
    at,
)
from budgetopt.model.lp import Interval, LpModel, add_column, add_row

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.elastic import ElasticModel


class Funding(LimitFamily):
    meaning = 'the money each stream brings, and the schemes ring-fenced money may fund'
    at_limit = 'held by its funding'
    because = 'the funding available decides it'
    relax_cost = 4.0
    replaces_rows = ("stream",)

    def build(self, m: LpModel) -> None:
        ds = m.inputs.dataset
        flows_in: dict[tuple, list] = {}
        spend: dict[tuple, list] = {}
        scheme_of = ds.services["scheme_id"].to_dict()
        for f in ds.streams.index:
            eligible = ds.eligible_schemes(f)
            for s, scheme in scheme_of.items():
                if scheme not in eligible:
                    continue
                for y in m.years:
                    g = add_column(m, "g", (f, s, y))
                    flows_in.setdefault((s, y), []).append(g)
                    spend.setdefault((f, y), []).append(g)
        t = m.cols["t"]
        for key in t.keys:
            terms = [(g, 1.0) for g in flows_in.get(key, [])]
            add_row(m, "flow_balance", key, [*terms, (t[key], -1.0)], "==", 0.0)
        for f in ds.streams.index:
            for y in m.years:
                add_row(m, "stream", (f, y), [(g, 1.0) for g in spend.get((f, y), [])], "<=",
                        0.0)

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        """Row bounds of stream[f,y]: spend at most the amount, exactly it if it must be spent."""
        amounts = inputs.stream_amounts
        layout = ("stream.cells", tuple(amounts.index), tuple(amounts.columns))
        rows, cols = m.memo(layout, lambda: _cells(m, amounts.index, amounts.columns))
        hi = amounts.to_numpy(dtype=float)[rows, cols]
        must = m.memo("stream.must", lambda: inputs.dataset.streams["must_spend"].loc[
            [f for f, _ in m.rows["stream"].keys]].to_numpy(dtype=bool))
        return [Bounds("row", "stream", np.where(must, hi, -np.inf), hi)]

    def binding(self, s: Solved) -> list[Limit]:
        streams = s.inputs.dataset.streams
        out = []
        for f, y in s.model.rows["stream"].keys:
            if streams.at[f, "must_spend"]:
                continue
            ref = Row("stream", (f, y))
            available = s.bounds(ref)[1]
            if at(s.value(ref), available):
                name = streams.at[f, "name"]
                out.append(Limit(self.family, y, name, available,
                                 f"All of the {name} (£{available:,.0f}) is allocated in "
                                 f"{fy(y)}.", ref, "hi", (f,)))
        return out

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        return [{limit.ref: with_more(bounds(limit.ref), step)}]

    def relax(self, el: ElasticModel) -> None:
        m, inputs = el.m, el.inputs
        streams = inputs.dataset.streams
        spend: dict[tuple, list] = {}
        for (f, _s, y), g in zip(m.cols["g"].keys, m.cols["g"].items, strict=True):
            spend.setdefault((f, y), []).append(g)
        for f, y in m.rows["stream"].keys:
            amount = float(inputs.stream_amounts.at[f, y])
            name = streams.at[f, "name"]
            terms = [(g, 1.0) for g in spend.get((f, y), [])]
            up = SlackSpec("hi", y, name, amount, f, -1.0)
            if streams.at[f, "must_spend"]:
                el.relax(self, Row("stream", (f, y)), terms, "==", amount, up,
                         SlackSpec("lo", y, name, amount, f, 1.0))
            else:
                el.relax(self, Row("stream", (f, y)), terms, "<=", amount, up)

    def relaxation(self, slack: Slack, amount: float) -> str:
        when = fy(slack.year)
        if slack.side == "hi":
            return (f"Add {money(amount)} to the {slack.subject} in {when} "
                    f"(from {money(slack.limit_gbp)}).")
        return (f"Leave {money(amount)} of the {slack.subject} unspent in {when}: it must be "
                "spent, but the services it may fund cannot use it.")


def _cells(m: LpModel, streams: pd.Index, years: pd.Index) -> tuple[np.ndarray, np.ndarray]:
    """Where each stream row's amount sits in a streams × years table of amounts."""
    keys = m.rows["stream"].keys
    return (streams.get_indexer([f for f, _ in keys]), years.get_indexer([y for _, y in keys]))


def stream_row(stream: str, year: int) -> Row:
    """The row that limits what ``stream`` spends in ``year``."""
    return Row("stream", (stream, year))


def with_more(bounds: Interval, delta: float) -> Interval:
    """A stream row's bounds with ``delta`` more money (less, if negative; never below £0): a
    must-spend stream must spend the new amount, another may spend up to it."""
    lo, hi = bounds
    new_hi = max(0.0, hi + delta)
    return (new_hi if np.isfinite(lo) else lo, new_hi)


def core_stream(inputs: ModelInputs) -> str:
    """The stream a change to the total budget falls on: the first unrestricted one."""
    streams = inputs.dataset.streams
    unrestricted = streams.index[~streams["ring_fenced"].astype(bool)]
    return str(unrestricted[0] if len(unrestricted) else streams.index[0])
