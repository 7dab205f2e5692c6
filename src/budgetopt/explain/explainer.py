"""Why this allocation: what more or less money would do, which limits shape it, what pins cost.

Every figure here comes from re-solving the kept model with one thing changed — £100,000 more
(or less) of a stream, a limit released by £100,000, a pin removed, a service pushed up by £100 —
warm, in place, through :meth:`Allocator.adjusted <budgetopt.solve.allocator.Allocator.adjusted>`,
and then putting everything back. Re-solves rather than raw duals, because duals differ in sign
between solvers and are only marginal; the tests check re-solves against sign-normalised HiGHS
duals where the basis does not change. Which limits bind, and how each is released, is asked of
the limit's family in the registry (:mod:`budgetopt.model.limits`).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from budgetopt.core.text import fy, money, short_money, signed_money
from budgetopt.data.inputs import ModelInputs
from budgetopt.explain.answers import (
    LISTED,
    LimitValue,
    MoneyValue,
    Move,
    PinPrice,
    StreamValue,
    WhatIf,
    WhyNot,
)
from budgetopt.explain.diagnose import diagnose
from budgetopt.explain.frontier import (
    MOVED,
    Frontier,
    budget_frontier,
    core_floor,
    feasibility_edge,
    year_totals,
)
from budgetopt.explain.limits import binding_limits
from budgetopt.explain.paths import Reversal, reversals
from budgetopt.model.costs import service_weights
from budgetopt.model.limits import BY_FAMILY, Family, Limit, family_bounds, interval_without
from budgetopt.model.limits.funding import core_stream, stream_row, with_more
from budgetopt.model.lp import Col, Interval, Ref
from budgetopt.results.result import Result
from budgetopt.solve.allocator import Allocator, Solution

STEP = 100_000.0  # £ for "the next £100k" and "releasing £100k of a limit"
PER_POUND_STEP = 1_000.0  # £ for per-£ values of each stream
NUDGE = 100.0  # £ a held service is pushed up by to price "£1 more to it"


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
        self._frontiers: dict[tuple, Frontier] = {}
        self._limit_values: dict[tuple, list[LimitValue]] = {}

    # ------------------------------------------------------------------ plumbing
    def _what_if(self, year: int, changes: dict[Ref, Interval]) -> WhatIf:
        with self.alloc.adjusted(changes):
            sol = self.alloc.solve()
        # The bounds are back to the scenario's; the next solve starts warm from here, so no
        # re-solve is needed to "get back" (self.base keeps the scenario's optimum).
        if not sol.status.is_optimal or sol.social_value is None or sol.objective is None:
            return WhatIf(False, 0.0, 0.0, [])
        diff = year_totals(sol, year) - year_totals(self.base, year)
        diff = diff[diff.abs() >= MOVED].sort_values(key=np.abs, ascending=False)
        moves = [Move(s, self.names[s], float(v)) for s, v in diff.items()]
        return WhatIf(True, float(sol.social_value - (self.base.social_value or 0.0)),
                      float(sol.objective - (self.base.objective or 0.0)), moves)

    def _more_of(self, stream: str, year: int, delta: float) -> dict[Ref, Interval]:
        ref = stream_row(stream, year)
        return {ref: with_more(self.alloc.bounds(ref), delta)}

    def core_stream(self) -> str:
        return core_stream(self.inputs)

    @cached_property
    def _t_limits(self) -> dict[Family, tuple]:
        return family_bounds(self.alloc.model, self.inputs, "t")

    # ------------------------------------------------------------------ limits
    def binding_limits(self) -> list[Limit]:
        """Every limit the optimum sits against, by family (no re-solve)."""
        return binding_limits(self.alloc.solved(self.base))

    def limit_values(self, year: int | None = None, step: float = STEP) -> list[LimitValue]:
        """Each limit the optimum is at in ``year``, with what releasing £step of it would add.
        Funding is valued on its own (:meth:`money_value`, :meth:`stream_values`)."""
        year = year or self.inputs.years[0]
        if (year, step) in self._limit_values:  # kept: the paper and the workbook share them
            return self._limit_values[(year, step)]
        out = []
        for lim in self.binding_limits():
            if lim.year != year or lim.family is Family.FUNDING:
                continue
            best = None
            for changes in BY_FAMILY[lim.family].releases(lim, self.alloc.bounds, step):
                w = self._what_if(year, changes)
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
        self._limit_values[(year, step)] = out
        return out

    # ------------------------------------------------------------------ money
    def money_value(self, year: int | None = None, step: float = STEP,
                    direction: str = "more") -> MoneyValue:
        """What the next £step (or the last £step cut) of unrestricted money would do."""
        year = year or self.inputs.years[0]
        f = self.core_stream()
        delta = step if direction == "more" else -step
        w = self._what_if(year, self._more_of(f, year, delta))
        when, name = fy(year), self.ds.streams.at[f, "name"]
        if direction == "more":
            if not w.feasible:
                text = f"The next {short_money(step)} in {when} could not be placed."
            elif w.value_change_gbp <= 0.5:
                text = (f"The next {short_money(step)} in {when} would buy nothing more: every "
                        "service that could use it is held by another limit.")
            else:
                text = (f"The next {short_money(step)} of {name} in {when} would buy an "
                        f"estimated {money(w.value_change_gbp)} of social value "
                        f"({money(w.value_change_gbp / step * 1000)} per £1,000), going to "
                        f"{w.where()}.")
        elif not w.feasible:
            d = diagnose(self.inputs.with_stream_change(f, year, delta))
            w = WhatIf(False, 0.0, 0.0, [], d)
            text = (f"A cut of {short_money(step)} in {when} cannot be met within the limits. "
                    f"{d.summary}")
        else:
            taken = ", ".join(f"{m.name} ({signed_money(m.change_gbp)})"
                              for m in w.moves[:LISTED])
            text = (f"Cutting the last {short_money(step)} of {name} in {when} would lose an "
                    f"estimated {money(-w.value_change_gbp)} of social value, taken from "
                    f"{taken}.")
        return MoneyValue(direction, year, step, w, text)

    def stream_values(self, year: int | None = None,
                      step: float = PER_POUND_STEP) -> list[StreamValue]:
        """Social value of £1 more of each stream (re-solve with £step more, per £)."""
        year = year or self.inputs.years[0]
        out = []
        for f in self.ds.streams.index:
            name = self.ds.streams.at[f, "name"]
            w = self._what_if(year, self._more_of(f, year, step))
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
        assert self.base.stage1 is not None
        return -self.base.stage1.of(stream_row(stream, year))

    # ------------------------------------------------------------------ why not more
    def why_not_more(self, year: int | None = None, step: float = NUDGE) -> list[WhyNot]:
        """Services held at their minimum or at zero, and how much more social value per £
        they would need before the optimum gives them more.

        The figure is the reduced cost of the whole move "£1 more to this service" — its next
        benefit-curve segment, its service total, the cheapest stream that may fund it and
        whatever must give way — measured by re-solving with the service pushed up by ``step``
        (a single column's reduced cost misses the move at degenerate vertices)."""
        year = year or self.inputs.years[0]
        m = self.alloc.model
        assert self.base.values is not None
        zv = self.base.values.array("z")
        zhi = self.alloc.block_bounds("z")[1]
        room_of: dict[str, list[int]] = {}
        for i, k in enumerate(m.cols["z"].keys):
            if k[2] == year and zv[i] < zhi[i] - 1e-6:
                room_of.setdefault(k[0], []).append(i)
        weights = service_weights(self.inputs)
        limits, t_pos = self._t_limits, m.cols["t"].pos
        out = []
        for s, total in year_totals(self.base, year).items():
            i = t_pos[(s, year)]
            if any(np.isfinite(limits[f][0][i]) for f in (Family.CONTRACT, Family.PIN)):
                continue  # fixed by commitment, not held by value
            minimum = float(limits[Family.SERVICE_MINIMUM][0][i])
            if total > MOVED and abs(total - minimum) > MOVED:
                continue
            held = "zero" if total <= MOVED else "its minimum"
            room = room_of.get(s, [])
            if not room:
                continue  # at capacity
            next_value = float(max(m.z_value[j] for j in room))
            ref = Col("t", (s, year))
            hi = self.alloc.bounds(ref)[1]
            for nudge in (step, 1.0):  # a smaller push where another limit is near
                pushed = self._what_if(year, {ref: (min(total + nudge, hi), hi)})
                if pushed.feasible:
                    break
            out.append(self._why_not(s, year, held, float(total), next_value, pushed, nudge,
                                     float(weights[s])))
        out.sort(key=lambda w: (w.needed_per_gbp is None, w.needed_per_gbp or 0))
        return out

    def _why_not(self, s: str, year: int, held: str, total: float, next_value: float,
                 pushed: WhatIf, nudge: float, weight: float) -> WhyNot:
        name = self.names[s]
        needed = None
        if weight <= 0:
            text = (f"{name} is held at {held} in {fy(year)}: its priorities carry no weight "
                    "in this scenario.")
        elif not pushed.feasible:
            text = (f"{name} is held at {held} in {fy(year)}: other limits leave no room to "
                    "give it more.")
        else:
            needed = max(0.0, -pushed.objective_change / nudge / weight)
            if needed <= 1e-9:
                text = (f"{name} is held at {held} in {fy(year)} only by a tie: an equally "
                        "valuable allocation would give it more.")
            else:
                text = (f"{name} is held at {held} in {fy(year)}: its next £ buys an estimated "
                        f"£{next_value:,.2f} of social value, and it would need £{needed:,.2f} "
                        f"more per £ ({needed / next_value:.0%} more) before the optimum gives "
                        "it more.")
        return WhyNot(s, name, year, held, abs(total), next_value, needed, text)

    # ------------------------------------------------------------------ pins
    def pin_prices(self) -> list[PinPrice]:
        """For each pin: social value given up against the optimum without that pin."""
        out = []
        t_pos = self.alloc.model.cols["t"].pos
        for pin in self.inputs.pins:
            s, y = pin.service, pin.year
            unpinned = interval_without(self._t_limits, t_pos[(s, y)], Family.PIN)
            w = self._what_if(y, {Col("t", (s, y)): unpinned})
            name = self.names[s]
            amount = pin.amount_gbp + next((mv.change_gbp for mv in w.moves
                                            if mv.service_id == s), 0.0)
            elsewhere = [mv for mv in w.moves if mv.service_id != s]
            if not w.feasible:
                text = (f"Without the pin on {name} in {fy(y)} the scenario could not be met, "
                        "so the pin costs nothing.")
            elif -0.5 <= w.value_change_gbp < 0.5:
                text = (f"Pinning {name} at {money(pin.amount_gbp)} in {fy(y)} ({pin.reason}) "
                        "costs nothing: the optimum would give it the same.")
            else:
                where = ", ".join(f"{mv.name} ({signed_money(mv.change_gbp)})"
                                  for mv in elsewhere[:LISTED])
                text = (f"Pinning {name} at {money(pin.amount_gbp)} in {fy(y)} ({pin.reason}) "
                        f"gives up an estimated {money(w.value_change_gbp)} of social value: "
                        f"the optimum without the pin would give it {money(amount)}"
                        + (f", and the money would go to {where}." if where else "."))
            out.append(PinPrice(s, name, y, pin.amount_gbp, pin.reason, w, amount, text))
        return out

    # ------------------------------------------------------------------ paths
    @cached_property
    def _reversals(self) -> list[Reversal]:
        shown = self.result.allocation().groupby(["service_id", "year"])["amount_gbp"].sum()
        return reversals(self.alloc, self.base, {k: float(v) for k, v in shown.items()},
                         self.binding_limits())

    def reversals(self) -> list[Reversal]:
        """Services that rise one year and fall back the next (or fall and rise again), each
        with the value a steadier path would lose or the limit that holds it (kept: the key
        messages and the change section share them)."""
        return self._reversals

    # ------------------------------------------------------------------ frontier
    @cached_property
    def edge(self) -> float | None:
        """The smallest total budget (× this scenario's) whose limits can all be met
        (:func:`budgetopt.explain.frontier.feasibility_edge`)."""
        return feasibility_edge(self.alloc)

    @property
    def edge_is_empty_core(self) -> bool:
        """Whether the edge is where the unrestricted budget runs out (every limit can still
        be met there), rather than where a limit stops the cut."""
        return self.edge is not None and self.edge <= core_floor(self.alloc) + 1e-9

    def frontier(self, low: float = 0.7, high: float = 1.3, points: int = 25,
                 diagnose_infeasible: bool = True) -> Frontier:
        """The budget frontier around this scenario (see :mod:`budgetopt.explain.frontier`);
        kept, so the paper and the workbook share one."""
        key = (low, high, points, diagnose_infeasible)
        if key not in self._frontiers:
            self._frontiers[key] = budget_frontier(self.alloc, self.base, low, high, points,
                                                   diagnose_infeasible)
        return self._frontiers[key]
