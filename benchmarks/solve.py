"""Benchmark: budgetopt's build + lexicographic solve vs the same LP passed to highspy directly.

Usage::

    .venv/bin/python benchmarks/solve.py [--sizes default,medium,large] [--reps N]
        [--large-reps N] [--out docs/performance-results.json]

Sizes: ``default`` is ``parameters/baseline.yaml`` on the Devon & Cornwall dataset; ``medium``
(200 services × 10 areas × 3 plan years) and ``large`` (2,000 × 20 × 3) are generated with
:func:`budgetopt.data.synthetic.make_dataset` into a temporary folder.

Every figure that is compared is a *ratio of two timings taken in the same process, interleaved*,
because the machines are shared and noisy; medians over the reps. Each size runs in a fresh
subprocess (``--cell``), and peak memory is measured in two more fresh subprocesses per size (the
budgetopt path, and the raw highspy path on the same LP), so ``ru_maxrss`` is per size and path.

What is measured, per size:

(a) cold: ``Allocator(inputs)`` (PuLP build + hand-over to HiGHS) + ``solve(warm=False)`` (three
    HiGHS runs, stage 1 value, stage 2 closest to last year, stage 3 stream split) against the
    identical LP taken from ``alloc.backend.h.getLp()`` and passed as arrays to a fresh
    ``highspy.Highs`` (``passModel`` + ``run`` + ``getSolution``): stage 1 only, and all three
    stages done directly on the raw model with the same optimal-face rule as budgetopt.
(b) warm: a budget change (``budget_change_pct`` −5) and a priority-weight change (first priority's
    weight doubled), each re-solved in place (``alloc.solve(new_inputs)``), against a full rebuild
    (new ``Allocator`` + cold solve) and against the same warm re-solve done on the raw model
    (``changeRowsBounds`` / ``changeColsCost`` then ``run``; all three stages, and stage 1 only).
(c) peak RSS.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from common import fmt_s, machine, med, rss_mb, run_cell

ROOT = Path(__file__).resolve().parents[1]
SIZES = {
    "default": None,
    "medium": {"services": 200, "areas": 10, "plan_years": 3},
    "large": {"services": 2000, "areas": 20, "plan_years": 3},
}
TARGETS = {  # from the issue: cold full path vs raw, warm vs rebuild, warm vs raw warm
    "cold_vs_raw": {"medium": 3.0, "large": 2.0},
    "rebuild_vs_warm_min": 10.0,
    "warm_vs_raw_warm_max": 1.2,
}
pc = time.perf_counter


# --------------------------------------------------------------------------------------------
# Raw highspy on the LP budgetopt built
# --------------------------------------------------------------------------------------------
class RawLp:
    """The LP's arrays in HiGHS order, with budgetopt's stage costs mapped onto them."""

    def __init__(self, alloc, stage_costs: list[np.ndarray]) -> None:
        lp = alloc.backend.h.getLp()
        self.ncol, self.nrow = int(lp.num_col_), int(lp.num_row_)
        a = lp.a_matrix_
        self.fmt = int(a.format_)
        self.start = np.asarray(a.start_, dtype=np.int32)
        self.index = np.asarray(a.index_, dtype=np.int32)
        self.value = np.asarray(a.value_, dtype=np.float64)
        self.col_lo = np.asarray(lp.col_lower_, dtype=np.float64)
        self.col_hi = np.asarray(lp.col_upper_, dtype=np.float64)
        self.row_lo = np.asarray(lp.row_lower_, dtype=np.float64)
        self.row_hi = np.asarray(lp.row_upper_, dtype=np.float64)
        self.colpos = np.asarray(alloc.backend.colpos, dtype=np.int32)
        self.rowpos = np.asarray(alloc.backend.rowpos, dtype=np.int32)
        # the kept model must hold exactly budgetopt's bounds (bounds are restored after a solve)
        b = alloc.backend
        assert np.array_equal(self.col_lo[self.colpos], b.col_lo)
        assert np.array_equal(self.col_hi[self.colpos], b.col_hi)
        assert np.array_equal(self.row_lo[self.rowpos], b.row_lo)
        assert np.array_equal(self.row_hi[self.rowpos], b.row_hi)
        self.costs = [self.to_highs(c) for c in stage_costs]

    def to_highs(self, cost: np.ndarray) -> np.ndarray:
        out = np.zeros(self.ncol)
        out[self.colpos] = cost
        return out

    def save(self, path: Path) -> None:
        np.savez(path, **{k: v for k, v in vars(self).items() if isinstance(v, np.ndarray)},
                 dims=np.array([self.ncol, self.nrow, self.fmt]),
                 costs=np.vstack(self.costs))

    def highs(self, cost: np.ndarray):
        """A fresh Highs holding this LP (minimise ``cost``)."""
        import highspy

        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.passModel(self.ncol, self.nrow, len(self.value), self.fmt,
                    int(highspy.ObjSense.kMinimize), 0.0, cost, self.col_lo, self.col_hi,
                    self.row_lo, self.row_hi, self.start, self.index, self.value,
                    np.zeros(self.ncol, dtype=np.int32))
        return h


def raw_lexicographic(h, costs: list[np.ndarray], col_lo: np.ndarray, col_hi: np.ndarray,
                      row_lo: np.ndarray, row_hi: np.ndarray, tol_rel: float,
                      marks: list[float] | None = None,
                      run_times: list[float] | None = None) -> tuple[bool, np.ndarray | None]:
    """budgetopt's three-stage rule done directly on a Highs: after each stage fix columns with
    non-zero reduced cost at their bound and make rows with non-zero dual tight; restore the
    bounds at the end. Costs are set for every column, as budgetopt does."""
    import highspy

    n, m = len(col_lo), len(row_lo)
    all_c, all_r = np.arange(n, dtype=np.int32), np.arange(m, dtype=np.int32)
    clo, chi, rlo, rhi = col_lo.copy(), col_hi.copy(), row_lo.copy(), row_hi.copy()
    ok, cv = True, None
    for i, cost in enumerate(costs):
        h.changeColsCost(n, all_c, cost)
        t = pc()
        h.run()
        if run_times is not None:
            run_times.append(pc() - t)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            ok = False
            break
        sol = h.getSolution()
        cv = np.asarray(sol.col_value)
        if marks is not None:
            marks.append(pc())
        if i == len(costs) - 1:
            break
        cd = np.asarray(sol.col_dual)
        rv, rd = np.asarray(sol.row_value), np.asarray(sol.row_dual)
        tol = tol_rel * max(1.0, float(np.abs(cost).max()))
        cols = np.flatnonzero(np.abs(cd) > tol).astype(np.int32)
        at = np.where(np.abs(cv[cols] - clo[cols]) <= np.abs(cv[cols] - chi[cols]),
                      clo[cols], chi[cols])
        clo[cols] = chi[cols] = at
        rows = np.flatnonzero((np.abs(rd) > tol) & (rlo != rhi)).astype(np.int32)
        side = np.where(np.abs(rv[rows] - rlo[rows]) <= np.abs(rv[rows] - rhi[rows]),
                        rlo[rows], rhi[rows])
        rlo[rows] = rhi[rows] = side
        if len(cols):
            h.changeColsBounds(len(cols), cols, clo[cols], chi[cols])
        if len(rows):
            h.changeRowsBounds(len(rows), rows, rlo[rows], rhi[rows])
    # restore the bounds changed by the face restrictions
    cc = np.flatnonzero((clo != col_lo) | (chi != col_hi)).astype(np.int32)
    rr = np.flatnonzero((rlo != row_lo) | (rhi != row_hi)).astype(np.int32)
    if len(cc):
        h.changeColsBounds(len(cc), cc, col_lo[cc], col_hi[cc])
    if len(rr):
        h.changeRowsBounds(len(rr), rr, row_lo[rr], row_hi[rr])
    del all_r
    return ok, cv


# --------------------------------------------------------------------------------------------
# One size, in a fresh process
# --------------------------------------------------------------------------------------------
def instrument() -> dict[str, list[float]]:
    """Time budgetopt's phases without editing it: wrap build_model, hand_over and each run."""
    import budgetopt.solve.allocator as ba
    import budgetopt.solve.backends as bb
    import budgetopt.solve.highs_index as hi

    log: dict[str, list[float]] = {"build_model": [], "hand_over": [], "run": []}

    def timed(fn, key):
        def wrapper(*a, **k):
            t = pc()
            try:
                return fn(*a, **k)
            finally:
                log[key].append(pc() - t)
        return wrapper

    ba.build_model = timed(ba.build_model, "build_model")
    hi.hand_over = timed(hi.hand_over, "hand_over")
    bb.HighsBackend.run = timed(bb.HighsBackend.run, "run")
    return log


def variants(inputs):
    """The base inputs and the two slider moves: budget −5% and first priority's weight ×2."""
    from budgetopt.data.inputs import resolve

    sc, ds = inputs.scenario, inputs.dataset
    budget = resolve(ds, sc.model_copy(update={"budget_change_pct": -5.0}))
    pid = inputs.priority_weights.index[0]
    w = dict(sc.priority_weights)
    w[pid] = 2.0 * float(inputs.priority_weights[pid])
    weight = resolve(ds, sc.model_copy(update={"priority_weights": w}))
    return budget, weight


def stage_costs(alloc, inputs) -> list[np.ndarray]:
    return alloc.stage_costs(inputs)


def worst(alloc, a: np.ndarray, b: np.ndarray) -> dict:
    """Largest difference between two solutions (£), with the column family and key."""
    d = np.abs(a - b)
    i = int(d.argmax())
    m = alloc.model
    fam = next(f for f in m.cols if m.col_slice(f).start <= i < m.col_slice(f).stop)
    key = m.cols[fam].keys[i - m.col_slice(fam).start]
    return {"max_abs_diff_gbp": float(d[i]), "family": fam, "key": [str(k) for k in key],
            "columns_over_1_gbp": int((d > 1).sum())}


def cell_time(scenario: Path, reps: int, workdir: Path) -> dict:
    """All timings of one size (a, b), interleaving budgetopt and raw reps."""
    log = instrument()
    from budgetopt.data.inputs import load_inputs
    from budgetopt.model.build import model_numbers
    from budgetopt.solve.allocator import Allocator
    from budgetopt.solve.backends import FACE_TOLERANCE

    t = pc()
    inputs = load_inputs(scenario)
    load_s = pc() - t
    budget, weight = variants(inputs)
    out: dict = {"load_s": load_s, "reps": reps}

    # ---- (a) cold: budgetopt full path vs raw, interleaved
    cold: dict[str, list[float]] = {k: [] for k in (
        "build", "build_model", "hand_over", "backend_rest", "solve", "run1", "run2", "run3",
        "solve_overhead", "budgetopt_stage1", "budgetopt_full", "raw_stage1", "raw_full")}
    raw = None
    check: dict = {}
    for rep in range(reps):
        gc.collect()
        for k in log:
            log[k].clear()
        t = pc()
        alloc = Allocator(inputs)
        build = pc() - t
        t = pc()
        sol = alloc.solve(warm=False)
        solve = pc() - t
        assert sol.status.is_optimal, sol.status
        runs = log["run"]
        cold["build"].append(build)
        cold["build_model"].append(log["build_model"][0])
        cold["hand_over"].append(log["hand_over"][0])
        cold["backend_rest"].append(build - log["build_model"][0] - log["hand_over"][0])
        cold["solve"].append(solve)
        for i, r in enumerate(runs[:3]):
            cold[f"run{i + 1}"].append(r)
        cold["solve_overhead"].append(solve - sum(runs))
        cold["budgetopt_stage1"].append(build + runs[0])
        cold["budgetopt_full"].append(build + solve)
        if raw is None:
            raw = RawLp(alloc, stage_costs(alloc, inputs))
            raw.save(workdir / "lp.npz")
            out["lp"] = {"cols": raw.ncol, "rows": raw.nrow, "nnz": len(raw.value)}
            ref_cv, ref_obj = sol.values.col, sol.objective
        del alloc, sol
        gc.collect()

        marks: list[float] = []
        t = pc()
        h = raw.highs(raw.costs[0])
        ok, cv = raw_lexicographic(h, raw.costs, raw.col_lo, raw.col_hi, raw.row_lo,
                                   raw.row_hi, FACE_TOLERANCE, marks)
        assert ok
        cold["raw_stage1"].append(marks[0] - t)
        cold["raw_full"].append(marks[-1] - t)
        if rep == 0:
            check["max_abs_diff_gbp_raw_vs_budgetopt"] = float(
                np.abs(cv[raw.colpos] - ref_cv).max())
            check["stage1_objective_gbp"] = float(ref_obj)
        del h
    out["cold"] = {k: {"median": med(v), "samples": v} for k, v in cold.items()}

    # ---- (b) warm moves: budgetopt in place vs raw in place, then full rebuilds
    moves = {"budget": budget, "weight": weight}
    warm: dict[str, list[float]] = {}
    alloc = Allocator(inputs)
    assert alloc.solve(warm=False).status.is_optimal
    # the raw twins: a three-stage Highs and a stage-1-only Highs, both solved at the base
    h3 = raw.highs(raw.costs[0])
    raw_lexicographic(h3, raw.costs, raw.col_lo, raw.col_hi, raw.row_lo, raw.row_hi,
                      FACE_TOLERANCE)
    h1 = raw.highs(raw.costs[0])
    h1.run()
    stream_rows = raw.rowpos[alloc.model.row_slice("stream")]
    base_rows = (raw.row_lo.copy(), raw.row_hi.copy())
    edits = {}
    for name, new in moves.items():
        rlo, rhi = raw.row_lo.copy(), raw.row_hi.copy()
        lo, hi = model_numbers(alloc.model, new).row_bounds["stream"]
        rlo[stream_rows], rhi[stream_rows] = lo, hi
        edits[name] = (rlo, rhi, raw.to_highs(stage_costs(alloc, new)[0]))
    diffs: dict[str, list[float]] = {}
    warm_values: dict[str, np.ndarray] = {}
    for _rep in range(reps):
        for name, new in moves.items():
            rlo, rhi, c1 = edits[name]
            gc.collect()
            log["run"].clear()
            t = pc()
            s = alloc.solve(new)
            warm.setdefault(f"{name}_budgetopt_warm", []).append(pc() - t)
            for i, r in enumerate(log["run"]):
                warm.setdefault(f"{name}_budgetopt_warm_run{i + 1}", []).append(r)
            assert s.status.is_optimal and s.warm
            warm_values.setdefault(name, s.values.col)
            # raw, three stages
            runs: list[float] = []
            t = pc()
            h3.changeRowsBounds(len(stream_rows), stream_rows, rlo[stream_rows],
                                rhi[stream_rows])
            ok, cv = raw_lexicographic(h3, [c1, *raw.costs[1:]], raw.col_lo, raw.col_hi,
                                       rlo, rhi, FACE_TOLERANCE, run_times=runs)
            warm.setdefault(f"{name}_raw_warm_full", []).append(pc() - t)
            for i, r in enumerate(runs):
                warm.setdefault(f"{name}_raw_warm_run{i + 1}", []).append(r)
            assert ok
            diffs.setdefault(name, []).append(worst(alloc, s.values.col, cv[raw.colpos]))
            # raw, stage 1 only
            t = pc()
            h1.changeRowsBounds(len(stream_rows), stream_rows, rlo[stream_rows],
                                rhi[stream_rows])
            h1.changeColsCost(raw.ncol, np.arange(raw.ncol, dtype=np.int32), c1)
            h1.run()
            h1.getSolution()
            warm.setdefault(f"{name}_raw_warm_stage1", []).append(pc() - t)
            # back to the base on all three (timed as a move too, not used in ratios)
            t = pc()
            alloc.solve(inputs)
            warm.setdefault(f"{name}_back_budgetopt_warm", []).append(pc() - t)
            h3.changeRowsBounds(len(stream_rows), stream_rows, base_rows[0][stream_rows],
                                base_rows[1][stream_rows])
            raw_lexicographic(h3, raw.costs, raw.col_lo, raw.col_hi, raw.row_lo, raw.row_hi,
                              FACE_TOLERANCE)
            h1.changeRowsBounds(len(stream_rows), stream_rows, base_rows[0][stream_rows],
                                base_rows[1][stream_rows])
            h1.changeColsCost(raw.ncol, np.arange(raw.ncol, dtype=np.int32), raw.costs[0])
            h1.run()
    check["warm_budgetopt_vs_raw_warm_by_rep"] = diffs
    del alloc, h1, h3
    for _rep in range(reps):
        for name, new in moves.items():
            gc.collect()
            t = pc()
            a2 = Allocator(new)
            s = a2.solve(warm=False)
            warm.setdefault(f"{name}_rebuild", []).append(pc() - t)
            assert s.status.is_optimal
            if _rep == 0:
                check.setdefault("rebuild_vs_first_warm", {})[name] = worst(
                    a2, s.values.col, warm_values[name])
            del a2, s
    out["warm"] = {k: {"median": med(v), "samples": v} for k, v in warm.items()}
    out["check"] = check
    out["rss_mb_timing_process"] = rss_mb()
    return out


def cell_mem(scenario: Path, mode: str, workdir: Path) -> dict:
    """Peak RSS of one path alone: import only, budgetopt build + solve, or raw on the LP."""
    import highspy  # noqa: F401

    import budgetopt.solve.allocator  # noqa: F401 - the import cost is part of every path

    base = rss_mb()
    t = pc()
    if mode == "budgetopt":
        from budgetopt.data.inputs import load_inputs
        from budgetopt.solve.allocator import Allocator

        alloc = Allocator(load_inputs(scenario))
        assert alloc.solve(warm=False).status.is_optimal
    elif mode == "raw":
        from budgetopt.solve.backends import FACE_TOLERANCE

        z = np.load(workdir / "lp.npz")
        raw = RawLp.__new__(RawLp)
        raw.ncol, raw.nrow, raw.fmt = (int(v) for v in z["dims"])
        for k in ("start", "index", "value", "col_lo", "col_hi", "row_lo", "row_hi"):
            setattr(raw, k, z[k])
        costs = list(z["costs"])
        h = raw.highs(costs[0])
        ok, _ = raw_lexicographic(h, costs, raw.col_lo, raw.col_hi, raw.row_lo, raw.row_hi,
                                  FACE_TOLERANCE)
        assert ok
    return {"rss_mb_after_import": base, "rss_mb_peak": rss_mb(), "seconds": pc() - t}


# --------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------
def ratios(r: dict) -> dict:
    c, w = r["cold"], r["warm"]
    out = {
        "cold_full_vs_raw_full": c["budgetopt_full"]["median"] / c["raw_full"]["median"],
        "cold_full_vs_raw_stage1": c["budgetopt_full"]["median"] / c["raw_stage1"]["median"],
        "cold_stage1_vs_raw_stage1": (c["budgetopt_stage1"]["median"]
                                      / c["raw_stage1"]["median"]),
        "raw_full_vs_raw_stage1": c["raw_full"]["median"] / c["raw_stage1"]["median"],
    }
    for move in ("budget", "weight"):
        bw = w[f"{move}_budgetopt_warm"]["median"]
        out[f"{move}_rebuild_vs_warm"] = w[f"{move}_rebuild"]["median"] / bw
        out[f"{move}_warm_vs_raw_warm_full"] = bw / w[f"{move}_raw_warm_full"]["median"]
        out[f"{move}_warm_vs_raw_warm_stage1"] = bw / w[f"{move}_raw_warm_stage1"]["median"]
    return out


def report(results: dict) -> str:
    lines = []
    for size, r in results["sizes"].items():
        c, w, q, lp = r["cold"], r["warm"], r["ratios"], r["lp"]
        lines += [
            f"== {size}: {lp['cols']:,} columns, {lp['rows']:,} rows, {lp['nnz']:,} non-zeros; "
            f"{r['reps']} reps (medians)",
            f"  cold  budgetopt build {fmt_s(c['build']['median'])} (PuLP build_model "
            f"{fmt_s(c['build_model']['median'])}, hand-over {fmt_s(c['hand_over']['median'])},"
            f" backend rest {fmt_s(c['backend_rest']['median'])})",
            f"        budgetopt solve {fmt_s(c['solve']['median'])} (HiGHS runs "
            f"{fmt_s(c['run1']['median'])} + {fmt_s(c['run2']['median'])} + "
            f"{fmt_s(c['run3']['median'])}, Python {fmt_s(c['solve_overhead']['median'])})",
            f"        budgetopt full {fmt_s(c['budgetopt_full']['median'])}  "
            f"stage-1 only {fmt_s(c['budgetopt_stage1']['median'])}",
            f"        raw highspy 3 stages {fmt_s(c['raw_full']['median'])}  "
            f"stage 1 {fmt_s(c['raw_stage1']['median'])}",
            f"        ratio full/raw-full {q['cold_full_vs_raw_full']:.2f}x   "
            f"full/raw-stage1 {q['cold_full_vs_raw_stage1']:.2f}x   "
            f"stage1/raw-stage1 {q['cold_stage1_vs_raw_stage1']:.2f}x",
        ]
        for move in ("budget", "weight"):
            runs = [w[k]["median"] for k in (f"{move}_budgetopt_warm_run{i}" for i in (1, 2, 3))
                    if k in w]
            raw_runs = [w[k]["median"] for k in (f"{move}_raw_warm_run{i}" for i in (1, 2, 3))
                        if k in w]
            if runs:
                lines.append(f"  warm {move:<6} HiGHS runs budgetopt "
                             + " + ".join(fmt_s(x) for x in runs) + "; raw "
                             + " + ".join(fmt_s(x) for x in raw_runs))
            lines.append(
                f"  warm {move:<6} budgetopt {fmt_s(w[f'{move}_budgetopt_warm']['median'])}  "
                f"rebuild {fmt_s(w[f'{move}_rebuild']['median'])}  raw 3-stage "
                f"{fmt_s(w[f'{move}_raw_warm_full']['median'])}  raw stage-1 "
                f"{fmt_s(w[f'{move}_raw_warm_stage1']['median'])}  | rebuild/warm "
                f"{q[f'{move}_rebuild_vs_warm']:.1f}x  warm/raw-3 "
                f"{q[f'{move}_warm_vs_raw_warm_full']:.2f}x  warm/raw-1 "
                f"{q[f'{move}_warm_vs_raw_warm_stage1']:.2f}x")
        m = r["memory"]
        lines.append(
            f"  peak RSS  budgetopt {m['budgetopt']['rss_mb_peak']:.0f} MB  raw "
            f"{m['raw']['rss_mb_peak']:.0f} MB  (after imports "
            f"{m['raw']['rss_mb_after_import']:.0f} MB)")
        lines.append(f"  checks {json.dumps(r['check'])}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="default,medium,large")
    p.add_argument("--reps", type=int, default=5, help="reps for default and medium")
    p.add_argument("--large-reps", type=int, default=2, help="reps for large")
    p.add_argument("--out", type=Path, default=ROOT / "docs" / "performance-results.json")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cell", help=argparse.SUPPRESS)
    p.add_argument("--mode", default="time", help=argparse.SUPPRESS)
    p.add_argument("--scenario", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.cell:  # a child process: one size, one measurement kind; JSON on the last line
        if a.mode == "time":
            res = cell_time(a.scenario, a.reps, a.workdir)
        else:
            res = cell_mem(a.scenario, a.mode, a.workdir)
        print(json.dumps(res))
        return

    from budgetopt.data.synthetic import make_dataset, make_scenario

    sizes = [s.strip() for s in a.sizes.split(",") if s.strip()]
    unknown = sorted(set(sizes) - set(SIZES))
    if unknown:
        p.error(f"unknown size(s) {', '.join(unknown)} (valid: {', '.join(SIZES)})")
    results: dict = {"machine": machine(), "targets": TARGETS, "sizes": {},
                     "settings": {"reps": a.reps, "large_reps": a.large_reps, "seed": a.seed}}
    started = pc()
    with tempfile.TemporaryDirectory(prefix="budgetopt-bench-") as tmp:
        for size in sizes:
            work = Path(tmp) / size
            work.mkdir()
            spec = SIZES[size]
            t = pc()
            if spec is None:
                scenario = ROOT / "parameters" / "baseline.yaml"
            else:
                ds = make_dataset(work / "dataset", seed=a.seed, **spec)
                scenario = make_scenario(work, ds, name=f"bench-{size}")
            gen_s = pc() - t
            reps = a.large_reps if size == "large" else a.reps
            print(f"[{size}] timing ({reps} reps) ...", file=sys.stderr, flush=True)
            common = ["--cell", size, "--scenario", str(scenario), "--workdir", str(work)]
            r = run_cell(__file__, [*common, "--reps", str(reps)])
            r["generate_s"] = gen_s
            r["spec"] = spec
            print(f"[{size}] memory ...", file=sys.stderr, flush=True)
            r["memory"] = {mode: run_cell(__file__, [*common, "--mode", mode])
                           for mode in ("budgetopt", "raw")}
            r["ratios"] = ratios(r)
            results["sizes"][size] = r
            print(f"[{size}] done at {pc() - started:.0f} s", file=sys.stderr, flush=True)
    results["total_seconds"] = pc() - started
    text = report(results)
    print(text)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print(f"results written to {a.out}")


if __name__ == "__main__":
    main()
