"""How sure the plan is: the robustness analysis of one scenario, as a typed report.

:func:`analyse` solves the scenario's point plan and its expected-value plan (the plan best on
average over ``plan_draws`` draws, :mod:`budgetopt.model.expected`), runs the Monte Carlo
(:func:`~budgetopt.robust.montecarlo.run_draws`) and summarises it:

* per service and year, the allocation's P5 / P50 / P95 and the probabilities that it is funded
  above its minimum, rises on last year and falls; the **core** services (above their minimum
  in at least ``threshold`` of the draws), the **contested** ones and those **never** above it;
* what the recommended plan risks: its regret in each draw (the draw's best value, at the
  scenario's own funding, less the plan's value on the draw's curves), as £ and %, mean and P95;
* the expected value of perfect information (the mean of the draws' best values less the mean
  value of the best single plan, estimated by the expected-value plan on these draws) and the
  value of the stochastic solution (the expected-value plan's mean less the point plan's).

Values are priority-weighted social value in £ (the objective), over the plan years.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from budgetopt.core.text import fy, short_money
from budgetopt.data.inputs import ModelInputs
from budgetopt.data.scenario import Robustness
from budgetopt.data.uncertainty import sample
from budgetopt.results.result import make_result
from budgetopt.robust.montecarlo import DrawResult, run_draws
from budgetopt.robust.sensitivity import sensitivity
from budgetopt.solve.allocator import Allocator, Solution

MOVED = 1.0  # £: a service total this close to a reference has not moved
QUANTILES = {"p5_gbp": 0.05, "p50_gbp": 0.5, "p95_gbp": 0.95}
CLASSES = ("core", "contested", "never")


@dataclass(frozen=True)
class Plan:
    """A fixed plan: its allocation cells (the model's order), service totals and value."""

    name: str
    cells: np.ndarray
    totals: pd.Series  # (service_id, year) → £, as the paper's tables show them
    value: float  # priority-weighted value on the point figures (expected, for the robust)


@dataclass(frozen=True)
class RobustnessReport:
    """The robustness analysis of one scenario."""

    settings: Robustness
    table: pd.DataFrame  # per service and year: quantiles, probabilities, class
    draws: int
    infeasible: int  # draws with no allocation meeting every limit (figures drawn)
    failed: int  # draws the solver could not finish
    regret_gbp: np.ndarray  # the recommended plan's regret in each draw it can be valued in
    regret_pct: np.ndarray
    best_mean: float  # mean of the draws' best values (point funding)
    plan_means: dict[str, float]  # each fixed plan's mean value over the draws
    recommended: str  # "point" or "expected": the plan the scenario recommends
    plans: dict[str, Plan]
    schemes: pd.DataFrame  # per scheme and year: the recommended total and P5 / P50 / P95
    sensitivity: pd.DataFrame = field(default_factory=pd.DataFrame)  # ranked, robust.sensitivity
    seconds: dict[str, float] = field(default_factory=dict)
    plan_value_draws: np.ndarray = field(default_factory=lambda: np.zeros(0))  # recommended

    def value_range(self, low: float = 0.05, high: float = 0.95) -> tuple[float, float]:
        """The recommended plan's priority-weighted value over the draws: its ``low`` and
        ``high`` quantiles (P5 and P95 unless asked)."""
        v = self.plan_value_draws
        if not len(v):
            return (float("nan"), float("nan"))
        return float(np.quantile(v, low)), float(np.quantile(v, high))

    @property
    def evpi_gbp(self) -> float:
        """Expected value of perfect information (against the best plan found)."""
        return self.best_mean - max(self.plan_means.values())

    @property
    def vss_gbp(self) -> float:
        """Value of the stochastic solution: the expected-value plan against the point plan."""
        return self.plan_means["expected"] - self.plan_means["point"]

    def classes(self, year: int) -> dict[str, list[str]]:
        """Services by class in ``year``: core, contested, never (above their minimum)."""
        rows = self.table[self.table["year"] == year]
        return {c: rows.loc[rows["class"] == c, "service_id"].tolist() for c in CLASSES}

    def record(self) -> dict[str, Any]:
        """What robustness.json holds."""
        r = self.regret_gbp
        return {
            "draws": self.draws, "seed": self.settings.seed,
            "threshold": self.settings.threshold, "plan_draws": self.settings.plan_draws,
            "infeasible_draws": self.infeasible, "failed_draws": self.failed,
            "recommended_plan": self.recommended,
            "regret_gbp": {"mean": _round(r.mean()), "p95": _round(np.quantile(r, 0.95)),
                           "max": _round(r.max())} if len(r) else None,
            "regret_pct": {"mean": round(float(self.regret_pct.mean()), 3),
                           "p95": round(float(np.quantile(self.regret_pct, 0.95)), 3)}
            if len(r) else None,
            "expected_value_gbp": {"best_per_draw": _round(self.best_mean),
                                   **{k: _round(v) for k, v in self.plan_means.items()}},
            "evpi_gbp": _round(self.evpi_gbp), "vss_gbp": _round(self.vss_gbp),
            "classes": {str(y): self.classes(y) for y in sorted(set(self.table["year"]))},
            "evidence_that_matters_most": [
                {"input": r["input"], "moved_gbp": _round(r["moved_gbp"]),
                 "value_swing_gbp": _round(r["value_swing_gbp"])}
                for _, r in self.sensitivity.head(10).iterrows()
                if pd.notna(r["moved_gbp"]) and pd.notna(r["value_swing_gbp"])],
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _round(v: float) -> int:
    return round(float(v))


def analyse(inputs: ModelInputs, settings: Robustness | None = None, jobs: int = 1,
            progress: Callable[[int], None] | None = None,
            cancelled: Callable[[], bool] | None = None,
            scheduler: str | None = None) -> RobustnessReport:
    """The robustness analysis of ``inputs`` with ``settings`` (default: the scenario's
    ``robustness`` block, else the defaults), the draws in ``jobs`` local processes or on a
    Dask ``scheduler``."""
    settings = settings or inputs.scenario.robustness or Robustness.model_validate({})
    clock = {"start": time.perf_counter()}
    point_inputs = _with(inputs, objective="point")
    point, kept = _plan("point", point_inputs)
    expected, _ = _plan("expected", _with(inputs, objective="expected",
                                          robustness=settings.model_dump()))
    plans = {"point": point, "expected": expected}
    clock["plans"] = time.perf_counter()
    draws = sample(inputs.dataset, settings.draws, settings.seed)
    results = run_draws(point_inputs, draws, [p.cells for p in plans.values()], jobs=jobs,
                        progress=progress, cancelled=cancelled, scheduler=scheduler)
    clock["draws"] = time.perf_counter()
    swings = sensitivity(point_inputs, kept)
    clock["sensitivity"] = time.perf_counter()
    report = summarise(inputs, settings, results, plans)
    seconds = {"plans": clock["plans"] - clock["start"],
               "draws": clock["draws"] - clock["plans"],
               "per_draw": (clock["draws"] - clock["plans"]) / max(1, len(results)),
               "sensitivity": clock["sensitivity"] - clock["draws"]}
    return replace(report, sensitivity=swings, seconds=seconds)


def _with(inputs: ModelInputs, **changes: Any) -> ModelInputs:
    return replace(inputs, scenario=inputs.scenario.with_changes(**changes))


def _plan(name: str, inputs: ModelInputs) -> tuple[Plan, Allocator]:
    alloc = Allocator(inputs, "highs")
    sol: Solution = alloc.solve(warm=False)
    if sol.values is None or sol.objective is None:
        raise ValueError(f"the {name} plan cannot be met ({sol.status.sentence}); the "
                         "robustness analysis needs a scenario that can be")
    shown = make_result(alloc, sol).allocation().groupby(["service_id", "year"])["amount_gbp"]
    totals = shown.sum().reindex(pd.MultiIndex.from_tuples(alloc.model.cols["t"].keys))
    return (Plan(name, sol.values.cell_array(), totals.fillna(0).astype(float), sol.objective),
            alloc)


def summarise(inputs: ModelInputs, settings: Robustness, results: list[DrawResult],
              plans: dict[str, Plan]) -> RobustnessReport:
    """The report of a finished Monte Carlo (see the module docstring)."""
    keys = list(plans["point"].totals.index)
    solved = [r for r in results if r.status == "optimal" and r.totals is not None]
    totals = (np.array([r.totals for r in solved]) if solved
              else np.zeros((0, len(keys))))
    services = inputs.dataset.services
    sid = [k[0] for k in keys]
    minimum = services["min_gbp"].reindex(sid).to_numpy(dtype=float)
    last = services["last_year_gbp"].reindex(sid).to_numpy(dtype=float)
    table = pd.DataFrame({"service_id": sid, "year": [k[1] for k in keys]})
    table["recommended_gbp"] = plans[_recommended(inputs)].totals.to_numpy().round()
    for col, q in QUANTILES.items():
        table[col] = (np.quantile(totals, q, axis=0).round() if len(totals)
                      else np.full(len(keys), np.nan))
    def share(hit: np.ndarray) -> np.ndarray:  # of the draws that could be met
        return hit.mean(axis=0) if len(totals) else np.full(len(keys), np.nan)

    table["p_above_min"] = share(totals > minimum + MOVED)
    table["p_rise"] = share(totals > last + MOVED)
    table["p_fall"] = share(totals < last - MOVED)
    table["class"] = np.where(table["p_above_min"] >= settings.threshold, "core",
                              np.where(table["p_above_min"] > 0, "contested", "never"))
    move = table["recommended_gbp"].to_numpy() - last
    table["direction"] = np.where(move > MOVED, "rise", np.where(move < -MOVED, "fall", "hold"))
    table["p_direction"] = np.select(
        [table["direction"] == "rise", table["direction"] == "fall"],
        [table["p_rise"], table["p_fall"]], 1 - table["p_rise"] - table["p_fall"])
    valued = [r for r in results if r.best_value is not None]
    best = np.array([r.best_value for r in valued])
    names = list(plans)
    value = {n: np.array([r.plan_values[i] for r in valued]) for i, n in enumerate(names)}
    recommended = _recommended(inputs)
    regret = best - value[recommended] if len(valued) else np.zeros(0)
    schemes = _scheme_fans(table, totals, services["scheme_id"].reindex(sid).to_numpy())
    pct = 100 * regret / np.maximum(np.abs(best), 1.0) if len(valued) else np.zeros(0)
    return RobustnessReport(
        settings, table, len(results), sum(r.status == "infeasible" for r in results),
        sum(r.status not in ("optimal", "infeasible") for r in results), regret, pct,
        float(best.mean()) if len(best) else float("nan"),
        {n: float(v.mean()) if len(v) else float("nan") for n, v in value.items()},
        recommended, plans, schemes,
        plan_value_draws=value[recommended] if len(valued) else np.zeros(0))


def _scheme_fans(table: pd.DataFrame, totals: np.ndarray, scheme: np.ndarray) -> pd.DataFrame:
    """Per scheme and year: the recommended total and the draws' P5 / P50 / P95 of it."""
    rows = []
    for (k, y), group in table.assign(scheme_id=scheme).groupby(["scheme_id", "year"]):
        per_draw = totals[:, group.index].sum(axis=1) if len(totals) else np.zeros(0)
        rows.append({"scheme_id": k, "year": y,
                     "recommended_gbp": float(group["recommended_gbp"].sum()),
                     **{c: float(np.quantile(per_draw, q)) if len(per_draw) else np.nan
                        for c, q in QUANTILES.items()}})
    return pd.DataFrame(rows)


def holding(report: RobustnessReport, year: int) -> pd.DataFrame:
    """The recommended moves in ``year`` (rise, fall or hold against last year) and whether each
    holds in at least the threshold share of draws."""
    rows = report.table[report.table["year"] == year]
    return rows.assign(holds=rows["p_direction"] >= report.settings.threshold)


def summary_lines(report: RobustnessReport, inputs: ModelInputs) -> list[str]:
    """What the command prints: the classes and the moves that hold in the first plan year,
    the draws that cannot be met, the regret, EVPI and the expected-value plan, the time."""
    year, s = inputs.years[0], report.settings
    c = report.classes(year)
    held = holding(report, year)
    rec = report.record()
    lines = [f"Robustness of '{inputs.scenario.title}' over {report.draws:,} draws "
             f"(seed {s.seed}), {fy(year)}:",
             f"  core (above its minimum in at least {s.threshold:.0%} of draws): "
             f"{len(c['core'])} services; contested: {len(c['contested'])}; never: "
             f"{len(c['never'])}",
             f"  the recommended move (rise, fall or hold on {fy(inputs.base_year)}) holds in at "
             f"least {s.threshold:.0%} of draws for {int(held['holds'].sum())} of "
             f"{len(held)} services"]
    if report.infeasible or report.failed:
        lines.append(f"  cannot be met in {_count(report.infeasible, 'draw')}; the solver "
                     f"failed in {_count(report.failed, 'draw')}")
    if rec["regret_gbp"]:
        lines.append(f"  regret of the recommended ({report.recommended}) plan: mean "
                     f"{short_money(rec['regret_gbp']['mean'])} ({rec['regret_pct']['mean']:.1f}%),"
                     f" P95 {short_money(rec['regret_gbp']['p95'])} "
                     f"({rec['regret_pct']['p95']:.1f}%)")
    better = "more" if report.vss_gbp >= 0 else "less"
    lines.append(f"  value of perfect information {short_money(report.evpi_gbp)}; the "
                 f"expected-value plan is worth {short_money(abs(report.vss_gbp))} {better} on "
                 "average than the point plan")
    sec = report.seconds
    if sec:
        lines.append(f"  {report.draws:,} draws in {sec['draws']:.1f} s "
                     f"({1000 * sec['per_draw']:.0f} ms a draw of wall time)")
    return lines


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _recommended(inputs: ModelInputs) -> str:
    return "expected" if inputs.scenario.objective == "expected" else "point"
