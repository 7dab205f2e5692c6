"""The budget frontier: the best social value across total budgets, from warm re-solves.

The kept model is re-solved with the unrestricted core stream changed in every plan year —
70–130% of the scenario's total budget by default — and the order in which services lose money
as the budget falls, and gain it as it rises, is read off the first plan year. Points that cannot
be met get their smallest fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    totals = {y: inputs.total_available(y) for y in inputs.years}
    held = {y: alloc.bounds(stream_row(f, y)) for y in inputs.years}
    feasible = _trial(alloc, f, held, lambda y, k: (k - 1) * totals[y])
    return _edge(feasible, 1.0, core_floor(alloc), high, tolerance)


def stream_edge(alloc: Allocator, stream: str, reference: Mapping[int, float],
                tolerance: float = 0.0005, high: float = 1.0) -> float | None:
    """The same edge for one stream alone, the others held, as a factor of ``reference`` (its
    amount in each plan year before any change): where the scenario can be met, the least
    factor that still can (down to none of the stream); where it cannot, the factor nearest to
    the scenario's that can, up to ``high``. None when the stream has no reference amount in
    the plan years or no amount of it alone makes the scenario possible. The set of amounts at
    which a linear programme can be met is an interval, so bisection finds its edge."""
    years = [y for y in alloc.inputs.years if reference.get(y, 0) > 0]
    if not years:
        return None
    held = {y: alloc.bounds(stream_row(stream, y)) for y in years}
    at = held[years[0]][1] / reference[years[0]]
    feasible = _trial(alloc, stream, held, lambda y, k: k * reference[y] - held[y][1])
    return _edge(feasible, at, 0.0, high, tolerance)


def _trial(alloc: Allocator, stream: str, held: dict[int, Interval],
           extra: Callable[[int, float], float]) -> Callable[[float], bool]:
    """Whether the kept model can be met at a factor: ``stream``'s row in each year of
    ``held`` (its bounds as set) given ``extra(year, factor)`` more money; one warm value-only
    solve."""
    def feasible(factor: float) -> bool:
        changes: dict[Ref, Interval] = {stream_row(stream, y): with_more(b, extra(y, factor))
                                        for y, b in held.items()}
        with alloc.adjusted(changes):
            return alloc.solve(stages=1).status.is_optimal
    return feasible


def _edge(feasible: Callable[[float], bool], at: float, floor: float, high: float,
          tolerance: float) -> float | None:
    """The edge of the interval of factors in [floor, high] that can be met, found from ``at``
    (the scenario as it stands) by bisection to within ``tolerance``, always on the side that
    can be met. When ``at`` can be met: the least factor that can. When it cannot: the factor
    nearest to it that can, looking for one that can at 1 (the reference amounts), ``high``
    and ``floor``, nearest first — a must-spend stream can be met only between two edges. None
    when none of these can be met."""
    if feasible(at):
        if feasible(floor):
            return floor
        lo, hi = floor, at  # lo cannot be met, hi can
    else:
        tries = sorted({1.0, high, floor} - {at}, key=lambda k: abs(k - at))
        found = next((k for k in tries if floor <= k <= high and feasible(k)), None)
        if found is None:
            return None
        if found < at:  # too much of a must-spend stream: the most that can be met
            lo, hi = found, at  # lo can be met, hi cannot
            while hi - lo > tolerance:
                mid = (lo + hi) / 2
                lo, hi = (mid, hi) if feasible(mid) else (lo, mid)
            return lo
        lo, hi = at, found
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
