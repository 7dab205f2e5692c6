"""Tidy result tables in whole pounds that add up exactly.

:func:`make_result` turns a solved :class:`~budgetopt.solve.allocator.Allocator` into a
:class:`Result`: money is rounded once, at the finest cell (stream × service × area × year), by
controlled rounding (:mod:`budgetopt.results.rounding`), and every table — the allocation
matrix, schemes, areas, flows, streams, change against last year, committed money — is a sum of
those cells, so every table adds up exactly to its total and every stream, scheme, service and
area total is within £1 of the exact optimum.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from budgetopt.core.text import fy
from budgetopt.data.inputs import ModelInputs
from budgetopt.data.schemas import FORCE_AREA
from budgetopt.model.limits import COMMITTING, Family, family_bounds
from budgetopt.results.rounding import cell_ids, controlled_round, largest_remainder
from budgetopt.solve.allocator import Allocator, Solution
from budgetopt.solve.status import SolveStatus

CELL_COLUMNS = ["year", "stream_id", "scheme_id", "service_id", "area_id", "amount_gbp"]


@dataclass(frozen=True)
class Result:
    """A solved scenario: status, value and the rounded cells every table is summed from."""

    inputs: ModelInputs
    status: SolveStatus
    objective: float | None  # priority-weighted social value (the LP objective), £
    social_value_gbp: float | None  # unweighted social value, £
    cells: pd.DataFrame  # CELL_COLUMNS, whole pounds
    service_value: pd.DataFrame  # year, service_id, social_value_gbp (exact)
    exact: dict[str, dict[tuple, float]]  # exact LP values by block ('t', 'x', 'g', 'T')
    commitments: pd.DataFrame  # service_id, year, category, amount_gbp: what a lower bound holds
    seconds: float
    warm: bool

    @property
    def is_optimal(self) -> bool:
        return self.status.is_optimal

    @property
    def years(self) -> list[int]:
        return self.inputs.years

    # -- the tables -----------------------------------------------------------------------
    def allocation(self) -> pd.DataFrame:
        """The allocation matrix in long form: year, scheme, service, area, £ — every service
        and area of the model, with 0 where nothing is allocated."""
        cols = ["year", "scheme_id", "service_id", "area_id"]
        summed = self.cells.groupby(cols, sort=False)["amount_gbp"].sum()
        services = self.inputs.dataset.services["scheme_id"]
        keys = sorted(self.exact.get("x", {}), key=lambda k: (k[2],))
        full = pd.MultiIndex.from_tuples([(y, services[s], s, a) for s, a, y in keys],
                                         names=cols)
        out = summed.reindex(full, fill_value=0) if len(full) else summed
        return out.astype(np.int64).reset_index()

    def flows(self) -> pd.DataFrame:
        """Funding flows: year, stream, service, £."""
        cols = ["year", "stream_id", "service_id"]
        out = self.cells.groupby(cols, as_index=False, sort=False)["amount_gbp"].sum()
        return out[out["amount_gbp"] != 0].reset_index(drop=True)

    def matrix(self, year: int) -> pd.DataFrame:
        """Service × area matrix of one year, with row and column totals."""
        a = self.allocation()
        a = a[a["year"] == year]
        m = a.pivot_table(index=["scheme_id", "service_id"], columns="area_id",
                          values="amount_gbp", aggfunc="sum", fill_value=0, sort=False)
        areas = [*self.inputs.dataset.areas.index, "force"]
        m = m.reindex(columns=[c for c in areas if c in m.columns], fill_value=0)
        m["total"] = m.sum(axis=1)
        m.loc[("total", ""), :] = m.sum(axis=0)
        return m.astype(np.int64)

    @cached_property
    def base_by_service(self) -> pd.Series:
        """Each service's base-year amount in whole pounds, rounded so that every scheme's
        services add up to the scheme's whole-pound total and the schemes to the whole-pound
        total (largest remainder, twice): one set of base-year figures for every table."""
        services = self.inputs.dataset.services
        raw = services["last_year_gbp"].astype(float)
        by = raw.groupby(services["scheme_id"], sort=False).sum()
        schemes = pd.Series(largest_remainder(by.to_numpy()), index=by.index)
        out = pd.Series(0, index=services.index, dtype=np.int64)
        for k, ids in services.groupby("scheme_id", sort=False).groups.items():
            out[ids] = largest_remainder(raw[ids].to_numpy(), float(schemes[k]))
        return out

    def base_by_area(self) -> pd.Series:
        """Last year's area-split money shared by need, by area, in whole pounds; 'force' holds
        the force-wide services and 'total' the whole base year, as in :meth:`by_scheme`."""
        ds = self.inputs.dataset
        base = self.base_by_service
        split = ds.services.index[ds.services["area_split"].astype(bool)]
        areas = pd.Series(0, index=ds.areas.index, dtype=np.int64)
        for k, amount in base[split].groupby(ds.services.loc[split, "scheme_id"]).sum().items():
            shares = ds.need_shares.loc[k].reindex(ds.areas.index).fillna(0)
            areas += largest_remainder((shares * amount).to_numpy(), float(amount))
        total = int(base.sum())
        return pd.concat([areas, pd.Series({FORCE_AREA: total - int(areas.sum()),
                                            "total": total})])

    def by_scheme(self) -> pd.DataFrame:
        """Scheme × year, with last year's amount."""
        t = self.cells.pivot_table(index="scheme_id", columns="year", values="amount_gbp",
                                   aggfunc="sum", fill_value=0)
        ds = self.inputs.dataset
        last = self.base_by_service.groupby(ds.services["scheme_id"]).sum()
        t = t.reindex(ds.schemes.index, fill_value=0)
        t.insert(0, self.inputs.base_year, last.reindex(t.index).fillna(0).to_numpy())
        t.loc["total"] = t.sum()
        return t.astype(np.int64)

    def by_area(self) -> pd.DataFrame:
        """Area × year ('force' holds force-wide services)."""
        t = self.cells.pivot_table(index="area_id", columns="year", values="amount_gbp",
                                   aggfunc="sum", fill_value=0)
        t.loc["total"] = t.sum()
        return t.astype(np.int64)

    def by_stream(self) -> pd.DataFrame:
        """Per stream and year: available, allocated, unspent."""
        spent = self.cells.groupby(["stream_id", "year"])["amount_gbp"].sum()
        avail = self.inputs.stream_amounts.stack().rename_axis(["stream_id", "year"])
        out = pd.DataFrame({"available_gbp": avail.round().astype(np.int64),
                            "allocated_gbp": spent}).fillna(0).astype(np.int64)
        out["unspent_gbp"] = out["available_gbp"] - out["allocated_gbp"]
        return out.reset_index()

    def totals(self) -> dict[int, int]:
        return {int(y): int(v) for y, v in self.cells.groupby("year")["amount_gbp"].sum().items()}

    def by_priority(self) -> pd.DataFrame:
        """Social value (unweighted, £) by plan priority and year, summing to each year's total."""
        sv = self.service_value
        shares = self.inputs.dataset.service_priorities["share"].reset_index()
        j = sv.merge(shares, on="service_id")
        j["value"] = j["social_value_gbp"] * j["share"]
        t = j.pivot_table(index="priority_id", columns="year", values="value", aggfunc="sum",
                          fill_value=0.0)
        for y in t.columns:
            t[y] = largest_remainder(t[y].to_numpy())
        t.loc["total"] = t.sum()
        return t.astype(np.int64)

    def change(self) -> pd.DataFrame:
        """Per service: last year, each plan year, change in cash and in real terms.

        Real terms are in base-year prices, deflated by the dataset's inflation assumption.
        """
        ds = self.inputs.dataset
        alloc = self.allocation().groupby(["service_id", "year"])["amount_gbp"].sum().unstack()
        alloc = alloc.reindex(ds.services.index, fill_value=0)
        out = pd.DataFrame({
            "scheme_id": ds.services["scheme_id"],
            "last_year_gbp": self.base_by_service,
        })
        deflator = self.deflators()
        for y in self.years:
            out[f"{y}_gbp"] = alloc[y]
            real = largest_remainder(alloc[y].to_numpy() / deflator[y],
                                     alloc[y].sum() / deflator[y])
            out[f"{y}_real_gbp"] = real
        last = self.years[-1]
        out["change_gbp"] = out[f"{last}_gbp"] - out["last_year_gbp"]
        out["change_real_gbp"] = out[f"{last}_real_gbp"] - out["last_year_gbp"]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["change_pct"] = 100 * out["change_gbp"] / out["last_year_gbp"]
            out["change_real_pct"] = 100 * out["change_real_gbp"] / out["last_year_gbp"]
        return out.rename_axis("service_id").reset_index()

    def deflators(self) -> dict[int, float]:
        """Price level of each plan year relative to the base year (1.0 = base-year prices)."""
        rates = self.inputs.dataset.inflation["rate"]
        level, out = 1.0, {}
        for y in self.years:
            level *= 1 + float(rates[y])
            out[y] = level
        return out

    def committed(self) -> pd.DataFrame:
        """Money the optimiser could not move (contracts, pins, minimums, scheme floors) against
        money it was free to place, per year; rows sum to the year's total allocation."""
        ds = self.inputs.dataset
        rows = []
        for y in self.years:
            held = self.commitments[self.commitments["year"] == y]
            parts = {str(f.commits): 0.0 for f in sorted(  # contracts, pins, service minimums
                COMMITTING, key=lambda f: list(Family).index(f.family))}
            lower_by_scheme: dict[str, float] = {}
            for sid, category, lo in zip(held["service_id"], held["category"],
                                         held["amount_gbp"], strict=True):
                parts[category] += lo
                k = ds.services.at[sid, "scheme_id"]
                lower_by_scheme[k] = lower_by_scheme.get(k, 0.0) + lo
            parts["scheme floors"] = sum(
                max(0.0, float(ds.schemes.at[k, "floor_gbp"]) - lower_by_scheme.get(k, 0.0))
                for k in ds.schemes.index)
            total = self.totals().get(y, 0)
            committed = sum(parts.values())
            parts["free to place"] = max(0.0, total - committed)
            rounded = largest_remainder(list(parts.values()), total)
            rows += [(y, name, int(v)) for name, v in zip(parts, rounded, strict=True)]
        out = pd.DataFrame(rows, columns=["year", "category", "amount_gbp"])
        return out.pivot(index="category", columns="year", values="amount_gbp").reindex(
            list(parts))

    def area_shares(self) -> pd.DataFrame:
        """Per area-split scheme, year and area: amount, share of the scheme's area-split money,
        need share and the fairness band."""
        ds = self.inputs.dataset
        tau = self.inputs.scenario.fairness_tolerance
        a = self.allocation()
        a = a[(a["area_id"] != FORCE_AREA)
              & a["service_id"].map(ds.services["area_split"]).astype(bool)]
        g = a.groupby(["scheme_id", "year", "area_id"], as_index=False)["amount_gbp"].sum()
        g["share"] = g["amount_gbp"] / g.groupby(["scheme_id", "year"])["amount_gbp"].transform(
            "sum")
        g["need_share"] = [ds.need_shares.at[k, ar]
                           for k, ar in zip(g["scheme_id"], g["area_id"], strict=True)]
        g["band_low"] = (1 - tau) * g["need_share"]
        g["band_high"] = (1 + tau) * g["need_share"]
        return g.fillna({"share": 0.0})

    def ring_fenced(self) -> pd.DataFrame:
        """Allocated money by whether its stream is ring-fenced, per year."""
        rf = self.inputs.dataset.streams["ring_fenced"]
        c = self.cells.assign(kind=self.cells["stream_id"].map(
            lambda f: "ring-fenced" if rf[f] else "unrestricted"))
        return c.pivot_table(index="kind", columns="year", values="amount_gbp", aggfunc="sum",
                             fill_value=0).astype(np.int64)

    # -- summaries ------------------------------------------------------------------------
    def summary(self) -> dict:
        """What result.json holds."""
        s = self.inputs.scenario
        out = {
            "scenario": s.name,
            "title": s.title,
            "status": self.status.status.value,
            "status_sentence": self.status.sentence,
            "solver": self.status.solver,
            "dataset": self.inputs.dataset.name,
            "dataset_hash": self.inputs.dataset.content_hash,
            "plan_years": [fy(y) for y in self.years],
            "objective": self.objective,
            "social_value_gbp": self.social_value_gbp,
            "total_allocated_gbp": int(self.cells["amount_gbp"].sum()) if self.is_optimal
            else None,
            "per_year": {fy(y): {"allocated_gbp": v,
                                 "available_gbp": round(self.inputs.total_available(y))}
                         for y, v in self.totals().items()},
            "solve_seconds": round(self.seconds, 4),
            "warm_start": self.warm,
        }
        return out

    def to_json(self) -> str:
        return json.dumps(self.summary(), indent=2)

    @cached_property
    def text(self) -> str:
        """A short printed summary for the terminal."""
        s = self.summary()
        lines = [f"Scenario '{s['scenario']}': {s['title']}", f"  {self.status.sentence}"]
        if not self.is_optimal:
            return "\n".join(lines)
        lines.append(f"  Social value £{self.social_value_gbp:,.0f} (priority-weighted "
                     f"£{self.objective:,.0f}) over {len(self.years)} plan years")
        bs = self.by_scheme()
        names = self.inputs.dataset.schemes["name"]
        head = f"  {'Scheme (£)':<42}" + "".join(f"{fy(y):>12}" for y in bs.columns)
        lines += ["", head]
        for k, row in bs.iterrows():
            label = "Total" if k == "total" else names[k]
            lines.append(f"  {label[:42]:<42}" + "".join(f"{v:>12,}" for v in row))
        return "\n".join(lines)


# ------------------------------------------------------------------------------------------
def make_result(alloc: Allocator, solution: Solution) -> Result:
    """Round the solution once at the finest cell and wrap it in a Result."""
    inputs = alloc.inputs
    if solution.values is None:
        empty = pd.DataFrame(columns=CELL_COLUMNS)
        return Result(inputs, solution.status, None, None, empty,
                      pd.DataFrame(columns=["year", "service_id", "social_value_gbp"]), {},
                      pd.DataFrame(columns=COMMITMENT_COLUMNS), solution.seconds, solution.warm)
    values = solution.values
    exact = {block: values.block(block) for block in ("t", "x", "g", "T")}
    cells = pd.concat([_round_year(inputs, exact, y) for y in inputs.years], ignore_index=True)
    m = alloc.model
    value = pd.DataFrame({
        "year": [k[2] for k in m.cols["z"].keys],
        "service_id": [k[0] for k in m.cols["z"].keys],
        "social_value_gbp": m.z_value * values.filled(),
    }).groupby(["year", "service_id"], as_index=False, sort=False)["social_value_gbp"].sum()
    return Result(inputs, solution.status, solution.objective, solution.social_value, cells,
                  value, exact, _commitments(alloc), solution.seconds, solution.warm)


COMMITMENT_COLUMNS = ["service_id", "year", "category", "amount_gbp"]


def _commitments(alloc: Allocator) -> pd.DataFrame:
    """Per service total: the money its lower bound holds, and which family sets it."""
    m = alloc.model
    limits = family_bounds(m, alloc.inputs, "t")
    lows = np.vstack([limits[f.family][0] for f in COMMITTING])
    lo = lows.max(axis=0)
    first = (lows == lo).argmax(axis=0)  # the first family of COMMITTING that sets it
    keys = m.cols["t"].keys
    return pd.DataFrame({"service_id": [k[0] for k in keys], "year": [k[1] for k in keys],
                         "category": np.array([f.commits for f in COMMITTING])[first],
                         "amount_gbp": lo})


def _round_year(inputs: ModelInputs, exact: dict, year: int) -> pd.DataFrame:
    """Controlled rounding of one year: stream × service first, then each service's streams
    across its areas in proportion to the exact area split."""
    services = inputs.dataset.services
    flows = [(f, s, v) for (f, s, y), v in exact["g"].items() if y == year and abs(v) > 1e-6]
    if not flows:
        return pd.DataFrame(columns=CELL_COLUMNS)
    fs = pd.DataFrame(flows, columns=["stream_id", "service_id", "exact"])
    fs["scheme_id"] = fs["service_id"].map(services["scheme_id"])
    fs["amount"] = controlled_round(
        fs["exact"].to_numpy(), [fs["stream_id"].to_numpy(),
                                 fs["service_id"].to_numpy(), fs["scheme_id"].to_numpy()],
        cell_ids(fs["stream_id"], fs["service_id"]))

    areas = pd.DataFrame([(s, a, v) for (s, a, y), v in exact["x"].items() if y == year],
                         columns=["service_id", "area_id", "x"])
    areas["t"] = areas["service_id"].map({s: v for (s, y), v in exact["t"].items() if y == year})
    areas["share"] = np.where(areas["t"] > 1e-9, areas["x"] / areas["t"].where(areas["t"] > 0, 1),
                              0.0)
    cells = fs.merge(areas[["service_id", "area_id", "share"]], on="service_id")
    cells = cells[cells["share"] > 0]
    cells["exact_cell"] = cells["amount"] * cells["share"]
    cells["amount_gbp"] = controlled_round(
        cells["exact_cell"].to_numpy(),
        [(cells["stream_id"] + "\x1f" + cells["service_id"]).to_numpy(),
         (cells["service_id"] + "\x1f" + cells["area_id"]).to_numpy(),
         (cells["scheme_id"] + "\x1f" + cells["area_id"]).to_numpy(),
         cells["area_id"].to_numpy()],
        cell_ids(cells["stream_id"], cells["service_id"], cells["area_id"]))
    cells["year"] = year
    return cells[CELL_COLUMNS].reset_index(drop=True)
