"""A dataset's manifest, ``dataset.yaml``: its tables, years, sources and placeholders.

The manifest is the dataset's provenance. It names the base year and plan years, lists the file
of every table, the published **sources**, the figures taken from them (``sourced_figures``, each
with its quote) and how the placeholders were set. Every numeric figure that is not sourced is a
placeholder, and every paper says how many it used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from budgetopt.core.errors import ProblemLog
from budgetopt.data.problems import problems_from
from budgetopt.data.schemas import TABLES
from budgetopt.data.yaml_files import not_a_file, read_yaml

MANIFEST = "dataset.yaml"


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


def read_manifest(folder: Path, log: ProblemLog) -> Manifest | None:
    path = folder / MANIFEST
    file = str(path)
    raw, problem = read_yaml(path, f"manifest is missing: every dataset folder needs a "
                             f"{MANIFEST} listing its tables, base year and sources (see "
                             "docs/data.md)")
    if problem is not None:
        log.problems.append(problem)
        return None
    if not isinstance(raw, dict):
        log.add(file, "manifest must be a mapping of keys (name, base_year, tables, ...)",
                value=raw if not isinstance(raw, list) else None)
        return None
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as e:
        log.problems.extend(problems_from(e, file, Manifest))
        return None
    if manifest.plan_years[0] != manifest.base_year + 1:
        log.add(file, f"the first plan year must follow the base year ({manifest.base_year + 1})",
                key="plan_years", value=manifest.plan_years[0])
    missing = sorted(n for n in set(TABLES) - set(manifest.tables) if not TABLES[n].optional)
    unknown = sorted(set(manifest.tables) - set(TABLES))
    for name in missing:
        log.add(file, f"table '{name}' is not listed (valid tables: {', '.join(TABLES)})",
                key="tables")
    for name in unknown:
        log.add(file, f"unknown table '{name}' (valid tables: {', '.join(TABLES)})",
                key=f"tables.{name}")
    for name, rel in manifest.tables.items():
        if not _inside(folder, rel):
            log.add(file, "a table must be a file inside the dataset folder (give its name "
                    "relative to the folder, e.g. services.csv)", key=f"tables.{name}",
                    value=rel)
        elif (what := not_a_file(folder / rel)) is not None:
            log.add(file, f"is {what}, not a file: a table must be a regular file (a CSV "
                    "file saved in the dataset folder)", key=f"tables.{name}", value=rel)
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


def _inside(folder: Path, rel: str) -> bool:
    return not Path(rel).is_absolute() and (folder / rel).resolve().is_relative_to(
        folder.resolve())


def readable_tables(folder: Path, manifest: Manifest | None) -> dict[str, str]:
    """The tables the manifest lists that can be read safely (known names, regular files
    inside the folder) — from the raw YAML when the manifest has problems of its own, so that a
    half-filled dataset hears about its empty tables too, not only about its manifest."""
    listed: Any = manifest.tables if manifest is not None else None
    if listed is None:
        raw, problem = read_yaml(folder / MANIFEST, "")
        if problem is not None:
            return {}
        listed = raw.get("tables") if isinstance(raw, dict) else None
    if not isinstance(listed, dict):
        return {}
    return {name: rel for name, rel in listed.items()
            if name in TABLES and isinstance(rel, str) and rel and _inside(folder, rel)
            and not_a_file(folder / rel) is None}
