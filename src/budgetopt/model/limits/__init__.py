"""The registry of limit families: one entry per kind of limit, each the only place that knows it.

``REGISTRY`` holds one object per family, each named by its member of the ``Family`` enum.
Everything that must know about limits — the builder, the warm re-solve, the binding limits,
explanations and the diagnosis — loops over it, so adding a family is one new module in this
folder plus its name in ``Family`` and its line in ``REGISTRY`` below (see
docs/architecture.md). ``Family`` is in the order binding limits are listed; ``REGISTRY`` is in
the order the model is built, the elastic model lays out its slack and equally priced moves of a
diagnosis are listed (service limits before scheme limits).
"""

from __future__ import annotations

from enum import StrEnum

from budgetopt.data.inputs import ModelInputs
from budgetopt.model.limits.base import (
    TOUCH,
    Bounds,
    Coefficients,
    Limit,
    LimitFamily,
    Numbers,
    Slack,
    SlackSpec,
    Solved,
)
from budgetopt.model.limits.contracts import Contracts
from budgetopt.model.limits.fairness import Fairness
from budgetopt.model.limits.funding import Funding
from budgetopt.model.limits.pins import Pins
from budgetopt.model.limits.schemes import SchemeCap, SchemeFloor
from budgetopt.model.limits.service import Capacity, ServiceMinimum
from budgetopt.model.limits.stability import Stability
from budgetopt.model.lp import Interval, LpModel


class Family(StrEnum):
    """The limit families, in the order papers and the explorer list binding limits; the value
    is the name shown."""

    FUNDING = "funding"
    CONTRACT = "contract"
    PIN = "pin"
    SCHEME_FLOOR = "scheme floor"
    SCHEME_CAP = "scheme cap"
    SERVICE_MINIMUM = "service minimum"
    CAPACITY = "capacity"
    STABILITY = "stability"
    FAIRNESS = "fairness"


REGISTRY: tuple[LimitFamily, ...] = (
    Funding(Family.FUNDING),
    ServiceMinimum(Family.SERVICE_MINIMUM),
    Capacity(Family.CAPACITY),
    Contracts(Family.CONTRACT),
    Pins(Family.PIN),
    SchemeFloor(Family.SCHEME_FLOOR),
    SchemeCap(Family.SCHEME_CAP),
    Stability(Family.STABILITY),
    Fairness(Family.FAIRNESS),
)
BY_FAMILY: dict[Family, LimitFamily] = {f.family: f for f in REGISTRY}
assert set(BY_FAMILY) == set(Family), "every Family has exactly one registry entry"
COMMITTING: tuple[LimitFamily, ...] = tuple(
    BY_FAMILY[f] for f in (Family.PIN, Family.CONTRACT, Family.SERVICE_MINIMUM))
"""The families whose lower bound on a service total commits money (their ``commits``), in the
order that names a total several of them hold at one amount: the scenario's own pin first."""
assert {f.family for f in COMMITTING} == {f.family for f in REGISTRY if f.commits}


def relaxation_order() -> list[Family]:
    """The order a diagnosis lists its moves in: cheapest first, then registry order."""
    relaxable = [f for f in REGISTRY if f.relax_cost is not None]
    return [f.family for f in sorted(relaxable, key=lambda f: f.relax_cost or 0.0)]


def family_bounds(m: LpModel, inputs: ModelInputs, block: str
                  ) -> dict[Family, tuple]:
    """Each family's own bounds on one block of columns, as (lo, hi) arrays in key order:
    which family sets which side of a service total, for explanations and committed money."""
    out = {}
    for fam in REGISTRY:
        for n in fam.numbers(m, inputs):
            if isinstance(n, Bounds) and n.kind == "col" and n.block == block:
                out[fam.family] = (n.lo, n.hi)
    return out


def interval_without(limits: dict[Family, tuple], i: int, *skip: Family) -> Interval:
    """The intersection of every family's bounds at position ``i`` but those of ``skip``."""
    lo = max((float(b[0][i]) for f, b in limits.items() if f not in skip), default=-float("inf"))
    hi = min((float(b[1][i]) for f, b in limits.items() if f not in skip), default=float("inf"))
    return lo, hi


__all__ = ["BY_FAMILY", "COMMITTING", "REGISTRY", "TOUCH", "Bounds", "Coefficients", "Family",
           "Limit", "LimitFamily", "Numbers", "Slack", "SlackSpec", "Solved", "family_bounds",
           "interval_without", "relaxation_order"]
