"""Failing-input tests: one broken thing per test, one named problem per broken thing.

Every test copies the default dataset, breaks one rule of :mod:`budgetopt.data.readers`,
:mod:`budgetopt.data.rules` or :mod:`budgetopt.data.schemas` in the copy and checks that
``load_dataset`` raises ``InputError`` with a problem naming the file (basename), the editor line
(header = line 1) where there is one, the column (or manifest key) and a fragment of the rule's
text.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from budgetopt.core.errors import InputError
from budgetopt.data.dataset import load_dataset

MANIFEST = "dataset.yaml"


# ============================================================================================
# The folder and the manifest
# ============================================================================================
@pytest.mark.folder_only
def test_folder_does_not_exist(tmp_path, expect_problem):
    expect_problem(tmp_path / "nope", file="nope", rule="dataset folder does not exist")


@pytest.mark.folder_only
def test_missing_manifest(dataset_copy, expect_problem):
    (dataset_copy / MANIFEST).unlink()
    expect_problem(dataset_copy, file=MANIFEST, rule="manifest is missing", no_row=True)


@pytest.mark.folder_only
def test_manifest_not_yaml(dataset_copy, expect_problem):
    (dataset_copy / MANIFEST).write_text("name: x\ntitle: [unclosed\nbase_year: 2024\n")
    p = expect_problem(dataset_copy, file=MANIFEST, rule="not valid YAML")
    assert p.row == 3


@pytest.mark.folder_only
@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", ""], ids=["list", "scalar", "empty"])
def test_manifest_not_a_mapping(dataset_copy, expect_problem, text):
    (dataset_copy / MANIFEST).write_text(text)
    expect_problem(dataset_copy, file=MANIFEST, rule="manifest must be a mapping")


def test_manifest_unknown_key(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m.update(colour="blue"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="colour", rule="unknown key")


def test_manifest_unknown_key_nested(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sources"][2].update(colour="blue"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sources.2.colour", rule="unknown key")


@pytest.mark.parametrize("key", ["title", "base_year", "tables", "sources"])
def test_manifest_missing_key(csv_edit, expect_problem, key):
    csv_edit.edit_manifest(lambda m: m.pop(key))
    expect_problem(csv_edit.folder, file=MANIFEST, key=key, rule="required key is missing")


def test_manifest_wrong_type(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m.update(base_year="last year"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="base_year",
                   rule="must be a whole number from 2000 to 2100")


def test_plan_years_not_consecutive(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m.update(plan_years=[2025, 2027, 2028]))
    expect_problem(csv_edit.folder, file=MANIFEST, key="plan_years", rule="consecutive")


def test_plan_years_empty(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m.update(plan_years=[]))
    expect_problem(csv_edit.folder, file=MANIFEST, key="plan_years", rule="at least 1")


def test_plan_years_do_not_follow_base_year(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m.update(plan_years=[2026, 2027, 2028]))
    expect_problem(csv_edit.folder, file=MANIFEST, key="plan_years",
                   rule="first plan year must follow the base year (2025)", value=2026)


def test_table_not_listed(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["tables"].pop("inflation"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="tables",
                   rule="table 'inflation' is not listed")


def test_unknown_table(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["tables"].update(budgets="budgets.csv"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="tables.budgets",
                   rule="unknown table 'budgets'")


def test_source_id_duplicated(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sources"].append(dict(m["sources"][0])))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sources", rule="source id is used twice",
                   value="cip-2024-25")


def test_sourced_figure_unknown_source(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sourced_figures"][1].update(source="no-such-source"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.1.source",
                   rule="names a source that is not in 'sources'", value="no-such-source")


def test_published_total_source_unknown(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m.update(published_total_source="no-such-source"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="published_total_source",
                   rule="names a source that is not in 'sources'")


def test_sourced_figure_unknown_table(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sourced_figures"][0].update(table="budgets"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.0.table",
                   rule="unknown table", value="budgets")


def test_sourced_figure_unknown_column(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sourced_figures"][0].update(column="amount"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.0.column",
                   rule="unknown column of stream_amounts", value="amount")


def test_sourced_figure_no_such_key(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sourced_figures"][0].update(key="moj-victims/2023"))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.0.key",
                   rule="no row with this key in stream_amounts", value="moj-victims/2023")


def test_sourced_figure_value_differs_from_cell(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sourced_figures"][4].update(value=1_300_000))
    p = expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.4.value",
                       rule="value differs from the cell in services")
    assert p.value == 1_300_000


def test_sourced_figure_that_differs_shows_the_cell_in_full(csv_edit, expect_problem):
    csv_edit.set_cell("services", {"service_id": "vs-core"}, "contract_value_gbp", "1234567")
    p = expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.4.value",
                       rule="value differs from the cell in services")
    assert "(1,234,567)" in p.rule, p.rule  # not 1.23457e+06


def test_sourced_figure_cell_changed_in_csv(csv_edit, expect_problem):
    # the same rule seen from the other side: the CSV is edited, the manifest is not
    csv_edit.set_cell("areas", {"area_id": "torbay"}, "population", 139485)
    expect_problem(csv_edit.folder, file=MANIFEST, rule="value differs from the cell in areas")


def test_sourced_figure_pointing_at_empty_cell(csv_edit, expect_problem):
    # vs-young-victims has no contract: its contract_value_gbp cell is empty
    csv_edit.edit_manifest(lambda m: m["sourced_figures"].append(dict(
        table="services", key="vs-young-victims", column="contract_value_gbp", value=123,
        source="pq-23626", quote="x", status="F")))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.23.value")


def test_sourced_figure_pointing_at_text_column(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["sourced_figures"].append(dict(
        table="streams", key="core", column="name", value=1, source="pq-23626", quote="x",
        status="F")))
    expect_problem(csv_edit.folder, file=MANIFEST, key="sourced_figures.23.column")


def test_sourced_figure_on_curve_segment_key_as_written(csv_edit):
    csv_edit.edit_manifest(lambda m: m["sourced_figures"].append(dict(
        table="curves", key="vs-core/1", column="width_gbp", value=720000, source="pq-23626",
        quote="x", status="F")))
    load_dataset(csv_edit.folder)


# ============================================================================================
# One file at a time: the file itself
# ============================================================================================
@pytest.mark.folder_only
def test_missing_file(csv_edit, expect_problem):
    csv_edit.path("inflation").unlink()
    expect_problem(csv_edit.folder, file="inflation.csv", rule="file is missing", no_row=True)


@pytest.mark.folder_only
def test_manifest_points_at_missing_file(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m["tables"].update(inflation="cpi.csv"))
    expect_problem(csv_edit.folder, file="cpi.csv", rule="file is missing (table 'inflation'")


@pytest.mark.folder_only
def test_a_folder_where_a_table_should_be(csv_edit, expect_problem):
    # only regular files are tables: a folder of the table's name is named at its key
    csv_edit.path("inflation").unlink()
    csv_edit.path("inflation").mkdir()
    expect_problem(csv_edit.folder, file="dataset.yaml", key="tables.inflation",
                   value="inflation.csv", rule="is a folder, not a file")


@pytest.mark.folder_only
def test_not_utf8(csv_edit, expect_problem):
    # a latin-1 '£' (0xA3) in the notes of line 4, as a non-UTF-8 spreadsheet export writes it
    path = csv_edit.path("streams")
    lines = path.read_bytes().split(b"\n")
    assert lines[3].startswith(b"svd,")
    lines[3] = lines[3].replace(b"Flat cash", b"Flat cash \xa3657k")
    path.write_bytes(b"\n".join(lines))
    expect_problem(csv_edit.folder, file="streams.csv", row=4, rule="not UTF-8")


def test_utf8_bom_is_accepted(csv_edit):
    for table in ("services", "inflation"):
        path = csv_edit.path(table)
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    ds = load_dataset(csv_edit.folder)
    assert "vs-core" in ds.services.index
    assert list(ds.inflation.index) == [2025, 2026, 2027, 2028, 2029]


def test_crlf_line_endings_are_accepted(csv_edit):
    path = csv_edit.path("services")
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    load_dataset(csv_edit.folder)


@pytest.mark.folder_only
@pytest.mark.parametrize("text", ["", "\n\n", "   \n"], ids=["zero-bytes", "newlines", "blank"])
def test_empty_file(csv_edit, expect_problem, text):
    csv_edit.write_text("inflation", text)
    expect_problem(csv_edit.folder, file="inflation.csv", rule="file is empty")


@pytest.mark.parametrize(("delim", "word"), [(";", "semicolons"), ("\t", "tabs"),
                                              ("|", "'|' characters")])
def test_other_delimiter(csv_edit, expect_problem, delim, word):
    text = csv_edit.path("inflation").read_text().replace(",", delim)
    csv_edit.write_text("inflation", text)
    expect_problem(csv_edit.folder, file="inflation.csv", row=1,
                   rule=f"columns are separated by {word}")


# ============================================================================================
# One file at a time: header and shape
# ============================================================================================
def test_duplicate_header_column(csv_edit, expect_problem):
    csv_edit.write_text("inflation", "year,rate,rate\n2025,0.03,0.03\n")
    expect_problem(csv_edit.folder, file="inflation.csv", row=1, column="rate",
                   rule="column appears more than once")


def test_missing_required_column(csv_edit, expect_problem):
    csv_edit.drop_column("services", "capacity_gbp")
    expect_problem(csv_edit.folder, file="services.csv", row=1, column="capacity_gbp",
                   rule="required column is missing")


def test_missing_optional_column_is_accepted(csv_edit):
    csv_edit.drop_column("services", "notes")
    csv_edit.drop_column("streams", "notes")
    load_dataset(csv_edit.folder)


def test_unknown_column(csv_edit, expect_problem):
    csv_edit.add_column("schemes", "colour", "red")
    expect_problem(csv_edit.folder, file="schemes.csv", row=1, column="colour",
                   rule="unknown column")


@pytest.mark.folder_only  # in a sheet, an empty last column is no column at all
def test_blank_header_column(csv_edit, expect_problem):
    csv_edit.add_column("schemes", "", "")
    expect_problem(csv_edit.folder, file="schemes.csv", row=1, column="(blank)",
                   rule="unknown column")


@pytest.mark.folder_only
def test_row_with_too_many_fields(csv_edit, expect_problem):
    line = csv_edit.append_row("inflation", ["2030", "0.02", "extra"])
    assert line == 7
    expect_problem(csv_edit.folder, file="inflation.csv", row=7,
                   rule="row has 3 fields but the header has 2")


@pytest.mark.folder_only
def test_row_with_too_few_fields(csv_edit, expect_problem):
    header, rows, _ = csv_edit.read("services")
    rows[4] = rows[4][:-2]  # line 6, a stray missing comma or two
    csv_edit.write("services", header, rows)
    expect_problem(csv_edit.folder, file="services.csv", row=6,
                   rule="row has 12 fields but the header has 14")


def test_blank_lines_are_skipped_and_lines_still_counted(csv_edit, expect_problem):
    # a blank line 3 must not shift the line numbers reported below it
    csv_edit.write_text("inflation", "year,rate\n2025,0.03\n\n2026,abc\n2027,0.02\n2028,0.02\n"
                        "2029,0.02\n")
    expect_problem(csv_edit.folder, file="inflation.csv", row=4, column="rate",
                   rule="not a number")


@pytest.mark.folder_only  # a sheet keeps the record in row 3 (test_dataset_workbook.py)
def test_multiline_quoted_cell_keeps_line_numbers(csv_edit, expect_problem):
    # a note spanning two lines: the error on the next record names its real editor line
    header, rows, _ = csv_edit.read("streams")
    rows[0][header.index("notes")] = "first line\nsecond line"
    rows[1][header.index("ring_fenced")] = "perhaps"  # record on editor lines 4 (was 3)
    csv_edit.write("streams", header, rows)
    expect_problem(csv_edit.folder, file="streams.csv", row=4, column="ring_fenced",
                   rule="not true or false")


def test_header_only_table(csv_edit, expect_problem):
    csv_edit.write_text("inflation", "year,rate\n")
    expect_problem(csv_edit.folder, file="inflation.csv", rule="table is empty")


# ============================================================================================
# One file at a time: cells
# ============================================================================================
CELL_CASES = [
    # id, table, where, column, bad value, rule fragment
    ("missing-required", "services", {"service_id": "isva"}, "provider", "",
     "value is missing"),
    ("missing-required-money", "stream_amounts", {"stream_id": "svd", "year": "2026"},
     "amount_gbp", " ", "value is missing"),
    ("money-not-numeric", "stream_amounts", {"stream_id": "svd", "year": "2026"}, "amount_gbp",
     "about 657k", "not a number"),
    ("money-nan", "services", {"service_id": "sarc"}, "last_year_gbp", "NaN",
     "not a finite number"),
    ("money-inf", "services", {"service_id": "sarc"}, "capacity_gbp", "inf",
     "not a finite number"),
    ("number-minus-inf", "curves", {"service_id": "isva", "segment": "2"},
     "outcomes_per_1k_gbp", "-inf", "not a finite number"),
    ("money-negative", "schemes", {"scheme_id": "asb"}, "floor_gbp", "-5",
     "money cannot be negative"),
    ("need-weight-above-1", "need_formula", {"scheme_id": "csp", "indicator": "crime"},
     "weight", "1.5", "out of range (must be <= 1)"),
    ("need-weight-0", "need_formula", {"scheme_id": "csp", "indicator": "crime"},
     "weight", "0", "out of range (must be > 0)"),
    ("share-0", "service_priorities", {"service_id": "isva", "priority_id": "victims"},
     "share", "0", "out of range (must be > 0)"),
    ("capacity-0", "services", {"service_id": "isva"}, "capacity_gbp", "0",
     "out of range (must be > 0)"),
    ("uplift-above-0.5", "services", {"service_id": "isva"}, "contract_uplift", "0.6",
     "out of range (must be <= 0.5)"),
    ("indicator-negative", "areas", {"area_id": "devon"}, "crime", "-1",
     "out of range (must be >= 0)"),
    ("priority-weight-above-100", "priorities", {"priority_id": "theft"}, "default_weight",
     "101", "out of range (must be <= 100)"),
    ("inflation-below-minus-0.2", "inflation", {"year": "2026"}, "rate", "-0.3",
     "out of range (must be >= -0.2)"),
    ("segment-0", "curves", {"service_id": "isva", "segment": "1"}, "segment", "0",
     "out of range (must be >= 1)"),
    ("width-0", "curves", {"service_id": "isva", "segment": "4"}, "width_gbp", "0",
     "out of range (must be > 0)"),
    ("outcome-value-0", "outcomes", {"outcome_id": "robbery"}, "value_gbp", "0",
     "out of range (must be > 0)"),
    ("bad-bool", "streams", {"stream_id": "svd"}, "ring_fenced", "maybe", "not true or false"),
    ("bad-bool-area-split", "services", {"service_id": "isva"}, "area_split", "2",
     "not true or false"),
    ("bad-year", "stream_amounts", {"stream_id": "core", "year": "2026"}, "year", "next",
     "not a year"),
    ("year-out-of-range", "services", {"service_id": "isva"}, "contract_end_year", "1999",
     "year out of range"),
    ("bad-identifier-space", "services", {"service_id": "weapons-awareness"}, "service_id",
     "weapons awareness", "not a valid identifier"),
    ("bad-identifier-slash", "schemes", {"scheme_id": "impact"}, "scheme_id", "impact/scheme",
     "not a valid identifier"),
    ("choice-not-allowed", "services", {"service_id": "isva"}, "evidence", "excellent",
     "not allowed (expected one of strong, moderate, weak)"),
    ("indicator-not-allowed", "need_formula", {"scheme_id": "csp", "indicator": "asb"},
     "indicator", "income", "not allowed"),
    # a comma separates thousands only in the 1,234,567 pattern: a decimal comma is an error
    ("decimal-comma-money", "stream_amounts", {"stream_id": "svd", "year": "2026"},
     "amount_gbp", "657000,5", "a comma may only separate thousands"),
    ("decimal-comma-number", "curves", {"service_id": "isva", "segment": "2"},
     "outcomes_per_1k_gbp", "13,5", "a comma may only separate thousands"),
    ("decimal-comma-short", "need_formula", {"scheme_id": "csp", "indicator": "crime"},
     "weight", "0,25", "a comma may only separate thousands"),
    # a first group starting with 0 is never a thousands separator: 0,125 is a decimal comma
    ("decimal-comma-leading-zero", "need_formula", {"scheme_id": "csp", "indicator": "crime"},
     "weight", "0,125", "a comma may only separate thousands"),
    ("decimal-comma-leading-zero-slope", "curves", {"service_id": "isva", "segment": "2"},
     "outcomes_per_1k_gbp", "0,025", "a comma may only separate thousands"),
    ("decimal-comma-double-zero", "areas", {"area_id": "devon"}, "deprivation", "00,125",
     "a comma may only separate thousands"),
    ("decimal-comma-leading-zero-money", "stream_amounts", {"stream_id": "svd", "year": "2026"},
     "amount_gbp", "0,500,000", "a comma may only separate thousands"),
    # what Python's float() also takes: '_' between digits, other scripts' digits
    ("underscore-in-number", "areas", {"area_id": "devon"}, "population", "1_000",
     "write digits 0 to 9"),
    ("fullwidth-digits", "services", {"service_id": "isva"}, "min_gbp", "１２３",
     "write digits 0 to 9"),
    ("arabic-indic-digits", "areas", {"area_id": "devon"}, "crime", "١٢٣",
     "write digits 0 to 9"),
    ("year-in-fullwidth-digits", "services", {"service_id": "isva"}, "contract_end_year",
     "２０２７", "not a year"),
    ("year-with-underscore", "services", {"service_id": "isva"}, "contract_end_year", "2_027",
     "not a year"),
    # a £ sign belongs in a money column only
    ("pound-sign-in-number-column", "areas", {"area_id": "devon"}, "deprivation", "£1,234",
     "a £ sign belongs only in money columns"),
    # absurd magnitudes: every money and rate column has a plausible range
    ("slope-1e30", "curves", {"service_id": "isva", "segment": "1"}, "outcomes_per_1k_gbp",
     "1e30", "out of range (must be <= 1000)"),
    ("capacity-1e30", "services", {"service_id": "isva"}, "capacity_gbp", "1e30",
     "out of range (must be <= 1,000,000,000)"),
    ("outcome-value-1e30", "outcomes", {"outcome_id": "robbery"}, "value_gbp", "1e30",
     "out of range (must be <= 10,000,000)"),
    ("stream-amount-1e12", "stream_amounts", {"stream_id": "svd", "year": "2026"},
     "amount_gbp", "1000000000000", "out of range (must be <= 1,000,000,000)"),
    ("population-1e12", "areas", {"area_id": "devon"}, "population", "1e12",
     "out of range (must be <= 100,000,000)"),
    ("segment-1000", "curves", {"service_id": "isva", "segment": "4"}, "segment", "1000",
     "out of range (must be <= 100)"),
]


@pytest.mark.parametrize(("table", "where", "column", "value", "rule"),
                         [c[1:] for c in CELL_CASES], ids=[c[0] for c in CELL_CASES])
def test_bad_cell(csv_edit, expect_problem, table, where, column, value, rule):
    line = csv_edit.set_cell(table, where, column, value)
    p = expect_problem(csv_edit.folder, file=f"{table}.csv", row=line, column=column, rule=rule)
    if value.strip():
        assert p.value == value.strip()


@pytest.mark.parametrize("text", ["£657,000", "657,000", " 657000 ", "657000.0"])
def test_money_formats_accepted(csv_edit, text):
    """Thousands separators in the 1,234,567 pattern and a leading £ are read as written."""
    csv_edit.set_cell("stream_amounts", {"stream_id": "svd", "year": "2026"}, "amount_gbp", text)
    ds = load_dataset(csv_edit.folder)
    assert ds.stream_amount("svd", 2026) == 657_000


@pytest.mark.parametrize("text", ["TRUE", "yes", "1", "False", "no", "0"])
def test_bool_spellings_accepted(csv_edit, text):
    csv_edit.set_cell("streams", {"stream_id": "core"}, "must_spend", text)
    ds = load_dataset(csv_edit.folder)
    assert bool(ds.streams.at["core", "must_spend"]) is (text.lower() in {"true", "yes", "1"})


def test_duplicate_key(csv_edit, expect_problem):
    line = csv_edit.append_row("services", {
        **csv_edit.records("services")[5], "name": "A second row for the same id"})
    expect_problem(csv_edit.folder, file="services.csv", row=line, column="service_id",
                   rule="duplicate service_id", value="idva-da-support")


def test_duplicate_key_in_numeric_table(csv_edit, expect_problem):
    line = csv_edit.append_row("inflation", {"year": 2027, "rate": 0.01})
    p = expect_problem(csv_edit.folder, file="inflation.csv", column="year",
                       rule="duplicate year")
    assert type(p.row) is int and p.row == line
    assert p.value == "2027"


def test_duplicate_compound_key(csv_edit, expect_problem):
    line = csv_edit.append_row("service_priorities",
                               {"service_id": "isva", "priority_id": "victims", "share": 0.5})
    expect_problem(csv_edit.folder, file="service_priorities.csv", row=line,
                   column="priority_id", rule="duplicate service_id + priority_id",
                   value="isva/victims")


def test_every_bad_cell_of_a_file_is_reported(csv_edit):
    line_a = csv_edit.set_cell("services", {"service_id": "isva"}, "evidence", "excellent")
    line_b = csv_edit.set_cell("services", {"service_id": "sarc"}, "min_gbp", "lots")
    with pytest.raises(InputError) as info:
        load_dataset(csv_edit.folder)
    where = {(Path(p.file).name, p.row, p.column) for p in info.value.problems}
    assert ("services.csv", line_a, "evidence") in where
    assert ("services.csv", line_b, "min_gbp") in where


# ============================================================================================
# Across tables: references
# ============================================================================================
REF_CASES = [
    ("service-unknown-scheme", "services", {"service_id": "isva"}, "scheme_id", "victim",
     "unknown scheme_id: not in schemes.csv"),
    ("service-unknown-outcome", "services", {"service_id": "isva"}, "outcome_id", "happiness",
     "unknown outcome_id: not in outcomes.csv"),
    ("curve-unknown-service", "curves", {"service_id": "isva", "segment": "4"}, "service_id",
     "isva-2", "unknown service_id: not in services.csv"),
    ("share-unknown-service", "service_priorities",
     {"service_id": "isva", "priority_id": "victims"}, "service_id", "isva-2",
     "unknown service_id: not in services.csv"),
    ("share-unknown-priority", "service_priorities",
     {"service_id": "isva", "priority_id": "victims"}, "priority_id", "victim",
     "unknown priority_id: not in priorities.csv"),
    ("amount-unknown-stream", "stream_amounts", {"stream_id": "svd", "year": "2029"},
     "stream_id", "sv-duty", "unknown stream_id: not in streams.csv"),
    ("eligibility-unknown-stream", "stream_eligibility",
     {"stream_id": "svd", "scheme_id": "yot-pooled"}, "stream_id", "sv-duty",
     "unknown stream_id: not in streams.csv"),
    ("eligibility-unknown-scheme", "stream_eligibility",
     {"stream_id": "svd", "scheme_id": "yot-pooled"}, "scheme_id", "yot",
     "unknown scheme_id: not in schemes.csv"),
    ("formula-unknown-scheme", "need_formula", {"scheme_id": "csp", "indicator": "asb"},
     "scheme_id", "csps", "unknown scheme_id: not in schemes.csv"),
]


@pytest.mark.parametrize(("table", "where", "column", "value", "rule"),
                         [c[1:] for c in REF_CASES], ids=[c[0] for c in REF_CASES])
def test_unknown_reference(csv_edit, expect_problem, table, where, column, value, rule):
    line = csv_edit.set_cell(table, where, column, value)
    expect_problem(csv_edit.folder, file=f"{table}.csv", row=line, column=column, rule=rule,
                   value=value)


# ============================================================================================
# Across tables: streams
# ============================================================================================
def test_ring_fenced_stream_names_no_scheme(csv_edit, expect_problem):
    assert csv_edit.delete_rows("stream_eligibility", {"stream_id": "moj-victims"}) == 1
    expect_problem(csv_edit.folder, file="streams.csv",
                   row=csv_edit.line_of("streams", {"stream_id": "moj-victims"}),
                   column="stream_id", rule="ring-fenced stream names no scheme",
                   value="moj-victims")


def test_eligibility_rows_for_unrestricted_stream(csv_edit, expect_problem):
    line = csv_edit.append_row("stream_eligibility", {"stream_id": "core", "scheme_id": "asb"})
    expect_problem(csv_edit.folder, file="stream_eligibility.csv", row=line, column="stream_id",
                   rule="stream is not ring-fenced", value="core")


def test_stream_missing_a_year(csv_edit, expect_problem):
    assert csv_edit.delete_rows("stream_amounts", {"stream_id": "svd", "year": "2027"}) == 1
    expect_problem(csv_edit.folder, file="stream_amounts.csv",
                   rule="no amount for stream 'svd' in 2027/28", no_row=True)


def test_stream_amount_after_end_year_not_zero(csv_edit, expect_problem):
    line = csv_edit.set_cell("stream_amounts", {"stream_id": "hotspot", "year": "2027"},
                             "amount_gbp", 250000)
    expect_problem(csv_edit.folder, file="stream_amounts.csv", row=line, column="amount_gbp",
                   rule="stream ends in 2025/26, so its amount in 2027/28 must be 0")


def test_stream_amounts_after_end_year_zero_is_accepted(csv_edit):
    csv_edit.set_cell("streams", {"stream_id": "svd"}, "end_year", 2027)
    for y in (2028, 2029):
        csv_edit.set_cell("stream_amounts", {"stream_id": "svd", "year": str(y)}, "amount_gbp", 0)
    load_dataset(csv_edit.folder)


def test_no_stream_has_an_end_year(csv_edit):
    # regression: with every end_year empty the end-year check compared int > None (TypeError)
    # hotspot's amounts after 2025 are 0, so removing its end year leaves a valid dataset
    csv_edit.set_cell("streams", {"stream_id": "hotspot"}, "end_year", "")
    load_dataset(csv_edit.folder)


def test_stream_year_outside_dataset_years(csv_edit, expect_problem):
    line = csv_edit.append_row("stream_amounts",
                               {"stream_id": "core", "year": 2030, "amount_gbp": 5_000_000})
    expect_problem(csv_edit.folder, file="stream_amounts.csv", row=line, column="year",
                   rule="year outside the dataset's years (2024 to 2029)", value=2030)


# ============================================================================================
# Across tables: schemes, need formulas, areas
# ============================================================================================
def test_floor_above_cap(csv_edit, expect_problem):
    line = csv_edit.set_cell("schemes", {"scheme_id": "impact"}, "floor_gbp", 800000)
    expect_problem(csv_edit.folder, file="schemes.csv", row=line, column="floor_gbp",
                   rule="floor is above the cap (£700,000)")


def test_area_split_scheme_without_formula(csv_edit, expect_problem):
    assert csv_edit.delete_rows("need_formula", {"scheme_id": "community-grants"}) == 1
    expect_problem(csv_edit.folder, file="schemes.csv",
                   row=csv_edit.line_of("schemes", {"scheme_id": "community-grants"}),
                   column="area_split", rule="area-split scheme has no need formula")


def test_formula_for_non_area_split_scheme(csv_edit, expect_problem):
    line = csv_edit.append_row("need_formula",
                               {"scheme_id": "victims", "indicator": "population", "weight": 1})
    expect_problem(csv_edit.folder, file="need_formula.csv", row=line, column="scheme_id",
                   rule="scheme is not area-split", value="victims")


def test_need_weights_do_not_sum_to_1(csv_edit, expect_problem):
    csv_edit.set_cell("need_formula", {"scheme_id": "csp", "indicator": "asb"}, "weight", 0.3)
    expect_problem(csv_edit.folder, file="need_formula.csv",
                   row=csv_edit.line_of("need_formula", {"scheme_id": "csp",
                                                         "indicator": "population"}),
                   column="weight", rule="weights of scheme 'csp' sum to 1.05, not 1")


def test_need_weights_sum_checked_with_tolerance_only(csv_edit):
    # 0.1 + 0.2 + 0.7 is not exactly 1.0 in floating point but is within the tolerance
    for ind, w in (("population", "0.1"), ("crime", "0.2"), ("asb", "0.7")):
        csv_edit.set_cell("need_formula", {"scheme_id": "csp", "indicator": ind}, "weight", w)
    load_dataset(csv_edit.folder)


def test_area_id_force_reserved(csv_edit, expect_problem):
    line = csv_edit.set_cell("areas", {"area_id": "torbay"}, "area_id", "force")
    # torbay's sourced figures now name a missing key too; the reserved-id problem must be there
    expect_problem(csv_edit.folder, file="areas.csv", row=line, column="area_id",
                   rule="'force' is reserved", value="force")


def test_indicator_all_zero_used_by_formula(csv_edit, expect_problem):
    for area in ("cornwall-ios", "devon", "plymouth", "torbay"):
        csv_edit.set_cell("areas", {"area_id": area}, "asb", 0)
    expect_problem(csv_edit.folder, file="areas.csv", column="asb",
                   rule="indicator is used by a need formula but is 0 in every area", no_row=True)


def test_indicator_all_zero_unused_is_accepted(csv_edit):
    for area in ("cornwall-ios", "devon", "plymouth", "torbay"):
        csv_edit.set_cell("areas", {"area_id": area}, "domestic_abuse", 0)
    load_dataset(csv_edit.folder)


# ============================================================================================
# Across tables: services
# ============================================================================================
def test_min_above_capacity(csv_edit, expect_problem):
    line = csv_edit.set_cell("services", {"service_id": "sarc"}, "min_gbp", 400000)
    expect_problem(csv_edit.folder, file="services.csv", row=line, column="min_gbp",
                   rule="minimum is above capacity (£325,000)")


def test_last_year_above_capacity(csv_edit, expect_problem):
    # move 100,000 from csp-grants to sarc so the reconciliation still holds
    line = csv_edit.set_cell("services", {"service_id": "sarc"}, "last_year_gbp", 350000)
    csv_edit.set_cell("services", {"service_id": "csp-grants"}, "last_year_gbp", 619200)
    expect_problem(csv_edit.folder, file="services.csv", row=line, column="last_year_gbp")


@pytest.mark.parametrize("column", ["contract_end_year", "contract_uplift"])
def test_contract_fields_missing_when_value_given(csv_edit, expect_problem, column):
    line = csv_edit.set_cell("services", {"service_id": "vs-young-victims"},
                             "contract_value_gbp", 400000)
    expect_problem(csv_edit.folder, file="services.csv", row=line, column=column,
                   rule="service has a contract value, so this is required")


def test_contract_end_year_without_value(csv_edit, expect_problem):
    line = csv_edit.set_cell("services", {"service_id": "vs-young-victims"},
                             "contract_end_year", 2027)
    expect_problem(csv_edit.folder, file="services.csv", row=line, column="contract_end_year",
                   rule="given but the service has no contract_value_gbp", value=2027)


def test_contract_uplift_without_value(csv_edit, expect_problem):
    line = csv_edit.set_cell("services", {"service_id": "vs-young-victims"},
                             "contract_uplift", 0.02)
    expect_problem(csv_edit.folder, file="services.csv", row=line, column="contract_uplift")


def test_contract_above_capacity(csv_edit, expect_problem):
    line = csv_edit.set_cell("services", {"service_id": "isva"}, "contract_value_gbp", 700000)
    expect_problem(csv_edit.folder, file="services.csv", row=line, column="contract_value_gbp",
                   rule="contract value is above capacity (£630,000)")


def test_area_split_service_in_non_area_split_scheme(csv_edit, expect_problem):
    line = csv_edit.set_cell("services", {"service_id": "isva"}, "area_split", "true")
    expect_problem(csv_edit.folder, file="services.csv", row=line, column="area_split",
                   rule="service is split by area but its scheme is not area-split")


def test_force_wide_service_in_area_split_scheme_is_accepted(csv_edit):
    csv_edit.set_cell("services", {"service_id": "csp-grants"}, "area_split", "false")
    load_dataset(csv_edit.folder)


def test_scheme_with_no_services(csv_edit, expect_problem):
    line = csv_edit.append_row("schemes", {
        "scheme_id": "road-safety", "name": "Road safety", "floor_gbp": 0, "cap_gbp": 100000,
        "area_split": "false"})
    expect_problem(csv_edit.folder, file="schemes.csv", row=line, column="scheme_id",
                   rule="scheme has no services", value="road-safety")


def test_service_with_no_priorities(csv_edit, expect_problem):
    assert csv_edit.delete_rows("service_priorities", {"service_id": "weapons-awareness"}) == 1
    expect_problem(csv_edit.folder, file="services.csv",
                   row=csv_edit.line_of("services", {"service_id": "weapons-awareness"}),
                   column="service_id", rule="service has no rows in service_priorities.csv",
                   value="weapons-awareness")


def test_priority_shares_do_not_sum_to_1(csv_edit, expect_problem):
    csv_edit.set_cell("service_priorities", {"service_id": "vs-core", "priority_id": "theft"},
                      "share", 0.2)
    expect_problem(csv_edit.folder, file="service_priorities.csv",
                   row=csv_edit.line_of("service_priorities",
                                        {"service_id": "vs-core", "priority_id": "victims"}),
                   column="share", rule="priority shares of service 'vs-core' sum to 1.1, not 1")


# ============================================================================================
# Across tables: curves
# ============================================================================================
def test_service_with_no_curve(csv_edit, expect_problem):
    assert csv_edit.delete_rows("curves", {"service_id": "weapons-awareness"}) >= 3
    expect_problem(csv_edit.folder, file="services.csv",
                   row=csv_edit.line_of("services", {"service_id": "weapons-awareness"}),
                   column="service_id", rule="service has no benefit curve in curves.csv",
                   value="weapons-awareness")


@pytest.mark.parametrize(("old", "new"), [("4", "5"), ("2", "2.5"), ("2", "3")],
                         ids=["gap", "not-integer", "duplicate-number-elsewhere"])
def test_segments_not_numbered_1_to_k(csv_edit, expect_problem, old, new):
    where = {"service_id": "vs-core", "segment": old}
    if new == "3":  # 1, 3, 3, 4 would be a duplicate key; use 1, 3, 4, 5 instead
        csv_edit.set_cell("curves", {"service_id": "vs-core", "segment": "4"}, "segment", 5)
        csv_edit.set_cell("curves", {"service_id": "vs-core", "segment": "3"}, "segment", 4)
    csv_edit.set_cell("curves", where, "segment", new)
    expect_problem(csv_edit.folder, file="curves.csv", column="segment",
                   rule="segments of 'vs-core' must be numbered 1, 2, 3")


def test_fewer_than_3_segments(csv_edit, expect_problem):
    first = csv_edit.line_of("curves", {"service_id": "vs-core", "segment": "1"})
    csv_edit.delete_rows("curves", {"service_id": "vs-core", "segment": "3"})
    csv_edit.delete_rows("curves", {"service_id": "vs-core", "segment": "4"})
    csv_edit.set_cell("curves", {"service_id": "vs-core", "segment": "2"}, "width_gbp", 960000)
    expect_problem(csv_edit.folder, file="curves.csv", row=first, column="segment",
                   rule="curve of 'vs-core' has 2 segments; at least 3 are needed")


@pytest.mark.parametrize("slope", ["0.96", "1.2"], ids=["equal", "increasing"])
def test_curve_not_concave(csv_edit, expect_problem, slope):
    line = csv_edit.set_cell("curves", {"service_id": "vs-core", "segment": "3"},
                             "outcomes_per_1k_gbp", slope)
    expect_problem(csv_edit.folder, file="curves.csv", row=line, column="outcomes_per_1k_gbp",
                   rule="curve of 'vs-core' is not concave", value=float(slope))


def test_curve_concavity_uses_segment_order_not_file_order(csv_edit):
    # rows of a curve written in reverse order are still a valid, concave curve
    header, rows, _ = csv_edit.read("curves")
    core = [r for r in rows if r[0] == "vs-core"]
    rest = [r for r in rows if r[0] != "vs-core"]
    csv_edit.write("curves", header, [*reversed(core), *rest])
    load_dataset(csv_edit.folder)


def test_curve_widths_below_capacity(csv_edit, expect_problem):
    csv_edit.set_cell("curves", {"service_id": "vs-core", "segment": "4"}, "width_gbp", 100000)
    expect_problem(csv_edit.folder, file="curves.csv",
                   row=csv_edit.line_of("curves", {"service_id": "vs-core", "segment": "1"}),
                   column="width_gbp",
                   rule="segments of 'vs-core' cover £1,540,000, less than its capacity "
                   "£1,680,000")


# ============================================================================================
# Across tables: outcomes, inflation, reconciliation
# ============================================================================================
def test_outcome_source_unknown(csv_edit, expect_problem):
    line = csv_edit.set_cell("outcomes", {"outcome_id": "victim-recovery"}, "source_id",
                             "rumour")
    expect_problem(csv_edit.folder, file="outcomes.csv", row=line, column="source_id",
                   rule="not a source id in dataset.yaml (or 'placeholder')", value="rumour")


def test_missing_inflation_year(csv_edit, expect_problem):
    assert csv_edit.delete_rows("inflation", {"year": "2027"}) == 1
    expect_problem(csv_edit.folder, file="inflation.csv",
                   rule="no inflation rate for plan year 2027/28", no_row=True)


def test_services_do_not_reconcile_to_published_total(csv_edit, expect_problem):
    csv_edit.set_cell("services", {"service_id": "csp-grants"}, "last_year_gbp", 719201)
    expect_problem(csv_edit.folder, file="services.csv",
                   rule="last year's service amounts sum to £9,600,001 but the published total "
                   "in dataset.yaml is £9,600,000", no_row=True)


def test_base_year_streams_do_not_reconcile_to_published_total(csv_edit, expect_problem):
    csv_edit.set_cell("stream_amounts", {"stream_id": "core", "year": "2024"}, "amount_gbp",
                      4_243_500)
    expect_problem(csv_edit.folder, file="stream_amounts.csv",
                   rule="stream amounts for 2024/25 sum to £9,600,500 but the published total",
                   no_row=True)


def test_reconciliation_uses_published_total_from_manifest(csv_edit, expect_problem):
    csv_edit.edit_manifest(lambda m: m.update(published_total_gbp=9_200_000))
    expect_problem(csv_edit.folder, file="services.csv", rule="published total in dataset.yaml "
                   "is £9,200,000")
    expect_problem(csv_edit.folder, file="stream_amounts.csv", rule="sum to £9,600,000")


def test_no_published_total_skips_reconciliation(csv_edit):
    csv_edit.edit_manifest(lambda m: (m.pop("published_total_gbp"),
                                      m.pop("published_total_source")))
    csv_edit.set_cell("services", {"service_id": "csp-grants"}, "last_year_gbp", 700000)
    load_dataset(csv_edit.folder)


# ============================================================================================
# Everything at once
# ============================================================================================
def test_problems_in_different_files_come_together(csv_edit):
    line_s = csv_edit.set_cell("services", {"service_id": "isva"}, "evidence", "excellent")
    line_c = csv_edit.set_cell("curves", {"service_id": "sarc", "segment": "2"}, "width_gbp",
                               "wide")
    csv_edit.write_text("inflation", "year;rate\n2025;0.03\n")
    with pytest.raises(InputError) as info:
        load_dataset(csv_edit.folder)
    where = {(Path(p.file).name, p.row, p.column) for p in info.value.problems}
    assert ("services.csv", line_s, "evidence") in where
    assert ("curves.csv", line_c, "width_gbp") in where
    assert ("inflation.csv", 1, None) in where
    report = info.value.report()
    assert "3 problems found" in report
    assert "services.csv" in report and "curves.csv" in report


def test_cross_table_problems_come_together(csv_edit):
    csv_edit.set_cell("schemes", {"scheme_id": "impact"}, "floor_gbp", 800000)
    csv_edit.set_cell("services", {"service_id": "sarc"}, "min_gbp", 400000)
    csv_edit.delete_rows("inflation", {"year": "2029"})
    with pytest.raises(InputError) as info:
        load_dataset(csv_edit.folder)
    files = {Path(p.file).name for p in info.value.problems}
    assert {"schemes.csv", "services.csv", "inflation.csv"} <= files


def test_problem_text_names_file_line_column_value_and_rule(csv_edit):
    line = csv_edit.set_cell("services", {"service_id": "isva"}, "evidence", "excellent")
    with pytest.raises(InputError) as info:
        load_dataset(csv_edit.folder)
    text = str(info.value)
    assert f"services.csv, line {line}, column 'evidence': value 'excellent' — not allowed" in text


# ------------------------------------------------------------------ inputs that used to slip by
def test_manifest_key_written_twice(csv_edit, expect_problem):
    text = csv_edit.manifest_path.read_text(encoding="utf-8")
    csv_edit.manifest_path.write_text(text + "base_year: 2023\n", encoding="utf-8")
    p = expect_problem(csv_edit.folder, file="dataset.yaml", rule="found the key 'base_year' twice")
    assert p.row == text.count("\n") + 1


@pytest.mark.folder_only
@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "sub/../../services.csv"])
def test_table_outside_the_dataset_folder(csv_edit, expect_problem, path):
    csv_edit.edit_manifest(lambda m: m["tables"].update(services=path))
    expect_problem(csv_edit.folder, file="dataset.yaml", key="tables.services", value=path,
                   rule="inside the dataset folder")


def test_table_in_a_subfolder_of_the_dataset_is_accepted(csv_edit):
    (csv_edit.folder / "tables").mkdir()
    (csv_edit.folder / "services.csv").rename(csv_edit.folder / "tables" / "services.csv")
    csv_edit.edit_manifest(lambda m: m["tables"].update(services="tables/services.csv"))
    assert len(load_dataset(csv_edit.folder).services) > 0


def test_every_money_and_rate_column_has_a_plausible_range():
    """docs/data.md's table of ranges names every money and number column with its bound."""
    from budgetopt.data.schemas import TABLES, Kind, figure

    text = (Path(__file__).resolve().parents[2] / "docs" / "data.md").read_text()
    for table in TABLES.values():
        for col in table.columns:
            if col.kind in (Kind.MONEY, Kind.NUMBER):
                assert col.upper is not None, f"{table.name}.{col.name} has no upper bound"
                row = f"| `{table.name}.{col.name}` |"
                assert row in text, f"docs/data.md does not list the range of {row}"
                line = next(li for li in text.splitlines() if li.startswith(row))
                assert figure(col.upper) in line, (line, figure(col.upper))


# ============================================================================================
# uncertainty.csv (optional): spreads for the robustness analysis
# ============================================================================================
UNCERTAINTY_CASES = [
    ("unknown-input", {"input": "effect", "key": "weak"}, "input", "effects",
     "not allowed (expected one of effect, outcome_value, need, funding)"),
    ("unknown-rating", {"input": "effect", "key": "weak"}, "key", "anecdotal",
     "for effect, the key must be an evidence rating (strong, moderate, weak)"),
    ("unknown-outcome", {"input": "outcome_value", "key": "robbery"}, "key", "burglary",
     "for outcome_value, the key must be an outcome_id in outcomes.csv"),
    ("need-of-a-force-wide-scheme", {"input": "need", "key": "csp"}, "key", "victims",
     "for need, the key must be an area-split scheme_id in schemes.csv"),
    ("unknown-stream", {"input": "funding", "key": "svd"}, "key", "sv-duty",
     "for funding, the key must be a stream_id in streams.csv"),
    ("spread-too-wide", {"input": "effect", "key": "weak"}, "log_sd", "5",
     "out of range (must be <= 2)"),
    ("negative-spread", {"input": "effect", "key": "weak"}, "log_sd", "-0.1",
     "must be >= 0"),
    ("funding-without-year", {"input": "funding", "key": "svd"}, "from_year", "",
     "funding needs the first plan year whose amount is not yet confirmed"),
    ("funding-year-outside-plan", {"input": "funding", "key": "svd"}, "from_year", "2031",
     "not a plan year (2025/26 to 2029/30)"),
    ("year-on-an-effect", {"input": "effect", "key": "weak"}, "from_year", "2026",
     "only funding has a first unconfirmed year: leave it empty"),
]


@pytest.mark.parametrize(("where", "column", "value", "rule"),
                         [c[1:] for c in UNCERTAINTY_CASES],
                         ids=[c[0] for c in UNCERTAINTY_CASES])
def test_bad_uncertainty_row(csv_edit, expect_problem, where, column, value, rule):
    line = csv_edit.set_cell("uncertainty", where, column, value)
    expect_problem(csv_edit.folder, file="uncertainty.csv", row=line, column=column, rule=rule)


def test_uncertainty_is_optional_and_empty_when_left_out(csv_edit):
    csv_edit.edit_manifest(lambda m: m["tables"].pop("uncertainty"))
    ds = load_dataset(csv_edit.folder)
    assert ds.uncertainty.empty
    assert list(ds.uncertainty.columns) == ["log_sd", "from_year", "notes", "placeholder"]


@pytest.mark.parametrize(("after", "added", "key"), [
    ("  services: services.csv\n", "  services: curves.csv\n", "services"),
    ('    publisher: "The Post"\n', '    publisher: "The Times"\n', "publisher"),
], ids=["under-tables", "under-sources"])
def test_a_nested_manifest_key_written_twice(csv_edit, expect_problem, after, added, key):
    text = csv_edit.manifest_path.read_text(encoding="utf-8")
    assert text.count(after) == 1
    head = text[: text.index(after) + len(after)]
    csv_edit.manifest_path.write_text(head + added + text[len(head):], encoding="utf-8")
    first = head.count("\n")  # the line of the key's first appearance
    p = expect_problem(csv_edit.folder, file="dataset.yaml",
                       rule=f"found the key '{key}' twice (first on line {first})")
    assert p.row == first + 1


def be_a_writer_briefly(pipe: Path, seconds: float = 10) -> None:
    """A reader opening ``pipe`` waits for a writer for ever: be one, once, for a few seconds,
    so that reading it (what loading did before tables had to be regular files) ends in an
    empty file instead of hanging the test."""
    def write_once() -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))  # fails until a reader
                return
            except OSError:
                time.sleep(0.05)

    threading.Thread(target=write_once, daemon=True).start()


@pytest.mark.folder_only
def test_a_named_pipe_as_a_table_is_refused(csv_edit, expect_problem):
    pipe = csv_edit.path("services")
    pipe.unlink()
    os.mkfifo(pipe)
    be_a_writer_briefly(pipe)
    expect_problem(csv_edit.folder, file="dataset.yaml", key="tables.services",
                   value="services.csv", rule="is a named pipe (FIFO), not a file")


@pytest.mark.folder_only
def test_a_symlink_to_a_file_outside_the_folder_is_refused(csv_edit, expect_problem, tmp_path):
    outside = tmp_path / "outside.csv"
    csv_edit.path("services").rename(outside)
    csv_edit.path("services").symlink_to(outside)
    expect_problem(csv_edit.folder, file="dataset.yaml", key="tables.services",
                   value="services.csv", rule="inside the dataset folder")


@pytest.mark.folder_only
def test_a_symlinked_subfolder_pointing_outside_is_refused(csv_edit, expect_problem, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    csv_edit.path("services").rename(outside / "services.csv")
    (csv_edit.folder / "tables").symlink_to(outside, target_is_directory=True)
    csv_edit.edit_manifest(lambda m: m["tables"].update(services="tables/services.csv"))
    expect_problem(csv_edit.folder, file="dataset.yaml", key="tables.services",
                   value="tables/services.csv", rule="inside the dataset folder")
