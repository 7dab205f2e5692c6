"""Table schemas of a dataset: what each CSV must hold, declared once, checked everywhere.

In the spirit of pandera's DataFrame models, each table is declared as a :class:`Table` of
:class:`Column` specs (type, bounds, references to other tables, whether a value is required). The
declarations drive the parser in :mod:`budgetopt.data.readers`, the reference documentation in
``docs/data.md`` and the failing-input tests. budgetopt declares its own small schema layer rather
than depending on pandera because every error must name the file's *line number* as an editor
shows it and say what would be valid in the commissioning team's terms, and because the
interactive explorer imports this module on start-up, where pandera's import time would show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a cell is parsed and what it may hold."""

    ID = "id"  # a short identifier: letters, digits, '-', '_' or '.'
    TEXT = "text"  # free text
    BOOL = "bool"  # true/false (also yes/no, 1/0)
    YEAR = "year"  # a financial year, given by the calendar year it starts in (2024 = 2024/25)
    MONEY = "money"  # pounds, finite, never negative
    NUMBER = "number"  # a finite real number within the column's bounds


MONEY_MAX = 1e9
"""The most any money cell may hold: £1,000,000,000, more than any force's whole budget, so a
figure beyond it is a typing error (an extra zero, a number pasted in pence), not a budget."""


def figure(value: float) -> str:
    """A bound as a message shows it: 1,000,000,000 rather than 1e+09."""
    return f"{value:,.0f}" if abs(value) >= 10_000 and float(value).is_integer() else f"{value:g}"


def in_full(value: float) -> str:
    """A figure as typed, in full: 1,234,567 rather than 1.23457e+06; 0.0125; 1,234.5."""
    v = float(value)
    return f"{int(v):,}" if v.is_integer() and abs(v) < 1e15 else f"{v:,}"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    doc: str
    required: bool = True
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    choices: tuple[str, ...] | None = None
    ref: str | None = None  # "table.column" this id must exist in

    @property
    def upper(self) -> float | None:
        """The largest plausible value: the column's own bound, else £1bn for money."""
        if self.le is not None:
            return self.le
        return MONEY_MAX if self.kind is Kind.MONEY else None

    def rule(self) -> str:
        """The rule in words, as error messages and docs show it."""
        parts = {
            Kind.ID: "an identifier (letters, digits, '-', '_', '.')",
            Kind.TEXT: "text",
            Kind.BOOL: "true or false",
            Kind.YEAR: "a year such as 2025 (meaning 2025/26)",
            Kind.MONEY: "an amount in pounds",
            Kind.NUMBER: "a number",
        }[self.kind]
        low = self.ge if self.ge is not None else (0 if self.kind is Kind.MONEY else None)
        if self.gt is not None and self.upper is not None:
            parts += f" more than {figure(self.gt)} and at most {figure(self.upper)}"
        elif self.gt is not None:
            parts += f" more than {figure(self.gt)}"
        elif low is not None and self.upper is not None:
            parts += f" from {figure(low)} to {figure(self.upper)}"
        elif low is not None:
            parts += f", {figure(low)} or more"
        elif self.upper is not None:
            parts += f" at most {figure(self.upper)}"
        if self.choices:
            parts = "one of " + ", ".join(self.choices)
        return parts


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    optional_columns: tuple[str, ...] = field(default=())
    optional: bool = False  # a dataset may leave the table out (it is then empty)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


INDICATORS = ("population", "crime", "domestic_abuse", "asb", "deprivation")
EVIDENCE = ("strong", "moderate", "weak")
FORCE_AREA = "force"  # the single 'area' of a force-wide service
YEAR_TEXT = re.compile(r"[0-9]{4}(/[0-9]{2}|/[0-9]{4})?")
"""How a financial year may be written — 2025, 2025/26 or 2025/2026, the year from April 2025 —
in a table's cell and in a scenario alike."""

C = Column
PLACEHOLDER_FLAG = C(
    "placeholder", Kind.BOOL, "true: this row's figures are placeholders (estimates still to "
    "be confirmed); false: they are confirmed figures (from your own records or a published "
    "source named in the manifest); empty: placeholders unless the manifest lists them under "
    "sourced_figures.", False)
"""The optional last column of every table that holds figures, so a team marks its
placeholders where it types them rather than only in ``dataset.yaml``."""

STREAMS = Table(
    "streams",
    "Funding streams: who gives the money and on what conditions.",
    (
        C("stream_id", Kind.ID, "Identifier used by the other tables and by scenarios."),
        C("name", Kind.TEXT, "Name as the paper shows it."),
        C("grantor", Kind.TEXT, "Who provides the money."),
        C("ring_fenced", Kind.BOOL, "Only the schemes in stream_eligibility may use it."),
        C("must_spend", Kind.BOOL, "The whole amount must be spent in the year."),
        C("end_year", Kind.YEAR, "Last year the stream pays out; empty if open-ended.", False),
        C("notes", Kind.TEXT, "Conditions and caveats.", False),
    ),
    key=("stream_id",),
)
STREAM_AMOUNTS = Table(
    "stream_amounts",
    "Amount of each stream in the base year (actual) and in every plan year (expected).",
    (
        C("stream_id", Kind.ID, "Stream.", ref="streams.stream_id"),
        C("year", Kind.YEAR, "Financial year."),
        C("amount_gbp", Kind.MONEY, "Amount available in £ (nominal)."),
        PLACEHOLDER_FLAG,
    ),
    key=("stream_id", "year"),
)
STREAM_ELIGIBILITY = Table(
    "stream_eligibility",
    "Schemes a ring-fenced stream may fund (unrestricted streams fund any scheme).",
    (
        C("stream_id", Kind.ID, "A ring-fenced stream.", ref="streams.stream_id"),
        C("scheme_id", Kind.ID, "A scheme it may fund.", ref="schemes.scheme_id"),
    ),
    key=("stream_id", "scheme_id"),
)
SCHEMES = Table(
    "schemes",
    "Commissioning schemes, each with a floor and a cap per plan year.",
    (
        C("scheme_id", Kind.ID, "Identifier."),
        C("name", Kind.TEXT, "Name as the paper shows it."),
        C("floor_gbp", Kind.MONEY, "Least the scheme receives in each plan year, £."),
        C("cap_gbp", Kind.MONEY, "Most the scheme receives in each plan year, £."),
        C("area_split", Kind.BOOL, "Money is shared across areas by a need formula."),
        C("description", Kind.TEXT, "What the scheme funds.", False),
        PLACEHOLDER_FLAG,
    ),
    key=("scheme_id",),
)
NEED_FORMULA = Table(
    "need_formula",
    "Indicator weights giving each area's need share in an area-split scheme.",
    (
        C("scheme_id", Kind.ID, "An area-split scheme.", ref="schemes.scheme_id"),
        C("indicator", Kind.ID, "A need indicator: a column of the areas table.",
          choices=INDICATORS),
        C("weight", Kind.NUMBER, "Weight of the indicator; a scheme's weights sum to 1.",
          gt=0, le=1),
        PLACEHOLDER_FLAG,
    ),
    key=("scheme_id", "indicator"),
)
AREAS = Table(
    "areas",
    "Community Safety Partnership areas and their need indicators.",
    (
        C("area_id", Kind.ID, "Identifier ('force' is reserved for force-wide services)."),
        C("name", Kind.TEXT, "Name as the paper shows it."),
        *(
            C(ind, Kind.NUMBER, f"Need indicator '{ind}' (count or index).", ge=0, le=1e8)
            for ind in INDICATORS
        ),
        PLACEHOLDER_FLAG,
    ),
    key=("area_id",),
)
SERVICES = Table(
    "services",
    "Commissioned services: what was spent last year, limits, contracts, evidence.",
    (
        C("service_id", Kind.ID, "Identifier."),
        C("name", Kind.TEXT, "Name as the paper shows it."),
        C("provider", Kind.TEXT, "Provider or delivery partner."),
        C("scheme_id", Kind.ID, "Scheme the service belongs to.", ref="schemes.scheme_id"),
        C("area_split", Kind.BOOL, "Funded per area (true) or force-wide (false)."),
        C("last_year_gbp", Kind.MONEY, "Base-year actual spend, £."),
        C("min_gbp", Kind.MONEY, "Least the service can run on in a plan year, £ (0 = may close)."),
        C("capacity_gbp", Kind.MONEY, "Most the service can use in a plan year, £.", gt=0),
        C("contract_value_gbp", Kind.MONEY, "Annual contract value in base-year £; empty = none.",
          False),
        C("contract_end_year", Kind.YEAR, "Last year of the contract.", False),
        C("contract_uplift", Kind.NUMBER, "Annual uplift of the contract value (0.02 = 2%).",
          False, ge=0, le=0.5),
        C("evidence", Kind.ID, "Strength of the evidence for the benefit curve.", choices=EVIDENCE),
        C("outcome_id", Kind.ID, "Outcome the benefit curve counts.", ref="outcomes.outcome_id"),
        C("notes", Kind.TEXT, "Caveats.", False),
        PLACEHOLDER_FLAG,
    ),
    key=("service_id",),
)
SERVICE_PRIORITIES = Table(
    "service_priorities",
    "Shares in which each service serves the Police and Crime Plan priorities.",
    (
        C("service_id", Kind.ID, "Service.", ref="services.service_id"),
        C("priority_id", Kind.ID, "Priority.", ref="priorities.priority_id"),
        C("share", Kind.NUMBER, "Share; a service's shares sum to 1.", gt=0, le=1),
        PLACEHOLDER_FLAG,
    ),
    key=("service_id", "priority_id"),
)
PRIORITIES = Table(
    "priorities",
    "Police and Crime Plan priorities and their default weights.",
    (
        C("priority_id", Kind.ID, "Identifier."),
        C("name", Kind.TEXT, "Name as the paper shows it."),
        C("default_weight", Kind.NUMBER, "Weight when a scenario sets none.", ge=0, le=100),
        PLACEHOLDER_FLAG,
    ),
    key=("priority_id",),
)
CURVES = Table(
    "curves",
    "Benefit curves: segments of spend with diminishing outcomes per £1,000.",
    (
        C("service_id", Kind.ID, "Service.", ref="services.service_id"),
        C("segment", Kind.NUMBER, "Segment number, 1, 2, 3, ... in order of spend.", ge=1,
          le=100),
        C("width_gbp", Kind.MONEY, "Spend the segment covers, £ (force-wide total).", gt=0),
        C("outcomes_per_1k_gbp", Kind.NUMBER, "Outcomes per £1,000 spent in the segment.", gt=0,
          le=1000),
        PLACEHOLDER_FLAG,
    ),
    key=("service_id", "segment"),
)
OUTCOMES = Table(
    "outcomes",
    "Outcome units and the social value of one outcome.",
    (
        C("outcome_id", Kind.ID, "Identifier."),
        C("unit", Kind.TEXT, "What one outcome is."),
        C("value_gbp", Kind.MONEY, "Social value of one outcome, £.", gt=0, le=1e7),
        C("source_id", Kind.ID, "The id of a source in the manifest's sources, or 'placeholder'."),
        C("price_year", Kind.YEAR, "Price year of value_gbp.", False),
        PLACEHOLDER_FLAG,
    ),
    key=("outcome_id",),
)
INFLATION = Table(
    "inflation",
    "Inflation assumption per plan year (for real-terms comparisons).",
    (
        C("year", Kind.YEAR, "Financial year."),
        C("rate", Kind.NUMBER, "Price growth over the previous year (0.025 = 2.5%).",
          ge=-0.2, le=0.5),
        PLACEHOLDER_FLAG,
    ),
    key=("year",),
)

UNCERTAIN_INPUTS = ("effect", "outcome_value", "need", "funding")
UNCERTAINTY = Table(
    "uncertainty",
    "How uncertain the figures are: a spread per evidence rating, outcome, need formula and "
    "funding stream, for the robustness analysis (optional: without it, nothing is uncertain).",
    (
        C("input", Kind.ID, "What is uncertain: effect (the benefit curves of services with "
          "this evidence rating), outcome_value (an outcome's social value), need (the area "
          "shares of an area-split scheme) or funding (a stream's amount).",
          choices=UNCERTAIN_INPUTS),
        C("key", Kind.ID, "An evidence rating (strong, moderate, weak) for effect; an "
          "outcome_id, a scheme_id or a stream_id for the others."),
        C("log_sd", Kind.NUMBER, "Spread: the standard deviation of the natural log of a "
          "multiplier with median 1 (0.3 puts 80% of draws within ×0.68 to ×1.47).", ge=0,
          le=2),
        C("from_year", Kind.YEAR, "funding only: the first plan year whose amount is not yet "
          "confirmed (grant settlements are annual).", False),
        C("notes", Kind.TEXT, "Why this spread.", False),
        PLACEHOLDER_FLAG,
    ),
    key=("input", "key"),
    optional=True,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        STREAMS,
        STREAM_AMOUNTS,
        STREAM_ELIGIBILITY,
        SCHEMES,
        NEED_FORMULA,
        AREAS,
        SERVICES,
        SERVICE_PRIORITIES,
        PRIORITIES,
        CURVES,
        OUTCOMES,
        INFLATION,
        UNCERTAINTY,
    )
}


def key_text(values: object) -> str:
    """A row's key as written in dataset.yaml: parts joined by '/', numbers without '.0'."""
    parts = values if isinstance(values, tuple | list) else (values,)
    return "/".join(f"{p:g}" if isinstance(p, float) else str(p) for p in parts)
