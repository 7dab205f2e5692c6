"""How to fill in a dataset, said once: the "How to fill this in" sheet of every workbook the
project writes, the README of a new dataset folder, and the manifest a template starts from.

The words come from the table declarations (:mod:`~budgetopt.data.schemas`: each column's
meaning and rule), so the guide cannot drift from what ``budgetopt validate`` checks; this module
adds only what a declaration does not say — an example row per table and the rules across
tables in a commissioning team's words.
"""

from __future__ import annotations

from budgetopt.data.schemas import TABLES, Column, Kind, Table

GUIDE_SHEET = "How to fill this in"

EXAMPLES: dict[str, dict[str, str]] = {
    "streams": {"stream_id": "victims-grant", "name": "MoJ victims grant",
                "grantor": "Ministry of Justice", "ring_fenced": "true", "must_spend": "true",
                "end_year": "", "notes": "Ring-fenced to victim services"},
    "stream_amounts": {"stream_id": "victims-grant", "year": "2025", "amount_gbp": "1500000",
                       "placeholder": "false"},
    "stream_eligibility": {"stream_id": "victims-grant", "scheme_id": "victims"},
    "schemes": {"scheme_id": "victims", "name": "Victim services", "floor_gbp": "1000000",
                "cap_gbp": "2500000", "area_split": "false",
                "description": "Services for victims and witnesses", "placeholder": "false"},
    "need_formula": {"scheme_id": "community-safety", "indicator": "population",
                     "weight": "0.5", "placeholder": "false"},
    "areas": {"area_id": "north", "name": "North District", "population": "250000",
              "crime": "18000", "domestic_abuse": "3000", "asb": "9000", "deprivation": "20",
              "placeholder": "true"},
    "services": {"service_id": "vs-core", "name": "Victim Support core service",
                 "provider": "Victim Support", "scheme_id": "victims", "area_split": "false",
                 "last_year_gbp": "800000", "min_gbp": "600000", "capacity_gbp": "1200000",
                 "contract_value_gbp": "800000", "contract_end_year": "2027",
                 "contract_uplift": "0.02", "evidence": "moderate",
                 "outcome_id": "victims-supported", "notes": "", "placeholder": "false"},
    "service_priorities": {"service_id": "vs-core", "priority_id": "victims", "share": "1",
                           "placeholder": "false"},
    "priorities": {"priority_id": "victims", "name": "Put victims first",
                   "default_weight": "1", "placeholder": "false"},
    "curves": {"service_id": "vs-core", "segment": "1", "width_gbp": "600000",
               "outcomes_per_1k_gbp": "2.5", "placeholder": "true"},
    "outcomes": {"outcome_id": "victims-supported",
                 "unit": "a victim supported to cope and recover", "value_gbp": "1500",
                 "source_id": "placeholder", "price_year": "2024", "placeholder": "true"},
    "inflation": {"year": "2025", "rate": "0.025", "placeholder": "true"},
    "uncertainty": {"input": "effect", "key": "weak", "log_sd": "0.5", "from_year": "",
                    "notes": "Weak evidence: a wide spread", "placeholder": "true"},
}
"""One example row per table; the service's scheme, outcome and priority are the examples of
those tables (the need formula's scheme is another, area-split one: the example scheme is
force-wide)."""

RULES = (
    "Every id a table names must exist in the table it refers to (a service's scheme_id in "
    "schemes, its outcome_id in outcomes, and so on).",
    "Every stream has an amount for every year from the base year to the last plan year; 0 "
    "after its end_year.",
    "A ring-fenced stream names the schemes it may fund in stream_eligibility; an unrestricted "
    "stream names none.",
    "A scheme's floor is not above its cap, and every scheme has at least one service.",
    "Only area-split schemes have need_formula rows; each one's weights add up to exactly 1.",
    "For each service: minimum ≤ capacity, last year's amount ≤ capacity, contract value ≤ "
    "capacity; the three contract columns are all filled or all empty.",
    "Each service's shares in service_priorities add up to exactly 1.",
    "Each service has a benefit curve of at least 3 segments numbered 1, 2, 3, ...; outcomes "
    "per £1,000 fall from segment to segment, and the widths cover its capacity.",
    "If the manifest gives a published total (published_total_gbp), last year's spend on "
    "services and the base year's stream amounts each add up to it exactly.",
    "A row's placeholder column says whether its figures are placeholders: true (estimates, "
    "marked in every paper), false (confirmed), or empty (placeholders unless the manifest "
    "lists them under sourced_figures). A paper on placeholders is never FINAL.",
)

STEPS = (
    "Fill in the manifest sheet first (the dataset's name, title, base year, plan years and "
    "at least one source): each line marked FILL IN.",
    "Then fill each table's sheet from row 2 down, one row per line; keep row 1 (the headers) "
    "exactly as it is, and do not merge cells.",
    "Amounts are in whole pounds, years are the year a financial year starts in (2025 means "
    "2025/26), true/false columns hold TRUE or FALSE.",
    "Run 'budgetopt validate' on the workbook (or folder): it lists everything still missing "
    "or wrong, sheet by sheet, with the row and the column. Repeat until it says the dataset "
    "is valid.",
)


def rule_text(col: Column) -> str:
    """What a cell may hold, with its reference or choices, as the guide shows it."""
    text = col.rule()
    if col.ref:
        table, column = col.ref.split(".")
        text += f"; {'an' if column[0] in 'aeiou' else 'a'} {column} from the {table} sheet"
    if col.kind is Kind.MONEY:
        text += " (whole pounds in a plan: pence are kept, but every table rounds to pounds)"
    return text


def guide_rows() -> list[list[str]]:
    """The guide as rows of a sheet: the steps, then every table's columns, then the rules."""
    rows: list[list[str]] = [["How to fill in this dataset"], []]
    rows += [[f"{i}. {step}"] for i, step in enumerate(STEPS, start=1)]
    rows += [[], ["Table", "Column", "Required", "What it means", "What it may hold",
                  "Example"]]
    for table in TABLES.values():
        rows.append([table.name, "", "", table_doc(table), "", ""])
        example = EXAMPLES.get(table.name, {})
        for col in table.columns:
            rows.append(["", col.name, "yes" if col.required else "no", col.doc,
                         rule_text(col), example.get(col.name, "")])
    rows += [[], ["Rules across tables (checked by budgetopt validate)"]]
    rows += [[f"{i}. {rule}"] for i, rule in enumerate(RULES, start=1)]
    return rows


def table_doc(table: Table) -> str:
    key = " + ".join(table.key)
    optional = " Optional: leave the sheet with its header alone if it does not apply." \
        if table.optional else ""
    return f"{table.doc} Each {key} appears once.{optional}"


def readme_text(name: str) -> str:
    """The guide as the README.md of a new dataset folder (Markdown)."""
    lines = [f"# Dataset `{name}`: how to fill this in", ""]
    lines += [f"{i}. {step}" for i, step in enumerate(STEPS, start=1)]
    lines += ["", "Each table is a CSV file (UTF-8, comma-separated) whose first line is its "
              "header; keep the header exactly as it is.", ""]
    for table in TABLES.values():
        lines += [f"## `{table.name}.csv`", "", table_doc(table), "",
                  "| Column | Required | What it means | What it may hold | Example |",
                  "|---|---|---|---|---|"]
        example = EXAMPLES.get(table.name, {})
        for col in table.columns:
            lines.append(f"| `{col.name}` | {'yes' if col.required else 'no'} | {col.doc} | "
                         f"{rule_text(col)} | {example.get(col.name, '') or '–'} |")
        lines.append("")
    lines += ["## Rules across tables (checked by `budgetopt validate`)", ""]
    lines += [f"{i}. {rule}" for i, rule in enumerate(RULES, start=1)]
    return "\n".join(lines) + "\n"


def manifest_template(name: str) -> str:
    """A new dataset's ``dataset.yaml``: every key a dataset needs, the ones only its team can
    give left empty and marked FILL IN (``budgetopt validate`` names each one until it is)."""
    tables = "\n".join(f"  {t}: {t}.csv" for t in TABLES)
    return f"""\
# The dataset's manifest. Fill in every value marked FILL IN; a line starting with # is a note.
name: {name}
title:            # FILL IN: the title papers show, e.g. "Anyshire OPCC commissioning"
base_year:        # FILL IN: the last year with actual spend, e.g. 2024 (meaning 2024/25)
plan_years: []    # FILL IN: the years to plan, from base_year + 1, e.g. [2025, 2026, 2027]
currency: GBP
price_base:       # FILL IN: the year whose prices real terms are in (usually base_year)
# published_total_gbp: 0       # optional: the published commissioning total of base_year
# published_total_source: ""   # ... and the id of its source (one of the sources below)
tables:
{tables}
sources: []       # FILL IN: at least one, e.g. (replace [] by the lines below, without the #)
# - id: cip-2025-26
#   title: "Commissioning Intentions Plan 2025/26"
#   publisher: "Office of the Police and Crime Commissioner"
#   date: "2025-02"
#   url: ""
#   status: F     # F found in a primary source, S secondary, D derived
sourced_figures: []   # optional: figures quoted from a source (see docs/data.md)
placeholders: []      # optional: how the placeholder figures were made, as {{table, columns, note}}
"""
