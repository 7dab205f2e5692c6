"""A checked dataset: the tables the model is built from, and :func:`load_dataset`, the only way in.

A dataset is a folder with a ``dataset.yaml`` manifest (:mod:`~budgetopt.data.manifest`) and one
CSV file per table (declared in :mod:`~budgetopt.data.schemas`). :func:`load_dataset` either
returns a fully checked, typed :class:`Dataset` or raises
:class:`~budgetopt.core.errors.InputError` listing *every* problem found, so nothing is ever
modelled from a dataset that fails.

Checks run in three passes, each only on what the previous pass could read: the manifest; then
each file on its own (:mod:`~budgetopt.data.readers`); then the rules across tables
(:mod:`~budgetopt.data.rules`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from pathlib import Path

import pandas as pd

from budgetopt.core.errors import ProblemLog
from budgetopt.core.text import fy
from budgetopt.data.manifest import MANIFEST, Manifest, read_manifest, readable_tables
from budgetopt.data.readers import empty_frame, read_csv_table
from budgetopt.data.rules import check_across_tables
from budgetopt.data.schemas import PLACEHOLDER_FLAG, TABLES, Kind, key_text
from budgetopt.data.workbook import is_workbook, load_workbook_dataset


class Figure(StrEnum):
    """Where a figure of the dataset comes from, as papers count and mark them."""

    SOURCED = "sourced"  # quoted from a published source (the manifest's sourced_figures)
    CONFIRMED = "confirmed"  # the team's own confirmed figure (placeholder column false)
    PLACEHOLDER = "placeholder"  # an estimate still to be confirmed


@dataclass(frozen=True)
class Dataset:
    """A checked dataset. Tables are pandas frames indexed by their key columns."""

    path: Path
    manifest: Manifest
    tables: dict[str, pd.DataFrame]
    content_hash: str
    structure_hash: str = ""  # what a model built on it depends on (default: content_hash)

    def __post_init__(self) -> None:
        if not self.structure_hash:
            object.__setattr__(self, "structure_hash", self.content_hash)

    def with_figures(self, tag: str, effect: pd.Series | None = None,
                     outcome_value: pd.Series | None = None,
                     need_shares: pd.DataFrame | None = None) -> Dataset:
        """The same dataset with some figures multiplied or replaced — one draw of the
        robustness analysis. ``effect`` multiplies each service's whole curve (outcomes per
        £1,000), ``outcome_value`` each outcome's value, and ``need_shares`` replaces the area
        shares. Nothing that decides the model's structure changes, so a model built on this
        dataset is edited in place for it (``structure_hash`` is this one's); ``tag`` names the
        draw in the new content hash."""
        tables = dict(self.tables)
        if effect is not None:
            curves = tables["curves"].copy()
            services = curves.index.get_level_values("service_id")
            curves["outcomes_per_1k_gbp"] *= effect.reindex(services).to_numpy()
            tables["curves"] = curves
        if outcome_value is not None:
            outcomes = tables["outcomes"].copy()
            outcomes["value_gbp"] *= outcome_value.reindex(outcomes.index).to_numpy()
            tables["outcomes"] = outcomes
        digest = hashlib.sha256(f"{self.content_hash}\0{tag}".encode()).hexdigest()
        out = Dataset(self.path, self.manifest, tables, digest, self.structure_hash)
        # the cached properties, given: the new shares, or this dataset's (unchanged)
        out.__dict__["need_shares"] = self.need_shares if need_shares is None else need_shares
        if need_shares is None:
            out.__dict__["need_intensity"] = self.need_intensity
        return out

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
        shares = self.need_shares
        population = self.tables["areas"]["population"].reindex(shares.columns).to_numpy(float)
        ratio = shares.to_numpy(dtype=float) / (population / population.sum())
        ratio /= (shares.to_numpy(dtype=float) * ratio).sum(axis=1, keepdims=True)
        return pd.DataFrame(ratio, index=shares.index, columns=shares.columns)

    def eligible_schemes(self, stream_id: str) -> set[str]:
        """Schemes a stream may fund: its eligibility rows if ring-fenced, else every scheme."""
        if not self.tables["streams"].at[stream_id, "ring_fenced"]:
            return set(self.tables["schemes"].index)
        elig = self.tables["stream_eligibility"].reset_index()
        return set(elig.loc[elig["stream_id"] == stream_id, "scheme_id"])

    def stream_amount(self, stream_id: str, year: int) -> float:
        return float(self.tables["stream_amounts"].at[(stream_id, year), "amount_gbp"])

    def is_sourced(self, table: str, key: str, column: str) -> bool:
        return (table, key, column) in self._sourced_keys

    @cached_property
    def _sourced_keys(self) -> set[tuple[str, str, str]]:
        return {(f.table, f.key, f.column) for f in self.manifest.sourced_figures}

    def placeholder_figures(self) -> list[tuple[str, str, str]]:
        """(table, key, column) of every figure that is a placeholder (:attr:`figure_states`)."""
        return [k for k, v in self.figure_states.items() if v is Figure.PLACEHOLDER]

    def confirmed_figures(self) -> list[tuple[str, str, str]]:
        """(table, key, column) of every figure its row's ``placeholder`` column says is
        confirmed (false) and the manifest does not list as sourced."""
        return [k for k, v in self.figure_states.items() if v is Figure.CONFIRMED]

    @cached_property
    def figure_states(self) -> dict[tuple[str, str, str], Figure]:
        """Every figure of the dataset (each money or number cell outside a key, by table, key
        and column) as exactly one of sourced, confirmed or placeholder — so the three counts
        a paper gives add up to the whole. Sourced: listed under the manifest's
        ``sourced_figures``; else what its row's ``placeholder`` column says (true: a
        placeholder, false: confirmed); a figure with neither is a placeholder. Worked out once
        per dataset: papers, workbooks and every explorer redraw ask."""
        out: dict[tuple[str, str, str], Figure] = {}
        for name, frame in self.tables.items():
            spec = TABLES[name]
            numeric = [c.name for c in spec.columns if c.kind in (Kind.MONEY, Kind.NUMBER)
                       and c.name not in spec.key]
            flags = frame.get(PLACEHOLDER_FLAG.name, pd.Series(None, index=frame.index))
            for (key, row), flag in zip(frame.iterrows(), flags, strict=True):
                text = key_text(key)
                said = None if pd.isna(flag) else bool(flag)  # what the row's flag says
                for col in numeric:
                    if pd.isna(row[col]):
                        continue
                    out[(name, text, col)] = (
                        Figure.PLACEHOLDER if said else
                        Figure.SOURCED if self.is_sourced(name, text, col) else
                        Figure.CONFIRMED if said is False else Figure.PLACEHOLDER)
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
        n = Counter(self.figure_states.values())
        n_sources = len(self.manifest.sources)
        confirmed = (f"{n[Figure.CONFIRMED]} confirmed in the tables (placeholder column "
                     "false); " if n[Figure.CONFIRMED] else "")
        lines += ["", f"  {n[Figure.SOURCED]} figures from published sources ({n_sources} "
                  f"source{'s' if n_sources != 1 else ''}); {confirmed}"
                  f"{n[Figure.PLACEHOLDER]} placeholder figures"]
        return "\n".join(lines)


def load_dataset(path: str | Path) -> Dataset:
    """Read and check a dataset — a folder, or one Excel workbook (:mod:`.workbook`); raise
    InputError listing every problem found."""
    if is_workbook(path):
        return load_workbook_dataset(Path(path), load_folder)
    return load_folder(path)


def load_folder(folder: str | Path) -> Dataset:
    """Read and check a dataset folder; raise InputError listing every problem found."""
    folder = Path(folder)
    log = ProblemLog()
    what = f"Dataset '{folder}'"
    if not folder.is_dir():
        log.add(str(folder), "dataset folder does not exist (give the folder holding "
                f"{MANIFEST} and the CSV tables)")
        log.raise_if_any(what)
    manifest = read_manifest(folder, log)
    listed = readable_tables(folder, manifest)  # read even when the manifest has problems
    frames: dict[str, pd.DataFrame] = {}
    for name, spec in TABLES.items():
        if name not in listed:  # an optional table left out: empty
            frames[name] = empty_frame(spec)
            continue
        frame = read_csv_table(folder / listed[name], spec, log)
        if frame is not None:
            frames[name] = frame
    log.raise_if_any(what, note="The rules across tables (ids that refer to other tables, "
                     "shares and weights adding up to 1, curves, totals) are checked once "
                     "these are put right.")
    assert manifest is not None

    check_across_tables(folder, manifest, frames, log)
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
