"""The answers explanations give, as typed records: each with its figures and its sentence."""

from __future__ import annotations

from dataclasses import dataclass

from budgetopt.core.text import signed_money
from budgetopt.explain.diagnose import Diagnosis
from budgetopt.model.limits import Limit

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


