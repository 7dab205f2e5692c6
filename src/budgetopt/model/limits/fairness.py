"""Fairness: within an area-split scheme, each area's share stays within ±τ of its need share.

The band depends on a decision (the scheme's area-split total), so it needs rows:
``X[k,a,y] ≤ (1+τ)·n·S[k,y]`` (``fair_hi``) and ``X[k,a,y] ≥ (1−τ)·n·S[k,y]`` (``fair_lo``), where
``X`` is the area's money in the scheme (``fair_area`` rows) and ``S`` the scheme's area-split
total (``fair_total``). Acting on these aggregate columns, a change of τ edits exactly two
coefficients per area: the coefficients are the numbers a scenario changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from budgetopt.core.text import fy, money
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    BoundsOf,
    Coefficients,
    Limit,
    LimitFamily,
    Numbers,
    Release,
    Slack,
    SlackSpec,
    Solved,
    widen,
)
from budgetopt.model.lp import Col, LpModel, Row, add_column, add_row

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.elastic import ElasticModel

SHARE_TOLERANCE = 1e-6  # a share this close to the band's edge is at it


def band(tau: float, need_share: float | np.ndarray) -> tuple:
    """Coefficients of S in the fair_hi and fair_lo rows: −(1±τ)·need share."""
    return -(1 + tau) * need_share, -(1 - tau) * need_share


class Fairness(LimitFamily):
    meaning = "how far an area's share may stray from its need share"
    at_limit = 'at the fairness band'
    because = "{who}'s split between areas is at the edge of the fairness band"
    relax_cost = 2.0
    replaces_rows = ("fair_hi", "fair_lo")

    def build(self, m: LpModel) -> None:
        ds = m.inputs.dataset
        split = ds.services[ds.services["area_split"].astype(bool)]
        tau = m.inputs.scenario.fairness_tolerance
        for k in ds.need_shares.index:
            members = split.index[split["scheme_id"] == k]
            if members.empty:
                continue
            for y in m.years:
                S = add_column(m, "S", (k, y))
                area_cols = []
                for a in ds.areas.index:
                    X = add_column(m, "X", (k, a, y))
                    area_cols.append(X)
                    add_row(m, "fair_area", (k, a, y),
                            [(X, 1.0), *((z, -1.0) for s in members for z in m.cells[(s, a, y)])],
                            "==", 0.0)
                add_row(m, "fair_total", (k, y), [(S, 1.0), *((X, -1.0) for X in area_cols)],
                        "==", 0.0)
                for a, X in zip(ds.areas.index, area_cols, strict=True):
                    c_hi, c_lo = band(tau, float(ds.need_shares.at[k, a]))
                    add_row(m, "fair_hi", (k, a, y), [(X, 1.0), (S, c_hi)], "<=", 0.0)
                    add_row(m, "fair_lo", (k, a, y), [(X, 1.0), (S, c_lo)], ">=", 0.0)

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        if "fair_hi" not in m.rows:
            return []
        keys = m.rows["fair_hi"].keys
        shares = inputs.dataset.need_shares  # a robustness draw gives other need shares
        rows, cols = m.memo("fairness.need", lambda: (
            shares.index.get_indexer([k for k, _, _ in keys]),
            shares.columns.get_indexer([a for _, a, _ in keys])))
        n = shares.to_numpy(dtype=float)[rows, cols]
        c_hi, c_lo = band(inputs.scenario.fairness_tolerance, n)
        s_cols = m.memo("fairness.S", lambda: [Col("S", (k, y)) for k, _, y in keys])
        return [Coefficients("fair_hi", s_cols, c_hi), Coefficients("fair_lo", s_cols, c_lo)]

    def binding(self, s: Solved) -> list[Limit]:
        numbers = self.numbers(s.model, s.inputs)
        if not numbers:
            return []
        ds = s.inputs.dataset
        hi_c, lo_c = (n.values for n in numbers if isinstance(n, Coefficients))
        out = []
        for (k, a, y), c_hi, c_lo in zip(s.model.rows["fair_hi"].keys, hi_c, lo_c, strict=True):
            X, S = s.value(Col("X", (k, a, y))), s.value(Col("S", (k, y)))
            share = X / S if S > 0 else 0.0
            edge = ("most" if abs(share + c_hi) < SHARE_TOLERANCE else
                    "least" if abs(share + c_lo) < SHARE_TOLERANCE else None)
            if edge is None:
                continue
            area, scheme = ds.areas.at[a, "name"], ds.schemes.at[k, "name"]
            need = float(ds.need_shares.at[k, a])
            row = Row("fair_hi" if edge == "most" else "fair_lo", (k, a, y))
            out.append(Limit(self.family, y, f"{area} ({scheme})", X,
                             f"{area} receives the {edge} the fairness band allows in {scheme}, "
                             f"{share:.1%} against a need share of {need:.1%}, in {fy(y)}.",
                             row, "hi" if edge == "most" else "lo", (k, a)))
        return out

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        if limit.side == "hi":
            return [{limit.ref: widen(bounds(limit.ref), up=step)}]
        return [{limit.ref: widen(bounds(limit.ref), down=step)}]

    def relax(self, el: ElasticModel) -> None:
        numbers = self.numbers(el.m, el.inputs)
        if not numbers:
            return
        ds, cols = el.inputs.dataset, el.m.cols
        hi_c, lo_c = (n.values for n in numbers if isinstance(n, Coefficients))
        for (k, a, y), c_hi, c_lo in zip(el.m.rows["fair_hi"].keys, hi_c, lo_c, strict=True):
            X, S = cols["X"][(k, a, y)], cols["S"][(k, y)]
            subject = f"{ds.areas.at[a, 'name']}'s share of {ds.schemes.at[k, 'name']}"
            ref = Row("fair_hi", (k, a, y))  # both sides, so they stay side by side
            el.relax(self, ref, [(X, 1.0), (S, float(c_hi))], "<=", 0.0,
                     SlackSpec("hi", y, subject, 0.0, (k, a), -1.0))
            el.relax(self, ref, [(X, 1.0), (S, float(c_lo))], ">=", 0.0,
                     SlackSpec("lo", y, subject, 0.0, (k, a), 1.0))

    def relaxation(self, slack: Slack, amount: float) -> str:
        word = "above" if slack.side == "hi" else "below"
        return (f"Let {slack.subject} go {money(amount)} {word} its fairness band in "
                f"{fy(slack.year)}.")
