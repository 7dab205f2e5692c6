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
from budgetopt.explorer import changes, history, saving, views
from budgetopt.explorer.controls import NumberSlider
from budgetopt.explorer.robustness import RobustnessTab
from budgetopt.explorer.serve import PARAMS_ENV
from budgetopt.pipeline import ScenarioRun, run_scenario
from budgetopt.results.result import Result
from budgetopt.solve.allocator import Allocator

STYLE = {"description_width": "13em"}
WIDE = w.Layout(width="28em")


class ScenarioExplorer:
    """Explore scenarios around a base scenario; save one for ``budgetopt run``."""

    def __init__(self, base: Scenario, dataset: Dataset, repo_root: Path) -> None:
        self.base_scenario = base
        self.dataset = dataset
        self.repo_root = repo_root
        self.pins: list[Pin] = list(base.pins)
        self.run: ScenarioRun | None = None
        self.previous: Result | None = None  # the result before the last move
        self.kept: list[tuple[str, Result]] = []  # named settings, for the Compare tab
        self.history: list[Scenario] = []  # the settings before each move, for Undo
        self.deepest: float | None = None  # when a setting cannot be met
        self.last_error: str | None = None
        self.timings: dict[str, float] = {}
        self.building = True
        self.restoring = False
        self._make_controls()
        self._make_views()
        self.baseline_run = run_scenario(base, dataset=dataset, solver="highs",
                                         repo_root=repo_root)
        self.building = False
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
        refused = self.show_error
        self.budget = NumberSlider(
            "Total budget change (%)", sc.budget_change_pct, -30, 30, 0.5,
            "Changes the total budget in every plan year by this share, taken from or added to "
            "the unrestricted core budget", refused, "%", css="budgetopt-budget")
        self.streams = {
            f: NumberSlider(f"{row['name']} (%)", 0.0, -100, 100, 1,
                            f"Changes the {row['name']} in every plan year by this share of the "
                            "dataset's amount (−100% removes it)", refused, "%")
            for f, row in ds.streams.iterrows() if row["ring_fenced"]}
        self.weights = {
            p: NumberSlider(row["name"], float(sc.priority_weights.get(p, row["default_weight"])),
                            0, 3, 0.1, f"How much a £ of social value towards '{row['name']}' "
                            "counts: 2 counts it twice, 0 not at all", refused)
            for p, row in ds.priorities.iterrows()}
        self.tau = NumberSlider(
            "Fairness band (± share of need)", sc.fairness_tolerance, 0, 0.5, 0.01,
            "How far an area's share of an area-split scheme may stray from its need share: "
            "0.10 lets a 30% need share receive 27–33%", refused)
        self.delta = NumberSlider(
            "Most a service may change in a year", sc.stability_limit, 0, 0.5, 0.01,
            "Each year a continuing service moves by at most this share of its base-year "
            "amount", refused)
        self.years = NumberSlider("Plan years", sc.plan_years, 1, len(ds.plan_years), 1,
                                  "How many years the plan covers", refused, integer=True)
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
        self.refresh_pins()

    def _make_views(self) -> None:
        self.message = w.HTML()
        self.message.add_class("budgetopt-message")
        self.status = w.HTML()
        self.status.add_class("budgetopt-status")
        self.changed = w.HTML()
        self.changed.add_class("budgetopt-changed")
        self.undo_button = w.Button(description="Undo", tooltip="Back to the setting before "
                                    "the last move")
        self.reset_button = w.Button(description="Reset", tooltip="Back to the scenario the "
                                     "explorer started from")
        self.apply_fix = w.Button(description="Use the deepest budget change that can be met",
                                  layout=w.Layout(width="auto", display="none"))
        self.undo_button.on_click(lambda _: self._guard(self.undo))
        self.reset_button.on_click(lambda _: self._guard(self.reset))
        self.apply_fix.on_click(lambda _: self._guard(self._apply_deepest))
        self.keep_name = w.Text(placeholder="a name for this setting", layout=w.Layout(
            width="14em"))
        self.keep_button = w.Button(description="Keep", tooltip="Keep this setting to compare "
                                    "it side by side (up to six)")
        self.keep_button.on_click(lambda _: self._guard(self.keep))
        self.busy = w.HTML()
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
            w.HTML("<b>Money</b>"), self.budget.widget,
            *(c.widget for c in self.streams.values()),
            w.HTML("<b>Priority weights</b>"), *(c.widget for c in self.weights.values()),
            w.HTML("<b>Limits</b>"), self.tau.widget, self.delta.widget, self.years.widget,
            w.HTML("<b>Pins</b>"), self.pin_service, self.pin_year, self.pin_amount,
            self.pin_reason, w.HBox([self.pin_add, self.pin_remove]), self.pin_list,
            w.HTML("<b>Save</b>"), self.save_name, self.save_title, self.save_replace,
            w.HBox([self.save_button, self.export_button]), self.saved])
        self.tabs = tabs = w.Tab(children=[
            w.VBox([self.matrix]),
            w.VBox([self.chart_schemes, self.chart_fair, self.chart_change]),
            w.VBox([self.diagnosis, self.apply_fix, self.margins, self.limits]),
            w.VBox([self.compare]),
            self.robustness.widget])
        for i, title in enumerate(["Allocation", "Charts", "Why", "Compare", "Robustness"]):
            tabs.set_title(i, title)
        tabs.observe(lambda _: self._guard(self._render_open_tab), names="selected_index")
        self._charts_stale = self._why_stale = True
        bar = w.VBox([w.HBox([self.status, self.busy, self.undo_button, self.reset_button,
                              self.keep_name, self.keep_button]), self.changed])
        bar.add_class("budgetopt-bar")
        controls.add_class("budgetopt-controls")
        tabs.add_class("budgetopt-results")
        main = w.HBox([controls, tabs])
        main.add_class("budgetopt-main")
        self.widget = w.VBox([w.HTML(views.CSS), self.message, bar, main])

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)

    # ------------------------------------------------------------------ state -> scenario
    def scenario(self) -> Scenario:
        """The scenario the controls describe (checked by the scenario model)."""
        ds, years = self.dataset, self.dataset.plan_years[: int(self.years.value)]
        base = ds.stream_amounts["amount_gbp"].unstack("year")
        streams = {f: {fy(y): round(float(base.at[f, y]) * (1 + s.value / 100)) for y in years}
                   for f, s in self.streams.items() if s.value}
        weights = {p: round(s.value, 4) for p, s in self.weights.items()
                   if s.value != float(ds.priorities.at[p, "default_weight"])}
        return self.base_scenario.with_changes(
            budget_change_pct=round(self.budget.value, 4), stream_amounts=streams,
            priority_weights=weights, fairness_tolerance=round(self.tau.value, 4),
            stability_limit=round(self.delta.value, 4), plan_years=int(self.years.value),
            pins=[p.model_dump() for p in self.pins])  # a pin outside the plan is refused,
        # as budgetopt validate refuses it: the app says so rather than quietly dropping it

    # ------------------------------------------------------------------ solving
    def _changed(self, change: dict[str, Any]) -> None:
        if not self.building:
            self.update()

    def _guard(self, action: Callable[[], object]) -> None:
        """Run a callback; show any error in the app instead of losing it."""
        try:
            action()
        except InputError as e:
            self.show_error(e.report())
        except ValidationError as e:
            self.show_error(InputError(problems_from(e, "explorer"), "This setting").report())
        except Exception:  # noqa: BLE001 - a callback must never fail silently
            self.show_error("Something went wrong:\n" + traceback.format_exc(limit=3))

    def show_error(self, text: str) -> None:
        self.last_error = text
        self.message.value = (f'<div style="color:#b00020;white-space:pre-wrap">'
                              f"{escape(text)}</div>")

    def update(self) -> None:
        """Solve the controls' scenario (warm when the structure allows) and redraw. "Solving…"
        is sent first and cleared last; the page shows it only once it has stood for 0.2 s
        (a CSS delay), so quick moves do not flicker."""
        self.busy.value = '<span class="budgetopt-busy">Solving…</span>'
        try:
            self._guard(self._update)
        finally:
            self.busy.value = ""

    def _update(self) -> None:
        t0 = time.perf_counter()
        scenario = self.scenario()
        run = run_scenario(scenario, dataset=self.dataset, solver="highs",
                           allocator=self.alloc, repo_root=self.repo_root, params_file=None)
        self.message.value, self.last_error = "", None
        t1 = time.perf_counter()
        if self.run is not None and not self.restoring:
            self.history.append(self.run.scenario)
        self.previous = self.run.result if self.run is not None else None
        self.run = run
        self.render(run)
        t2 = time.perf_counter()
        self.timings = {"solve_and_tables": t1 - t0, "render": t2 - t1, "total": t2 - t0}

    # ------------------------------------------------------------------ views
    def render(self, run: ScenarioRun) -> None:
        self.status.value = changes.summary(run, self.previous, self.baseline)
        moved = changes.what_changed(run, self.previous)
        self.changed.value = ("<p><b>What changed:</b> " + escape("; ".join(moved)) + "</p>"
                              if moved else "")
        self.deepest = changes.deepest_change(run)
        self.diagnosis.value = changes.diagnosis(run, self.deepest, changes.deepest_stream_changes(
            run, list(self.streams)))
        self.apply_fix.layout.display = "none" if self.deepest is None else ""
        self._charts_stale = self._why_stale = True
        if not run.is_met:
            self.matrix.value = "<p>No allocation: see Why.</p>"
            for view in (self.chart_schemes, self.chart_fair, self.chart_change, self.margins,
                         self.limits, self.compare):
                view.value = ""
            return
        self.matrix.value = views.matrix(run, self.previous)
        self._render_open_tab()
        self.compare.value = (views.against(run.result, self.baseline)
                              + views.kept_states(self.kept, self.baseline))

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

    # ------------------------------------------------------------------ moves back
    def undo(self) -> None:
        """Back to the setting before the last move."""
        history.undo(self)

    def reset(self) -> None:
        """Back to the scenario the explorer started from."""
        history.reset(self)

    def keep(self) -> None:
        """Keep the setting on screen, named, for the Compare tab (up to six)."""
        history.keep(self)

    def _apply_deepest(self) -> None:
        history.apply_deepest(self)

    # ------------------------------------------------------------------ pins and saving
    def _add_pin(self) -> None:
        pin = Pin(service=self.pin_service.value, year=self.pin_year.value,
                  amount_gbp=self.pin_amount.value, reason=self.pin_reason.value)
        self.pins = [p for p in self.pins if (p.service, p.year) != (pin.service, pin.year)]
        self.pins.append(pin)
        self.refresh_pins()
        self.update()

    def _remove_pin(self) -> None:
        if self.pin_list.value is None:
            return
        self.pins.pop(self.pin_list.value)
        self.refresh_pins()
        self.update()

    def refresh_pins(self) -> None:
        names = self.dataset.services["name"]
        self.pin_list.options = [(f"{names[p.service]} {fy(p.year)}: {money(p.amount_gbp)}", i)
                                 for i, p in enumerate(self.pins)]

    def save(self) -> Path | None:
        """Write the current settings as parameters/<name>.yaml (accepted by budgetopt run),
        never over a shipped, committed or hand-written scenario (:mod:`.saving`)."""
        return saving.save_from(self)

    def export(self) -> Path | None:
        """Write the tables of what is on screen into reports/explorer/<name>/."""
        return saving.export_from(self)
