"""What a limit family is: the one place that knows everything about one kind of limit.

A *limit family* is a kind of limit a commissioner recognises — the funding each stream brings,
a contract, a pin, a service's minimum, a scheme's floor, the stability band, the fairness band.
Each family is one :class:`LimitFamily` object in the registry (:mod:`budgetopt.model.limits`),
named there by its member of the ``Family`` enum, and it alone answers every question the
program asks about that kind of limit:

=================  =========================================================================
``build``          the rows and columns it adds to the LP (beyond :mod:`~budgetopt.model.
                   structure`)
``numbers``        the numbers a scenario changes — bounds of a block of columns or rows, or
                   coefficients — used both to build the model and to edit it in place
``binding``        which of its limits the optimum sits against, each as a :class:`Limit` with
                   the sentence a Panel member reads
``releases``       how to release one of those limits by a step, for "what would £100k more of
                   this limit buy?"
``relax``          its slack columns and their cost per £ in the elastic model that finds the
                   smallest fix of a scenario that cannot be met
``relaxation``     the sentence for one such fix; ``context`` explains a conflict in totals
=================  =========================================================================

Families never solve anything and never format anything beyond their own sentences; they read a
solution only through the :class:`Solved` protocol, which the solver layer implements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import pandas as pd
import pulp

from budgetopt.data.inputs import ModelInputs
from budgetopt.model.lp import Col, Interval, LpModel, Ref, Row

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.model.elastic import ElasticModel
    from budgetopt.model.limits import Family

TOUCH = 0.5  # £: a value within this of a limit is "at" the limit


@dataclass(frozen=True)
class Bounds:
    """Bounds a family puts on every column (or row) of a block, in the block's key order;
    ±inf where it puts none. Several families may bound one block: the model applies their
    intersection."""

    kind: Literal["col", "row"]
    block: str
    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class Coefficients:
    """Coefficients a family sets: one per row of ``row_block`` (in key order), each on the
    column named beside it."""

    row_block: str
    cols: list[Col]
    values: np.ndarray


Numbers = Bounds | Coefficients


@dataclass(frozen=True)
class Limit:
    """A limit the optimum sits against, in words a Panel member understands."""

    family: Family
    year: int
    subject: str  # the service, scheme, stream or area it concerns (display name)
    amount_gbp: float
    sentence: str
    ref: Ref  # the column or row of the model it sits on
    side: Literal["lo", "hi"]  # which bound of ``ref`` it is
    key: tuple = ()  # data keys: (service,), (scheme,), (stream,) or (scheme, area)


@dataclass(frozen=True)
class Slack:
    """One way of relaxing a limit in the elastic model, with what its sentence needs."""

    family: Family
    side: Literal["lo", "hi"]
    year: int
    subject: str
    limit_gbp: float  # the limit as set
    key: object
    column: pulp.LpVariable  # the slack's PuLP column
    cost: float  # per £ of relaxation


@dataclass(frozen=True)
class SlackSpec:
    """One slack of a relaxed row: which side of which limit it moves, and its sign there."""

    side: Literal["lo", "hi"]
    year: int
    subject: str
    limit: float
    key: object
    sign: float  # coefficient of the slack in its row
    rank: float = 0.0  # in [0, 1): spreads the price of equally priced moves


class Solved(Protocol):
    """A solved model as limit families read it (implemented by the solver layer)."""

    @property
    def inputs(self) -> ModelInputs: ...
    @property
    def model(self) -> LpModel: ...
    @property
    def is_optimal(self) -> bool: ...
    def value(self, ref: Ref) -> float: ...
    def bounds(self, ref: Ref) -> Interval: ...


BoundsOf = Callable[[Ref], Interval]
Release = dict[Ref, Interval]


class LimitFamily:
    """One family of limits. Subclasses override what applies to them; the defaults say "this
    family adds nothing here". The registry names each family when it makes it."""

    relax_cost: float | None = None  # cost per £ of relaxing it; None: it never relaxes
    replaces_rows: tuple[str, ...] = ()  # row blocks the elastic model rebuilds with slack
    meaning: str = ""  # what the family is, as the paper's table of limits says it
    at_limit: str = "held by a limit"  # a service the optimum holds here, as the explorer says it
    commits: str | None = None  # the money its lower bound on a service total commits, by name
    because: str = "{who} is held by a limit"  # the one-clause reason a scheme moves

    def __init__(self, family: Family) -> None:
        self.family = family

    def reason(self, who: str, rising: bool, inputs: ModelInputs, service: str) -> str:
        """Why service ``who`` (id ``service``) moves as it does in the first plan year (up
        when ``rising``) while it sits against this family's limit: one plain clause for the
        key messages on page 1."""
        return self.because.format(who=who)

    def build(self, m: LpModel) -> None:
        """Add the family's own rows and columns."""

    def numbers(self, m: LpModel, inputs: ModelInputs) -> list[Numbers]:
        """The numbers of ``inputs`` this family puts into the model."""
        return []

    def binding(self, s: Solved) -> list[Limit]:
        """The family's limits that the optimum of ``s`` is at."""
        return []

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        """Ways of releasing ``limit`` by ``step``: each a set of new bounds to try."""
        return []

    def relax(self, el: ElasticModel) -> None:
        """Add slack for the family's limits to the elastic model."""

    def relaxation(self, slack: Slack, amount: float) -> str:
        """What moving the limit of ``slack`` by ``amount`` means, in a sentence."""
        raise NotImplementedError(self.family)

    def context(self, inputs: ModelInputs, families_by_year: dict[int, set[Family]]
                ) -> list[str]:
        """Sentences that explain a conflict in totals, given which families a fix moves in
        each year."""
        return []


def service_rows(m: LpModel, inputs: ModelInputs) -> pd.DataFrame:
    """The services table, one row per service-total column t[s,y] (in t's order)."""
    keys = m.cols["t"].keys
    return m.memo("service_rows",
                  lambda: inputs.dataset.services.loc[pd.Index([s for s, _ in keys])])


def own_bounds(family: LimitFamily, m: LpModel, inputs: ModelInputs) -> Bounds:
    """The bounds a family puts on a block (its first numbers)."""
    n = family.numbers(m, inputs)[0]
    assert isinstance(n, Bounds)
    return n


def service_total_limits(family: LimitFamily, s: Solved, amounts: np.ndarray,
                         side: Literal["lo", "hi"], sentence: Callable[[str, str, int, float], str],
                         keep: np.ndarray | None = None) -> list[Limit]:
    """The limits of a family on service totals that the optimum is at: each service total
    t[s,y] within £0.50 of its amount (where ``keep`` allows), with its sentence
    ``sentence(name, service, year, amount)``."""
    names = s.inputs.dataset.services["name"]
    out = []
    for i, (sid, y) in enumerate(s.model.cols["t"].keys):
        ref, amount = Col("t", (sid, y)), float(amounts[i])
        if (keep is None or keep[i]) and at(s.value(ref), amount):
            out.append(Limit(family.family, y, names[sid], amount,
                             sentence(names[sid], sid, y, amount), ref, side, (sid,)))
    return out


class FixedAmount(LimitFamily):
    """A family that holds service totals at an amount (contracts, pins): it binds wherever the
    amount applies, is released either way, and relaxes either way in a diagnosis. Subclasses
    give the amounts (their ``numbers``) and the sentences."""

    def held(self, s: Solved) -> Callable[[str, str, int, float], str]:
        """The sentence of a service held at its amount: (name, service, year, amount)."""
        raise NotImplementedError(self.family)

    def binding(self, s: Solved) -> list[Limit]:
        return service_total_limits(self, s, own_bounds(self, s.model, s.inputs).lo, "lo",
                                    self.held(s))

    def releases(self, limit: Limit, bounds: BoundsOf, step: float) -> list[Release]:
        """£step less (not below £0), or £step more."""
        current = bounds(limit.ref)
        return [{limit.ref: widen(current, down=step, floor=0.0)},
                {limit.ref: widen(current, up=step)}]

    def relax(self, el: ElasticModel) -> None:
        t = el.m.cols["t"]
        names = el.inputs.dataset.services["name"]
        own = own_bounds(self, el.m, el.inputs)
        for (sid, y), v, lo, hi in zip(t.keys, t.items, own.lo, own.hi, strict=True):
            if np.isinf(hi):
                continue
            ref, rank = Col("t", (sid, y)), el.service_rank(sid)
            if lo > 0:
                el.relax(self, ref, [(v, 1.0)], ">=", float(lo),
                         SlackSpec("lo", y, names[sid], float(lo), sid, 1.0, rank))
            el.relax(self, ref, [(v, 1.0)], "<=", float(hi),
                     SlackSpec("hi", y, names[sid], float(hi), sid, -1.0, rank))


def widen(bounds: Interval, down: float = 0.0, up: float = 0.0, floor: float | None = None
          ) -> Interval:
    """``bounds`` with the lower bound lowered by ``down`` (not below ``floor``) and the upper
    raised by ``up``."""
    lo, hi = bounds
    lo = lo - down
    if floor is not None:
        lo = max(floor, lo)
    return lo, hi + up


def at(value: float, bound: float) -> bool:
    """Whether a value sits on a bound (within £0.50)."""
    return bool(np.isfinite(bound)) and abs(value - bound) <= TOUCH


__all__ = [
    "TOUCH",
    "Bounds",
    "BoundsOf",
    "Coefficients",
    "Col",
    "FixedAmount",
    "Limit",
    "LimitFamily",
    "Numbers",
    "Release",
    "Row",
    "Slack",
    "SlackSpec",
    "Solved",
    "at",
    "own_bounds",
    "service_rows",
    "service_total_limits",
    "widen",
]
