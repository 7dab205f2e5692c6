"""Why this allocation: what more or less money would do, which limits shape it, what pins cost.

Every figure here comes from re-solving the kept model with one thing changed — £100,000 more
(or less) of a stream, a limit released by £100,000, a pin removed — warm, in place, and then
putting everything back. Re-solves rather than raw duals, because duals differ in sign between
solvers and are only marginal; the tests check re-solves against sign-normalised HiGHS duals
where the basis does not change. :func:`Explainer.why_not_more` is the one figure read from the
duals directly: the reduced cost of a service's next benefit-curve segment.

The budget frontier re-solves the same model across total budgets (70–130% by default) and reads
off the order in which services lose money as the budget falls and gain it as it rises.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from budgetopt.analysis import Limit, binding_limits
from budgetopt.dataset import fy
from budgetopt.diagnose import Diagnosis, diagnose
from budgetopt.formatting import money, short_money, signed_money
from budgetopt.inputs import ModelInputs
from budgetopt.model import service_limits
from budgetopt.results import Result
from budgetopt.solve import Allocator, Solution

STEP = 100_000.0  # £ for "the next £100k" and "releasing £100k of a limit"
PER_POUND_STEP = 1_000.0  # £ for per-£ values of each stream
NUDGE = 100.0  # £ a held service is pushed up by to price "£1 more to it"
MOVED = 1.0  # £: a service whose total moves by less is unchanged
LISTED = 5  # services named in a sentence


@dataclass(frozen=True)
class Move:
    service_id: str
    name: str
    change_gbp: float


@dataclass(frozen=True)
class WhatIf:
    """The optimum with one thing changed, against the scenario's optimum."""

    feasible: bool
    value_change_gbp: float  # unweighted social value, over the plan
    objective_change: float  # priority-weighted
    moves: list[Move]  # service totals in the year asked about, largest first
    diagnosis: Diagnosis | None = None

    def where(self, n: int = LISTED) -> str:
        """'A (+£x) and B (+£y), from C (−£z)': the largest moves, gains then losses."""
        shown = self.moves[:n]
        gains = [f"{m.name} ({signed_money(m.change_gbp)})" for m in shown if m.change_gbp > 0]
        losses = [f"{m.name} ({signed_money(m.change_gbp)})" for m in shown if m.change_gbp < 0]
        more = len(self.moves) - n
        text = ", ".join(gains) if gains else "no service"
        if losses:
            text += ", from " + ", ".join(losses)
        return text + (f" ({more} smaller moves not shown)" if more > 0 else "")


@dataclass(frozen=True)
class MoneyValue:
    direction: str  # "more" or "less"
    year: int
    step_gbp: float
    what_if: WhatIf
    sentence: str


@dataclass(frozen=True)
class StreamValue:
    stream_id: str
    name: str
    year: int
    value_per_gbp: float | None  # social value of £1 more (None: the £ could not be spent)
    sentence: str


@dataclass(frozen=True)
class LimitValue:
    limit: Limit
    what_if: WhatIf
    sentence: str


@dataclass(frozen=True)
class WhyNot:
    service_id: str
    name: str
    year: int
    held_at: str  # "its minimum", "zero"
    amount_gbp: float
    next_value_per_gbp: float  # social value the next £ buys now (unweighted)
    needed_per_gbp: float | None  # more social value per £ needed (None: weight 0)
    sentence: str


@dataclass(frozen=True)
class PinPrice:
    service_id: str
    name: str
    year: int
    amount_gbp: float
    reason: str
    what_if: WhatIf
    unpinned_gbp: float
    sentence: str


@dataclass
class Frontier:
    points: pd.DataFrame  # factor, total_gbp (first year), status, social_value_gbp, objective
    disinvestment: list[tuple[str, float]]  # (service name, budget factor where it first loses)
    investment: list[tuple[str, float]]  # (service name, factor where it first gains)
    diagnoses: dict[float, Diagnosis] = field(default_factory=dict)


class Explainer:
    """Explanations of one solved scenario, from warm re-solves of its kept HiGHS model."""

    def __init__(self, alloc: Allocator, solution: Solution, result: Result) -> None:
        if alloc.solver != "highs":  # explanations need a kept model and HiGHS duals
            alloc = Allocator(alloc.inputs, "highs")
            solution = alloc.solve(warm=False)
        self.alloc, self.base, self.result = alloc, solution, result
        self.inputs: ModelInputs = alloc.inputs
        self.ds = self.inputs.dataset
        self.names = self.ds.services["name"]

    # ------------------------------------------------------------------ plumbing
    def _totals(self, sol: Solution, year: int) -> pd.Series:
        t = self.alloc.values(sol, "t")
        return pd.Series({s: v for (s, y), v in t.items() if y == year})

    def _what_if(self, year: int, cols=None, rows=None) -> WhatIf:
        with self.alloc.adjusted(cols, rows):
            sol = self.alloc.solve()
        # The bounds are back to the scenario's; the next solve starts warm from here, so no
        # re-solve is needed to "get back" (self.base keeps the scenario's optimum).
        if not sol.status.is_optimal:
            return WhatIf(False, 0.0, 0.0, [])
        diff = (self._totals(sol, year) - self._totals(self.base, year))
        diff = diff[diff.abs() >= MOVED].sort_values(key=np.abs, ascending=False)
        moves = [Move(s, self.names[s], float(v)) for s, v in diff.items()]
        return WhatIf(True, float(sol.social_value - self.base.social_value),
                      float(sol.objective - self.base.objective), moves)

    def _stream_rows(self, stream: str, year: int, delta: float) -> dict:
        b, i = self.alloc.backend, self.alloc.row_index("stream", (stream, year))
        lo, hi = b.row_lo[i], b.row_hi[i]
        new_hi = max(0.0, hi + delta)
        return {i: (new_hi if np.isfinite(lo) else lo, new_hi)}

    def core_stream(self) -> str:
        streams = self.ds.streams
        unrestricted = streams.index[~streams["ring_fenced"].astype(bool)]
        return unrestricted[0] if len(unrestricted) else streams.index[0]

    # ------------------------------------------------------------------ money
    def money_value(self, year: int | None = None, step: float = STEP,
                    direction: str = "more") -> MoneyValue:
        """What the next £step (or the last £step cut) of unrestricted money would do."""
        year = year or self.inputs.years[0]
        f = self.core_stream()
        delta = step if direction == "more" else -step
        w = self._what_if(year, rows=self._stream_rows(f, year, delta))
        when = fy(year)
        if direction == "more":
            if not w.feasible:
                text = f"The next {short_money(step)} in {when} could not be placed."
            elif w.value_change_gbp <= 0.5:
                text = (f"The next {short_money(step)} in {when} would buy nothing more: every "
                        "service that could use it is held by another limit.")
            else:
                text = (f"The next {short_money(step)} of {self.ds.streams.at[f, 'name']} in "
                        f"{when} would buy an estimated {money(w.value_change_gbp)} of social "
                        f"value ({money(w.value_change_gbp / step * 1000)} per £1,000), going "
                        f"to {w.where()}.")
        else:
            if not w.feasible:
                inputs = _with_stream(self.inputs, f, year, delta)
                w = WhatIf(False, 0.0, 0.0, [], diagnose(inputs))
                text = (f"A cut of {short_money(step)} in {when} cannot be met within the "
                        f"limits. {w.diagnosis.summary}")
            else:
                taken = ", ".join(f"{m.name} ({signed_money(m.change_gbp)})"
                                  for m in w.moves[:LISTED])
                text = (f"Cutting the last {short_money(step)} of "
                        f"{self.ds.streams.at[f, 'name']} in {when} would lose an estimated "
                        f"{money(-w.value_change_gbp)} of social value, taken from {taken}.")
        return MoneyValue(direction, year, step, w, text)

    def stream_values(self, year: int | None = None,
                      step: float = PER_POUND_STEP) -> list[StreamValue]:
        """Social value of £1 more of each stream (re-solve with £step more, per £)."""
        year = year or self.inputs.years[0]
        out = []
        for f in self.ds.streams.index:
            name = self.ds.streams.at[f, "name"]
            w = self._what_if(year, rows=self._stream_rows(f, year, step))
            if not w.feasible:
                out.append(StreamValue(f, name, year, None,
                                       f"£1 more of the {name} in {fy(year)} could not be "
                                       "spent: the services it may fund cannot take more."))
                continue
            per = w.value_change_gbp / step
            out.append(StreamValue(f, name, year, per,
                                   f"£1 more of the {name} in {fy(year)} is worth "
                                   f"£{per:,.2f} of social value."))
        return out

    def dual_value(self, stream: str, year: int) -> float:
        """Sign-normalised stage-1 dual of a stream row: priority-weighted value of £1 more."""
        _, _, _, row_dual = self.base.stage1
        return float(-row_dual[self.alloc.row_index("stream", (stream, year))])

    # ------------------------------------------------------------------ limits
    def limit_values(self, year: int | None = None, step: float = STEP) -> list[LimitValue]:
        """Each limit the optimum is at in ``year``, with what releasing £step of it would add."""
        year = year or self.inputs.years[0]
        out = []
        for lim in binding_limits(self.result):
            if lim.year != year or lim.family == "funding":
                continue
            options = self._releases(lim, step)
            best = None
            for cols, rows in options:
                w = self._what_if(year, cols, rows)
                if w.feasible and (best is None or w.objective_change > best.objective_change):
                    best = w
            if best is None:
                continue
            if best.value_change_gbp > 0.5:
                text = (f"{lim.sentence} Releasing {short_money(step)} of it would add an "
                        f"estimated {money(best.value_change_gbp)} of social value, moving "
                        f"money to {best.where(3)}.")
            else:
                text = (f"{lim.sentence} Releasing {short_money(step)} of it would add "
                        "nothing on its own: other limits hold the allocation here.")
            out.append(LimitValue(lim, best, text))
        out.sort(key=lambda v: -v.what_if.value_change_gbp)
        return out

    def _releases(self, lim: Limit, step: float) -> list[tuple[dict | None, dict | None]]:
        a, b = self.alloc, self.alloc.backend
        y = lim.year
        if lim.family in ("contract", "pin", "service minimum", "capacity"):
            i = a.col_index("t", (lim.key[0], y))
            lo, hi = b.col_lo[i], b.col_hi[i]
            down = ({i: (max(0.0, lo - step), hi)}, None)
            up = ({i: (lo, hi + step)}, None)
            return {"service minimum": [down], "capacity": [up]}.get(lim.family, [down, up])
        if lim.family in ("scheme floor", "scheme cap"):
            i = a.col_index("T", (lim.key[0], y))
            lo, hi = b.col_lo[i], b.col_hi[i]
            return [({i: (max(0.0, lo - step), hi)}, None)] if lim.family == "scheme floor" \
                else [({i: (lo, hi + step)}, None)]
        if lim.family == "stability":
            i = a.col_index("d", (lim.key[0], y))
            return [({i: (b.col_lo[i] - step, b.col_hi[i] + step)}, None)]
        if lim.family == "fairness":
            k, area, edge = lim.key
            if edge == "most":
                i = a.row_index("fair_hi", (k, area, y))
                return [(None, {i: (b.row_lo[i], b.row_hi[i] + step)})]
            i = a.row_index("fair_lo", (k, area, y))
            return [(None, {i: (b.row_lo[i] - step, b.row_hi[i])})]
        return []

    # ------------------------------------------------------------------ why not more
    def why_not_more(self, year: int | None = None, step: float = NUDGE) -> list[WhyNot]:
        """Services held at their minimum or at zero, and how much more social value per £
        they would need before the optimum gives them more.

        The figure is the reduced cost of the whole move "£1 more to this service" — its next
        benefit-curve segment, its service total, the cheapest stream that may fund it and
        whatever must give way — measured by re-solving with the service pushed up by ``step``
        (a single column's reduced cost misses the move at degenerate vertices)."""
        year = year or self.inputs.years[0]
        m, a = self.alloc.model, self.alloc
        cv = self.base.col_value
        zsl = a.col_slice("z")
        zv, zhi = cv[zsl], a.backend.col_hi[zsl]
        from budgetopt.model import service_weights

        weights = service_weights(self.inputs)
        t = self._totals(self.base, year)
        out = []
        for s, total in t.items():
            limits = service_limits(self.inputs, s, year)
            if any(f in ("contract", "pin") for f, _, _ in limits):
                continue  # fixed by commitment, not held by value
            minimum = limits[0][1]
            if total > MOVED and abs(total - minimum) > MOVED:
                continue
            held = "zero" if total <= MOVED else "its minimum"
            room = [i for i, k in enumerate(m.cols["z"].keys) if k[0] == s and k[2] == year
                    and zv[i] < zhi[i] - 1e-6]
            if not room:
                continue  # at capacity
            next_value = float(max(m.z_value[i] for i in room))
            i = a.col_index("t", (s, year))
            hi = a.backend.col_hi[i]
            for nudge in (step, 1.0):  # a smaller push where another limit is near
                pushed = self._what_if(year, cols={i: (min(total + nudge, hi), hi)})
                if pushed.feasible:
                    break
            w = float(weights[s])
            name = self.names[s]
            needed = None
            if w <= 0:
                text = (f"{name} is held at {held} in {fy(year)}: its priorities carry no "
                        "weight in this scenario.")
            elif not pushed.feasible:
                text = (f"{name} is held at {held} in {fy(year)}: other limits leave no room "
                        "to give it more.")
            else:
                needed = max(0.0, -pushed.objective_change / nudge / w)
                if needed <= 1e-9:
                    text = (f"{name} is held at {held} in {fy(year)} only by a tie: an equally "
                            "valuable allocation would give it more.")
                else:
                    text = (f"{name} is held at {held} in {fy(year)}: its next £ buys an "
                            f"estimated £{next_value:,.2f} of social value, and it would need "
                            f"£{needed:,.2f} more per £ ({needed / next_value:.0%} more) before "
                            "the optimum gives it more.")
            out.append(WhyNot(s, name, year, held, abs(float(total)), next_value, needed, text))
        out.sort(key=lambda w: (w.needed_per_gbp is None, w.needed_per_gbp or 0))
        return out

    # ------------------------------------------------------------------ pins
    def pin_prices(self) -> list[PinPrice]:
        """For each pin: social value given up against the optimum without that pin."""
        out = []
        for pin in self.inputs.pins:
            s, y = pin.service, pin.year
            i = self.alloc.col_index("t", (s, y))
            others = [(f, lo, hi) for f, lo, hi in service_limits(self.inputs, s, y)
                      if f != "pin"]
            lo, hi = max(v for _, v, _ in others), min(v for _, _, v in others)
            w = self._what_if(y, cols={i: (lo, hi)})
            name = self.names[s]
            unpinned = pin.amount_gbp + next((mv.change_gbp for mv in w.moves
                                              if mv.service_id == s), 0.0)
            elsewhere = [mv for mv in w.moves if mv.service_id != s]
            if not w.feasible:
                text = (f"Without the pin on {name} in {fy(y)} the scenario could not be met, "
                        "so the pin costs nothing.")
            elif -w.value_change_gbp > -0.5 and abs(w.value_change_gbp) <= 0.5:
                text = (f"Pinning {name} at {money(pin.amount_gbp)} in {fy(y)} ({pin.reason}) "
                        "costs nothing: the optimum would give it the same.")
            else:
                where = ", ".join(f"{mv.name} ({signed_money(mv.change_gbp)})"
                                  for mv in elsewhere[:LISTED])
                text = (f"Pinning {name} at {money(pin.amount_gbp)} in {fy(y)} ({pin.reason}) "
                        f"gives up an estimated {money(w.value_change_gbp)} of social value: "
                        f"the optimum without the pin would give it {money(unpinned)}"
                        + (f", and the money would go to {where}." if where else "."))
            out.append(PinPrice(s, name, y, pin.amount_gbp, pin.reason, w, unpinned, text))
        return out

    # ------------------------------------------------------------------ frontier
    def frontier(self, low: float = 0.7, high: float = 1.3, points: int = 25,
                 diagnose_infeasible: bool = True) -> Frontier:
        """Optimal social value across total budgets from ``low`` to ``high`` × the scenario's,
        changing the unrestricted stream in every plan year."""
        f = self.core_stream()
        years = self.inputs.years
        first = years[0]
        totals = {y: self.inputs.total_available(y) for y in years}
        b = self.alloc.backend
        rows_idx = {y: self.alloc.row_index("stream", (f, y)) for y in years}
        base_hi = {y: b.row_hi[rows_idx[y]] for y in years}
        factors = np.round(np.linspace(low, high, points), 6)
        records, first_year, diagnoses = [], {}, {}
        for factor in factors:
            rows = {}
            feasible_cut = True
            for y in years:
                hi = base_hi[y] + (factor - 1) * totals[y]
                if hi < 0:
                    feasible_cut = False
                hi = max(0.0, hi)
                lo = b.row_lo[rows_idx[y]]
                rows[rows_idx[y]] = (hi if np.isfinite(lo) else lo, hi)
            with self.alloc.adjusted(rows=rows):
                sol = self.alloc.solve()
            ok = sol.status.is_optimal and feasible_cut
            records.append({"factor": float(factor), "total_gbp": round(factor * totals[first]),
                            "status": "optimal" if ok else "infeasible",
                            "social_value_gbp": sol.social_value if ok else None,
                            "objective": sol.objective if ok else None})
            if ok:
                first_year[float(factor)] = self._totals(sol, first)
            elif diagnose_infeasible:
                inputs = self.inputs
                for y in years:
                    inputs = _with_stream(inputs, f, y, (factor - 1) * totals[y])
                diagnoses[float(factor)] = diagnose(inputs)
        table = pd.DataFrame(records)
        base = self._totals(self.base, first)
        down = sorted((x for x in first_year if x < 1), reverse=True)
        up = sorted(x for x in first_year if x > 1)
        return Frontier(table, self._order(first_year, down, base, lower=True),
                        self._order(first_year, up, base, lower=False), diagnoses)

    def _order(self, by_factor: dict, factors: list[float], base: pd.Series,
               lower: bool) -> list[tuple[str, float]]:
        seen: dict[str, float] = {}
        for x in factors:
            diff = by_factor[x] - base
            hit = diff[diff < -MOVED] if lower else diff[diff > MOVED]
            for s in hit.sort_values(key=np.abs, ascending=False).index:
                seen.setdefault(s, x)
        return [(self.names[s], x) for s, x in seen.items()]


def _with_stream(inputs: ModelInputs, stream: str, year: int, delta: float) -> ModelInputs:
    amounts = inputs.stream_amounts.copy()
    amounts.at[stream, year] = max(0.0, amounts.at[stream, year] + delta)
    return ModelInputs(inputs.dataset, inputs.scenario, inputs.years, amounts,
                       inputs.priority_weights, inputs.pins)
