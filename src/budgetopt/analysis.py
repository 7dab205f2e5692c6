"""Analyses of a solved scenario that papers and the explorer share.

* :func:`status_quo` — last year's allocation rolled forward, scaled pro rata to the funding
  available each year, with its social value on the same benefit curves: the comparison a Panel
  member asks for ("what if we just carried on?").
* :func:`binding_limits` — which limits the optimum sits against, by family, in words.
* :func:`ending_within_plan` — contracts and grants that end within the plan years.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from budgetopt.dataset import Dataset, fy
from budgetopt.model import contract_amount, service_limits
from budgetopt.results import Result
from budgetopt.rounding import largest_remainder
from budgetopt.schemas import FORCE_AREA

TOUCH = 0.5  # £: a value within this of a limit is "at" the limit


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


@dataclass(frozen=True)
class Limit:
    """A limit the optimum sits against, in words a Panel member understands."""

    family: str  # contract, pin, service minimum, capacity, scheme floor, scheme cap, stability,
    # fairness, funding
    year: int
    subject: str  # the service, scheme, stream or area it concerns (display name)
    amount_gbp: float
    sentence: str
    key: tuple = ()  # model key: (service,), (scheme,), (stream,) or (scheme, area)


def binding_limits(result: Result) -> list[Limit]:
    """Every limit the exact optimum is at (within £0.50), grouped by family."""
    if not result.is_optimal:
        return []
    inputs = result.inputs
    ds = inputs.dataset
    names = ds.services["name"]
    out: list[Limit] = []
    t = result.exact["t"]
    for (s, y), v in t.items():
        for family, lo, hi in service_limits(inputs, s, y):
            if family == "contract" and abs(v - lo) <= TOUCH:
                out.append(Limit("contract", y, names[s], lo,
                                 f"The contract with {ds.services.at[s, 'provider']} fixes "
                                 f"£{lo:,.0f} for {names[s]} in {fy(y)}.", (s,)))
            elif family == "pin" and abs(v - lo) <= TOUCH:
                reason = next(p.reason for p in inputs.pins if (p.service, p.year) == (s, y))
                out.append(Limit("pin", y, names[s], lo,
                                 f"{names[s]} is pinned at £{lo:,.0f} in {fy(y)}: {reason}",
                                 (s,)))
            elif family == "service":
                if lo > 0 and abs(v - lo) <= TOUCH and contract_amount(
                        ds.services.loc[s], inputs.base_year, y) is None:
                    out.append(Limit("service minimum", y, names[s], lo,
                                     f"{names[s]} is held at its minimum of £{lo:,.0f} in "
                                     f"{fy(y)}.", (s,)))
                if abs(v - hi) <= TOUCH:
                    out.append(Limit("capacity", y, names[s], hi,
                                     f"{names[s]} is at its capacity of £{hi:,.0f} in {fy(y)}.",
                                     (s,)))
    for (k, y), v in result.exact["T"].items():
        name = ds.schemes.at[k, "name"]
        floor, cap = float(ds.schemes.at[k, "floor_gbp"]), float(ds.schemes.at[k, "cap_gbp"])
        if floor > 0 and abs(v - floor) <= TOUCH:
            out.append(Limit("scheme floor", y, name, floor,
                             f"{name} is held at its floor of £{floor:,.0f} in {fy(y)}.", (k,)))
        if abs(v - cap) <= TOUCH:
            out.append(Limit("scheme cap", y, name, cap,
                             f"{name} is at its cap of £{cap:,.0f} in {fy(y)}.", (k,)))
    delta = inputs.scenario.stability_limit
    for s, base in ds.services["last_year_gbp"].items():
        if base <= 0:
            continue
        prev = float(base)
        for y in inputs.years:
            move = t[(s, y)] - prev
            if abs(abs(move) - delta * base) <= TOUCH:
                word = "rise" if move > 0 else "fall"
                out.append(Limit("stability", y, names[s], delta * base,
                                 f"{names[s]} may {word} by at most £{delta * base:,.0f} "
                                 f"({delta:.0%} of last year) into {fy(y)}, and does.", (s,)))
            prev = t[(s, y)]
    out += _fairness_limits(result)
    for _, row in result.by_stream().iterrows():
        f, y = row["stream_id"], int(row["year"])
        if row["unspent_gbp"] == 0 and not ds.streams.at[f, "must_spend"]:
            out.append(Limit("funding", y, ds.streams.at[f, "name"], row["available_gbp"],
                             f"All of the {ds.streams.at[f, 'name']} (£"
                             f"{row['available_gbp']:,.0f}) is allocated in {fy(y)}.", (f,)))
    order = ["funding", "contract", "pin", "scheme floor", "scheme cap", "service minimum",
             "capacity", "stability", "fairness"]
    return sorted(out, key=lambda lim: (order.index(lim.family), lim.year, -lim.amount_gbp))


def _fairness_limits(result: Result) -> list[Limit]:
    ds, tau = result.inputs.dataset, result.inputs.scenario.fairness_tolerance
    out = []
    shares = area_shares(result, exact=True)
    for _, r in shares.iterrows():
        lo, hi = (1 - tau) * r["need_share"], (1 + tau) * r["need_share"]
        edge = "most" if abs(r["share"] - hi) < 1e-6 else "least" if abs(
            r["share"] - lo) < 1e-6 else None
        if edge:
            area, scheme = ds.areas.at[r["area_id"], "name"], ds.schemes.at[r["scheme_id"], "name"]
            out.append(Limit("fairness", int(r["year"]), f"{area} ({scheme})", r["amount_gbp"],
                             f"{area} receives the {edge} the fairness band allows in {scheme}, "
                             f"{r['share']:.1%} against a need share of {r['need_share']:.1%}, "
                             f"in {fy(int(r['year']))}.", (r["scheme_id"], r["area_id"], edge)))
    return out


def area_shares(result: Result, exact: bool = False) -> pd.DataFrame:
    """Per area-split scheme, year and area: amount, share of the scheme's area-split money,
    need share and the fairness band."""
    ds = result.inputs.dataset
    tau = result.inputs.scenario.fairness_tolerance
    if exact:
        x = pd.Series(result.exact["x"])
        a = x.rename_axis(["service_id", "area_id", "year"]).rename("amount_gbp").reset_index()
        a["scheme_id"] = a["service_id"].map(ds.services["scheme_id"])
    else:
        a = result.allocation()
    a = a[(a["area_id"] != FORCE_AREA)
          & a["service_id"].map(ds.services["area_split"]).astype(bool)]
    g = a.groupby(["scheme_id", "year", "area_id"], as_index=False)["amount_gbp"].sum()
    g["share"] = g["amount_gbp"] / g.groupby(["scheme_id", "year"])["amount_gbp"].transform("sum")
    g["need_share"] = [ds.need_shares.at[k, ar] for k, ar in zip(g["scheme_id"], g["area_id"],
                                                                 strict=True)]
    g["band_low"] = (1 - tau) * g["need_share"]
    g["band_high"] = (1 + tau) * g["need_share"]
    return g.fillna({"share": 0.0})


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
