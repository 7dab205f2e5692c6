"""A scenario against the baseline, by scheme: the one comparison every front end shows.

Works on tables of money in long form (``scheme_id``, ``year``, ``amount_gbp``: the allocation
as :meth:`Result.allocation <budgetopt.results.result.Result.allocation>` gives it and
``allocation.csv`` holds it, or any sum of it by scheme and year), so the explorer, the
comparison paper and the batch index compare the same way whether they hold a solved result or
only its files.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

TOTAL = "total"


def against_baseline(allocation: pd.DataFrame, baseline: pd.DataFrame,
                     years: Iterable[int] | None = None) -> pd.DataFrame:
    """Per scheme, and a ``total`` row: the baseline's £, this scenario's £ and the difference,
    summed over ``years`` (default: every year each table holds). Schemes come in the
    baseline's order of ids; a scheme missing from one side counts £0 there."""
    if years is not None:
        wanted = set(years)
        allocation = allocation[allocation["year"].isin(wanted)]
        baseline = baseline[baseline["year"].isin(wanted)]
    was = baseline.groupby("scheme_id")["amount_gbp"].sum()
    now = allocation.groupby("scheme_id")["amount_gbp"].sum()
    index = was.index.union(now.index, sort=False)
    out = pd.DataFrame({"baseline_gbp": was.reindex(index, fill_value=0),
                        "scenario_gbp": now.reindex(index, fill_value=0)})
    out["difference_gbp"] = out["scenario_gbp"] - out["baseline_gbp"]
    out.loc[TOTAL] = out.sum()
    return out.astype("int64")
