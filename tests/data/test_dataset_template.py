"""`budgetopt dataset new`: an empty dataset (folder or workbook) that `validate` walks a team
through — left empty, half filled and complete — and the placeholder column it brings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budgetopt.core.errors import InputError
from budgetopt.data.dataset import load_dataset
from budgetopt.data.guide import GUIDE_SHEET
from budgetopt.data.schemas import TABLES
from budgetopt.data.template import new_dataset

from tiny_dataset import MANIFEST, solve_tiny
from tiny_dataset import TABLES as TINY

REQUIRED = [t.name for t in TABLES.values() if not t.optional]


def problems(path: Path) -> list:
    with pytest.raises(InputError) as e:
        load_dataset(path)
    return e.value.problems


def typed(text: str) -> object:
    """A cell as a person types it into Excel: numbers as numbers, TRUE/FALSE as booleans."""
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text or None


def fill(book: Path, tables: list[str], manifest: bool = True) -> None:
    """Type the tiny dataset's rows of ``tables`` (and its manifest) into the template."""
    wb = load_workbook(book)
    if manifest:
        ws = wb["manifest"]
        ws.delete_rows(1, ws.max_row)
        listing = "\n".join(f"  {n}: {n}.csv" for n in TABLES)
        for line in MANIFEST.format(tables=listing).splitlines():
            ws.append([line])
    for name in tables:
        ws = wb[name]
        header = [c.value for c in ws[1]]
        given = TINY[name][0].split(",")
        for line in TINY[name][1:]:
            cells = dict(zip(given, line.split(","), strict=True))
            ws.append([typed(cells.get(h, "")) for h in header])
    wb.save(book)


@pytest.mark.parametrize("workbook", [False, True], ids=["folder", "workbook"])
def test_an_empty_template_lists_everything_to_fill_in_in_sheet_order(tmp_path, workbook):
    path = tmp_path / ("anyshire.xlsx" if workbook else "anyshire")
    new_dataset("anyshire", path, workbook=workbook)
    found = problems(path)
    keys = [p.key for p in found if p.key]
    assert keys == ["title", "base_year", "plan_years", "price_base", "sources"]
    assert all(p.rule == "is empty: fill it in" for p in found[:2])
    empty = [p for p in found if p.rule.startswith("table is empty")]
    where = [p.sheet for p in empty] if workbook else [Path(p.file).stem for p in empty]
    assert where == REQUIRED  # every required table, in sheet order; uncertainty may stay empty
    assert found[: len(keys)] == [p for p in found if p.key]  # the manifest first


def test_the_template_workbook_guides_the_person_typing(tmp_path):
    book = new_dataset("anyshire", tmp_path / "anyshire.xlsx", workbook=True)[0]
    wb = load_workbook(book)
    assert wb.sheetnames == [GUIDE_SHEET, "manifest", *TABLES]
    guide, table = {}, None
    for row in wb[GUIDE_SHEET].iter_rows(values_only=True):
        cells = [c or "" for c in row] + [""] * 6
        if cells[0] in TABLES and not cells[1]:
            table = cells[0]
        elif table and cells[1]:
            guide[(table, cells[1])] = cells
    for t in TABLES.values():  # every column with its meaning and its rule
        for col in t.columns:
            row = guide[(t.name, col.name)]
            assert row[3] == col.doc and row[4].startswith(col.rule())
    assert guide[("services", "scheme_id")][5] == "victims"  # an example row
    services = wb["services"]
    assert [c.value for c in services[1]] == list(TABLES["services"].column_names)
    rules = {str(dv.sqref).split(":")[0]: dv for dv in services.data_validations.dataValidation}
    header = list(TABLES["services"].column_names)

    def at(name: str):
        return rules["ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index(name)] + "2"]

    assert at("scheme_id").type == "list" and at("scheme_id").formula1 == "'schemes'!$A$2:$A$1000"
    assert at("area_split").formula1 == '"TRUE,FALSE"'
    assert at("evidence").formula1 == '"strong,moderate,weak"'
    assert at("last_year_gbp").type == "whole" and at("contract_end_year").type == "whole"
    assert "placeholder" in header and at("placeholder").formula1 == '"TRUE,FALSE"'


def test_a_half_filled_template_lists_only_what_is_left(tmp_path):
    book = new_dataset("anyshire", tmp_path / "anyshire.xlsx", workbook=True)[0]
    done = ["streams", "stream_amounts", "stream_eligibility", "schemes", "need_formula", "areas"]
    fill(book, done)
    left = [p.sheet for p in problems(book)]
    assert left == [t for t in REQUIRED if t not in done]


def test_a_template_filled_in_by_hand_validates_and_solves(tmp_path):
    book = new_dataset("anyshire", tmp_path / "anyshire.xlsx", workbook=True)[0]
    fill(book, list(TINY))
    ds = load_dataset(book)
    assert len(ds.services) == 3 and ds.uncertainty.empty
    result = solve_tiny(book)
    assert result.status.is_optimal
    assert result.allocation()["amount_gbp"].sum() == 2 * 1000


def test_the_placeholder_column_marks_a_row_either_way(tmp_path):
    from tiny_dataset import write_tiny

    areas = ["area_id,name,population,crime,domestic_abuse,asb,deprivation,placeholder",
             "north,North,300,30,3,30,1,false", "south,South,100,10,1,10,1,true"]
    ds = load_dataset(write_tiny(tmp_path / "tiny", areas=areas))
    marked = {(t, k) for t, k, _ in ds.placeholder_figures() if t == "areas"}
    assert marked == {("areas", "south")}  # north confirmed by its flag; south a placeholder
    assert {(t, k) for t, k, _ in ds.confirmed_figures()} == {("areas", "north")}
    assert "5 confirmed in the tables (placeholder column false)" in ds.summary()


def test_a_row_flagged_a_placeholder_cannot_also_be_sourced(tmp_path, monkeypatch):
    from tiny_dataset import write_tiny

    areas = ["area_id,name,population,crime,domestic_abuse,asb,deprivation,placeholder",
             "north,North,300,30,3,30,1,true", "south,South,100,10,1,10,1,"]
    folder = write_tiny(tmp_path / "tiny", areas=areas)
    text = (folder / "dataset.yaml").read_text() + (
        "sourced_figures:\n  - {table: areas, key: north, column: population, value: 300, "
        "source: none, quote: '300 people', status: D, working: 'counted'}\n")
    (folder / "dataset.yaml").write_text(text)
    [p] = problems(folder)
    assert "says its figures are placeholders (placeholder = true)" in p.rule
    assert p.key == "sourced_figures.0.key"


def test_new_refuses_a_bad_name_and_an_existing_path(tmp_path):
    with pytest.raises(InputError, match="lower-case letters"):
        new_dataset("Any Shire", tmp_path / "x")
    (tmp_path / "taken").mkdir()
    with pytest.raises(InputError, match="already exists"):
        new_dataset("taken", tmp_path / "taken")
    assert list((tmp_path / "taken").iterdir()) == []


@pytest.mark.slow  # the command in a fresh process
def test_the_command_writes_data_name_and_says_what_next(tmp_path):
    done = subprocess.run([sys.executable, "-m", "budgetopt.cli", "dataset", "new", "anyshire",
                           "--xlsx"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "data" / "anyshire.xlsx").is_file()
    assert "budgetopt validate data/anyshire.xlsx" in done.stdout
    again = subprocess.run([sys.executable, "-m", "budgetopt.cli", "dataset", "new", "anyshire",
                            "--xlsx"], capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr


@pytest.mark.slow  # the commands in fresh processes, papermill and the PDF
def test_a_teams_own_project_folder_goes_from_template_to_paper(tmp_path):
    """A team works in its own folder, outside the repository, as docs/user-guide.md says:
    `dataset new`, fill in, a scenario under parameters/, then solve and run — paths and
    reports are the team's folder's, and the paper notebook comes with the package."""
    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "budgetopt.cli", *args],
                              capture_output=True, text=True, cwd=tmp_path)

    assert cli("dataset", "new", "anyshire", "--xlsx").returncode == 0
    fill(tmp_path / "data" / "anyshire.xlsx", list(TINY))
    (tmp_path / "parameters" / "anyshire").mkdir(parents=True)
    (tmp_path / "parameters" / "anyshire" / "baseline.yaml").write_text(
        "name: anyshire-baseline\ntitle: Anyshire baseline\ndataset: data/anyshire.xlsx\n"
        "plan_years: 2\nfairness_tolerance: 1.0\nstability_limit: 1.0\nsolver: highs\n")
    solved = cli("solve", "parameters/anyshire/baseline.yaml")
    assert solved.returncode == 0, solved.stdout + solved.stderr
    assert (tmp_path / "reports" / "anyshire-baseline" / "allocation.csv").is_file()
    ran = cli("run", "parameters/anyshire/baseline.yaml")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    paper = tmp_path / "reports" / "anyshire-baseline" / "paper.pdf"
    assert paper.read_bytes().startswith(b"%PDF")
    assert "Anyshire baseline" in (paper.parent / "paper.html").read_text()


def test_a_workbook_template_needs_a_path_ending_in_xlsx(tmp_path):
    with pytest.raises(InputError, match=r"ends in \.xlsx"):
        new_dataset("anyshire", tmp_path / "anyshire.csv", workbook=True)
    with pytest.raises(InputError, match=r"ends in \.xlsx"):
        new_dataset("anyshire", tmp_path / "anyshire.xlsx", workbook=False)
    assert list(tmp_path.iterdir()) == []


def test_what_waits_for_the_tables_to_read_cleanly_is_said(tmp_path):
    from tiny_dataset import write_tiny

    folder = write_tiny(tmp_path / "tiny", inflation=["year,rate", "2025,2", "2026,0.1"])
    with pytest.raises(InputError) as e:
        load_dataset(folder)
    report = e.value.report()
    assert "out of range (must be <= 0.5); a percentage? write 2% as 0.02" in report
    assert report.endswith("are checked once these are put right.")


def test_a_colon_in_a_manifest_value_gets_a_hint(tmp_path):
    from tiny_dataset import write_tiny

    folder = write_tiny(tmp_path / "tiny")
    text = (folder / "dataset.yaml").read_text().replace(
        "title: Tiny hand-checkable dataset", "title: Tiny: hand-checkable")
    (folder / "dataset.yaml").write_text(text)
    [p] = problems(folder)
    assert p.row == 2 and "put the value in double quotes" in p.rule


def test_a_value_confirmed_by_its_row_needs_a_source_not_placeholder(tmp_path):
    from tiny_dataset import write_tiny

    outcomes = ["outcome_id,unit,value_gbp,source_id,price_year,placeholder",
                "o,Outcome,1000,placeholder,,false"]
    [p] = problems(write_tiny(tmp_path / "tiny", outcomes=outcomes))
    assert p.column == "placeholder" and "its source_id is 'placeholder'" in p.rule
    named = ["outcome_id,unit,value_gbp,source_id,price_year,placeholder",
             "o,Outcome,1000,none,,false"]  # 'none' is the tiny dataset's one source
    ds = load_dataset(write_tiny(tmp_path / "named", outcomes=named))
    assert ("outcomes", "o", "value_gbp") in ds.confirmed_figures()
    states = ds.figure_states
    assert len(states) == len(ds.placeholder_figures()) + len(ds.confirmed_figures()) + sum(
        1 for v in states.values() if v.value == "sourced")  # every figure counted once
