"""Moving back and keeping: Undo, Reset, named settings kept side by side, and applying the
deepest budget change that can be met. Each sets the explorer's controls from a scenario and
solves once."""

from __future__ import annotations

import math
from typing import Any

from budgetopt.data.scenario import Scenario
from budgetopt.explorer.views import KEPT


def undo(ex: Any) -> None:
    if ex.history:
        restore(ex, ex.history.pop())


def reset(ex: Any) -> None:
    ex.history.clear()
    restore(ex, ex.base_scenario)


def keep(ex: Any) -> None:
    """Keep the result on screen under the name in the Keep box (the oldest goes past six)."""
    if ex.run is None or not ex.run.is_met:
        ex.show_error("Only a setting that can be met can be kept for comparison.")
        return
    name = ex.keep_name.value.strip() or f"Setting {len(ex.kept) + 1}"
    others = [(n, r) for n, r in ex.kept if n != name][-(KEPT - 1):]
    ex.kept = [*others, (name, ex.run.result)]
    ex.render(ex.run)


def apply_deepest(ex: Any) -> None:
    """Set the budget to the deepest change that can be met, rounded to the slider's step in
    the direction that can be met."""
    if ex.deepest is not None:
        step = ex.budget.slider.step
        ex.budget.value = math.ceil(ex.deepest / step - 1e-9) * step


def restore(ex: Any, scenario: Scenario) -> None:
    """Set every control from ``scenario`` and solve once."""
    ds = ex.dataset
    ex.building = True
    try:
        ex.budget.value = scenario.budget_change_pct
        base = ds.stream_amounts["amount_gbp"].unstack("year")
        for f, control in ex.streams.items():  # the first year's share, as saved
            given, y = scenario.stream_amounts.get(f), ds.plan_years[0]
            amount = given.get(y) if isinstance(given, dict) else given
            control.value = 0.0 if amount is None else round(
                100 * (float(amount) / float(base.at[f, y]) - 1), 1)
        for p, control in ex.weights.items():
            control.value = float(scenario.priority_weights.get(
                p, ds.priorities.at[p, "default_weight"]))
        ex.tau.value, ex.delta.value = scenario.fairness_tolerance, scenario.stability_limit
        ex.years.value = scenario.plan_years
        ex.pins = list(scenario.pins)
        ex.refresh_pins()
    finally:
        ex.building = False
    ex.restoring = True
    try:
        ex.update()
    finally:
        ex.restoring = False
