"""Reversals: services whose money rises one year and falls back the next (or the other way).

The framework asks for "sustainable, stable and consistent service provision", so the second
stage of the solve prefers smooth paths among equally valuable plans (docs/model.md). A reversal
that remains is there because value or a limit asks for it — money that exists in one year
only, a contract's uplift, a grant that ends. :func:`reversals` finds each one and prices it by
re-solving the plan warm twice without that reversal: once with the first move held flat or
reversed (no rise into a peak, no fall into a dip), once with the second (no fall back, no rise
again). The value the better of the two loses is what the reversal buys; when neither can be
met, a limit holds the service there. The moves of a continuing service are the stability
columns ``d``; a service with no base-year money has none, and its middle year is held to its
neighbours' amounts instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from budgetopt.core.text import fy, money
from budgetopt.model.lp import Col
from budgetopt.solve.allocator import Allocator, Solution

MOVED = 1.0  # £: moves smaller than this are rounding, not a reversal
VALUE_TOLERANCE = 0.5  # £ of priority-weighted value: less is "equally valuable"


@dataclass(frozen=True)
class Reversal:
    service_id: str
    name: str
    years: tuple[int, int, int]  # the year before (the base year for the first plan year),
    # the year that peaks or dips, the year after
    amounts: tuple[float, ...]  # the service's totals in those years
    kind: str  # "peak" or "dip"
    value_lost_gbp: float | None  # priority-weighted value a smooth middle year loses;
    # None when a limit holds the service there
    sentence: str

    @property
    def needed(self) -> bool:
        """Whether value or a limit asks for the reversal (else an equally valuable smooth plan
        exists, which the solve should have chosen)."""
        return self.value_lost_gbp is None or self.value_lost_gbp > VALUE_TOLERANCE


def reversals(alloc: Allocator, base: Solution,
              shown: dict[tuple[str, int], float] | None = None) -> list[Reversal]:
    """Every reversal in ``base``'s service totals, with what smoothing it would cost.
    ``shown`` are the service totals as the paper's tables show them (whole pounds), for the
    amounts the sentences quote; the reversals themselves are found on the exact totals."""
    assert base.values is not None and base.objective is not None
    inputs = alloc.inputs
    ds, years = inputs.dataset, inputs.years
    t = base.values.block("t")
    last = ds.services["last_year_gbp"].astype(float)
    moves = alloc.model.cols.get("d")
    out = []
    for s in ds.services.index:
        path = [float(last[s]), *(t[(s, y)] for y in years)]
        labels = [inputs.base_year, *years]
        for i in range(1, len(path) - 1):
            before, middle, after = path[i - 1], path[i], path[i + 1]
            peak = middle - before > MOVED and middle - after > MOVED
            dip = before - middle > MOVED and after - middle > MOVED
            if not (peak or dip):
                continue
            if moves is not None and (s, labels[i]) in moves:
                ways = [_no_move(alloc, Col("d", (s, labels[i])), rising=peak),
                        _no_move(alloc, Col("d", (s, labels[i + 1])), rising=not peak)]
            else:
                ref = Col("t", (s, labels[i]))
                lo, hi = alloc.bounds(ref)
                ways = [{ref: (lo, min(hi, max(before, after))) if peak
                         else (max(lo, min(before, after)), hi)}]
            lost = _least_loss(alloc, base.objective, ways)
            kind = "peak" if peak else "dip"
            name = ds.services.at[s, "name"]
            near = labels[i - 1], labels[i], labels[i + 1]
            amounts = (before, middle, after) if shown is None else tuple(
                float(last[s]) if y == inputs.base_year else shown[(s, y)] for y in near)
            out.append(Reversal(s, name, near, amounts, kind, lost,
                                _sentence(name, kind, near, amounts, lost)))
    return out


def _no_move(alloc: Allocator, ref: Col, rising: bool) -> dict:
    """Bounds on a move column that forbid it to rise (``rising``) or to fall."""
    lo, hi = alloc.bounds(ref)
    return {ref: (lo, min(hi, 0.0)) if rising else (max(lo, 0.0), hi)}


def _least_loss(alloc: Allocator, objective: float, ways: list[dict]) -> float | None:
    """The least priority-weighted value lost over the ways of smoothing (None: none can be
    met)."""
    losses = []
    for changes in ways:
        if any(lo > hi for lo, hi in changes.values()):
            continue
        with alloc.adjusted(changes):
            sol = alloc.solve()
        if sol.status.is_optimal and sol.objective is not None:
            losses.append(max(0.0, objective - sol.objective))
    return min(losses) if losses else None


def _sentence(name: str, kind: str, years: tuple[int, int, int], amounts: tuple[float, ...],
              lost: float | None) -> str:
    word = "rises" if kind == "peak" else "falls"
    back = "falls back" if kind == "peak" else "rises again"
    text = (f"{name} {word} from {money(amounts[0])} in {fy(years[0])} to "
            f"{money(amounts[1])} in {fy(years[1])} and {back} to {money(amounts[2])} in "
            f"{fy(years[2])}: ")
    if lost is not None and lost <= VALUE_TOLERANCE:
        return text + ("an equally valuable steadier path exists, which the solve should have "
                       "chosen: please report this.")
    if lost is None:
        return text + ("its limits (a contract, a minimum, a pin or the stability band) hold it "
                       "there.")
    return text + (f"a steadier path would lose an estimated {money(lost)} of priority-weighted "
                   "social value, so the money is worth more there that year.")
