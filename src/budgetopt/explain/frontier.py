"""The budget frontier: the best social value across total budgets, from warm re-solves.

The kept model is re-solved with the unrestricted core stream changed in every plan year —
70–130% of the scenario's total budget by default — and the order in which services lose money
as the budget falls, and gain it as it rises, is read off the first plan year. Points that cannot
be met get their smallest fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from budgetopt.explain.diagnose import Diagnosis, diagnose
from budgetopt.model.limits.funding import core_stream, stream_row, with_more
from budgetopt.model.lp import Interval, Ref
from budgetopt.solve.allocator import Allocator, Solution

MOVED = 1.0  # £: a service whose total moves by less is unchanged


@dataclass
class Frontier:
    points: pd.DataFrame  # factor, total_gbp (first year), status, social_value_gbp, objective
    disinvestment: list[tuple[str, float]]  # (service name, budget factor where it first loses)
    investment: list[tuple[str, float]]  # (service name, factor where it first gains)
    diagnoses: dict[float, Diagnosis] = field(default_factory=dict)


def year_totals(solution: Solution, year: int) -> pd.Series:
    """Service totals of one plan year in a solution."""
    assert solution.values is not None
    t = solution.values.block("t")
    return pd.Series({s: v for (s, y), v in t.items() if y == year})


def budget_frontier(alloc: Allocator, base: Solution, low: float = 0.7, high: float = 1.3,
                    points: int = 25, diagnose_infeasible: bool = True) -> Frontier:
    """Optimal social value across total budgets from ``low`` to ``high`` × the scenario's,
    changing the unrestricted stream in every plan year."""
    inputs = alloc.inputs
    f = core_stream(inputs)
    years = inputs.years
    first = years[0]
    totals = {y: inputs.total_available(y) for y in years}
    held = {y: alloc.bounds(stream_row(f, y)) for y in years}
    factors = np.round(np.linspace(low, high, points), 6)
    records, first_year, diagnoses = [], {}, {}
    for factor in factors:
        changes: dict[Ref, Interval] = {
            stream_row(f, y): with_more(held[y], (factor - 1) * totals[y]) for y in years}
        feasible_cut = all(held[y][1] + (factor - 1) * totals[y] >= 0 for y in years)
        with alloc.adjusted(changes):
            sol = alloc.solve()
        ok = sol.status.is_optimal and feasible_cut
        records.append({"factor": float(factor), "total_gbp": round(factor * totals[first]),
                        "status": "optimal" if ok else "infeasible",
                        "social_value_gbp": sol.social_value if ok else None,
                        "objective": sol.objective if ok else None})
        if ok:
            first_year[float(factor)] = year_totals(sol, first)
        elif diagnose_infeasible:
            diagnoses[float(factor)] = diagnose(inputs.with_budget_factor(f, float(factor)))
    names = inputs.dataset.services["name"]
    start = year_totals(base, first)
    down = sorted((x for x in first_year if x < 1), reverse=True)
    up = sorted(x for x in first_year if x > 1)
    return Frontier(pd.DataFrame(records),
                    _order(first_year, down, start, names, lower=True),
                    _order(first_year, up, start, names, lower=False), diagnoses)


def core_floor(alloc: Allocator) -> float:
    """The deepest cut the frontier can ask for, as a factor of the scenario's total: where
    the unrestricted stream reaches zero in some plan year."""
    inputs = alloc.inputs
    f = core_stream(inputs)
    totals = {y: inputs.total_available(y) for y in inputs.years}
    return max(1 - alloc.bounds(stream_row(f, y))[1] / totals[y]
               for y in inputs.years if totals[y] > 0)


def feasibility_edge(alloc: Allocator, tolerance: float = 0.0005,
                     high: float = 1.0) -> float | None:
    """The smallest total budget, as a factor of the scenario's, at which every limit can still
    be met — the cut is taken from the unrestricted stream in every plan year, as on the
    frontier. Found by bisection on warm value-only solves to within ``tolerance`` (a factor
    that is feasible: the edge is never overstated). When the scenario itself cannot be met,
    the least factor up to ``high`` (> 1: more money) that can; None when none can."""
    inputs = alloc.inputs
    f = core_stream(inputs)
    years = inputs.years
    totals = {y: inputs.total_available(y) for y in years}
    held = {y: alloc.bounds(stream_row(f, y)) for y in years}
    floor = core_floor(alloc)

    def feasible(factor: float) -> bool:
        changes: dict[Ref, Interval] = {
            stream_row(f, y): with_more(held[y], (factor - 1) * totals[y]) for y in years}
        with alloc.adjusted(changes):
            return alloc.solve(stages=1).status.is_optimal

    if not feasible(1.0):  # more money may make it possible: the least that does, up to high
        if high <= 1.0 or not feasible(high):
            return None
        lo, hi = 1.0, high
    elif feasible(floor):
        return floor
    else:
        lo, hi = floor, 1.0  # lo cannot be met, hi can
    while hi - lo > tolerance:
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if feasible(mid) else (mid, hi)
    return hi


def _order(by_factor: dict, factors: list[float], base: pd.Series, names: pd.Series,
           lower: bool) -> list[tuple[str, float]]:
    seen: dict[str, float] = {}
    for x in factors:
        diff = by_factor[x] - base
        hit = diff[diff < -MOVED] if lower else diff[diff > MOVED]
        for s in hit.sort_values(key=np.abs, ascending=False).index:
            seen.setdefault(s, x)
    return [(names[s], x) for s, x in seen.items()]
