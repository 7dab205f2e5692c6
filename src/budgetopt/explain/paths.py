"""Reversals: services whose money rises and falls back (or falls and rises again) in the plan.

The framework asks for "sustainable, stable and consistent service provision", so the second
stage of the solve prefers steady paths among equally valuable plans (docs/model.md). A reversal
that remains is there because value or a limit asks for it — money that exists in one year
only, a contract's uplift, a grant that ends. :func:`reversals` finds each one — a year, or a
run of years at one level (a plateau), above both neighbours or below both — and prices it by
re-solving the plan warm twice without it: once with the move into it held flat or reversed (no
rise into a peak, no fall into a dip), once with the move out (no fall back, no rise again). The
value the better of the two loses is what the reversal buys; when neither can be met, a limit
holds the service there. The moves of a continuing service are the stability columns ``d``; a
service with no base-year money has none, and the years of its reversal are held to its
neighbours' level instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from budgetopt.core.text import fy, money
from budgetopt.explain.frontier import MOVED
from budgetopt.model.limits import Limit
from budgetopt.model.limits.stability import MOVES
from budgetopt.model.lp import Col, Interval, Ref
from budgetopt.solve.allocator import Allocator, Solution

VALUE_TOLERANCE = 0.5  # £ of priority-weighted value (or 1e-9 of the objective): "equally valuable"


@dataclass(frozen=True)
class Reversal:
    service_id: str
    name: str
    years: tuple[int, ...]  # the year before (the base year for the first plan year), the years
    # that peak or dip (more than one for a plateau), the year after
    amounts: tuple[float, ...]  # the service's totals in those years
    kind: str  # "peak" or "dip"
    value_lost_gbp: float | None  # priority-weighted value a steadier path loses; None when
    # no steadier path could be priced (``held`` says whether limits forbid one)
    held: bool  # every steadier path is infeasible: a limit holds the service there
    needed: bool  # value or a limit asks for it (else an equally valuable steadier plan exists,
    # which the solve should have chosen, or pricing it failed)
    sentence: str


def reversals(alloc: Allocator, base: Solution,
              shown: dict[tuple[str, int], float] | None = None,
              limits: list[Limit] | None = None) -> list[Reversal]:
    """Every reversal in ``base``'s service totals, with what a steadier path would cost.
    ``shown`` are the service totals as the paper's tables show them (whole pounds), for the
    amounts the sentences quote; the reversals themselves are found on the exact totals.
    ``limits`` are the limits ``base`` sits against, to name those that hold a service."""
    assert base.values is not None and base.objective is not None
    inputs = alloc.inputs
    ds = inputs.dataset
    t = base.values.block("t")
    last = ds.services["last_year_gbp"].astype(float)
    moves = alloc.model.cols.get(MOVES)
    tolerance = max(VALUE_TOLERANCE, 1e-9 * abs(base.objective))
    labels = [inputs.base_year, *inputs.years]
    out = []
    for s in ds.services.index:
        path = [float(last[s]), *(t[(s, y)] for y in inputs.years)]
        for first, end in _turns(path):
            before, level, after = path[first - 1], path[first], path[end + 1]
            peak = level > before
            middle = labels[first:end + 1]
            if moves is not None and (s, middle[0]) in moves:
                ways = [_no_move(alloc, Col(MOVES, (s, middle[0])), rising=peak),
                        _no_move(alloc, Col(MOVES, (s, labels[end + 1])), rising=not peak)]
            else:
                ways = [{ref: _held(alloc.bounds(ref), before, after, peak)
                         for ref in (Col("t", (s, y)) for y in middle)}]
            lost, held = _least_loss(alloc, base.objective, ways)
            near = tuple(labels[first - 1:end + 2])
            amounts = tuple(float(last[s]) if y == inputs.base_year
                            else (shown[(s, y)] if shown is not None else t[(s, y)])
                            for y in near)
            name = ds.services.at[s, "name"]
            kind = "peak" if peak else "dip"
            needed = held or (lost is not None and lost > tolerance)
            holding = [lim for lim in limits or [] if lim.key == (s,) and lim.year in near[1:]]
            out.append(Reversal(s, name, near, amounts, kind, lost, held, needed,
                                _sentence(name, kind, near, amounts, lost, held, needed,
                                          holding)))
    return out


def _turns(path: list[float]) -> list[tuple[int, int]]:
    """Runs of the path (first and last index) at one level — steps within :data:`MOVED` —
    that lie above both neighbouring levels or below both."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(path) + 1):
        if i == len(path) or abs(path[i] - path[i - 1]) > MOVED:
            runs.append((start, i - 1))
            start = i
    out = []
    for (_, prev_end), (first, end), (after, _) in zip(runs, runs[1:], runs[2:], strict=False):
        up, down = path[first] - path[prev_end], path[after] - path[end]
        if (up > MOVED and down < -MOVED) or (up < -MOVED and down > MOVED):
            out.append((first, end))
    return out


def _no_move(alloc: Allocator, ref: Col, rising: bool) -> dict[Ref, Interval]:
    """Bounds on a move column that forbid it to rise (``rising``) or to fall."""
    lo, hi = alloc.bounds(ref)
    return {ref: (lo, min(hi, 0.0)) if rising else (max(lo, 0.0), hi)}


def _held(bounds: Interval, before: float, after: float, peak: bool) -> Interval:
    """A service total's bounds with a peak cut to its higher neighbour (a dip raised to its
    lower one)."""
    lo, hi = bounds
    return (lo, min(hi, max(before, after))) if peak else (max(lo, min(before, after)), hi)


def _least_loss(alloc: Allocator, objective: float,
                ways: list[dict[Ref, Interval]]) -> tuple[float | None, bool]:
    """The least priority-weighted value lost over the ways of steadying, and whether every
    way is infeasible (limits hold the service). A solver fault is neither: (None, False)."""
    losses, infeasible = [], 0
    for changes in ways:
        if any(lo > hi for lo, hi in changes.values()):
            infeasible += 1
            continue
        with alloc.adjusted(changes):
            sol = alloc.solve()
        if sol.status.is_optimal and sol.objective is not None:
            losses.append(max(0.0, objective - sol.objective))
        elif sol.status.is_infeasible:
            infeasible += 1
    if losses:
        return min(losses), False
    return None, infeasible == len(ways)


def _sentence(name: str, kind: str, years: tuple[int, ...], amounts: tuple[float, ...],
              lost: float | None, held: bool, needed: bool, holding: list[Limit]) -> str:
    word = "rises" if kind == "peak" else "falls"
    back = "falls back" if kind == "peak" else "rises again"
    stays = f", stays there to {fy(years[-2])}," if len(years) > 3 else ""
    text = (f"{name} {word} from {money(amounts[0])} in {fy(years[0])} to "
            f"{money(amounts[1])} in {fy(years[1])}{stays} and {back} to {money(amounts[-1])} "
            f"in {fy(years[-1])}: ")
    if held:
        when: dict[str, list[str]] = {}
        for lim in holding:
            when.setdefault(str(lim.family), []).append(fy(lim.year))
        named = "; ".join(f"{family} in {', '.join(dict.fromkeys(ys))}"
                          for family, ys in when.items())
        return text + (f"the limits it sits against hold it there ({named})." if named else
                       "limits on its scheme or its funding hold it there.")
    if lost is None:
        return text + "what a steadier path would cost could not be computed (a solver fault)."
    if not needed:
        return text + ("an equally valuable steadier path exists, which the solve should have "
                       "chosen: please report this.")
    return text + (f"a steadier path would lose an estimated {money(lost)} of priority-weighted "
                   "social value, as the money is worth more "
                   + ("there that year." if kind == "peak" else "elsewhere that year."))
