"""Benchmark: a budget frontier re-solved warm in place against a rebuild for every point.

Usage::

    .venv/bin/python benchmarks/frontier.py [--sizes default,medium] [--reps N] [--points 25]
        [--low 0.7] [--high 1.3] [--seed 0] [--out docs/frontier-results.json]

Sizes: ``default`` is ``parameters/baseline.yaml`` on the Devon & Cornwall dataset; ``medium``
(200 services × 10 areas × 3 plan years) is generated with
:func:`budgetopt.data.synthetic.make_dataset` into a temporary folder (the same instance as
``benchmarks/solve.py``'s medium size).

Per size, in the same process and interleaved rep by rep (machines are shared and noisy, so the
figure that matters is the ratio of two timings taken side by side; medians over the reps):

(a) **warm**: ``Explainer.frontier(points=25, diagnose_infeasible=False)`` on a kept, solved
    :class:`~budgetopt.solve.allocator.Allocator`: each point edits the core stream's row bounds
    in place and re-solves the three-stage LP from the previous basis.
(b) **rebuild**: for every point, new :class:`~budgetopt.data.inputs.ModelInputs` with the core
    stream changed by the same amount ((factor − 1) × the year's total, in every plan year), a new
    ``Allocator`` (PuLP build + hand-over to HiGHS) and a cold ``solve(warm=False)``.

Check: both paths give the same status and the same social value at every point (to 1e-6
relative). Target (issue 5): warm at least 5× faster.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import machine

ROOT = Path(__file__).resolve().parents[1]
SIZES = {
    "default": None,
    "medium": {"services": 200, "areas": 10, "plan_years": 3},
}
TARGET = 5.0  # rebuild time / warm time
REL = 1e-6
pc = time.perf_counter


def warm_frontier(explainer, points: int, low: float, high: float) -> tuple[float, list]:
    t = pc()
    fr = explainer.frontier(low=low, high=high, points=points, diagnose_infeasible=False)
    seconds = pc() - t
    return seconds, [(r.factor, r.status, r.social_value_gbp) for r in fr.points.itertuples()]


def rebuilt_frontier(inputs, stream: str, factors: np.ndarray) -> tuple[float, list]:
    from budgetopt.solve.allocator import Allocator

    out = []
    t = pc()
    for factor in factors:
        alloc = Allocator(inputs.with_budget_factor(stream, float(factor)))
        sol = alloc.solve(warm=False)
        ok = sol.status.is_optimal
        out.append((float(factor), "optimal" if ok else "infeasible",
                    sol.social_value if ok else None))
    return pc() - t, out


def compare(warm: list, cold: list) -> float:
    """Largest relative difference in social value; raises if a status differs."""
    worst = 0.0
    for (fw, sw, vw), (fc, sc, vc) in zip(warm, cold, strict=True):
        if abs(fw - fc) > 1e-9 or sw != sc:
            raise SystemExit(f"point {fw}: warm says {sw}, rebuild says {sc}")
        if sw == "optimal":
            worst = max(worst, abs(vw - vc) / max(1.0, abs(vc)))
    return worst


def run_size(size: str, scenario: Path, reps: int, points: int, low: float,
             high: float) -> dict:
    from budgetopt.data.inputs import load_inputs
    from budgetopt.explain.explainer import Explainer
    from budgetopt.results.result import make_result
    from budgetopt.solve.allocator import Allocator

    inputs = load_inputs(scenario)
    t = pc()
    alloc = Allocator(inputs)
    base = alloc.solve(warm=False)
    first_solve = pc() - t
    if not base.status.is_optimal:
        raise SystemExit(f"[{size}] the scenario itself is {base.status.status.value}")
    explainer = Explainer(alloc, base, make_result(alloc, base))
    stream = explainer.core_stream()
    factors = np.round(np.linspace(low, high, points), 6)
    warm_s, cold_s, worst = [], [], 0.0
    # one untimed warm-up of each path (imports, caches, the first warm basis)
    _, w = warm_frontier(explainer, points, low, high)
    _, c = rebuilt_frontier(inputs, stream, factors)
    worst = compare(w, c)
    for rep in range(reps):
        gc.collect()
        order = ("warm", "rebuild") if rep % 2 == 0 else ("rebuild", "warm")
        for path in order:
            if path == "warm":
                s, w = warm_frontier(explainer, points, low, high)
                warm_s.append(s)
            else:
                s, c = rebuilt_frontier(inputs, stream, factors)
                cold_s.append(s)
        worst = max(worst, compare(w, c))
        print(f"[{size}] rep {rep + 1}/{reps}: warm {warm_s[-1]:.3f} s, rebuild "
              f"{cold_s[-1]:.3f} s", file=sys.stderr, flush=True)
    warm_m, cold_m = statistics.median(warm_s), statistics.median(cold_s)
    return {
        "scenario": str(scenario), "columns": alloc.model.n_cols, "rows": alloc.model.n_rows,
        "points": points, "low": low, "high": high, "core_stream": stream,
        "optimal_points": sum(1 for _, st, _ in w if st == "optimal"),
        "first_build_and_solve_s": first_solve,
        "warm_s": warm_s, "rebuild_s": cold_s,
        "warm_median_s": warm_m, "rebuild_median_s": cold_m,
        "warm_per_point_ms": 1000 * warm_m / points,
        "rebuild_per_point_ms": 1000 * cold_m / points,
        "speedup": cold_m / warm_m, "target": TARGET, "meets_target": cold_m / warm_m >= TARGET,
        "max_rel_diff_social_value": worst, "values_agree": worst <= REL,
        "frontier": [{"factor": f, "status": st, "social_value_gbp": v} for f, st, v in w],
    }


def table(results: dict) -> str:
    head = (f"{'size':<8} {'cols':>7} {'rows':>7} {'points':>6} {'optimal':>7} "
            f"{'warm s':>8} {'rebuild s':>9} {'warm ms/pt':>10} {'rebuild ms/pt':>13} "
            f"{'speedup':>8} {'target':>6} {'max rel diff':>12}")
    lines = [head, "-" * len(head)]
    for size, r in results["sizes"].items():
        lines.append(
            f"{size:<8} {r['columns']:>7} {r['rows']:>7} {r['points']:>6} "
            f"{r['optimal_points']:>7} {r['warm_median_s']:>8.3f} {r['rebuild_median_s']:>9.3f} "
            f"{r['warm_per_point_ms']:>10.1f} {r['rebuild_per_point_ms']:>13.1f} "
            f"{r['speedup']:>7.1f}× {'ok' if r['meets_target'] else 'MISS':>6} "
            f"{r['max_rel_diff_social_value']:>12.1e}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="default,medium")
    p.add_argument("--reps", type=int, default=5, help="timed reps per path and size")
    p.add_argument("--points", type=int, default=25)
    p.add_argument("--low", type=float, default=0.7)
    p.add_argument("--high", type=float, default=1.3)
    p.add_argument("--seed", type=int, default=0, help="seed of the synthetic instance")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "frontier-results.json")
    a = p.parse_args(argv)
    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    unknown = sorted(set(sizes) - set(SIZES))
    if unknown:
        p.error(f"unknown size(s) {', '.join(unknown)} (valid: {', '.join(SIZES)})")
    if a.reps < 1 or a.points < 3:
        p.error("--reps must be at least 1 and --points at least 3")

    from budgetopt.data.synthetic import make_dataset, make_scenario

    results: dict = {"machine": machine(), "command": " ".join([Path(sys.argv[0]).name,
                                                                 *sys.argv[1:]]),
                     "settings": {"reps": a.reps, "points": a.points, "low": a.low,
                                  "high": a.high, "seed": a.seed},
                     "sizes": {}}
    started = pc()
    with tempfile.TemporaryDirectory(prefix="budgetopt-frontier-") as tmp:
        for size in sizes:
            spec = SIZES[size]
            if spec is None:
                scenario = ROOT / "parameters" / "baseline.yaml"
            else:
                work = Path(tmp) / size
                ds = make_dataset(work / "dataset", seed=a.seed, **spec)
                scenario = make_scenario(work, ds, name=f"frontier-{size}")
            print(f"[{size}] {a.reps} reps of {a.points} points ...", file=sys.stderr, flush=True)
            r = run_size(size, scenario, a.reps, a.points, a.low, a.high)
            r["spec"] = spec
            results["sizes"][size] = r
    results["total_s"] = pc() - started
    print(table(results))
    print(f"\ntotal {results['total_s']:.0f} s; target: rebuild ÷ warm ≥ {TARGET:g}×; "
          f"social values agree to {REL:g} relative: "
          f"{all(r['values_agree'] for r in results['sizes'].values())}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=2, default=float) + "\n", encoding="utf-8")
    print(f"wrote {a.out}")
    ok = all(r["values_agree"] for r in results["sizes"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
