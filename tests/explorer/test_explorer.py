"""The explorer without a browser: set widget values, assert on the solved result and the
saved scenario (which `budgetopt solve` must reproduce to the pound)."""

from __future__ import annotations

import math
import re
import subprocess
import sys
from html import escape
from pathlib import Path

import pandas as pd
import pytest
import yaml

from budgetopt.core.errors import InputError
from budgetopt.data.inputs import load_inputs, resolve
from budgetopt.data.scenario import load_scenario
from budgetopt.explorer import quick_charts
from budgetopt.explorer.app import ScenarioExplorer
from budgetopt.explorer.controls import parse
from budgetopt.paper import charts
from budgetopt.results.result import make_result
from budgetopt.solve.allocator import Allocator

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def explorer(tmp_path):
    # a private repository root so saving never writes into the real parameters/
    (tmp_path / "parameters").mkdir()
    (tmp_path / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp_path / "data").symlink_to(REPO / "data")
    (tmp_path / "parameters" / "baseline.yaml").write_text(
        (REPO / "parameters" / "baseline.yaml").read_text())
    return ScenarioExplorer.from_parameters("parameters/baseline.yaml", tmp_path)


def pin_street_marshals(explorer, year) -> None:
    """Pin the street marshals at £170,000 in ``year`` through the app's pin controls."""
    explorer.pin_service.value = "street-marshals"
    explorer.pin_year.value = year
    explorer.pin_amount.value = 170_000
    explorer.pin_reason.value = "Council match funding agreed"
    explorer.pin_add.click()


def cold(inputs):
    alloc = Allocator(inputs)
    return make_result(alloc, alloc.solve(warm=False))


def test_starts_on_the_baseline(explorer):
    base = cold(load_inputs(REPO / "parameters" / "baseline.yaml"))
    assert explorer.last_error is None
    assert explorer.last_result.totals() == base.totals()
    assert "Allocation matrix" in explorer.matrix.value


def test_budget_control_resolves_warm_and_matches_a_cold_solve(explorer):
    explorer.budget.value = -5
    assert explorer.last_error is None
    assert explorer.last_result.warm
    inputs = resolve(explorer.dataset, explorer.base_scenario.with_changes(budget_change_pct=-5))
    assert explorer.last_result.totals() == cold(inputs).totals()
    first = inputs.years[0]
    assert f"£{cold(inputs).totals()[first]:,}" in explorer.matrix.value
    assert explorer.timings["total"] > 0


def test_weights_limits_and_streams_change_the_scenario(explorer):
    explorer.weights["victims"].value = 2.0
    explorer.tau.value = 0.05
    explorer.delta.value = 0.2
    explorer.streams["moj-victims"].value = 10
    sc = explorer.scenario()
    assert sc.priority_weights == {"victims": 2.0}
    assert sc.fairness_tolerance == 0.05 and sc.stability_limit == 0.2
    assert sc.stream_amounts["moj-victims"][2025] == 4_070_000
    assert explorer.last_result.is_optimal
    assert explorer.last_inputs.stream_amounts.at["moj-victims", 2025] == 4_070_000


def test_plan_years_change_rebuilds_the_model(explorer):
    old = explorer.alloc
    explorer.years.value = 2
    assert explorer.alloc is not old
    assert explorer.last_result.years == [2025, 2026]


def test_pins_add_and_remove(explorer):
    pin_street_marshals(explorer, 2026)
    assert explorer.last_error is None
    t = explorer.last_result.allocation()
    got = t[(t["service_id"] == "street-marshals") & (t["year"] == 2026)]["amount_gbp"].sum()
    assert got == 170_000
    published = len(explorer.pins) - 1  # the baseline's own pins (the published 2025/26 round)
    explorer.pin_list.value = published
    explorer.pin_remove.click()
    assert len(explorer.pins) == published
    assert all(p.service != "street-marshals" for p in explorer.pins)


def test_errors_are_shown_in_the_app_not_lost(explorer):
    explorer.pin_reason.value = ""
    explorer.pin_add.click()
    assert "reason" in explorer.message.value
    assert explorer.last_error is not None


@pytest.mark.parametrize("reason", ["", "   ", "  x ", "ab"])
def test_a_pin_reason_follows_the_scenario_files_rule(explorer, reason, tmp_path):
    # one rule for a file and the explorer: at least three characters besides spaces (before
    # issue 10 the explorer stripped spaces and a file did not, so "  x" passed validate)
    explorer.pin_reason.value = reason
    explorer.pin_add.click()
    assert "at least 3 characters" in explorer.message.value
    path = tmp_path / "pin.yaml"
    path.write_text(yaml.safe_dump({
        "name": "pin", "title": "Pin", "dataset": "data/devon-cornwall",
        "pins": [{"service": "street-marshals", "year": 2025, "amount_gbp": 1, "reason": reason}]}))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert any(p.key == "pins.0.reason" and "at least 3 characters" in p.rule
               for p in info.value.problems)


def test_a_setting_that_cannot_be_met_shows_the_diagnosis(explorer):
    explorer.budget.value = -25
    assert not explorer.last_result.is_optimal
    assert "Cannot be met" in explorer.status.value
    assert "smallest fix" in explorer.diagnosis.value
    explorer.budget.value = 0
    assert explorer.last_result.is_optimal


def test_compare_against_baseline(explorer):
    explorer.budget.value = 3
    assert "Against the baseline" in explorer.compare.value
    assert "+£" in explorer.compare.value


@pytest.mark.slow  # the command in a fresh process
def test_saved_scenario_round_trips_through_budgetopt_solve(explorer, tmp_path):
    explorer.budget.value = -4
    explorer.weights["asb"].value = 1.5
    pin_street_marshals(explorer, 2026)
    explorer.save_name.value = "explored"
    path = explorer.save()
    assert path == tmp_path / "parameters" / "explored.yaml"
    data = yaml.safe_load(path.read_text())
    assert data["budget_change_pct"] == -4 and data["pins"][-1]["service"] == "street-marshals"
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "budgetopt.cli", "solve", str(path), "--out",
                        str(out)], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    solved = pd.read_csv(out / "allocation.csv").set_index(
        ["year", "service_id", "area_id"])["amount_gbp"]
    shown = explorer.last_result.allocation().set_index(
        ["year", "service_id", "area_id"])["amount_gbp"]
    assert (solved - shown).abs().max() == 0


@pytest.mark.slow  # the command in a fresh process
def test_explore_command_rejects_a_bad_scenario(tmp_path):
    p = subprocess.run([sys.executable, "-m", "budgetopt.cli", "explore", "--params",
                        str(tmp_path / "missing.yaml")], capture_output=True, text=True,
                       timeout=60, cwd=REPO)
    assert p.returncode == 2 and "does not exist" in p.stderr and "Traceback" not in p.stderr


def test_why_tab_explains_the_current_setting(explorer):
    explorer.budget.value = -2
    explorer.tabs.selected_index = 2
    assert "The next £100k" in explorer.margins.value
    assert "Limits that shape 2025/26" in explorer.limits.value
    before = explorer.margins.value
    explorer.budget.value = 2  # redrawn while the tab is open
    assert explorer.margins.value != before


def test_charts_tab_draws_svg_with_alt_text(explorer):
    explorer.tabs.selected_index = 1
    assert 'role="img"' in explorer.chart_schemes.value
    assert "aria-label" in explorer.chart_change.value
    r = explorer.last_result
    ds, y = r.inputs.dataset, r.years[0]
    same = charts.schemes_bars(r.by_scheme(), ds.schemes["name"], y, r.inputs.base_year,
                               "2025/26", "2024/25")
    assert escape(same.alt, quote=True) in explorer.chart_schemes.value  # the paper's words


def test_quick_bars_are_drawn_to_scale_with_their_figures():
    b = charts.Bars("T", "alt <text>", ["small", "a label " * 12],
                    [("last year", "#111", [100.0, 300.0]), ("change", "", [-50.0, 150.0])])
    svg = quick_charts.svg(b)
    widths = {t: float(wd) for wd, t in re.findall(
        r'width="([\d.]+)" height="[\d.]+" fill="[^"]+"><title>([^<]+)</title>', svg)}
    # one scale for every bar: 300 is three times 100, -50 a third of 150
    assert widths["small, last year: £100"] * 3 == pytest.approx(
        widths[f"{b.labels[1]}, last year: £300"], abs=0.2)
    assert widths["small, change: −£50"] * 3 == pytest.approx(
        widths[f"{b.labels[1]}, change: £150"], abs=0.2)
    assert 'fill="#c0504d"><title>small, change' in svg  # a fall without a colour: red
    assert "alt &lt;text&gt;" in svg and "alt <text>" not in svg  # escaped
    assert "…</text>" in svg and f"<title>{b.labels[1]}</title>" in svg  # shortened, whole


def test_a_pin_outside_the_plan_is_refused_as_the_cli_refuses_it(explorer):
    # before issue 10 the explorer quietly dropped such a pin while `budgetopt validate`
    # refused it; now both give the same message
    pin_street_marshals(explorer, explorer.dataset.plan_years[2])
    assert explorer.last_error is None
    explorer.years.value = 2
    assert "not a plan year of this scenario" in explorer.message.value
    assert f"pins.{len(explorer.pins) - 1}.year" in explorer.message.value
    explorer.years.value = 3
    assert explorer.last_error is None and explorer.last_result.is_optimal


def test_the_robustness_tab_runs_on_request_shows_progress_and_can_be_cancelled(explorer):
    tab = explorer.robustness
    assert tab.report is None  # nothing runs until asked
    tab.draws.value = 50
    tab.start()
    tab.wait(120)
    assert not tab.running and tab.report is not None and tab.report.draws == 50
    assert tab.progress.value == 50
    assert "core (above its minimum" in tab.status.value and "<svg" in tab.view.value
    assert not tab.start_button.disabled and tab.cancel_button.disabled
    # cancelled straight away: it stops after the first batch and says so
    tab.draws.value = 2000
    tab.start()
    tab.cancel()
    tab.wait(120)
    assert tab.report.draws < 2000
    assert f"Cancelled</b> after {tab.report.draws:,} of 2,000 draws" in tab.status.value


# ---------------------------------------------------------------- safe save (issue 13)
def test_save_never_replaces_a_shipped_or_hand_written_scenario(explorer, tmp_path):
    target = tmp_path / "parameters" / "baseline.yaml"
    before = target.read_text()
    explorer.budget.value = -5
    explorer.save_name.value = "baseline"
    explorer.save_replace.value = True  # not even when asked to replace
    assert explorer.save() is None
    assert target.read_text() == before
    assert "never replaced" in explorer.saved.value and "baseline-2" in explorer.saved.value
    assert explorer.save_name.value == "baseline-2"  # the free name is offered
    assert explorer.message.value == ""  # the outcome shows under the button, nowhere else


def test_save_replaces_its_own_file_only_when_asked(explorer, tmp_path):
    explorer.save_name.value = "mine"
    first = explorer.save()
    assert first == tmp_path / "parameters" / "mine.yaml" and "Saved" in explorer.saved.value
    explorer.budget.value = -2
    explorer.save_name.value = "mine"
    assert explorer.save() is None and "already exists" in explorer.saved.value
    assert "budget_change_pct" not in first.read_text()
    explorer.save_name.value = "mine"
    explorer.save_replace.value = True
    assert explorer.save() == first and "budget_change_pct: -2" in first.read_text()


def test_a_failed_save_says_so_under_the_button_in_plain_words(explorer):
    explorer.save_name.value = "no spaces allowed"
    assert explorer.save() is None
    assert "Not saved" in explorer.saved.value and "budgetopt-saved-invalid" in \
        explorer.saved.value
    assert "may hold only letters" in explorer.saved.value  # not pydantic's pattern text
    explorer.save_name.value = "fine"
    assert explorer.save() is not None and "Not saved" not in explorer.saved.value


def test_saving_a_scenario_that_cannot_be_met_says_so(explorer):
    explorer.budget.value = -25
    explorer.save_name.value = "too-deep"
    assert explorer.save() is not None
    assert "cannot be met" in explorer.saved.value


def test_export_writes_the_tables_on_screen(explorer, tmp_path):
    explorer.save_name.value = "exported"
    folder = explorer.export()
    assert folder == tmp_path / "reports" / "explorer" / "exported"
    shown = explorer.last_result.allocation()
    written = pd.read_csv(folder / "allocation.csv")
    assert int(written["amount_gbp"].sum()) == int(shown["amount_gbp"].sum())
    assert (folder / "allocation.xlsx").is_file()
    assert not (folder / "comparison.csv").exists()  # nothing kept yet


def test_export_writes_the_kept_settings_compared(explorer):
    start = explorer.last_result
    explorer.budget.value = -2
    explorer.keep_name.value = "two off"
    explorer.keep()
    explorer.save_name.value = "compared"
    folder = explorer.export()
    assert "comparison.csv, comparison.xlsx" in explorer.saved.value
    t = pd.read_csv(folder / "comparison.csv")
    assert list(t.columns) == ["scheme_id", "scheme", "year", "financial_year", "start_gbp",
                               "two off_gbp", "two off_change_gbp"]
    for y, part in t.groupby("year"):  # each year's column adds up to that year's total
        assert part["start_gbp"].sum() == start.totals()[y]
        assert part["two off_gbp"].sum() == explorer.kept[0][1].totals()[y]
    assert (t["two off_change_gbp"] == t["two off_gbp"] - t["start_gbp"]).all()
    from openpyxl import load_workbook
    ws = load_workbook(folder / "comparison.xlsx")["Compared"]
    assert [c.value for c in ws[1]] == ["Scheme", "Year", "Start (£)", "two off (£)",
                                        "two off: change (£)"]
    assert ws.cell(ws.max_row, 3).value == f"=SUM(C2:C{len(t) + 1})"


# ---------------------------------------------------------------- controls and changes (issue 13)
def test_a_number_box_sets_its_slider_and_refuses_what_it_cannot_take(explorer):
    explorer.budget.box.value = "-4.5"
    assert explorer.budget.value == -4.5 and explorer.last_result.is_optimal
    explorer.budget.box.value = "-55"  # outside −30..+30: refused, not clamped
    assert explorer.budget.value == -4.5 and explorer.budget.box.value == "-4.5"
    assert "Total budget change (%): -55% is outside the range -30% to 30%" in \
        explorer.message.value
    explorer.budget.box.value = "abc"  # not a number: refused with the control's name
    assert explorer.budget.value == -4.5 and explorer.budget.box.value == "-4.5"
    assert "Total budget change (%): “abc” is not a number; type a number from -30% to 30%" \
        in explorer.message.value
    explorer.budget.box.value = "−3%"  # a typographic minus and the unit are understood
    assert explorer.budget.value == -3
    explorer.budget.value = -2  # and the slider moves the box
    assert explorer.budget.box.value == "-2"
    explorer.years.box.value = "1.5"  # plan years are whole
    assert "Plan years: “1.5” is not a whole number" in explorer.message.value


@pytest.mark.parametrize(("text", "integer", "value"), [
    ("5", False, 5.0), (" -2.5 ", False, -2.5), ("−7%", False, -7.0), ("1,000", False, 1000.0),
    ("3", True, 3), ("", False, None), ("abc", False, None), ("nan", False, None),
    ("inf", False, None), ("2.5", True, None), ("1e3", False, 1000.0)])
def test_what_a_number_box_understands(text, integer, value):
    assert parse(text, integer) == value


def test_labels_are_whole_and_plain(explorer):
    names = [c.label for c in [explorer.budget, *explorer.streams.values(), explorer.tau,
                               explorer.delta]]
    assert "Fairness band (± share of need)" in names
    assert "Most a service may change in a year" in names
    for f, control in explorer.streams.items():
        assert control.label == f"{explorer.dataset.streams.at[f, 'name']} (%)"  # not cut
    assert all("τ" not in n and "δ" not in n for n in names)


def test_the_summary_says_what_changed_against_the_last_setting_and_the_start(explorer):
    start_total = explorer.baseline.totals()[2025]
    explorer.budget.value = -2
    bar = explorer.status.value
    assert "Total 2025/26:" in bar and "on the last setting" in bar and "on the start" in bar
    now = explorer.last_result.totals()[2025]
    assert f"{now - start_total:+,}".replace("-", "−").replace("+", "+£").replace("−", "−£") \
        in bar
    assert "What changed:" in explorer.changed.value
    assert "warm re-solve" not in bar  # no jargon


def test_undo_and_reset(explorer):
    start = explorer.last_result.totals()[2025]
    explorer.budget.value = -2
    explorer.delta.value = 0.2
    assert explorer.delta.value == 0.2
    explorer.undo()
    assert explorer.delta.value == explorer.base_scenario.stability_limit
    assert explorer.budget.value == -2
    explorer.reset()
    assert explorer.budget.value == 0 and explorer.last_result.totals()[2025] == start


def test_a_cut_that_cannot_be_met_offers_the_deepest_that_can(explorer):
    explorer.budget.value = -25
    assert not explorer.last_result.is_optimal
    best = explorer.deepest
    assert best is not None and -25 < best < 0
    assert "deepest budget change that can be met" in explorer.diagnosis.value
    explorer.apply_fix.click()
    assert explorer.last_result.is_optimal  # rounded towards what can be met
    assert explorer.budget.value - best < 0.5 + 1e-9
    explorer.budget.value = explorer.budget.value - 0.5  # half a step deeper cannot be met
    assert not explorer.last_result.is_optimal


def test_a_stream_cut_that_cannot_be_met_offers_the_nearest_that_can(explorer):
    hotspot = explorer.streams["hotspot"]
    hotspot.value = -100  # the hotspot money pays for contracted work
    assert not explorer.last_result.is_optimal
    html = explorer.diagnosis.value
    assert "Or one ring-fenced stream alone" in html
    found = re.search(r"Hotspot response \(ASB and serious violence\): −(\d+\.\d)%", html)
    assert found, html
    nearest = -float(found.group(1))
    assert "MoJ victims&#x27; grant: no change to it alone makes this possible" in html
    hotspot.value = math.ceil(nearest)  # the slider's step, towards what can be met
    assert explorer.last_result.is_optimal
    hotspot.value = math.ceil(nearest) - 1
    assert not explorer.last_result.is_optimal


def test_the_matrix_highlights_what_changed_and_marks_pins(explorer):
    pin_street_marshals(explorer, 2025)
    html = explorer.matrix.value
    assert re.search(r"Street marshals \(night-time economy\)( †)? \(pinned\)", html)
    assert 'class="member changed"' in html  # the pinned service moved with this move
    assert "Scheme and service" in html and "Change (£)" in html  # the paper's matrix


def test_kept_settings_are_compared_side_by_side(explorer):
    explorer.budget.value = -2
    explorer.keep_name.value = "two off"
    explorer.keep()
    explorer.budget.value = -4
    explorer.keep_name.value = "four off"
    explorer.keep()
    html = explorer.compare.value
    assert "two off: change (£)" in html and "four off: change (£)" in html
    assert "four off: change from the start by scheme and year" in html
    assert "2027/28 (£)" in html
    for i in range(6):  # at most six are kept
        explorer.keep_name.value = f"k{i}"
        explorer.keep()
    assert len(explorer.kept) == 6 and explorer.kept[-1][0] == "k5"
    assert explorer.busy.value == ""  # the busy indicator is cleared after each solve
