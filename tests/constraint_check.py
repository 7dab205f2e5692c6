"""An independent check that a rounded result meets every constraint family of its scenario.

Written from the data and the scenario only (not from the model's rows), so it catches a family
the model forgot as well as rounding that breaks a limit. Rounded figures may differ from the
exact optimum by at most £1 per aggregate; limits that are themselves fractional (a stability
band of 10% of £123,457) are checked to the nearest pound.
"""

from __future__ import annotations

import pandas as pd

from budgetopt.results.result import Result

SLACK = 1.0  # £


def contract_amount(service: pd.Series, base_year: int, year: int) -> float | None:
    """Contract value in ``year`` with its annual uplift, or None when no contract binds
    (written here from docs/model.md, not taken from the model)."""
    value = service["contract_value_gbp"]
    if pd.isna(value) or value <= 0 or year > service["contract_end_year"]:
        return None
    return float(value * (1 + service["contract_uplift"]) ** (year - base_year))


def violations(r: Result) -> list[str]:
    out: list[str] = []
    inputs = r.inputs
    ds, sc = inputs.dataset, inputs.scenario
    services, schemes, streams = ds.services, ds.schemes, ds.streams
    alloc = r.allocation()
    flows = r.flows()
    t = alloc.groupby(["service_id", "year"])["amount_gbp"].sum()

    for y in inputs.years:
        a_total = alloc.loc[alloc["year"] == y, "amount_gbp"].sum()
        f_total = flows.loc[flows["year"] == y, "amount_gbp"].sum()
        if a_total != f_total:
            out.append(f"{y}: allocation {a_total} != flows {f_total}")
        # funding: within amounts, must-spend spent, ring-fences respected
        for f in streams.index:
            spent = flows.loc[(flows["year"] == y) & (flows["stream_id"] == f), "amount_gbp"].sum()
            amount = inputs.stream_amounts.at[f, y]
            if spent > amount + 1e-9:
                out.append(f"{y} stream {f}: spent {spent} > {amount}")
            if streams.at[f, "must_spend"] and abs(spent - amount) > SLACK:
                out.append(f"{y} stream {f}: must spend {amount}, spent {spent}")
            if streams.at[f, "ring_fenced"]:
                ok = ds.eligible_schemes(f)
                used = flows[(flows["stream_id"] == f) & (flows["amount_gbp"] > 0)]
                bad = set(used["service_id"].map(services["scheme_id"])) - ok
                if bad:
                    out.append(f"{y} stream {f} funds ineligible schemes {sorted(bad)}")
        # schemes
        for k in schemes.index:
            total = t[[(s, y) for s in services.index[services["scheme_id"] == k]]].sum()
            floor, cap = schemes.at[k, "floor_gbp"], schemes.at[k, "cap_gbp"]
            if total < floor - SLACK or total > cap + SLACK:
                out.append(f"{y} scheme {k}: {total} outside floor/cap")
        # services, contracts, pins
        pins = {(p.service, p.year): p.amount_gbp for p in sc.pins}
        for s, row in services.iterrows():
            v = t.get((s, y), 0)
            if v < row["min_gbp"] - SLACK or v > row["capacity_gbp"] + SLACK:
                out.append(f"{y} service {s}: {v} outside min/capacity")
            c = contract_amount(row, inputs.base_year, y)
            if c is not None and abs(v - c) > SLACK:
                out.append(f"{y} service {s}: {v} but contract {c}")
            if (s, y) in pins and abs(v - pins[(s, y)]) > SLACK:
                out.append(f"{y} service {s}: {v} but pinned {pins[(s, y)]}")
            # stability (continuing services)
            base = row["last_year_gbp"]
            if base > 0:
                prev = base if y == inputs.years[0] else t.get((s, y - 1), 0)
                if abs(v - prev) > sc.stability_limit * base + 2 * SLACK:
                    out.append(f"{y} service {s}: move {v - prev} beyond ±{sc.stability_limit:g}")
    # fairness: area share of each area-split scheme within ±τ of need share
    split = alloc[alloc["service_id"].map(services["area_split"]).astype(bool)]
    for (k, y), rows in split.groupby(["scheme_id", "year"]):
        total = rows["amount_gbp"].sum()
        if total <= 0:
            continue
        by_area = rows.groupby("area_id")["amount_gbp"].sum()
        for a in ds.areas.index:
            n = ds.need_shares.at[k, a]
            share = by_area.get(a, 0) / total
            slack = (len(ds.areas) * SLACK) / total
            tau = sc.fairness_tolerance
            if share > (1 + tau) * n + slack or share < (1 - tau) * n - slack:
                out.append(f"{y} scheme {k} area {a}: share {share:.4f}, need {n:.4f}")
    return out


def tables_add_up(r: Result) -> list[str]:
    """Every table sums exactly to the same yearly totals."""
    out = []
    totals = r.totals()
    checks = {
        "by_scheme": r.by_scheme().drop(index="total"),
        "by_area": r.by_area().drop(index="total"),
    }
    for name, table in checks.items():
        for y in r.years:
            if int(table[y].sum()) != totals[y]:
                out.append(f"{name} {y}: {table[y].sum()} != {totals[y]}")
    committed = r.committed()
    for y in r.years:
        if int(committed[y].sum()) != totals[y]:
            out.append(f"committed {y}: {committed[y].sum()} != {totals[y]}")
        m = r.matrix(y)
        if int(m.loc[("total", ""), "total"]) != totals[y]:
            out.append(f"matrix {y} total differs")
        body = m.drop(index=("total", ""))
        if not (body.drop(columns="total").sum(axis=1) == body["total"]).all():
            out.append(f"matrix {y} rows do not add up")
    change = r.change()
    for y in r.years:
        if int(change[f"{y}_gbp"].sum()) != totals[y]:
            out.append(f"change {y} cash column does not add up")
    pri = r.by_priority()
    for y in r.years:
        if int(pri.drop(index="total")[y].sum()) != int(pri.loc["total", y]):
            out.append(f"by_priority {y} does not add up")
    if not isinstance(r.cells, pd.DataFrame) or (r.cells["amount_gbp"] % 1 != 0).any():
        out.append("cells are not whole pounds")
    return out
