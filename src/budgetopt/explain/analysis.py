"""Analyses of a solved scenario that papers and the explorer share.

* :func:`status_quo` — last year's allocation rolled forward, scaled pro rata to the funding
  available each year, with its social value on the same benefit curves: the comparison a Panel
  member asks for ("what if we just carried on?").
* :func:`ending_within_plan` — contracts and grants that end within the plan years.
* :func:`weak_evidence_relied_on` — services funded on weak evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from budgetopt.core.text import fy
from budgetopt.data.dataset import Dataset
from budgetopt.results.result import Result
from budgetopt.results.rounding import largest_remainder


def service_value(ds: Dataset, service: str, amount: float) -> float:
    """Social value (£, unweighted) of spending ``amount`` on a service split in proportion to
    need: the force-level benefit curve (need intensities average to 1 at that split)."""
    segs = ds.curves.loc[service].sort_index()
    value = float(ds.outcomes.at[ds.services.at[service, "outcome_id"], "value_gbp"])
    left, total = amount, 0.0
    for width, slope in zip(segs["width_gbp"], segs["outcomes_per_1k_gbp"], strict=True):
        used = min(left, float(width))
        total += used * float(slope) * value / 1000
        left -= used
        if left <= 0:
            break
    return total


def status_quo(result: Result) -> pd.DataFrame:
    """Per service and plan year: last year's amount scaled to the funding available, whole
    pounds summing to the year's allocated total, and its social value."""
    inputs = result.inputs
    ds = inputs.dataset
    base = ds.services["last_year_gbp"].astype(float)
    rows = []
    for y in inputs.years:
        total = result.totals().get(y, round(inputs.total_available(y)))
        scaled = largest_remainder(base * total / base.sum(), total)
        for s, amount in zip(ds.services.index, scaled, strict=True):
            rows.append((y, s, ds.services.at[s, "scheme_id"], int(amount),
                         service_value(ds, s, float(amount))))
    return pd.DataFrame(rows, columns=["year", "service_id", "scheme_id", "amount_gbp",
                                       "social_value_gbp"])


def ending_within_plan(result: Result) -> pd.DataFrame:
    """Contracts and funding streams whose end year falls within (or just before) the plan."""
    inputs = result.inputs
    ds = inputs.dataset
    first, last = inputs.years[0], inputs.years[-1]
    rows = []
    for _, r in ds.services.iterrows():
        end = r["contract_end_year"]
        if pd.notna(end) and end <= last:
            rows.append(("contract", r["name"], r["provider"], int(end)))
    for _, r in ds.streams.iterrows():
        end = r["end_year"]
        if pd.notna(end) and end <= last:
            rows.append(("grant", r["name"], r["grantor"], int(end)))
    out = pd.DataFrame(rows, columns=["kind", "name", "with", "end_year"])
    out["ends"] = [f"end of {fy(e)}" + (" (before the plan)" if e < first else "")
                   for e in out["end_year"]]
    return out.sort_values(["end_year", "kind", "name"]).reset_index(drop=True)


def weak_evidence_relied_on(result: Result) -> pd.DataFrame:
    """Services funded on weak evidence, with the money they receive in the first plan year."""
    ds = result.inputs.dataset
    y = result.inputs.years[0]
    alloc = result.allocation()
    t = alloc[alloc["year"] == y].groupby("service_id")["amount_gbp"].sum()
    weak = ds.services[ds.services["evidence"] == "weak"]
    out = pd.DataFrame({"service": weak["name"], "amount_gbp": t.reindex(weak.index).fillna(0)})
    return out[out["amount_gbp"] > 0].astype({"amount_gbp": np.int64})
