"""A scenario applied to its dataset: the exact numbers the model is built from.

:func:`resolve` checks the scenario against the dataset (pinned services exist, years are plan
years, stream and priority ids are known) and works out the money available per stream and year,
the priority weights and the pins. The model layer reads only :class:`ModelInputs`, so what was
modelled can always be traced to the dataset plus the scenario's overrides.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.core.errors import ProblemLog
from budgetopt.core.text import fy
from budgetopt.data.dataset import Dataset, load_dataset
from budgetopt.data.scenario import Pin, Scenario, load_scenario, scenario_dataset_path


@dataclass(frozen=True)
class ModelInputs:
    dataset: Dataset
    scenario: Scenario
    years: list[int]  # plan years modelled
    stream_amounts: pd.DataFrame  # index stream_id, columns years: £ available
    priority_weights: pd.Series  # index priority_id
    pins: list[Pin]

    @property
    def base_year(self) -> int:
        return self.dataset.base_year

    def total_available(self, year: int) -> float:
        return float(self.stream_amounts[year].sum())

    def with_stream_change(self, stream: str, year: int, delta: float) -> ModelInputs:
        """The same inputs with ``delta`` £ more of ``stream`` in ``year`` (never below £0)."""
        amounts = self.stream_amounts.copy()
        amounts.at[stream, year] = max(0.0, amounts.at[stream, year] + delta)
        return ModelInputs(self.dataset, self.scenario, self.years, amounts,
                           self.priority_weights, self.pins)

    def with_budget_factor(self, stream: str, factor: float) -> ModelInputs:
        """The total budget at ``factor`` × this one's in every plan year, the change falling
        on ``stream`` (never below £0) and not rounded: a point of the budget frontier."""
        amounts = self.stream_amounts.copy()
        for y in self.years:
            amounts.at[stream, y] = max(0.0, amounts.at[stream, y]
                                        + (factor - 1) * self.total_available(y))
        return ModelInputs(self.dataset, self.scenario, self.years, amounts,
                           self.priority_weights, self.pins)


def resolve(dataset: Dataset, scenario: Scenario, file: str = "scenario") -> ModelInputs:
    """Apply a scenario to a dataset; raise InputError naming every key that does not fit."""
    log = ProblemLog()
    available = dataset.plan_years
    if scenario.plan_years > len(available):
        log.add(file, f"the dataset has {len(available)} plan years ({fy(available[0])} to "
                f"{fy(available[-1])})", key="plan_years", value=scenario.plan_years)
    years = available[: scenario.plan_years]
    amounts = (
        dataset.stream_amounts["amount_gbp"].unstack("year")[years].astype(float).copy()
    )
    streams = dataset.streams
    for sid, override in scenario.stream_amounts.items():
        if sid not in streams.index:
            log.add(file, f"unknown stream (valid: {', '.join(streams.index)})",
                    key=f"stream_amounts.{sid}")
            continue
        per_year = override if isinstance(override, dict) else dict.fromkeys(years, override)
        end = streams.at[sid, "end_year"]
        for y, amount in per_year.items():
            key = f"stream_amounts.{sid}" + (f".{y}" if isinstance(override, dict) else "")
            if y not in years:
                log.add(file, f"not a plan year of this scenario ({fy(years[0])} to "
                        f"{fy(years[-1])})", key=key)
            elif pd.notna(end) and y > end and amount > 0:
                log.add(file, f"the stream ends in {fy(int(end))} (its end_year in the "
                        f"dataset), so it has no money in {fy(y)}: give 0, or only the years "
                        f"up to {fy(int(end))}", key=key, value=amount)
            else:
                amounts.at[sid, y] = amount
    core = streams.index[~streams["ring_fenced"].astype(bool)]
    if scenario.budget_change_pct:
        if core.empty:
            log.add(file, "the dataset has no unrestricted stream for a budget change to fall on",
                    key="budget_change_pct")
        overlap = sorted(set(core) & set(scenario.stream_amounts))
        if overlap:
            log.add(file, f"give either budget_change_pct or an override of the unrestricted "
                    f"stream ({', '.join(overlap)}), not both", key="budget_change_pct")
        for y in years:
            change = amounts[y].sum() * scenario.budget_change_pct / 100
            core_total = amounts.loc[core, y].sum()
            if core_total + change < 0:
                log.add(file, f"a change of {scenario.budget_change_pct:g}% (£{change:,.0f}) is "
                        f"more than the unrestricted funding in {fy(y)} (£{core_total:,.0f})",
                        key="budget_change_pct")
            elif core_total > 0:
                amounts.loc[core, y] *= 1 + change / core_total

    # money is modelled in whole pounds: a percentage change lands on a whole-pound amount
    amounts = np.floor(amounts + 0.5)

    weights = dataset.priorities["default_weight"].astype(float).copy()
    for pid, w in scenario.priority_weights.items():
        if pid not in weights.index:
            log.add(file, f"unknown priority (valid: {', '.join(weights.index)})",
                    key=f"priority_weights.{pid}")
        else:
            weights[pid] = w
    if not log and weights.sum() <= 0:
        log.add(file, "at least one priority weight must be above 0", key="priority_weights")

    for i, pin in enumerate(scenario.pins):
        if pin.service not in dataset.services.index:
            log.add(file, "unknown service", key=f"pins.{i}.service", value=pin.service)
        if pin.year not in years:
            log.add(file, f"not a plan year of this scenario ({fy(years[0])} to "
                    f"{fy(years[-1])})", key=f"pins.{i}.year", value=pin.year)
    log.raise_if_any(f"Scenario '{scenario.name}' with dataset '{dataset.name}'")
    return ModelInputs(dataset, scenario, years, amounts, weights, list(scenario.pins))


def load_inputs(params_path: str | Path) -> ModelInputs:
    """Parameters file -> checked scenario -> checked dataset -> model inputs."""
    scenario = load_scenario(params_path)
    dataset = load_dataset(scenario_dataset_path(scenario, params_path))
    return resolve(dataset, scenario, str(params_path))
