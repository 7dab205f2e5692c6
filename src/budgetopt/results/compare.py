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

from budgetopt.results.result import Result

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


def settings_compared(start: Result, kept: list[tuple[str, Result]]) -> pd.DataFrame:
    """The explorer's kept settings beside the start, by scheme and year (the plan years all
    of them share): ``scheme_id``, ``scheme``, ``year``, the start's £, then for each setting
    its £ and its change from the start. Whole pounds, so every column adds up to its total."""
    ds = start.inputs.dataset
    met = [(n, r) for n, r in kept if r.is_optimal]
    years = [y for y in start.years if all(y in r.years for _, r in met)]
    base = start.by_scheme().drop(index=TOTAL)
    rows = [(k, ds.schemes["name"].get(k, k), y) for y in years for k in base.index]
    out = pd.DataFrame(rows, columns=["scheme_id", "scheme", "year"])
    out["start_gbp"] = [int(base.at[k, y]) for k, _, y in rows]
    for name, r in met:
        now = r.by_scheme().reindex(base.index, fill_value=0)
        out[f"{name}_gbp"] = [int(now.at[k, y]) for k, _, y in rows]
        out[f"{name}_change_gbp"] = out[f"{name}_gbp"] - out["start_gbp"]
    return out
