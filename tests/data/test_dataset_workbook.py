"""A dataset as one Excel workbook: read like a folder, written both ways without loss, and
every problem put back where it is in the workbook (sheet, Excel row, column letter)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from budgetopt.core.errors import InputError
from budgetopt.data.dataset import load_dataset, load_folder
from budgetopt.data.inputs import load_inputs, resolve
from budgetopt.data.workbook_writer import export_dataset, folder_to_workbook
from budgetopt.results.result import make_result
from budgetopt.solve.allocator import Allocator

REPO = Path(__file__).resolve().parents[2]
DEFAULT = REPO / "data" / "devon-cornwall"


def as_workbook(folder: Path) -> Path:
    book = folder.parent / f"{folder.name}.xlsx"
    folder_to_workbook(folder, book)
    return book


def problems(path: Path) -> list:
    with pytest.raises(InputError) as e:
        load_dataset(path)
    return e.value.problems


def test_a_round_trip_gives_identical_tables_and_an_identical_allocation(tmp_path):
    book = tmp_path / "dc.xlsx"
    export_dataset(DEFAULT, book, load_folder)
    back = tmp_path / "back"
    export_dataset(book, back, load_folder)
    folder, from_book, from_back = load_dataset(DEFAULT), load_dataset(book), load_dataset(back)
    for name, table in folder.tables.items():
        pd.testing.assert_frame_equal(table, from_book.tables[name])
        pd.testing.assert_frame_equal(table, from_back.tables[name])
    assert from_book.path == book and from_book.content_hash != folder.content_hash
    base = load_inputs(REPO / "parameters" / "baseline.yaml")
    allocations = []
    for ds in (folder, from_book):
        inputs = resolve(ds, base.scenario)
        alloc = Allocator(inputs)
        allocations.append(make_result(alloc, alloc.solve(warm=False)).allocation())
    pd.testing.assert_frame_equal(allocations[0], allocations[1])


def test_a_scenario_may_name_a_workbook_as_its_dataset(tmp_path):
    book = tmp_path / "dc.xlsx"
    folder_to_workbook(DEFAULT, book)
    doc = yaml.safe_load((REPO / "parameters" / "baseline.yaml").read_text())
    doc["dataset"] = str(book)
    params = tmp_path / "from-book.yaml"
    params.write_text(yaml.safe_dump(doc))
    assert load_inputs(params).dataset.path == book


def test_a_cell_problem_names_sheet_excel_row_and_column_letter(dataset_copy, csv_edit):
    line = csv_edit.set_cell("services", {"service_id": "vs-core"}, "min_gbp", "-5")
    folder_problem = next(p for p in problems(dataset_copy) if p.column == "min_gbp")
    book_problem = next(p for p in problems(as_workbook(dataset_copy))
                        if p.column and p.column.endswith("min_gbp"))
    header = csv_edit.read("services")[0]
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("min_gbp")]
    assert book_problem.sheet == "services" and book_problem.row == line
    assert book_problem.column == f"{letter}: min_gbp"
    assert book_problem.rule == folder_problem.rule  # the same message
    assert str(book_problem).startswith(
        f"{dataset_copy.parent / 'devon-cornwall.xlsx'}, services, row {line} "
        f"({letter}: min_gbp): value ")


def test_a_rule_across_tables_is_put_back_in_its_sheet(dataset_copy, csv_edit):
    line = csv_edit.set_cell("services", {"service_id": "vs-core"}, "scheme_id", "nowhere")
    [p] = [p for p in problems(as_workbook(dataset_copy)) if "unknown scheme_id" in p.rule]
    assert (p.sheet, p.row) == ("services", line) and p.column.endswith(": scheme_id")


def test_a_manifest_problem_names_the_manifest_sheet_and_key(dataset_copy, csv_edit):
    csv_edit.edit_manifest(lambda m: m.update(plan_years=[2030, 2031]))
    [p] = [p for p in problems(as_workbook(dataset_copy)) if p.key == "plan_years"]
    assert p.sheet == "manifest" and "the first plan year must follow the base year" in p.rule


def test_a_formula_never_calculated_is_refused(tmp_path):
    book = tmp_path / "dc.xlsx"
    folder_to_workbook(DEFAULT, book)
    wb = load_workbook(book)
    wb["services"]["G2"] = "=1+1"  # openpyxl stores formulas without a calculated value
    wb.save(book)
    [p] = [p for p in problems(book) if "never calculated" in p.rule]
    assert (p.sheet, p.row, p.value) == ("services", 2, "=1+1") and p.column.startswith("G: ")


def test_a_huge_number_in_a_cell_is_shown_as_excel_shows_it(tmp_path):
    book = tmp_path / "dc.xlsx"
    folder_to_workbook(DEFAULT, book)
    wb = load_workbook(book)
    ws = wb["services"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("capacity_gbp") + 1).value = 1e30  # a number, not text
    wb.save(book)
    [p] = [p for p in problems(book) if p.column and p.column.endswith(": capacity_gbp")]
    assert (p.row, p.value) == (2, "1E+30")
    assert "value '1E+30' — out of range (must be <= 1,000,000,000)" in str(p)


def test_a_workbook_without_its_manifest_sheet(tmp_path):
    book = tmp_path / "dc.xlsx"
    folder_to_workbook(DEFAULT, book)
    wb = load_workbook(book)
    del wb["manifest"]
    wb.save(book)
    [p] = problems(book)
    assert "the workbook has no 'manifest' sheet" in p.rule


@pytest.mark.slow  # the command in fresh processes
def test_export_checks_first_and_writes_nothing_for_an_invalid_dataset(dataset_copy, csv_edit,
                                                                       tmp_path):
    csv_edit.set_cell("services", {"service_id": "vs-core"}, "min_gbp", "-5")
    out = tmp_path / "out.xlsx"
    done = subprocess.run([sys.executable, "-m", "budgetopt.cli", "dataset", "export",
                           str(dataset_copy), "--to", str(out)], capture_output=True, text=True)
    assert done.returncode == 2 and "min_gbp" in done.stderr and not out.exists()
    ok = subprocess.run([sys.executable, "-m", "budgetopt.cli", "dataset", "export",
                         str(DEFAULT), "--to", str(out)], capture_output=True, text=True)
    assert ok.returncode == 0 and out.is_file()
    valid = subprocess.run([sys.executable, "-m", "budgetopt.cli", "validate", str(out)],
                           capture_output=True, text=True)
    assert valid.returncode == 0 and "The dataset is valid." in valid.stdout


def test_a_misnamed_sheet_is_named_with_the_sheet_meant(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    wb["services"].title = "Services "  # a capital and a trailing space
    wb.save(book)
    [p] = problems(book)
    assert p.sheet == "Services " and "the workbook has no 'services' sheet" in p.rule
    assert "rename the sheet 'Services ' to 'services'" in p.rule


def test_a_header_below_row_1_is_named_with_its_row(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    wb["schemes"].insert_rows(1, 2)
    wb["schemes"]["A1"] = "Schemes 2024/25"  # a title typed above the header
    wb.save(book)
    [p] = problems(book)
    assert (p.sheet, p.row) == ("schemes", 1) and "the header is in row 3, not row 1" in p.rule


def test_merged_cells_are_named_by_their_range(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    wb["services"].merge_cells("G4:H4")
    wb.save(book)
    found = problems(book)
    assert [(p.sheet, p.row, p.column) for p in found if "merged" in p.rule] == [
        ("services", 4, "G")]
    assert "cells G4:H4 are merged" in str(found[0])


def test_a_cell_with_a_line_break_does_not_shift_later_rows(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    ws = wb["services"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("notes") + 1, "two\nlines\r\nand three")
    ws.cell(6, header.index("min_gbp") + 1, -5)
    wb.save(book)
    [p] = [p for p in problems(book) if p.column and p.column.endswith("min_gbp")]
    assert (p.sheet, p.row) == ("services", 6)


def as_workbook_of_default(tmp_path: Path) -> Path:
    return folder_to_workbook(DEFAULT, tmp_path / "dc.xlsx")


def libreoffice_save(book: Path, out_dir: Path) -> Path:
    """The workbook opened and saved by LibreOffice Calc (headless, its own profile), as a
    team's spreadsheet would save it."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice is missing: tools/setup.sh --tests installs it"
    profile = (out_dir / "profile").as_uri()
    done = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--calc",
                           "--convert-to", "xlsx", "--outdir", str(out_dir / "saved"),
                           str(book)], capture_output=True, text=True, timeout=180)
    saved = out_dir / "saved" / book.name
    assert done.returncode == 0 and saved.is_file(), done.stdout + done.stderr
    return saved


@pytest.mark.slow  # LibreOffice in a fresh process
def test_a_workbook_saved_by_libreoffice_reads_the_same(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    ws = wb["services"]
    col = [c.value for c in ws[1]].index("capacity_gbp") + 1
    typed = ws.cell(2, col).value
    ws.cell(2, col).value = f"={typed}/4*4"  # a formula, never calculated until Calc saves it
    wb.save(book)
    assert any("never calculated" in p.rule for p in problems(book))
    saved = libreoffice_save(book, tmp_path)
    assert load_workbook(saved)["services"].cell(2, col).value == f"={typed}/4*4"  # kept
    folder, from_calc = load_dataset(DEFAULT), load_dataset(saved)
    for name, table in folder.tables.items():
        pd.testing.assert_frame_equal(table, from_calc.tables[name])


@pytest.mark.slow  # LibreOffice in a fresh process
def test_after_libreoffice_an_empty_result_is_a_value_and_an_error_is_named(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    ws = wb["streams"]
    header = [c.value for c in ws[1]]
    ws.cell(2, header.index("notes") + 1).value = '=IF(1,"","x")'  # the empty string
    ws.cell(3, header.index("end_year") + 1).value = "=NA()"  # read as empty, it would never end
    wb.save(book)
    saved = libreoffice_save(book, tmp_path)
    [p] = problems(saved)
    assert (p.sheet, p.row, p.value) == ("streams", 3, "#N/A")
    assert p.column == f"{get_column_letter(header.index('end_year') + 1)}: end_year"
    assert "holds the error #N/A" in p.rule


def test_layout_problems_do_not_hide_the_rest(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb, schemes, header = with_a_title_above_the_header(book, "schemes")
    schemes.cell(4, header.index("floor_gbp") + 1, -1)
    wb["services"].merge_cells("N5:O5")
    wb["areas"].title = "Areas "
    wb.save(book)
    found = problems(book)
    said = [(p.sheet, p.row, (p.column or "").split(":")[0]) for p in found]
    assert ("schemes", 1, "") in said  # the header is in row 3 ...
    assert ("schemes", 4, get_column_letter(header.index("floor_gbp") + 1)) in said  # ... and
    assert ("services", 5, "N") in said  # the merged cells, and the misnamed sheet, read anyway
    assert any(p.sheet == "Areas " and "rename the sheet 'Areas ' to 'areas'" in p.rule
               for p in found)  # named by the sheet it is, as every other problem of it
    order = load_workbook(book).sheetnames
    sheets = [p.sheet for p in found]
    assert set(sheets) <= set(order) and sheets == sorted(sheets, key=order.index)


def test_a_workbook_names_its_sheets_and_the_id_meant(dataset_copy, csv_edit):
    csv_edit.set_cell("services", {"service_id": "vs-core"}, "scheme_id", "victim")
    [p] = [p for p in problems(as_workbook(dataset_copy)) if "unknown scheme_id" in p.rule]
    assert p.rule == "unknown scheme_id: not in the schemes sheet; did you mean 'victims'?"
    [f] = [p for p in problems(dataset_copy) if "unknown scheme_id" in p.rule]
    assert f.rule == "unknown scheme_id: not in schemes.csv; did you mean 'victims'?"


def test_export_never_replaces_what_exists(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(InputError, match="already exists"):
        export_dataset(DEFAULT, tmp_path / "taken", load_folder)
    book = as_workbook_of_default(tmp_path)
    with pytest.raises(InputError, match="already exists"):
        export_dataset(DEFAULT, book, load_folder)


def test_a_value_beside_the_table_is_named_once(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    wb["schemes"]["Z5"] = "check with finance"
    wb.save(book)
    [p] = problems(book)
    assert (p.sheet, p.row, p.column) == ("schemes", 1, "Z")
    assert "a value in column Z, which has no header (first at Z5)" in p.rule


def test_a_formula_under_a_low_header_is_named_once_by_its_column(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb, ws, header = with_a_title_above_the_header(book, "schemes")
    letter = get_column_letter(header.index("floor_gbp") + 1)
    ws[f"{letter}4"] = "=1+1"
    wb.save(book)
    found = [p for p in problems(book) if p.row == 4]
    assert [(p.column, "never calculated" in p.rule) for p in found] == [
        (f"{letter}: floor_gbp", True)]


def test_a_manifest_value_typed_in_column_b_is_kept(tmp_path):
    book = as_workbook_of_default(tmp_path)
    wb = load_workbook(book)
    ws = wb["manifest"]
    row = next(r for r in range(1, ws.max_row + 1)
               if str(ws.cell(r, 1).value or "").startswith("title:"))
    ws.cell(r := row, 1).value = "title:"
    ws.cell(r, 2).value = "Devon & Cornwall, typed in B"
    wb.save(book)
    assert load_dataset(book).manifest.title == "Devon & Cornwall, typed in B"


def test_text_that_starts_with_an_equals_sign_stays_text(dataset_copy, csv_edit):
    csv_edit.set_cell("services", {"service_id": "vs-core"}, "notes", "=see the MoJ letter")
    book = as_workbook(dataset_copy)
    assert load_dataset(book).services.at["vs-core", "notes"] == "=see the MoJ letter"


def with_a_title_above_the_header(book: Path, sheet: str) -> tuple:
    """The workbook with a title typed in row 1 and a blank row 2 above ``sheet``'s header
    (now row 3, its first data row 4): the workbook, the sheet and the header."""
    wb = load_workbook(book)
    ws = wb[sheet]
    ws.insert_rows(1, 2)
    ws["A1"] = f"{sheet.title()} 2024/25"
    return wb, ws, [c.value for c in ws[3]]


def test_a_table_path_not_in_its_simplest_form_keeps_its_rows(dataset_copy, csv_edit):
    csv_edit.edit_manifest(lambda m: m["tables"].update(services="./services.csv"))
    line = csv_edit.set_cell("services", {"service_id": "vs-core"}, "min_gbp", "-5")
    [p] = [p for p in problems(as_workbook(dataset_copy)) if "negative" in p.rule]
    assert (p.sheet, p.row) == ("services", line) and p.column.endswith(": min_gbp")
