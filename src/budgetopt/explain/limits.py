"""Which limits the optimum sits against: every family of the registry, asked in turn."""

from __future__ import annotations

from budgetopt.model.limits import REGISTRY, Family, Limit, Solved

FAMILY_ORDER = {f.family: i for i, f in enumerate(REGISTRY)}


def binding_limits(solved: Solved) -> list[Limit]:
    """Every limit the exact optimum is at (within £0.50), grouped by family in registry order,
    then by year and the largest amount first; none when there is no optimum."""
    if not solved.is_optimal:
        return []
    out = [lim for family in REGISTRY for lim in family.binding(solved)]
    return sorted(out, key=lambda lim: (FAMILY_ORDER[lim.family], lim.year, -lim.amount_gbp))


def families_in(limits: list[Limit]) -> list[Family]:
    """The families of ``limits`` in registry order, each once."""
    seen = {lim.family for lim in limits}
    return [f.family for f in REGISTRY if f.family in seen]
