"""The second dataset (data/thames-valley) is valid, cites its figures honestly, shares nothing
with the default dataset, and its scenario solves and is papered as resting on placeholders.

Totals and sourced figures are re-read with the csv module, not through budgetopt, so a parsing
bug in the package cannot hide a wrong figure; the allocation is checked by the independent
constraint checker (tests/constraint_check.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from budgetopt.data.dataset import Dataset, load_dataset
from budgetopt.data.schemas import TABLES, Kind
from budgetopt.paper.document import Paper
from budgetopt.pipeline import ScenarioRun, run_scenario

from constraint_check import tables_add_up, violations
from pdf_layout import text_off_the_page
from plain_reading import (
    money,
    read_csv,
    source_register,
    sourced_cells_differing,
    unsupported_figures,
)

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "data" / "thames-valley"
DEFAULT = REPO / "data" / "devon-cornwall"
SCENARIO = REPO / "parameters" / "thames-valley" / "baseline.yaml"
WORKBOOK = REPO / "data" / "thames-valley.xlsx"

CSF, MOJ = 3_039_479, 2_765_000
TOTAL = CSF + MOJ
LA_GRANTS_2021_22 = {  # published 2021/22 CSF grants to the nine local authorities
    "bracknell-forest": 134_699, "buckinghamshire": 436_567, "milton-keynes": 259_015,
    "oxfordshire": 686_820, "reading": 453_128, "slough": 332_499, "west-berkshire": 154_268,
    "windsor-maidenhead": 147_397, "wokingham": 103_128,
}
RETAINED_PUBLISHED = 331_948
THEMES_2020_21 = {"la-youth-offending": 833_779, "la-substance-misuse": 567_468,
                  "la-domestic-abuse": 499_810, "la-early-intervention": 192_792,
                  "la-adult-reoffending": 135_300}
# the tables whose ids must all differ from the default dataset's, with their id column
DISTINCT = {"areas": "area_id", "schemes": "scheme_id", "streams": "stream_id",
            "priorities": "priority_id"}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset(FOLDER)


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((FOLDER / "dataset.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def run() -> ScenarioRun:
    return run_scenario(SCENARIO)


# -------------------------------------------------------------------------------- the dataset
def test_dataset_validates(dataset):
    assert dataset.name == "thames-valley"
    assert dataset.base_year == 2021
    assert dataset.plan_years == [2022, 2023, 2024, 2025]
    assert set(dataset.tables) == set(TABLES)


def test_base_year_reconciles_to_the_two_streams(manifest):
    services = read_csv(FOLDER, "services")
    base = [r for r in read_csv(FOLDER, "stream_amounts") if r["year"].strip() == "2021"]
    assert manifest["published_total_gbp"] == TOTAL
    assert sum(money(r["last_year_gbp"]) for r in services) == TOTAL
    assert {r["stream_id"]: money(r["amount_gbp"]) for r in base} == {
        "community-safety-fund": CSF, "moj-victim-services": MOJ}
    victims = sum(money(r["last_year_gbp"]) for r in services
                  if r["scheme_id"] == "victim-services")
    assert victims == MOJ, "victims' services are the MoJ grant's breakdown"


def test_csf_lines_are_the_published_grants_with_the_10_pound_gap_on_the_retained_line():
    services = {r["service_id"]: r for r in read_csv(FOLDER, "services")}
    la = sum(money(r["last_year_gbp"]) for r in services.values()
             if r["scheme_id"] == "csf-local-authority-grants")
    assert la == sum(LA_GRANTS_2021_22.values()) == 2_707_521
    assert la + RETAINED_PUBLISHED == CSF - 10  # the published lines are £10 short of the fund
    assert money(services["pcc-retained-projects"]["last_year_gbp"]) == RETAINED_PUBLISHED + 10
    for sid, amount in THEMES_2020_21.items():
        assert money(services[sid]["last_year_gbp"]) == amount


def test_sourced_quotes_are_verbatim_in_their_sources_register_entry(manifest):
    register = source_register(REPO)
    missing = [(f["table"], f["key"], f["column"], f["source"], f["quote"])
               for f in manifest["sourced_figures"]
               if f["quote"] not in register.get(f["source"], "")]
    assert not missing, f"quotes not found in their source's passage of the register: {missing}"


def test_every_source_has_a_register_entry_with_a_passage(manifest):
    register = source_register(REPO)
    for s in manifest["sources"]:
        assert register.get(s["id"], "").strip(), f"no recorded passage for {s['id']}"


def test_no_url_is_made_up(manifest):
    # no URL was recorded for any Thames Valley source: leave it empty rather than invent one
    assert all(s["url"] == "" for s in manifest["sources"])


def test_sourced_values_equal_their_cells(manifest):
    assert sourced_cells_differing(FOLDER, manifest) == []


def test_sourced_figures_cite_known_sources_and_show_working(manifest):
    assert manifest["sourced_figures"] and unsupported_figures(manifest) == []


# ------------------------------------------------------------- nothing shared with the default
@pytest.mark.parametrize("table", sorted(DISTINCT))
def test_shares_no_id_and_no_count_with_the_default_dataset(table):
    column = DISTINCT[table]
    ours = {r[column] for r in read_csv(FOLDER, table)}
    theirs = {r[column] for r in read_csv(DEFAULT, table)}
    assert not ours & theirs, f"{table} ids shared with devon-cornwall: {sorted(ours & theirs)}"
    assert len(ours) != len(theirs)
    names = {r["name"] for r in read_csv(FOLDER, table)}
    assert not names & {r["name"] for r in read_csv(DEFAULT, table)}


def test_the_nine_local_authorities_are_the_areas(dataset):
    assert set(dataset.areas.index) == set(LA_GRANTS_2021_22)


# ------------------------------------------------------------------------------- placeholders
def test_every_area_figure_is_a_placeholder(dataset, manifest):
    assert not [f for f in manifest["sourced_figures"] if f["table"] == "areas"]
    placeholders = set(dataset.placeholder_figures())
    for area in dataset.areas.index:
        for col in ("population", "crime", "domestic_abuse", "asb", "deprivation"):
            assert ("areas", area, col) in placeholders
    note = next(p for p in manifest["placeholders"] if p["table"] == "areas")
    assert "placeholders" in note["note"] and "population" in note["columns"]


def test_every_non_sourced_figure_is_a_placeholder_and_listed(dataset, manifest):
    sourced = {(f["table"], f["key"], f["column"]) for f in manifest["sourced_figures"]}
    reported = set(dataset.placeholder_figures())
    assert not reported & sourced
    expected = set()
    for name, spec in TABLES.items():
        numeric = [c.name for c in spec.columns
                   if c.kind in (Kind.MONEY, Kind.NUMBER) and c.name not in spec.key]
        for row in read_csv(FOLDER, Path(manifest["tables"][name]).stem):
            key = "/".join(format(float(row[k]), "g") if spec.column(k).kind is Kind.NUMBER
                           else row[k].strip() for k in spec.key)
            expected |= {(name, key, c) for c in numeric
                         if row.get(c, "").strip() and (name, key, c) not in sourced}
    assert reported == expected
    # and the manifest says how each placeholder was set: a note for its table and column
    noted = {(p["table"], c) for p in manifest["placeholders"] for c in p["columns"]}
    unexplained = {(t, c) for t, _, c in reported} - noted
    assert not unexplained, f"placeholders with no note in dataset.yaml: {sorted(unexplained)}"
    assert {r["source_id"] for r in read_csv(FOLDER, "outcomes")} == {"placeholder"}


# --------------------------------------------------------------------------- solve and paper
def test_the_scenario_solves_with_highs_and_meets_every_limit(run):
    assert run.scenario.dataset == "data/thames-valley.xlsx"  # run from the workbook
    assert run.scenario.solver == "highs"
    assert run.result.is_optimal
    assert violations(run.result) == []
    assert tables_add_up(run.result) == []
    first = run.inputs.years[0]
    alloc = run.result.allocation()
    assert alloc.loc[alloc["year"] == first, "amount_gbp"].sum() == TOTAL


def test_the_paper_rests_on_placeholders_never_final_and_never_names_the_default(run):
    paper = Paper(run, manifest={"draft": False})  # even with everything committed
    assert paper.status_words == ["ILLUSTRATIVE"]
    text = "".join(s.html for s in paper.sections())
    assert "ILLUSTRATIVE" in text and "FINAL" not in text
    # the need shares rest on placeholder indicators, and say so where they are shown
    assert "The need share rests on placeholder need indicators or weights." in text
    for word in ("Devon", "Cornwall", "Plymouth", "Torbay", "£9.6m", "9,600,000",
                 "Community Grant Scheme", "hotspot", "Home Office funding"):
        assert word.lower() not in text.lower(), word


# ------------------------------------------------------------------------- the workbook form
def test_the_workbook_is_the_folder_exported(dataset):
    """data/thames-valley.xlsx is what `budgetopt dataset export data/thames-valley --to
    data/thames-valley.xlsx` writes: the same manifest line by line and the same tables."""
    import pandas as pd
    from openpyxl import load_workbook

    book = load_dataset(WORKBOOK)
    for name, table in dataset.tables.items():
        pd.testing.assert_frame_equal(table, book.tables[name])
    lines = [r[0] or "" for r in load_workbook(WORKBOOK, read_only=True)["manifest"].iter_rows(
        values_only=True)]
    assert lines == (FOLDER / "dataset.yaml").read_text(encoding="utf-8").splitlines(), (
        "run: budgetopt dataset export data/thames-valley --to data/thames-valley.xlsx")


@pytest.mark.slow  # the command, papermill and the PDF
def test_budgetopt_run_takes_the_workbook_to_a_paper(tmp_path):
    import hashlib
    import json
    import subprocess
    import sys

    out = tmp_path / "reports"
    done = subprocess.run([sys.executable, "-m", "budgetopt.cli", "run", str(SCENARIO), "--out",
                           str(out)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = out / "tv-baseline"
    assert (folder / "paper.pdf").read_bytes().startswith(b"%PDF")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["marking"] != "FINAL" and "ILLUSTRATIVE" in manifest["marking"]
    # a workbook is one file: nothing "inside" it can be untracked (it was: areas.csv in it)
    assert not any("thames-valley.xlsx/" in path for path in manifest["git_dirty_paths"])
    digest = hashlib.sha256(WORKBOOK.read_bytes()).hexdigest()
    assert digest in json.dumps(manifest)  # the paper's manifest covers the workbook
    html = (folder / "paper.html").read_text()
    assert "Thames Valley" in html and "Devon" not in html
    # nine areas: the allocation matrix comes in parts that fit the page, none runs off it
    assert text_off_the_page(folder / "paper.pdf") == []
    assert "(part 2 of 2)" in html
