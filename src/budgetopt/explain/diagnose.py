"""Why a scenario cannot be met, and the smallest fix.

When no allocation meets every limit, :func:`diagnose` solves the *elastic* model
(:mod:`budgetopt.model.elastic`): each limit a commissioner can move gets a slack column priced
per £ by its family, and the LP finds the cheapest set of moves that makes the scenario
possible. Each move becomes its family's sentence ("Lower the floor of ASB services in 2025/26
from £1,100,000 to £950,000"). One function serves the CLI, the papers and the explorer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from budgetopt.core.text import fy, money
from budgetopt.data.inputs import ModelInputs
from budgetopt.model.elastic import build_elastic
from budgetopt.model.limits import BY_FAMILY, REGISTRY, Family, relaxation_order
from budgetopt.solve.elastic import solve_elastic

SHOWN_FROM = 0.5  # £: moves smaller than this are rounding, not fixes


@dataclass(frozen=True)
class Relaxation:
    family: Family
    year: int
    subject: str
    limit_gbp: float  # the limit as set
    amount_gbp: float  # how far it moves (always > 0)
    sentence: str


@dataclass(frozen=True)
class Diagnosis:
    """The smallest relaxation that makes a scenario feasible (empty when it already is)."""

    relaxations: list[Relaxation]
    total_gbp: float
    found: bool  # False: no move of the relaxable limits helps (a ring-fence or capacity fault)
    context: list[str]

    @property
    def summary(self) -> str:
        if not self.found:
            return (f"No move of the limits a diagnosis may move ({', '.join(relaxation_order())})"
                    " makes this scenario possible: check ring-fenced grants against the "
                    "capacity of the services they may fund.")
        if not self.relaxations:
            return "The scenario can be met; nothing needs to change."
        order = relaxation_order()
        families = sorted({r.family for r in self.relaxations}, key=order.index)
        return (f"The smallest fix moves limits by {money(self.total_gbp)} in all "
                f"({', '.join(families)}).")

    @property
    def sentences(self) -> list[str]:
        return [*self.context, self.summary, *(r.sentence for r in self.relaxations)]

    def record(self) -> dict:
        """The diagnosis as result.json holds it."""
        return {"smallest_fix_gbp": round(self.total_gbp),
                "summary": self.summary,
                "changes": [{"family": str(r.family), "year": fy(r.year), "subject": r.subject,
                             "amount_gbp": round(r.amount_gbp), "sentence": r.sentence}
                            for r in self.relaxations]}


def diagnose(inputs: ModelInputs) -> Diagnosis:
    """Find the cheapest relaxation (priced by each family) that makes ``inputs`` feasible."""
    el = build_elastic(inputs)
    amounts = solve_elastic(el)
    if amounts is None:
        return Diagnosis([], 0.0, False, [])
    relaxations = [
        Relaxation(s.family, s.year, s.subject, s.limit_gbp, amount,
                   BY_FAMILY[s.family].relaxation(s, amount))
        for s, amount in zip(el.slacks, amounts, strict=True) if amount > SHOWN_FROM]
    order = relaxation_order()
    relaxations.sort(key=lambda r: (r.year, order.index(r.family), -r.amount_gbp))
    total = float(np.sum([r.amount_gbp for r in relaxations]))
    by_year: dict[int, set[Family]] = {}
    for r in relaxations:
        by_year.setdefault(r.year, set()).add(r.family)
    context = [line for family in REGISTRY for line in family.context(inputs, by_year)]
    return Diagnosis(relaxations, total, True, context)
