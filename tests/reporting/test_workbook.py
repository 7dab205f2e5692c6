"""The result workbook: sheets, formats, totals that add up, and no formula injection."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from budgetopt.data.inputs import load_inputs
from budgetopt.reporting.workbook import (
    MONEY_FORMAT,
    PERCENT_FORMAT,
    matrix_sheet_name,
    safe_text,
    sheet_names,
    write_workbook,
)
from budgetopt.results.result import Result, make_result
from budgetopt.solve.allocator import Allocator

REPO_ROOT = Path(__file__).resolve().parents[2]

EXPECTED_SHEETS = ["Summary", "Allocation", "Matrix 2025-26", "Matrix 2026-27", "Matrix 2027-28",
                   "By scheme", "By area", "Flows", "Streams", "By priority", "Change",
                   "Committed", "Placeholders"]
SUM = re.compile(r"^=SUM\(([A-Z]+)2:\1(\d+)\)$")
RATIO = re.compile(r'^=IF\(([A-Z]+)(\d+)=0,"",([A-Z]+)(\d+)/\1\2\)$')


def evaluate(ws, cell):
    """What Excel or LibreOffice computes for one of the workbook's own formulas: a column sum
    or a ratio of two totals (anything else fails the test)."""
    v = cell.value
    if not (isinstance(v, str) and v.startswith("=")):
        return v
    if m := SUM.match(v):
        col, last = m.group(1), int(m.group(2))
        return sum(ws[f"{col}{r}"].value or 0 for r in range(2, last + 1))
    if m := RATIO.match(v):
        den = evaluate(ws, ws[f"{m.group(1)}{m.group(2)}"])
        num = evaluate(ws, ws[f"{m.group(3)}{m.group(4)}"])
        return "" if den == 0 else num / den
    raise AssertionError(f"{ws.title}!{cell.coordinate}: unexpected formula {v}")


def solve(params: Path) -> Result:
    inputs = load_inputs(params)
    alloc = Allocator(inputs)
    return make_result(alloc, alloc.solve(warm=False))


@pytest.fixture(scope="module")
def baseline() -> Result:
    return solve(REPO_ROOT / "parameters" / "baseline.yaml")


@pytest.fixture(scope="module")
def workbook(baseline: Result, tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("wb") / "baseline.xlsx"
    assert write_workbook(baseline, path) == path
    return openpyxl.load_workbook(path)


def header(ws) -> list:
    return [c.value for c in ws[1]]


def column(ws, name: str) -> int:
    return header(ws).index(name) + 1


def test_every_sheet_is_written_in_order(workbook, baseline):
    assert workbook.sheetnames == EXPECTED_SHEETS == sheet_names(baseline)
    assert matrix_sheet_name(2025) == "Matrix 2025-26"


def test_no_temporary_file_is_left_behind(baseline, tmp_path):
    write_workbook(baseline, tmp_path / "out" / "result.xlsx")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["result.xlsx"]


def test_header_row_is_bold_and_frozen_and_columns_have_widths(workbook):
    for ws in workbook:
        assert ws.freeze_panes == "A2", ws.title
        assert all(c.font.bold for c in ws[1]), ws.title
        for j in range(1, ws.max_column + 1):
            width = ws.column_dimensions[openpyxl.utils.get_column_letter(j)].width
            assert 8 <= width <= 80, (ws.title, j, width)


def test_summary_holds_status_scenario_and_dataset_hash(workbook, baseline):
    facts = {r[0]: r[1] for r in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert facts["Status"] == "optimal"
    assert facts["Scenario"] == "baseline"
    assert facts["Dataset content hash (SHA-256)"] == baseline.inputs.dataset.content_hash
    assert facts["Total allocated, all plan years (£)"] == sum(baseline.totals().values())


def test_allocation_has_names_as_well_as_ids_and_money_format(workbook, baseline):
    ws = workbook["Allocation"]
    for name in ("Scheme ID", "Scheme", "Service ID", "Service", "Area ID", "Area", "Provider"):
        assert name in header(ws)
    ds = baseline.inputs.dataset
    row = next(ws.iter_rows(min_row=2, max_row=2))
    sid = row[column(ws, "Service ID") - 1].value
    assert row[column(ws, "Service") - 1].value == ds.services.at[sid, "name"]
    amount = row[column(ws, "Amount (£)") - 1]
    assert "£" in amount.number_format and amount.number_format == MONEY_FORMAT
    amounts = [r[0] for r in ws.iter_rows(min_row=2, min_col=column(ws, "Amount (£)"),
                                          max_col=column(ws, "Amount (£)"), values_only=True)]
    assert all(type(v) is int for v in amounts)
    assert sum(amounts) == sum(baseline.totals().values())


@pytest.mark.parametrize("sheet", ["Matrix 2025-26", "By scheme", "By area", "By priority",
                                   "Committed", "Change"])
def test_total_row_is_a_formula_outside_the_data_that_recomputes_to_the_sum(workbook, sheet):
    ws = workbook[sheet]
    rows = list(ws.iter_rows(min_row=2))
    *body, blank, total = rows
    assert all(c.value is None for c in blank)  # the total stands apart from the data
    assert total[0].value == "Total"
    money_cols = [j for j, c in enumerate(total) if c.number_format == MONEY_FORMAT]
    assert money_cols
    for j in money_cols:
        values = [r[j].value for r in body]
        assert all(type(v) is int for v in values), (sheet, j)
        assert total[j].data_type == "f" and SUM.match(total[j].value), total[j].value
        assert evaluate(ws, total[j]) == sum(values), (sheet, ws.cell(1, j + 1).value)


def test_totals_recompute_to_the_papers_figures(workbook, baseline):
    ws = workbook["By scheme"]
    total = next(iter(ws.iter_rows(min_row=ws.max_row)))
    by = baseline.by_scheme()
    for j, y in enumerate(by.columns, start=1):
        assert evaluate(ws, total[j]) == by.at["total", y]
    change = workbook["Change"]
    head = header(change)
    t = next(iter(change.iter_rows(min_row=change.max_row)))
    pct = t[head.index("Change to 2027/28, cash (%)")]
    assert RATIO.match(pct.value) and pct.number_format == PERCENT_FORMAT
    c = baseline.change()
    assert evaluate(change, pct) == pytest.approx(c["change_gbp"].sum() / c["last_year_gbp"].sum())


def test_matrix_total_matches_the_year_total(workbook, baseline):
    for y, total in baseline.totals().items():
        ws = workbook[matrix_sheet_name(y)]
        j = column(ws, "Total (£)")
        assert evaluate(ws, ws.cell(ws.max_row, j)) == total
        # row totals too: the area and force-wide cells add up to the row's total
        for r in ws.iter_rows(min_row=2, max_row=ws.max_row - 2, min_col=3, max_col=j,
                              values_only=True):
            assert r[-1] == sum(r[:-1])


def test_names_come_first_and_ids_last(workbook):
    for name in ("Allocation", "Matrix 2025-26", "By scheme", "Change", "Flows", "Streams"):
        head = header(workbook[name])
        ids = [i for i, h in enumerate(head) if str(h).endswith(" ID")]
        assert ids and min(ids) > max(i for i, h in enumerate(head) if h in (
            "Scheme", "Service", "Stream", "Area", "Financial year")), name


def test_every_sheet_prints_on_a4_landscape_with_titles(workbook):
    for ws in workbook:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
        assert ws.print_title_rows == "$1:$1"  # the header row on every printed page
        assert "ILLUSTRATIVE" in ws.oddFooter.left.text
        assert "Commissioning Intentions Plan 2025/26" in ws.oddHeader.center.text


def test_summary_gives_the_marking_and_whole_pounds(workbook, baseline):
    facts = {r[0]: r[1] for r in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert "ILLUSTRATIVE" in facts["Marking"] and "FINAL" not in facts["Marking"]
    assert facts["Placeholder figures used"] == len(baseline.inputs.dataset.placeholder_figures())
    assert facts["Social value over the plan (£)"] == round(baseline.social_value_gbp)
    assert all(not isinstance(v, float) for k, v in facts.items() if "(£)" in str(k))


def test_placeholders_are_flagged(workbook, baseline):
    ds = baseline.inputs.dataset
    change = workbook["Change"]
    head = header(change)
    flag, sid = head.index("2024/25 amount is a placeholder"), head.index("Service ID")
    for r in change.iter_rows(min_row=2, max_row=change.max_row - 2, values_only=True):
        assert r[flag] == ("yes" if ("services", r[sid], "last_year_gbp")
                           in set(ds.placeholder_figures()) else "no")
    assert workbook["Placeholders"].max_row - 1 == len(ds.placeholder_figures())
    streams = workbook["Streams"]
    assert "Amount is a placeholder" in header(streams)


def test_values_equal_the_csvs(tmp_path):
    import pandas as pd

    from budgetopt.pipeline import run_scenario
    from budgetopt.reporting.outputs import write_outputs

    run = run_scenario(REPO_ROOT / "parameters" / "baseline.yaml")
    write_outputs(run, tmp_path, explained=True)
    wb = openpyxl.load_workbook(tmp_path / "allocation.xlsx")
    csv = pd.read_csv(tmp_path / "allocation.csv")
    ws = wb["Allocation"]
    head = header(ws)
    rows = [dict(zip(head, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)]
    sheet = pd.DataFrame(rows).rename(columns={"Year": "year", "Service ID": "service_id",
                                               "Area ID": "area_id", "Amount (£)": "amount_gbp"})
    key = ["year", "service_id", "area_id"]
    merged = csv.merge(sheet[[*key, "amount_gbp"]], on=key, suffixes=("", "_xlsx"))
    assert len(merged) == len(csv) == len(sheet)
    assert (merged["amount_gbp"] == merged["amount_gbp_xlsx"]).all()
    # the explanations the paper shortens are all here
    assert "Frontier" in wb.sheetnames and "Limits" in wb.sheetnames
    assert wb["Frontier"].max_row - 1 == len(run.explainer.frontier().points)
    assert wb["Limits"].max_row - 1 == len(run.explainer.limit_values())


def test_change_has_cash_real_and_percentages_as_fractions(workbook, baseline):
    ws = workbook["Change"]
    names = header(ws)
    assert any("real" in str(h) for h in names) and any("cash" in str(h) for h in names)
    pct = column(ws, "Change to 2027/28, cash (%)")
    expected = baseline.change().set_index("service_id")["change_pct"]
    sid_col = column(ws, "Service ID")
    checked = 0
    for r in ws.iter_rows(min_row=2, max_row=ws.max_row - 2):
        cell = r[pct - 1]
        if cell.value is None:
            continue
        assert cell.number_format == PERCENT_FORMAT
        assert cell.value == pytest.approx(expected[r[sid_col - 1].value] / 100)
        checked += 1
    assert checked


def test_streams_and_flows_balance(workbook, baseline):
    ws = workbook["Streams"]
    for r in ws.iter_rows(min_row=2, values_only=True):
        d = dict(zip(header(ws), r, strict=True))
        assert d["Available (£)"] - d["Allocated (£)"] == d["Unspent (£)"]
    flows = workbook["Flows"]
    j = column(flows, "Amount (£)")
    total = sum(r[0] for r in flows.iter_rows(min_row=2, min_col=j, max_col=j, values_only=True))
    assert total == sum(baseline.totals().values())


def test_safe_text_follows_the_owasp_rule():
    for bad in ("=1+1", "+1", "-2", "@SUM(1)", "\tx", "\rx"):
        assert safe_text(bad) == "'" + bad
    assert safe_text("Devon") == "Devon"
    assert safe_text("cornwall-ios") == "cornwall-ios"
    assert safe_text("a\x00b") == "ab"


def test_formula_like_names_are_written_as_text(tmp_path, dataset_copy, csv_edit):
    svc = [r["service_id"] for r in csv_edit.records("services")]
    hyperlink = '=HYPERLINK("http://x","y")'
    csv_edit.set_cell("services", {"service_id": svc[0]}, "name", hyperlink)
    csv_edit.set_cell("services", {"service_id": svc[1]}, "name", "@SUM(1)")
    csv_edit.set_cell("services", {"service_id": svc[2]}, "provider", "+1")
    csv_edit.set_cell("services", {"service_id": svc[3]}, "provider", "-2")
    params = tmp_path / "inject.yaml"
    params.write_text(f"name: inject\ntitle: Injection\ndataset: {dataset_copy}\n",
                      encoding="utf-8")
    result = solve(params)
    assert result.is_optimal
    wb = openpyxl.load_workbook(write_workbook(result, tmp_path / "inject.xlsx"))

    wanted = {hyperlink, "@SUM(1)", "+1", "-2"}
    seen: dict[str, list] = {w: [] for w in wanted}
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if cell.data_type == "f":  # only the workbook's own totals are formulas
                    assert cell.row == ws.max_row and (SUM.match(v) or RATIO.match(v)), \
                        (ws.title, cell.coordinate, v)
                    continue
                if isinstance(v, str):
                    assert not v.startswith(("=", "+", "-", "@", "\t", "\r")), \
                        (ws.title, cell.coordinate, v)
                    if v[1:] in wanted:
                        assert v.startswith("'") and cell.data_type == "s"
                        seen[v[1:]].append((ws.title, cell.coordinate))
    assert all(seen.values()), seen
    # the names appear on the sheets a reader uses
    assert any(t == "Allocation" for t, _ in seen[hyperlink])
    assert any(t.startswith("Matrix") for t, _ in seen["@SUM(1)"])
    assert any(t == "Allocation" for t, _ in seen["+1"])
    # numbers stay numbers
    ws = wb["Allocation"]
    j = column(ws, "Amount (£)")
    assert all(type(r[0]) is int
               for r in ws.iter_rows(min_row=2, min_col=j, max_col=j, values_only=True))


def test_infeasible_result_writes_only_the_summary(tmp_path):
    params = tmp_path / "too-deep.yaml"
    params.write_text(f"name: too-deep\ntitle: Too deep a cut\n"
                      f"dataset: {REPO_ROOT / 'data' / 'devon-cornwall'}\n"
                      "budget_change_pct: -30\n", encoding="utf-8")
    result = solve(params)
    assert not result.is_optimal
    wb = openpyxl.load_workbook(write_workbook(result, tmp_path / "too-deep.xlsx"))
    assert wb.sheetnames == ["Summary"] == sheet_names(result)
    facts = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert facts["Status"] == "infeasible"
    assert facts["Status explained"] == result.status.sentence
    assert not any("(£)" in str(k) for k in facts)
