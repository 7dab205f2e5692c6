"""Benchmark: the robustness analysis's Monte Carlo against raw highspy, 2 workers against 1, and
the expected-value plan's LP against the point LP.

Usage::

    .venv/bin/python benchmarks/robust.py [--draws N] [--big-draws N] [--out FILE.json]

Every compared figure is a ratio of timings taken in the same process run (the machines are
shared and noisy):

(a) time per draw: budgetopt's worker loop (:class:`budgetopt.robust.montecarlo._Worker`: each
    draw's inputs, the edits to the kept model, the warm solves, the valuation of two plans)
    against a raw highspy loop doing *the same* edits and warm solves on the same LP — every
    call budgetopt's loop made to its ``highspy.Highs`` is recorded (arguments copied) and
    replayed on a fresh ``Highs`` holding the same LP, with no Python of budgetopt's around it.
    Target ≤ 1.3×.
(b) 2 workers against 1: wall time of ``run_draws`` over the same draws with ``jobs=2`` and
    ``jobs=1``. Target ≤ 0.6×.
(c) the expected-value plan's LP (build and solve, ``objective: expected``) at 100 and 500 plan
    draws against the point LP's build and solve.
(d) the guideline: wall time of ``run_draws`` over ``--big-draws`` draws (1,000) with 2 workers
    on the default dataset and on the 200-service medium instance.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import machine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
pc = time.perf_counter


class Recorder:
    """Stands in for a ``highspy.Highs``: every call is passed on and recorded."""

    def __init__(self, h) -> None:
        self._h, self.calls = h, []

    def __getattr__(self, name: str):
        real = getattr(self._h, name)
        if not callable(real):
            return real

        def call(*args):
            self.calls.append((name, tuple(a.copy() if isinstance(a, np.ndarray) else a
                                           for a in args)))
            return real(*args)

        return call


def replay(lp, calls: list) -> float:
    """Seconds to make the recorded calls on a fresh Highs holding ``lp``."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(lp)
    t = pc()
    for name, args in calls:
        getattr(h, name)(*args)
    return pc() - t


def per_draw(inputs, draws: int) -> dict:
    from budgetopt.data.uncertainty import sample
    from budgetopt.robust.montecarlo import _Worker
    from budgetopt.solve.allocator import Allocator

    base = Allocator(inputs)
    x = base.solve(warm=False).values.cell_array()
    d = sample(inputs.dataset, draws, 1)
    worker = _Worker(inputs, d, [x, x], "highs")
    alloc, _ = worker.start()
    lp = alloc.backend.h.getLp()
    worker.run(range(min(10, draws)))  # warm up caches (layouts, memos)
    t = pc()
    worker.run(range(draws))
    budgetopt = pc() - t
    rec = Recorder(alloc.backend.h)
    alloc.backend.h = rec
    worker.run(range(draws))
    alloc.backend.h = rec._h
    raw = replay(lp, rec.calls)
    return {"draws": draws, "budgetopt_ms_per_draw": 1000 * budgetopt / draws,
            "raw_highspy_ms_per_draw": 1000 * raw / draws, "ratio": budgetopt / raw,
            "highs_calls_per_draw": len(rec.calls) / draws}


def workers(inputs, draws: int) -> dict:
    from budgetopt.data.uncertainty import sample
    from budgetopt.robust.montecarlo import run_draws
    from budgetopt.solve.allocator import Allocator

    x = Allocator(inputs).solve(warm=False).values.cell_array()
    d = sample(inputs.dataset, draws, 1)
    out = {}
    for jobs in (1, 2):
        t = pc()
        run_draws(inputs, d, [x, x], jobs=jobs)
        out[jobs] = pc() - t
    return {"draws": draws, "one_worker_s": out[1], "two_workers_s": out[2],
            "ratio": out[2] / out[1]}


def expected_plan(inputs) -> dict:
    from dataclasses import replace

    from budgetopt.solve.allocator import Allocator

    def build_and_solve(i) -> float:
        t = pc()
        Allocator(i).solve(warm=False)
        return pc() - t

    point = build_and_solve(inputs)
    out = {"point_s": point}
    for n in (100, 500):
        exp = replace(inputs, scenario=inputs.scenario.with_changes(
            objective="expected", robustness={"plan_draws": n}))
        s = build_and_solve(exp)
        out[f"expected_{n}_s"], out[f"expected_{n}_ratio"] = s, s / point
    return out


def guideline(inputs, draws: int) -> dict:
    from budgetopt.data.uncertainty import sample
    from budgetopt.robust.montecarlo import run_draws
    from budgetopt.solve.allocator import Allocator

    x = Allocator(inputs).solve(warm=False).values.cell_array()
    d = sample(inputs.dataset, draws, 1)
    t = pc()
    run_draws(inputs, d, [x, x], jobs=2)
    return {"draws": draws, "two_workers_s": pc() - t}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--big-draws", type=int, default=1000)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    from budgetopt.data.dataset import load_dataset
    from budgetopt.data.inputs import load_inputs, resolve
    from budgetopt.data.scenario import Scenario
    from budgetopt.data.synthetic import make_dataset

    default = load_inputs(ROOT / "parameters" / "baseline.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_dataset(Path(tmp) / "medium", services=200, areas=10, plan_years=3,
                              seed=0)
        medium = resolve(load_dataset(folder), Scenario.model_validate(
            {"name": "medium", "title": "Medium", "dataset": str(folder), "plan_years": 3}))
        result = {
            "machine": machine(),
            "per_draw": {"default": per_draw(default, args.draws),
                         "medium": per_draw(medium, max(20, args.draws // 4))},
            "workers": workers(default, args.draws),
            "expected_plan": {"default": expected_plan(default)},
            "guideline": {"default": guideline(default, args.big_draws),
                          "medium": guideline(medium, args.big_draws)},
        }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    main()
