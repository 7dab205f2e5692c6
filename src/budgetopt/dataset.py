"""Read a dataset folder, check every table and every cross-table rule, and hand over a Dataset.

A dataset is a folder with a ``dataset.yaml`` manifest and one CSV file per table (the tables
are declared in :mod:`budgetopt.schemas`). :func:`load_dataset` is the only way into the model:
it either returns a fully checked, typed :class:`Dataset` or raises
:class:`~budgetopt.errors.InputError` listing *every* problem found, so nothing is ever modelled
from a dataset that fails.

Checks run in three passes, each only on what the previous pass could read: the manifest; then
each file on its own (encoding, delimiter, columns, cell types and bounds, duplicate keys); then
the rules across tables (references, sums, concavity, reconciliation to the published total).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from budgetopt.errors import ProblemLog
from budgetopt.pydantic_problems import problems_from
from budgetopt.schemas import FORCE_AREA, INDICATORS, TABLES, Column, Kind, Table

MANIFEST = "dataset.yaml"
SUM_TOLERANCE = 1e-9  # shares and weights must sum to 1 within this
PLACEHOLDER_SOURCE = "placeholder"


# --------------------------------------------------------------------------------------------
# The manifest
# --------------------------------------------------------------------------------------------
class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    title: str
    publisher: str
    date: str
    url: str
    status: Literal["F", "S", "D"] = Field(description="F found, S secondary, D derived")

    @field_validator("date", mode="before")
    @classmethod
    def _date_as_text(cls, v: Any) -> Any:
        return str(v) if v is not None else v


class SourcedFigure(BaseModel):
    """A figure taken from a published source; every figure not listed is a placeholder."""

    model_config = ConfigDict(extra="forbid")
    table: str
    key: str
    column: str
    value: float
    source: str
    quote: str
    status: Literal["F", "S", "D"]
    working: str | None = None


class PlaceholderNote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    table: str
    columns: list[str]
    note: str


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    title: str
    base_year: int = Field(ge=2000, le=2100)
    plan_years: list[int] = Field(min_length=1, max_length=5)
    currency: Literal["GBP"] = "GBP"
    price_base: int
    published_total_gbp: float | None = Field(default=None, ge=0)
    published_total_source: str | None = None
    tables: dict[str, str]
    sources: list[Source] = Field(min_length=1)
    sourced_figures: list[SourcedFigure] = []
    placeholders: list[PlaceholderNote] = []

    @field_validator("plan_years")
    @classmethod
    def _consecutive(cls, v: list[int]) -> list[int]:
        if v != list(range(v[0], v[0] + len(v))):
            raise ValueError("plan years must be consecutive, e.g. [2025, 2026, 2027]")
        return v


# --------------------------------------------------------------------------------------------
# The dataset handed to the model
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dataset:
    """A checked dataset. Tables are pandas frames indexed by their key columns."""

    path: Path
    manifest: Manifest
    tables: dict[str, pd.DataFrame]
    content_hash: str
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # -- manifest facts
    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def base_year(self) -> int:
        return self.manifest.base_year

    @property
    def plan_years(self) -> list[int]:
        return self.manifest.plan_years

    # -- tables, indexed by key
    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    @cached_property
    def need_shares(self) -> pd.DataFrame:
        """Need share of each area in each area-split scheme (rows scheme, columns area)."""
        areas = self.tables["areas"]
        shares = {}
        for scheme_id, rows in self.tables["need_formula"].groupby(level="scheme_id"):
            index = sum(
                w * areas[ind] / areas[ind].sum()
                for ind, w in rows.reset_index().set_index("indicator")["weight"].items()
            )
            shares[scheme_id] = index / index.sum()
        return pd.DataFrame(shares).T.rename_axis(index="scheme_id", columns="area_id")

    @cached_property
    def need_intensity(self) -> pd.DataFrame:
        """Outcomes-per-£ multiplier of each area in each area-split scheme (rows scheme).

        An area's need per head relative to the force, (need share / population share),
        normalised so that at a need-proportional split the multipliers average to 1 — the
        dataset's curve is then the force-level curve. Money goes further where need per head is
        higher; the fairness band stops the split drifting far from the need formula.
        """
        pop = self.tables["areas"]["population"] / self.tables["areas"]["population"].sum()
        ratio = self.need_shares / pop
        return ratio.div((self.need_shares * ratio).sum(axis=1), axis=0)

    def eligible_schemes(self, stream_id: str) -> set[str]:
        """Schemes a stream may fund: its eligibility rows if ring-fenced, else every scheme."""
        if not self.tables["streams"].at[stream_id, "ring_fenced"]:
            return set(self.tables["schemes"].index)
        elig = self.tables["stream_eligibility"].reset_index()
        return set(elig.loc[elig["stream_id"] == stream_id, "scheme_id"])

    def service_areas(self, service_id: str) -> list[str]:
        """Areas a service is funded in: every CSP area if split by area, else 'force'."""
        if self.tables["services"].at[service_id, "area_split"]:
            return list(self.tables["areas"].index)
        return [FORCE_AREA]

    def stream_amount(self, stream_id: str, year: int) -> float:
        return float(self.tables["stream_amounts"].at[(stream_id, year), "amount_gbp"])

    def is_sourced(self, table: str, key: str, column: str) -> bool:
        return (table, key, column) in self._sourced_keys

    @cached_property
    def _sourced_keys(self) -> set[tuple[str, str, str]]:
        return {(f.table, f.key, f.column) for f in self.manifest.sourced_figures}

    def placeholder_figures(self) -> list[tuple[str, str, str]]:
        """(table, key, column) of every numeric figure that is not from a published source."""
        out = []
        for name, frame in self.tables.items():
            spec = TABLES[name]
            numeric = [c.name for c in spec.columns if c.kind in (Kind.MONEY, Kind.NUMBER)]
            numeric = [c for c in numeric if c not in spec.key]
            for key, row in frame.iterrows():
                text = key_text(key)
                for col in numeric:
                    if pd.notna(row[col]) and not self.is_sourced(name, text, col):
                        out.append((name, text, col))
        return out

    def summary(self) -> str:
        """A one-screen description of the dataset for `budgetopt validate`."""
        t = self.tables
        base = self.base_year
        amounts = t["stream_amounts"]["amount_gbp"].unstack("year")
        services = t["services"]
        lines = [
            f"Dataset '{self.name}': {self.manifest.title}",
            f"  folder {self.path}   content hash {self.content_hash[:12]}",
            f"  base year {fy(base)}; plan years {fy(self.plan_years[0])} to "
            f"{fy(self.plan_years[-1])}",
            f"  {len(t['streams'])} funding streams, {len(t['schemes'])} schemes, "
            f"{len(services)} services, {len(t['areas'])} areas, "
            f"{len(t['priorities'])} priorities",
            "",
            "  Funding by stream (£)  " + "".join(f"{fy(y):>12}" for y in amounts.columns),
        ]
        for sid, row in amounts.iterrows():
            name = t["streams"].at[sid, "name"][:22]
            lines.append(f"    {name:<22}" + "".join(f"{v:>12,.0f}" for v in row))
        lines.append(f"    {'Total':<22}" + "".join(f"{v:>12,.0f}" for v in amounts.sum()))
        lines += ["", f"  Last year ({fy(base)}) by scheme (£)"]
        by_scheme = services.groupby("scheme_id")["last_year_gbp"].sum()
        for kid, v in by_scheme.items():
            lines.append(f"    {t['schemes'].at[kid, 'name'][:40]:<40}{v:>12,.0f}")
        lines.append(f"    {'Total':<40}{services['last_year_gbp'].sum():>12,.0f}")
        if self.manifest.published_total_gbp is not None:
            lines.append(
                f"    reconciles to the published total £{self.manifest.published_total_gbp:,.0f}"
            )
        n_sourced = len(self.manifest.sourced_figures)
        n_placeholder = len(self.placeholder_figures())
        lines += [
            "",
            f"  {n_sourced} figures from published sources "
            f"({len(self.manifest.sources)} sources); {n_placeholder} placeholder figures",
        ]
        return "\n".join(lines)


def key_text(values: object) -> str:
    """A row's key as written in dataset.yaml: parts joined by '/', numbers without '.0'."""
    parts = values if isinstance(values, tuple | list) else (values,)
    return "/".join(f"{p:g}" if isinstance(p, float) else str(p) for p in parts)


def fy(year: int) -> str:
    """Financial-year label: 2024 -> '2024/25'."""
    return f"{year}/{(year + 1) % 100:02d}"


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
def load_dataset(folder: str | Path) -> Dataset:
    """Read and check a dataset folder; raise InputError listing every problem found."""
    folder = Path(folder)
    log = ProblemLog()
    what = f"Dataset '{folder}'"
    if not folder.is_dir():
        log.add(str(folder), "dataset folder does not exist (give the folder holding "
                f"{MANIFEST} and the CSV tables)")
        log.raise_if_any(what)
    manifest = _read_manifest(folder, log)
    log.raise_if_any(what)
    assert manifest is not None

    frames: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        frame = _read_table(folder / manifest.tables[name], spec, log)
        if frame is not None:
            frames[name] = frame
    log.raise_if_any(what)

    _check_across_tables(folder, manifest, frames, log)
    log.raise_if_any(what)

    tables = {
        name: frame.drop(columns="_line").set_index(list(TABLES[name].key))
        for name, frame in frames.items()
    }
    return Dataset(folder, manifest, tables, _content_hash(folder, manifest))


def _content_hash(folder: Path, manifest: Manifest) -> str:
    h = hashlib.sha256()
    for rel in [MANIFEST, *sorted(manifest.tables.values())]:
        h.update(rel.encode() + b"\0" + (folder / rel).read_bytes() + b"\0")
    return h.hexdigest()


def _read_manifest(folder: Path, log: ProblemLog) -> Manifest | None:
    path = folder / MANIFEST
    file = str(path)
    if not path.is_file():
        log.add(file, f"manifest is missing: every dataset folder needs a {MANIFEST} listing "
                "its tables, base year and sources (see docs/data.md)")
        return None
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        log.add(file, f"cannot read the manifest ({e.__class__.__name__}: {e})")
        return None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        row = mark.line + 1 if mark else None
        log.add(file, f"manifest is not valid YAML ({getattr(e, 'problem', e)})", row=row)
        return None
    if not isinstance(raw, dict):
        log.add(file, "manifest must be a mapping of keys (name, base_year, tables, ...)",
                value=raw if not isinstance(raw, list) else None)
        return None
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as e:
        log.problems.extend(problems_from(e, file))
        return None
    if manifest.plan_years[0] != manifest.base_year + 1:
        log.add(file, f"the first plan year must follow the base year ({manifest.base_year + 1})",
                key="plan_years", value=manifest.plan_years[0])
    missing = sorted(set(TABLES) - set(manifest.tables))
    unknown = sorted(set(manifest.tables) - set(TABLES))
    for name in missing:
        log.add(file, f"table '{name}' is not listed (valid tables: {', '.join(TABLES)})",
                key="tables")
    for name in unknown:
        log.add(file, f"unknown table '{name}' (valid tables: {', '.join(TABLES)})",
                key=f"tables.{name}")
    ids = [s.id for s in manifest.sources]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        log.add(file, "source id is used twice", key="sources", value=dup)
    known = set(ids)
    for i, f in enumerate(manifest.sourced_figures):
        if f.source not in known:
            log.add(file, "names a source that is not in 'sources'",
                    key=f"sourced_figures.{i}.source", value=f.source)
    if manifest.published_total_source and manifest.published_total_source not in known:
        log.add(file, "names a source that is not in 'sources'", key="published_total_source",
                value=manifest.published_total_source)
    return manifest


# --------------------------------------------------------------------------------------------
# One file at a time
# --------------------------------------------------------------------------------------------
_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}
_OTHER_DELIMITERS = {";": "semicolons", "\t": "tabs", "|": "'|' characters"}


def _read_table(path: Path, spec: Table, log: ProblemLog) -> pd.DataFrame | None:
    file = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        log.add(file, f"file is missing (table '{spec.name}' is required)")
        return None
    except OSError as e:
        log.add(file, f"cannot read the file ({e.strerror or e})")
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # Excel's "CSV UTF-8" byte-order mark
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        log.add(file, "file is not UTF-8 text (in Excel, save as 'CSV UTF-8 (Comma delimited)')",
                row=line)
        return None
    if not text.strip():
        log.add(file, f"file is empty (table '{spec.name}' needs a header and at least one row)")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader)]
    if len(header) == 1:
        for delim, what in _OTHER_DELIMITERS.items():
            if delim in header[0]:
                log.add(file, f"columns are separated by {what}; budgetopt reads comma-separated "
                        "files", row=1)
                return None
    ok = True
    for name in sorted({h for h in header if header.count(h) > 1}):
        log.add(file, "column appears more than once in the header", row=1, column=name)
        ok = False
    for col in spec.columns:
        if col.name not in header and col.required:
            log.add(file, f"required column is missing (expected columns: "
                    f"{', '.join(spec.column_names)})", row=1, column=col.name)
            ok = False
    for name in header:
        if name not in spec.column_names:
            log.add(file, f"unknown column (valid columns: {', '.join(spec.column_names)})",
                    row=1, column=name or "(blank)")
            ok = False
    if not ok:
        return None

    records = []
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            log.add(file, f"row has {len(fields)} fields but the header has {len(header)} "
                    "(check for a stray comma or a missing value)", row=line)
            continue
        cells = dict(zip(header, fields, strict=True))
        record: dict[str, Any] = {"_line": line}
        for col in spec.columns:
            record[col.name] = _parse_cell(cells.get(col.name, ""), col, file, line, log)
        records.append(record)
    if not records:
        log.add(file, f"table is empty: it has a header but no rows (table '{spec.name}')")
        return None
    frame = pd.DataFrame.from_records(records)
    for col in spec.columns:  # empty numeric cells become NaN, not None, so comparisons work
        if col.kind in (Kind.YEAR, Kind.MONEY, Kind.NUMBER):
            frame[col.name] = pd.to_numeric(frame[col.name], errors="coerce")
    dup = frame.duplicated(list(spec.key), keep="first")
    for line, keys in zip(frame.loc[dup, "_line"], frame.loc[dup, list(spec.key)].itertuples(
            index=False, name=None), strict=True):
        log.add(file, f"duplicate {' + '.join(spec.key)}: each must appear once", row=int(line),
                column=spec.key[-1], value=key_text(keys))
    return frame


def _parse_cell(raw: str, col: Column, file: str, line: int, log: ProblemLog) -> Any:
    text = raw.strip()
    if text == "":
        if col.required:
            log.add(file, f"value is missing (expected {col.rule()})", row=line, column=col.name)
        return None
    bad = lambda why: log.add(file, why, row=line, column=col.name, value=text)  # noqa: E731
    match col.kind:
        case Kind.TEXT:
            return text
        case Kind.ID:
            if not all(ch.isalnum() or ch in "-_." for ch in text):
                bad(f"not a valid identifier (expected {col.rule()})")
                return None
            if col.choices and text not in col.choices:
                bad(f"not allowed (expected one of {', '.join(col.choices)})")
                return None
            return text
        case Kind.BOOL:
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            bad("not true or false")
            return None
        case Kind.YEAR:
            try:
                year = int(text.split("/")[0])
            except ValueError:
                bad("not a year (expected e.g. 2025 for 2025/26)")
                return None
            if not 2000 <= year <= 2100:
                bad("year out of range (expected 2000 to 2100)")
                return None
            return year
        case Kind.MONEY | Kind.NUMBER:
            try:
                value = float(text.replace(",", "").lstrip("£"))
            except ValueError:
                bad(f"not a number (expected {col.rule()})")
                return None
            if math.isnan(value) or math.isinf(value):
                bad(f"not a finite number (expected {col.rule()})")
                return None
            if col.kind is Kind.MONEY and value < 0:
                bad("money cannot be negative")
                return None
            for limit, ok, sign in (
                (col.ge, lambda v, lim: v >= lim, ">="),
                (col.gt, lambda v, lim: v > lim, ">"),
                (col.le, lambda v, lim: v <= lim, "<="),
            ):
                if limit is not None and not ok(value, limit):
                    bad(f"out of range (must be {sign} {limit:g})")
                    return None
            return value
    raise AssertionError(col.kind)  # pragma: no cover


# --------------------------------------------------------------------------------------------
# Across tables
# --------------------------------------------------------------------------------------------
def _check_across_tables(
    folder: Path, m: Manifest, f: dict[str, pd.DataFrame], log: ProblemLog
) -> None:
    def where(table: str) -> str:
        return str(folder / m.tables[table])

    def each(table: str, mask: pd.Series, column: str, rule: str | Callable) -> None:
        frame = f[table]
        for _, row in frame[mask.fillna(False).astype(bool)].iterrows():
            text = rule(row) if callable(rule) else rule
            log.add(where(table), text, row=int(row["_line"]), column=column, value=row[column])

    # references between tables
    for name, spec in TABLES.items():
        for col in spec.columns:
            if col.ref:
                ref_table, ref_col = col.ref.split(".")
                known = set(f[ref_table][ref_col].dropna())
                mask = f[name][col.name].notna() & ~f[name][col.name].isin(known)
                each(name, mask, col.name,
                     f"unknown {ref_col}: not in {m.tables[ref_table]}")

    streams, amounts, elig = f["streams"], f["stream_amounts"], f["stream_eligibility"]
    schemes, formula, areas = f["schemes"], f["need_formula"], f["areas"]
    services, shares, curves = f["services"], f["service_priorities"], f["curves"]

    # streams: ring-fences and yearly amounts
    listed = set(elig["stream_id"])
    each("streams", streams["ring_fenced"] & ~streams["stream_id"].isin(listed), "stream_id",
         "ring-fenced stream names no scheme in stream_eligibility.csv (list the schemes it may "
         "fund)")
    unrestricted = set(streams.loc[~streams["ring_fenced"].astype(bool), "stream_id"])
    each("stream_eligibility", elig["stream_id"].isin(unrestricted), "stream_id",
         "stream is not ring-fenced, so it funds every scheme: remove these rows or set "
         "ring_fenced to true")
    years = [m.base_year, *m.plan_years]
    have = set(zip(amounts["stream_id"], amounts["year"], strict=True))
    for _, s in streams.iterrows():
        for y in years:
            if (s["stream_id"], y) not in have:
                log.add(where("stream_amounts"), f"no amount for stream '{s['stream_id']}' in "
                        f"{fy(y)} (every stream needs a row for {years[0]} to {years[-1]})")
    end = amounts["stream_id"].map(streams.set_index("stream_id")["end_year"])
    each("stream_amounts", (amounts["year"] > end) & (amounts["amount_gbp"] > 0), "amount_gbp",
         lambda r: f"stream ends in {fy(int(end[r.name]))}, so its amount in {fy(r['year'])} "
         "must be 0")
    each("stream_amounts", ~amounts["year"].isin(years), "year",
         f"year outside the dataset's years ({years[0]} to {years[-1]})")

    # schemes and need formulas
    each("schemes", schemes["floor_gbp"] > schemes["cap_gbp"], "floor_gbp",
         lambda r: f"floor is above the cap (£{r['cap_gbp']:,.0f})")
    split = set(schemes.loc[schemes["area_split"].astype(bool), "scheme_id"])
    each("schemes", schemes["area_split"] & ~schemes["scheme_id"].isin(set(formula["scheme_id"])),
         "area_split", "area-split scheme has no need formula in need_formula.csv")
    each("need_formula", ~formula["scheme_id"].isin(split) & formula["scheme_id"].notna(),
         "scheme_id", "scheme is not area-split (area_split is false), so it takes no need formula")
    for kid, rows in formula.groupby("scheme_id"):
        total = rows["weight"].sum()
        if abs(total - 1) > SUM_TOLERANCE:
            log.add(where("need_formula"), f"weights of scheme '{kid}' sum to {total:g}, not 1",
                    row=int(rows["_line"].iloc[0]), column="weight")
    each("areas", areas["area_id"] == FORCE_AREA, "area_id",
         f"'{FORCE_AREA}' is reserved for force-wide services")
    for ind in INDICATORS:
        if areas[ind].sum() <= 0 and ind in set(formula["indicator"]):
            log.add(where("areas"), "indicator is used by a need formula but is 0 in every area",
                    column=ind)

    # services
    each("services", services["min_gbp"] > services["capacity_gbp"], "min_gbp",
         lambda r: f"minimum is above capacity (£{r['capacity_gbp']:,.0f})")
    each("services", services["last_year_gbp"] > services["capacity_gbp"], "last_year_gbp",
         lambda r: f"last year's amount is above capacity (£{r['capacity_gbp']:,.0f}): raise "
         "the capacity or explain the drop with a pin")
    has_contract = services["contract_value_gbp"].fillna(0) > 0
    for col in ("contract_end_year", "contract_uplift"):
        each("services", has_contract & services[col].isna(), col,
             "service has a contract value, so this is required")
        each("services", ~has_contract & services[col].notna(), col,
             "given but the service has no contract_value_gbp (leave all contract fields empty)")
    each("services", has_contract & (services["contract_value_gbp"] > services["capacity_gbp"]),
         "contract_value_gbp", lambda r: f"contract value is above capacity "
         f"(£{r['capacity_gbp']:,.0f})")
    scheme_split = services["scheme_id"].map(schemes.set_index("scheme_id")["area_split"])
    each("services", services["area_split"] & (scheme_split == False),  # noqa: E712
         "area_split", "service is split by area but its scheme is not area-split")
    used = set(services["scheme_id"])
    each("schemes", ~schemes["scheme_id"].isin(used), "scheme_id",
         "scheme has no services (every scheme needs at least one service)")

    # priorities: every service has shares summing to 1
    for sid in sorted(set(services["service_id"]) - set(shares["service_id"])):
        line = int(services.loc[services["service_id"] == sid, "_line"].iloc[0])
        log.add(where("services"), "service has no rows in service_priorities.csv", row=line,
                column="service_id", value=sid)
    for sid, rows in shares.groupby("service_id"):
        total = rows["share"].sum()
        if abs(total - 1) > SUM_TOLERANCE:
            log.add(where("service_priorities"), f"priority shares of service '{sid}' sum to "
                    f"{total:g}, not 1", row=int(rows["_line"].iloc[0]), column="share",
                    value=round(total, 12))

    # curves: >= 3 segments numbered 1..K, strictly diminishing returns, reaching capacity
    capacity = services.set_index("service_id")["capacity_gbp"]
    for sid in sorted(set(services["service_id"]) - set(curves["service_id"])):
        line = int(services.loc[services["service_id"] == sid, "_line"].iloc[0])
        log.add(where("services"), "service has no benefit curve in curves.csv", row=line,
                column="service_id", value=sid)
    for sid, rows in curves.groupby("service_id"):
        rows = rows.sort_values("segment")
        segs = list(rows["segment"])
        first = int(rows["_line"].iloc[0])
        if segs != list(range(1, len(segs) + 1)):
            log.add(where("curves"), f"segments of '{sid}' must be numbered 1, 2, 3, ... without "
                    "gaps", row=first, column="segment", value=", ".join(f"{s:g}" for s in segs))
            continue
        if len(segs) < 3:
            log.add(where("curves"), f"curve of '{sid}' has {len(segs)} segments; at least 3 are "
                    "needed to show diminishing returns", row=first, column="segment")
        slopes = list(rows["outcomes_per_1k_gbp"])
        for (_, prev), (_, row) in zip(rows.iloc[:-1].iterrows(), rows.iloc[1:].iterrows(),
                                       strict=True):
            if row["outcomes_per_1k_gbp"] >= prev["outcomes_per_1k_gbp"]:
                log.add(where("curves"), f"curve of '{sid}' is not concave: outcomes per £1,000 "
                        f"must fall from segment to segment (segment {prev['segment']:g} has "
                        f"{prev['outcomes_per_1k_gbp']:g})", row=int(row["_line"]),
                        column="outcomes_per_1k_gbp", value=row["outcomes_per_1k_gbp"])
        del slopes
        width = rows["width_gbp"].sum()
        if sid in capacity and width < capacity[sid]:
            log.add(where("curves"), f"segments of '{sid}' cover £{width:,.0f}, less than its "
                    f"capacity £{capacity[sid]:,.0f} (widen the last segment)", row=first,
                    column="width_gbp")

    # outcomes cite a known source
    known_sources = {s.id for s in m.sources} | {PLACEHOLDER_SOURCE}
    each("outcomes", ~f["outcomes"]["source_id"].isin(known_sources), "source_id",
         f"not a source id in {MANIFEST} (or '{PLACEHOLDER_SOURCE}')")

    # inflation for every plan year
    for y in sorted(set(m.plan_years) - set(f["inflation"]["year"])):
        log.add(where("inflation"), f"no inflation rate for plan year {fy(y)}")

    # reconciliation to the published total
    if m.published_total_gbp is not None:
        last = services["last_year_gbp"].sum()
        base = amounts.loc[amounts["year"] == m.base_year, "amount_gbp"].sum()
        for what, total, table in (("last year's service amounts", last, "services"),
                                   (f"stream amounts for {fy(m.base_year)}", base,
                                    "stream_amounts")):
            if abs(total - m.published_total_gbp) > 0.5:
                log.add(where(table), f"{what} sum to £{total:,.0f} but the published total in "
                        f"{MANIFEST} is £{m.published_total_gbp:,.0f}")

    # sourced figures point at real cells holding the stated value
    for i, sf in enumerate(m.sourced_figures):
        key = f"sourced_figures.{i}"
        if sf.table not in f:
            log.add(str(folder / MANIFEST), "unknown table", key=f"{key}.table", value=sf.table)
            continue
        frame, spec = f[sf.table], TABLES[sf.table]
        if sf.column not in spec.column_names:
            log.add(str(folder / MANIFEST), f"unknown column of {sf.table}",
                    key=f"{key}.column", value=sf.column)
            continue
        if spec.column(sf.column).kind not in (Kind.MONEY, Kind.NUMBER):
            log.add(str(folder / MANIFEST), f"column of {sf.table} is not a figure (only money "
                    "and number columns can be sourced)", key=f"{key}.column", value=sf.column)
            continue
        keys = [key_text(k) for k in frame[list(spec.key)].itertuples(index=False, name=None)]
        hit = frame[[k == sf.key for k in keys]]
        if hit.empty:
            log.add(str(folder / MANIFEST), f"no row with this key in {sf.table}",
                    key=f"{key}.key", value=sf.key)
            continue
        cell = hit[sf.column].iloc[0]
        if pd.isna(cell):
            log.add(str(folder / MANIFEST), f"the cell in {sf.table} is empty",
                    key=f"{key}.value", value=sf.value)
        elif abs(float(cell) - sf.value) > 1e-9:
            log.add(str(folder / MANIFEST), f"value differs from the cell in {sf.table} "
                    f"({cell:g})", key=f"{key}.value", value=sf.value)
