"""The rules across a dataset's tables: references, sums, concavity, reconciliation, sources.

These run only on tables that each read cleanly on their own (:mod:`budgetopt.data.readers`),
and record every broken rule with the file, line, column and value it concerns. One function per
group of rules; :func:`check_across_tables` runs them all in the order a reader of the error list
meets the tables.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from budgetopt.core.errors import ProblemLog
from budgetopt.core.text import fy
from budgetopt.data.manifest import MANIFEST, Manifest
from budgetopt.data.schemas import (
    EVIDENCE,
    FORCE_AREA,
    INDICATORS,
    PLACEHOLDER_FLAG,
    TABLES,
    Kind,
    in_full,
    key_text,
)

SUM_TOLERANCE = 1e-9  # shares and weights must sum to 1 within this
PLACEHOLDER_SOURCE = "placeholder"


@dataclass
class _Check:
    """The frames being checked and where to record what is wrong."""

    folder: Path
    manifest: Manifest
    frames: dict[str, pd.DataFrame]
    log: ProblemLog

    def where(self, table: str) -> str:
        return str(self.folder / self.manifest.tables[table])

    def each(self, table: str, mask: pd.Series, column: str, rule: str | Callable) -> None:
        """Record ``rule`` (a sentence, or a function of the row) for every row in ``mask``."""
        frame = self.frames[table]
        for _, row in frame[mask.fillna(False).astype(bool)].iterrows():
            text = rule(row) if callable(rule) else rule
            self.log.add(self.where(table), text, row=int(row["_line"]), column=column,
                         value=row[column])


def check_across_tables(folder: Path, manifest: Manifest, frames: dict[str, pd.DataFrame],
                        log: ProblemLog) -> None:
    """Every rule across tables; problems go to ``log``."""
    c = _Check(folder, manifest, frames, log)
    for rules in (_references, _streams, _schemes_and_need, _services, _priority_shares,
                  _curves, _outcomes_and_inflation, _uncertainty, _reconciliation,
                  _sourced_figures):
        rules(c)


def _references(c: _Check) -> None:
    """Every id that names a row of another table exists there."""
    for name, spec in TABLES.items():
        for col in spec.columns:
            if col.ref:
                ref_table, ref_col = col.ref.split(".")
                known = sorted(set(c.frames[ref_table][ref_col].dropna()))
                values = c.frames[name][col.name]
                c.each(name, values.notna() & ~values.isin(known), col.name,
                       lambda r, col=col, ref_col=ref_col, ref_table=ref_table, known=known:
                       f"unknown {ref_col}: not in {c.manifest.tables[ref_table]}"
                       + _did_you_mean(str(r[col.name]), known))


def _did_you_mean(value: str, known: list[str]) -> str:
    """'; did you mean 'victims'?' for an id typed a little differently, else the ids there
    are (when they are few enough to list)."""
    near = difflib.get_close_matches(value, known, n=1, cutoff=0.6) or [
        k for k in known if k.lower() == value.lower()]
    if near:
        return f"; did you mean '{near[0]}'?"
    return f" (its ids: {', '.join(known)})" if 0 < len(known) <= 8 else ""


def _streams(c: _Check) -> None:
    """Ring-fences name their schemes; every stream has an amount every year, 0 once it ends."""
    f, m = c.frames, c.manifest
    streams, amounts, elig = f["streams"], f["stream_amounts"], f["stream_eligibility"]
    listed = set(elig["stream_id"])
    c.each("streams", streams["ring_fenced"] & ~streams["stream_id"].isin(listed), "stream_id",
           "ring-fenced stream names no scheme in stream_eligibility.csv (list the schemes it "
           "may fund)")
    unrestricted = set(streams.loc[~streams["ring_fenced"].astype(bool), "stream_id"])
    c.each("stream_eligibility", elig["stream_id"].isin(unrestricted), "stream_id",
           "stream is not ring-fenced, so it funds every scheme: remove these rows or set "
           "ring_fenced to true")
    years = [m.base_year, *m.plan_years]
    have = set(zip(amounts["stream_id"], amounts["year"], strict=True))
    for _, s in streams.iterrows():
        for y in years:
            if (s["stream_id"], y) not in have:
                c.log.add(c.where("stream_amounts"), f"no amount for stream '{s['stream_id']}' "
                          f"in {fy(y)} (every stream needs a row for {years[0]} to {years[-1]})")
    end = amounts["stream_id"].map(streams.set_index("stream_id")["end_year"])
    c.each("stream_amounts", (amounts["year"] > end) & (amounts["amount_gbp"] > 0),
           "amount_gbp", lambda r: f"stream ends in {fy(int(end[r.name]))}, so its amount in "
           f"{fy(r['year'])} must be 0")
    c.each("stream_amounts", ~amounts["year"].isin(years), "year",
           f"year outside the dataset's years ({years[0]} to {years[-1]})")


def _schemes_and_need(c: _Check) -> None:
    """Floors below caps; area-split schemes, and only they, have need formulas summing to 1."""
    schemes, formula, areas = c.frames["schemes"], c.frames["need_formula"], c.frames["areas"]
    c.each("schemes", schemes["floor_gbp"] > schemes["cap_gbp"], "floor_gbp",
           lambda r: f"floor is above the cap (£{r['cap_gbp']:,.0f})")
    split = set(schemes.loc[schemes["area_split"].astype(bool), "scheme_id"])
    c.each("schemes",
           schemes["area_split"] & ~schemes["scheme_id"].isin(set(formula["scheme_id"])),
           "area_split", "area-split scheme has no need formula in need_formula.csv")
    c.each("need_formula", ~formula["scheme_id"].isin(split) & formula["scheme_id"].notna(),
           "scheme_id",
           "scheme is not area-split (area_split is false), so it takes no need formula")
    for kid, rows in formula.groupby("scheme_id"):
        total = rows["weight"].sum()
        if abs(total - 1) > SUM_TOLERANCE:
            c.log.add(c.where("need_formula"), f"weights of scheme '{kid}' sum to {total:g}, "
                      "not 1", row=int(rows["_line"].iloc[0]), column="weight")
    c.each("areas", areas["area_id"] == FORCE_AREA, "area_id",
           f"'{FORCE_AREA}' is reserved for force-wide services")
    for ind in INDICATORS:
        if areas[ind].sum() <= 0 and ind in set(formula["indicator"]):
            c.log.add(c.where("areas"), "indicator is used by a need formula but is 0 in every "
                      "area", column=ind)


def _services(c: _Check) -> None:
    """Minimum, last year and contract within capacity; contract fields together; schemes."""
    services, schemes = c.frames["services"], c.frames["schemes"]
    c.each("services", services["min_gbp"] > services["capacity_gbp"], "min_gbp",
           lambda r: f"minimum is above capacity (£{r['capacity_gbp']:,.0f})")
    c.each("services", services["last_year_gbp"] > services["capacity_gbp"], "last_year_gbp",
           lambda r: f"last year's amount is above capacity (£{r['capacity_gbp']:,.0f}): raise "
           "the capacity or explain the drop with a pin")
    has_contract = services["contract_value_gbp"].fillna(0) > 0
    for col in ("contract_end_year", "contract_uplift"):
        c.each("services", has_contract & services[col].isna(), col,
               "service has a contract value, so this is required")
        c.each("services", ~has_contract & services[col].notna(), col,
               "given but the service has no contract_value_gbp (leave all contract fields "
               "empty)")
    c.each("services",
           has_contract & (services["contract_value_gbp"] > services["capacity_gbp"]),
           "contract_value_gbp",
           lambda r: f"contract value is above capacity (£{r['capacity_gbp']:,.0f})")
    scheme_split = services["scheme_id"].map(schemes.set_index("scheme_id")["area_split"])
    c.each("services", services["area_split"] & (scheme_split == False),  # noqa: E712
           "area_split", "service is split by area but its scheme is not area-split")
    c.each("schemes", ~schemes["scheme_id"].isin(set(services["scheme_id"])), "scheme_id",
           "scheme has no services (every scheme needs at least one service)")


def _priority_shares(c: _Check) -> None:
    """Every service has priority shares, summing to 1."""
    services, shares = c.frames["services"], c.frames["service_priorities"]
    for sid in sorted(set(services["service_id"]) - set(shares["service_id"])):
        line = int(services.loc[services["service_id"] == sid, "_line"].iloc[0])
        c.log.add(c.where("services"), "service has no rows in service_priorities.csv",
                  row=line, column="service_id", value=sid)
    for sid, rows in shares.groupby("service_id"):
        total = rows["share"].sum()
        if abs(total - 1) > SUM_TOLERANCE:
            c.log.add(c.where("service_priorities"), f"priority shares of service '{sid}' sum "
                      f"to {total:g}, not 1", row=int(rows["_line"].iloc[0]), column="share",
                      value=round(total, 12))


def _curves(c: _Check) -> None:
    """Every service has a curve of >= 3 segments numbered 1..K, strictly diminishing returns,
    covering its capacity."""
    services, curves = c.frames["services"], c.frames["curves"]
    capacity = services.set_index("service_id")["capacity_gbp"]
    where = c.where("curves")
    for sid in sorted(set(services["service_id"]) - set(curves["service_id"])):
        line = int(services.loc[services["service_id"] == sid, "_line"].iloc[0])
        c.log.add(c.where("services"), "service has no benefit curve in curves.csv", row=line,
                  column="service_id", value=sid)
    for sid, rows in curves.groupby("service_id"):
        rows = rows.sort_values("segment")
        segs = list(rows["segment"])
        first = int(rows["_line"].iloc[0])
        if segs != list(range(1, len(segs) + 1)):
            c.log.add(where, f"segments of '{sid}' must be numbered 1, 2, 3, ... without gaps",
                      row=first, column="segment", value=", ".join(f"{s:g}" for s in segs))
            continue
        if len(segs) < 3:
            c.log.add(where, f"curve of '{sid}' has {len(segs)} segments; at least 3 are needed "
                      "to show diminishing returns", row=first, column="segment")
        for (_, prev), (_, row) in zip(rows.iloc[:-1].iterrows(), rows.iloc[1:].iterrows(),
                                       strict=True):
            if row["outcomes_per_1k_gbp"] >= prev["outcomes_per_1k_gbp"]:
                c.log.add(where, f"curve of '{sid}' is not concave: outcomes per £1,000 must "
                          f"fall from segment to segment (segment {prev['segment']:g} has "
                          f"{prev['outcomes_per_1k_gbp']:g})", row=int(row["_line"]),
                          column="outcomes_per_1k_gbp", value=row["outcomes_per_1k_gbp"])
        width = rows["width_gbp"].sum()
        if sid in capacity and width < capacity[sid]:
            c.log.add(where, f"segments of '{sid}' cover £{width:,.0f}, less than its capacity "
                      f"£{capacity[sid]:,.0f} (widen the last segment)", row=first,
                      column="width_gbp")


def _outcomes_and_inflation(c: _Check) -> None:
    """Outcomes cite a known source; every plan year has an inflation rate."""
    o = c.frames["outcomes"]
    if PLACEHOLDER_FLAG.name in o:
        c.each("outcomes", (o["source_id"] == PLACEHOLDER_SOURCE) & o[PLACEHOLDER_FLAG.name].eq(
            False), PLACEHOLDER_FLAG.name, f"the row says its value is confirmed "
            f"({PLACEHOLDER_FLAG.name} = false) but its source_id is '{PLACEHOLDER_SOURCE}': "
            "name its source, or mark it a placeholder (true)")
    known = {s.id for s in c.manifest.sources} | {PLACEHOLDER_SOURCE}
    c.each("outcomes", ~c.frames["outcomes"]["source_id"].isin(known), "source_id",
           f"not a source id in {MANIFEST} (or '{PLACEHOLDER_SOURCE}')")
    for y in sorted(set(c.manifest.plan_years) - set(c.frames["inflation"]["year"])):
        c.log.add(c.where("inflation"), f"no inflation rate for plan year {fy(y)}")


def _uncertainty(c: _Check) -> None:
    """Each spread names something that exists for its input; only funding has a first
    unconfirmed year, and it is a plan year."""
    u = c.frames["uncertainty"]
    if u.empty:
        return
    split = c.frames["schemes"]
    known = {
        "effect": (set(EVIDENCE), "an evidence rating (" + ", ".join(EVIDENCE) + ")"),
        "outcome_value": (set(c.frames["outcomes"]["outcome_id"]),
                          f"an outcome_id in {c.manifest.tables['outcomes']}"),
        "need": (set(split.loc[split["area_split"].astype(bool), "scheme_id"]),
                 f"an area-split scheme_id in {c.manifest.tables['schemes']}"),
        "funding": (set(c.frames["streams"]["stream_id"]),
                    f"a stream_id in {c.manifest.tables['streams']}"),
    }
    for kind, (keys, what) in known.items():
        rows = u["input"] == kind
        c.each("uncertainty", rows & ~u["key"].isin(keys), "key", f"for {kind}, the key must be "
               f"{what}")
    funding = u["input"] == "funding"
    c.each("uncertainty", funding & u["from_year"].isna(), "from_year",
           "funding needs the first plan year whose amount is not yet confirmed")
    plan = set(c.manifest.plan_years)
    c.each("uncertainty", funding & u["from_year"].notna() & ~u["from_year"].isin(plan),
           "from_year", f"not a plan year ({fy(min(plan))} to {fy(max(plan))})")
    c.each("uncertainty", ~funding & u["from_year"].notna(), "from_year",
           "only funding has a first unconfirmed year: leave it empty")


def _reconciliation(c: _Check) -> None:
    """Last year's services and the base year's streams both add up to the published total."""
    m = c.manifest
    if m.published_total_gbp is None:
        return
    amounts = c.frames["stream_amounts"]
    last = c.frames["services"]["last_year_gbp"].sum()
    base = amounts.loc[amounts["year"] == m.base_year, "amount_gbp"].sum()
    for what, total, table in (("last year's service amounts", last, "services"),
                               (f"stream amounts for {fy(m.base_year)}", base, "stream_amounts")):
        if abs(total - m.published_total_gbp) > 0.5:
            c.log.add(c.where(table), f"{what} sum to £{total:,.0f} but the published total in "
                      f"{MANIFEST} is £{m.published_total_gbp:,.0f}")


def _sourced_figures(c: _Check) -> None:
    """Each sourced figure points at a real numeric cell holding the stated value."""
    file = str(c.folder / MANIFEST)
    for i, sf in enumerate(c.manifest.sourced_figures):
        key = f"sourced_figures.{i}"
        if sf.table not in c.frames:
            c.log.add(file, "unknown table", key=f"{key}.table", value=sf.table)
            continue
        frame, spec = c.frames[sf.table], TABLES[sf.table]
        if sf.column not in spec.column_names:
            c.log.add(file, f"unknown column of {sf.table}", key=f"{key}.column",
                      value=sf.column)
            continue
        if spec.column(sf.column).kind not in (Kind.MONEY, Kind.NUMBER):
            c.log.add(file, f"column of {sf.table} is not a figure (only money and number "
                      "columns can be sourced)", key=f"{key}.column", value=sf.column)
            continue
        keys = [key_text(k) for k in frame[list(spec.key)].itertuples(index=False, name=None)]
        hit = frame[[k == sf.key for k in keys]]
        if hit.empty:
            c.log.add(file, f"no row with this key in {sf.table}", key=f"{key}.key",
                      value=sf.key)
            continue
        cell = hit[sf.column].iloc[0]
        flag = hit[PLACEHOLDER_FLAG.name].iloc[0] if PLACEHOLDER_FLAG.name in hit else None
        if pd.notna(flag) and bool(flag):
            c.log.add(file, f"the row in {sf.table} says its figures are placeholders "
                      f"({PLACEHOLDER_FLAG.name} = true) but this lists one as sourced: "
                      "correct one or the other", key=f"{key}.key", value=sf.key)
        if pd.isna(cell):
            c.log.add(file, f"the cell in {sf.table} is empty", key=f"{key}.value",
                      value=sf.value)
        elif abs(float(cell) - sf.value) > 1e-9:
            c.log.add(file, f"value differs from the cell in {sf.table} ({in_full(cell)})",
                      key=f"{key}.value", value=sf.value)
