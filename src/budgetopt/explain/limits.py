"""Which limits the optimum sits against: every family of the registry, asked in turn."""

from __future__ import annotations

from budgetopt.model.limits import REGISTRY, Family, Limit, Solved

LISTED = {family: i for i, family in enumerate(Family)}  # the order limits are listed in


def binding_limits(solved: Solved) -> list[Limit]:
    """Every limit the exact optimum is at (within £0.50), grouped by family in the order of
    ``Family``, then by year and the largest amount first; none when there is no optimum."""
    if not solved.is_optimal:
        return []
    out = [lim for family in REGISTRY for lim in family.binding(solved)]
    return sorted(out, key=lambda lim: (LISTED[lim.family], lim.year, -lim.amount_gbp))
