"""The interactive scenario explorer: ipywidgets in JupyterLab or served by Voila.

:class:`ScenarioExplorer` owns the controls, the kept model and the last result. A control change
builds a scenario from the controls, checks it through the scenario model, edits the kept HiGHS
model in place and re-solves warm (a change of plan years rebuilds it), then redraws the views.
Sliders use ``continuous_update=False``, so a drag solves once, on release. Anything that goes
wrong in a callback is shown in the app, never lost in a log.

The notebook ``notebooks/explore.ipynb`` only displays an explorer; ``budgetopt explore``
serves that notebook with Voila on 127.0.0.1. Nothing is loaded from the internet: charts are
inline SVG and the widgets' scripts come from the local server.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as w
from pydantic import ValidationError

from budgetopt.core.errors import InputError
from budgetopt.core.text import fy, money
from budgetopt.data.dataset import Dataset, load_dataset
from budgetopt.data.inputs import ModelInputs
from budgetopt.data.problems import problems_from
from budgetopt.data.scenario import (
    Pin,
    Scenario,
    load_scenario,
    repository_root,
    scenario_dataset_path,
)
from budgetopt.explorer import saving, views
from budgetopt.explorer.robustness import RobustnessTab
from budgetopt.explorer.serve import PARAMS_ENV
from budgetopt.pipeline import ScenarioRun, run_scenario
from budgetopt.reporting.outputs import write_outputs
from budgetopt.results.result import Result
from budgetopt.solve.allocator import Allocator

CSS = """<style>
.budgetopt-matrix table, .budgetopt-compare table { border-collapse: collapse; font-size: 12px; }
.budgetopt-matrix th, .budgetopt-matrix td, .budgetopt-compare th, .budgetopt-compare td {
  padding: 2px 6px; border-bottom: 1px solid #ddd; text-align: left; }
.budgetopt-matrix th[scope=row], .budgetopt-compare th[scope=row] { font-weight: normal; }
.budgetopt-matrix .num, .budgetopt-compare .num { text-align: right; white-space: nowrap; }
.budgetopt-matrix tr.total, .budgetopt-compare tr.total { font-weight: bold; }
.budgetopt-matrix caption, .budgetopt-compare caption { text-align: left; font-weight: bold; }
</style>"""
STYLE = {"description_width": "13em"}
WIDE = w.Layout(width="26em")


class ScenarioExplorer:
    """Explore scenarios around a base scenario; save one for ``budgetopt run``."""

    def __init__(self, base: Scenario, dataset: Dataset, repo_root: Path) -> None:
        self.base_scenario = base
        self.dataset = dataset
        self.repo_root = repo_root
        self.pins: list[Pin] = list(base.pins)
        self.run: ScenarioRun | None = None
        self.last_error: str | None = None
        self.timings: dict[str, float] = {}
        self._building = True
        self._make_controls()
        self._make_views()
        self.baseline_run = run_scenario(base, dataset=dataset, solver="highs",
                                         repo_root=repo_root)
        self._building = False
        self.update()

    @property
    def baseline(self) -> Result:
        return self.baseline_run.result

    @property
    def alloc(self) -> Allocator | None:
        """The kept model the next move re-solves (the last run's)."""
        run = self.run or self.baseline_run
        return run.allocator

    @property
    def last_result(self) -> Result | None:
        return self.run.result if self.run else None

    @property
    def last_inputs(self) -> ModelInputs | None:
        return self.run.inputs if self.run else None

    @classmethod
    def from_parameters(cls, params: str | Path = "parameters/baseline.yaml",
                        repo_root: str | Path | None = None) -> ScenarioExplorer:
        """An explorer starting from a parameters file (``budgetopt explore --params`` sets
        the file through the environment, as Voila passes no arguments to notebooks)."""
        params = os.environ.get(PARAMS_ENV, params)
        root = Path(repo_root) if repo_root else repository_root(Path.cwd())
        path = Path(params) if Path(params).is_absolute() else root / params
        scenario = load_scenario(path)
        return cls(scenario, load_dataset(scenario_dataset_path(scenario, path)), root)

    # ------------------------------------------------------------------ controls
    def _make_controls(self) -> None:
        ds, sc = self.dataset, self.base_scenario
        slider = dict(continuous_update=False, style=STYLE, layout=WIDE)
        self.budget = w.FloatSlider(value=sc.budget_change_pct, min=-30, max=30, step=0.5,
                                    description="Total budget change (%)", readout_format=".1f",
                                    **slider)
        self.budget.add_class("budgetopt-budget")
        self.streams = {}
        for f, row in ds.streams.iterrows():
            if row["ring_fenced"]:
                self.streams[f] = w.FloatSlider(value=0.0, min=-100, max=100, step=1,
                                                description=f"{row['name'][:24]} (%)",
                                                readout_format=".0f", **slider)
        self.weights = {
            p: w.FloatSlider(value=float(sc.priority_weights.get(p, row["default_weight"])),
                             min=0, max=3, step=0.1, description=row["name"][:28], **slider)
            for p, row in ds.priorities.iterrows()}
        self.tau = w.FloatSlider(value=sc.fairness_tolerance, min=0, max=0.5, step=0.01,
                                 description="Fairness tolerance τ", **slider)
        self.delta = w.FloatSlider(value=sc.stability_limit, min=0, max=0.5, step=0.01,
                                   description="Stability limit δ", **slider)
        self.years = w.IntSlider(value=sc.plan_years, min=1, max=len(ds.plan_years),
                                 description="Plan years", **slider)
        for c in [self.budget, *self.streams.values(), *self.weights.values(), self.tau,
                  self.delta, self.years]:
            c.observe(self._changed, names="value")
        # pins
        services = [(r["name"], s) for s, r in ds.services.iterrows()]
        self.pin_service = w.Dropdown(options=services, description="Pin service",
                                      style=STYLE, layout=WIDE)
        self.pin_year = w.Dropdown(options=[(fy(y), y) for y in ds.plan_years],
                                   description="Year", style=STYLE, layout=WIDE)
        self.pin_amount = w.BoundedFloatText(value=0, min=0, max=1e9, step=1000,
                                             description="Amount (£)", style=STYLE, layout=WIDE)
        self.pin_reason = w.Text(placeholder="why this amount is fixed",
                                 description="Reason", style=STYLE, layout=WIDE)
        self.pin_add = w.Button(description="Add pin", icon="thumb-tack")
        self.pin_list = w.Select(options=[], rows=3, description="Pins", style=STYLE,
                                 layout=WIDE)
        self.pin_remove = w.Button(description="Remove pin")
        self.pin_add.on_click(lambda _: self._guard(self._add_pin))
        self.pin_remove.on_click(lambda _: self._guard(self._remove_pin))
        # save
        self.save_name = w.Text(value=f"{sc.name}-explored", description="Scenario name",
                                style=STYLE, layout=WIDE)
        self.save_title = w.Text(value=f"{sc.title} (explored)", description="Title",
                                 style=STYLE, layout=WIDE)
        self.save_replace = w.Checkbox(value=False, description="Replace it if I saved it before",
                                       indent=False)
        self.save_button = w.Button(description="Save scenario", icon="save",
                                    button_style="primary")
        self.save_button.on_click(lambda _: self.save())
        self.export_button = w.Button(description="Export tables",
                                      tooltip="CSV, JSON and the workbook of what is on screen, "
                                      "in reports/explorer/<name>/")
        self.export_button.on_click(lambda _: self.export())
        self._refresh_pins()

    def _make_views(self) -> None:
        self.message = w.HTML()
        self.message.add_class("budgetopt-message")
        self.status = w.HTML()
        self.status.add_class("budgetopt-status")
        self.matrix = w.HTML()
        self.matrix.add_class("budgetopt-matrix")
        self.chart_schemes, self.chart_fair, self.chart_change = w.HTML(), w.HTML(), w.HTML()
        self.margins, self.limits, self.diagnosis = w.HTML(), w.HTML(), w.HTML()
        self.compare = w.HTML()
        self.compare.add_class("budgetopt-compare")
        self.saved = w.HTML()
        self.robustness = RobustnessTab(
            lambda: self.run.inputs if self.run is not None and self.run.is_met else None,
            self.dataset.schemes["name"].to_dict())
        controls = w.VBox([
            w.HTML("<b>Money</b>"), self.budget, *self.streams.values(),
            w.HTML("<b>Priority weights</b>"), *self.weights.values(),
            w.HTML("<b>Limits</b>"), self.tau, self.delta, self.years,
            w.HTML("<b>Pins</b>"), self.pin_service, self.pin_year, self.pin_amount,
            self.pin_reason, w.HBox([self.pin_add, self.pin_remove]), self.pin_list,
            w.HTML("<b>Save</b>"), self.save_name, self.save_title, self.save_replace,
            w.HBox([self.save_button, self.export_button]), self.saved])
        self.tabs = tabs = w.Tab(children=[
            w.VBox([self.matrix]),
            w.VBox([self.chart_schemes, self.chart_fair, self.chart_change]),
            w.VBox([self.margins, self.limits, self.diagnosis]),
            w.VBox([self.compare]),
            self.robustness.widget])
        for i, title in enumerate(["Allocation", "Charts", "Why", "Against baseline",
                                   "Robustness"]):
            tabs.set_title(i, title)
        tabs.observe(lambda _: self._guard(self._render_open_tab), names="selected_index")
        self._charts_stale = self._why_stale = True
        self.widget = w.VBox([w.HTML(CSS), self.message, self.status,
                              w.HBox([controls, tabs])])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ state -> scenario
    def scenario(self) -> Scenario:
        """The scenario the controls describe (checked by the scenario model)."""
        ds, years = self.dataset, self.dataset.plan_years[: self.years.value]
        base = ds.stream_amounts["amount_gbp"].unstack("year")
        streams = {f: {fy(y): round(float(base.at[f, y]) * (1 + s.value / 100)) for y in years}
                   for f, s in self.streams.items() if s.value}
        weights = {p: round(s.value, 4) for p, s in self.weights.items()
                   if s.value != float(ds.priorities.at[p, "default_weight"])}
        return self.base_scenario.with_changes(
            budget_change_pct=round(self.budget.value, 4), stream_amounts=streams,
            priority_weights=weights, fairness_tolerance=round(self.tau.value, 4),
            stability_limit=round(self.delta.value, 4), plan_years=self.years.value,
            pins=[p.model_dump() for p in self.pins])  # a pin outside the plan is refused,
        # as budgetopt validate refuses it: the app says so rather than quietly dropping it

    # ------------------------------------------------------------------ solving
    def _changed(self, change: dict[str, Any]) -> None:
        if not self._building:
            self.update()

    def _guard(self, action: Callable[[], object]) -> None:
        """Run a callback; show any error in the app instead of losing it."""
        try:
            action()
        except InputError as e:
            self._show_error(e.report())
        except ValidationError as e:
            self._show_error(InputError(problems_from(e, "explorer"), "This setting").report())
        except Exception:  # noqa: BLE001 - a callback must never fail silently
            self._show_error("Something went wrong:\n" + traceback.format_exc(limit=3))

    def _show_error(self, text: str) -> None:
        self.last_error = text
        self.message.value = (f'<div style="color:#b00020;white-space:pre-wrap">'
                              f"{escape(text)}</div>")

    def update(self) -> None:
        """Solve the controls' scenario (warm when the structure allows) and redraw."""
        self._guard(self._update)

    def _update(self) -> None:
        t0 = time.perf_counter()
        run = run_scenario(self.scenario(), dataset=self.dataset, solver="highs",
                           allocator=self.alloc, repo_root=self.repo_root, params_file=None)
        self.message.value, self.last_error = "", None
        t1 = time.perf_counter()
        self.run = run
        self._render(run)
        t2 = time.perf_counter()
        self.timings = {"solve_and_tables": t1 - t0, "render": t2 - t1, "total": t2 - t0}

    # ------------------------------------------------------------------ views
    def _render(self, run: ScenarioRun) -> None:
        self.status.value = views.status_line(run)
        self.diagnosis.value = views.diagnosis(run)
        self._charts_stale = self._why_stale = True
        if not run.is_met:
            self.matrix.value = "<p>No allocation: see Why.</p>"
            for view in (self.chart_schemes, self.chart_fair, self.chart_change, self.margins,
                         self.limits, self.compare):
                view.value = ""
            return
        self.matrix.value = views.matrix(run.result, run.inputs.years[0])
        self._render_open_tab()
        self.compare.value = views.against(run.result, self.baseline)

    def _render_open_tab(self) -> None:
        """Charts and the Why tab cost most to draw (the Why tab re-solves twice), so they are
        drawn when their tab is open, and once per result."""
        if self.tabs.selected_index == 1:
            self._render_charts()
        elif self.tabs.selected_index == 2:
            self._render_why()

    def _render_why(self) -> None:
        if not self._why_stale or self.run is None or not self.run.is_met:
            return
        self.margins.value, self.limits.value = views.why(self.run)
        self._why_stale = False

    def _render_charts(self) -> None:
        if not self._charts_stale or self.run is None or not self.run.is_met:
            return
        self.chart_schemes.value, self.chart_fair.value, self.chart_change.value = (
            views.chart_views(self.run.result))
        self._charts_stale = False

    # ------------------------------------------------------------------ pins and saving
    def _add_pin(self) -> None:
        reason = self.pin_reason.value.strip()
        pin = Pin(service=self.pin_service.value, year=self.pin_year.value,
                  amount_gbp=self.pin_amount.value, reason=reason or "")
        self.pins = [p for p in self.pins if (p.service, p.year) != (pin.service, pin.year)]
        self.pins.append(pin)
        self._refresh_pins()
        self.update()

    def _remove_pin(self) -> None:
        if self.pin_list.value is None:
            return
        self.pins.pop(self.pin_list.value)
        self._refresh_pins()
        self.update()

    def _refresh_pins(self) -> None:
        names = self.dataset.services["name"]
        self.pin_list.options = [(f"{names[p.service]} {fy(p.year)}: {money(p.amount_gbp)}", i)
                                 for i, p in enumerate(self.pins)]

    def save(self) -> Path | None:
        """Write the current settings as parameters/<name>.yaml (accepted by budgetopt run),
        never over a shipped, committed or hand-written scenario; the outcome is shown under
        the button (and only there). Returns the path written, or None."""
        try:
            scenario = self.scenario().with_changes(
                name=self.save_name.value.strip(), title=self.save_title.value.strip(),
                description="Saved from the scenario explorer.")
        except (InputError, ValidationError) as e:
            problems = (e.problems if isinstance(e, InputError)
                        else problems_from(e, "explorer"))
            labels = {"name": "Scenario name", "title": "Title"}
            self._saved("invalid", "Not saved: " + "; ".join(
                f"{labels.get(p.key or '', p.key or 'a setting')}: {p.rule}" for p in problems))
            return None
        outcome = saving.save(scenario, self.repo_root, replace=self.save_replace.value,
                              met=self.run is not None and self.run.is_met,
                              start=self.base_scenario.name)
        self._saved(outcome.kind, outcome.message)
        if outcome.suggestion:
            self.save_name.value = outcome.suggestion
        return outcome.path if outcome.kind == "saved" else None

    def export(self) -> Path | None:
        """Write the tables of what is on screen (CSV, JSON, workbook) with the writers of
        ``budgetopt run``, into reports/explorer/<name>/."""
        if self.run is None:
            self._saved("invalid", "Nothing to export yet.")
            return None
        name = self.save_name.value.strip() or "explored"
        folder = self.repo_root / "reports" / "explorer" / name
        write_outputs(self.run, folder)
        self._saved("saved", f"Exported {folder.relative_to(self.repo_root)}/ (allocation.csv, "
                    "flows.csv, result.json, allocation.xlsx, manifest.json).")
        return folder

    def _saved(self, kind: str, text: str) -> None:
        colour = "#1d6b2f" if kind == "saved" else "#b00020"
        self.saved.value = f'<p style="color:{colour}" class="budgetopt-saved-{kind}">' \
                           f"{escape(text)}</p>"
