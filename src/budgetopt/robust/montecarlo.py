"""The Monte Carlo over the kept model: every draw edits it in place and re-solves warm.

Each worker builds one :class:`~budgetopt.solve.allocator.Allocator` for the scenario, solves
it cold and keeps that warm state; every draw then starts from the same state
(:meth:`~budgetopt.solve.allocator.Allocator.warm_state`), so its answer depends on the draw
alone — not on which draws the worker solved before — and the same seed gives the same numbers
whatever the number of workers. A draw is solved twice when it moves the limits (funding, need
shares):

* with every figure drawn, for the distribution of the allocation: stage 1 (the value) and,
  unless every service's effect is drawn, stage 2 (the steadiest of equally valuable plans),
  which fix the service totals — stage 3 only splits them between streams. When every effect is
  drawn, no two services' segments are worth the same (with probability one), so the value's
  optimum is unique and the tie-breaks change nothing;
* with the scenario's own limits and the draw's values (stage 1 only, starting from the first
  solve's optimum, :meth:`~budgetopt.data.uncertainty.Draws.valuation_inputs`), for the draw's
  best value against which a fixed plan — one that meets those limits — is measured: regret,
  EVPI.

Fixed plans (the recommended plan, the robust plan) are valued on each draw's curves by filling
their allocation cells steepest segment first (:func:`~budgetopt.model.costs.plan_value`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from budgetopt.data.inputs import ModelInputs
from budgetopt.data.uncertainty import Draws
from budgetopt.model.costs import plan_value
from budgetopt.solve.allocator import Allocator, WarmState

CHUNK = 25  # draws per task: small enough for a live progress bar, large enough to be cheap


@dataclass(frozen=True)
class DrawResult:
    """What one draw gave."""

    draw: int
    status: str  # "optimal", "infeasible" or "error" (with every figure drawn)
    totals: np.ndarray | None  # service totals t[s,y] in the model's t order (exact £)
    best_value: float | None  # the draw's best priority-weighted value at the point funding
    plan_values: tuple[float, ...]  # each fixed plan's value on the draw's curves


@dataclass
class _Worker:
    """A worker's kept model, its warm state and the fixed plans it values."""

    inputs: ModelInputs
    draws: Draws
    plans: Sequence[np.ndarray]  # allocation cells x[s,a,y] in the model's cell order
    solver: str
    alloc: Allocator | None = None
    state: WarmState | None = None

    def start(self) -> tuple[Allocator, WarmState]:
        if self.alloc is None or self.state is None:
            self.alloc = Allocator(self.inputs, self.solver)
            self.alloc.solve(warm=False)
            self.state = self.alloc.warm_state()
        return self.alloc, self.state

    def run(self, rows: Sequence[int]) -> list[DrawResult]:
        alloc, state = self.start()
        twice = self.draws.limits_vary
        stages = 1 if self.draws.every_effect_varies else 2
        out = []
        for i in rows:
            drawn = self.draws.inputs(self.inputs, i)
            full = alloc.solve(drawn, start=state, stages=stages)
            totals = full.values.array("t").copy() if full.values is not None else None
            if twice:  # from the draw's own optimum: the same values, other limits
                point = self.draws.valuation_inputs(self.inputs, i, drawn)
                after = alloc.warm_state() if full.values is not None else state
                best = alloc.solve(point, start=after, stages=1).objective
            else:
                point, best = alloc.inputs, full.objective
            values = tuple(plan_value(alloc.model, point, x) for x in self.plans)
            out.append(DrawResult(i, full.status.status.value, totals, best, values))
        return out


_WORKER: _Worker | None = None  # a process pool worker's own kept model


def _init_worker(inputs: ModelInputs, draws: Draws, plans: Sequence[np.ndarray],
                 solver: str) -> None:
    global _WORKER
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the run
    _WORKER = _Worker(inputs, draws, plans, solver)


def _run_chunk(rows: Sequence[int]) -> list[DrawResult]:
    assert _WORKER is not None
    return _WORKER.run(rows)


def chunks(n: int, size: int = CHUNK) -> list[range]:
    """Draw numbers 0..n-1 in consecutive tasks."""
    return [range(a, min(a + size, n)) for a in range(0, n, size)]


def run_draws(inputs: ModelInputs, draws: Draws, plans: Sequence[np.ndarray], jobs: int = 1,
              solver: str = "highs", progress: Callable[[int], None] | None = None,
              cancelled: Callable[[], bool] | None = None,
              scheduler: str | None = None) -> list[DrawResult]:
    """Solve every draw (in ``jobs`` worker processes when more than 1, or on the Dask
    ``scheduler`` when given) and value the fixed ``plans`` on each; results in draw order.
    ``progress`` hears how many draws each finished task solved; ``cancelled`` is asked
    between tasks (the explorer's Cancel)."""
    tasks = chunks(len(draws))
    results: list[DrawResult] = []
    batches = (_on_cluster(scheduler, inputs, draws, plans, solver, tasks) if scheduler
               else _each(inputs, draws, plans, jobs, solver, tasks))
    for done in batches:
        results.extend(done)
        if progress:
            progress(len(done))
        if cancelled and cancelled():
            break
    return sorted(results, key=lambda r: r.draw)


_KEPT: dict[tuple[str, int], _Worker] = {}  # a Dask worker's kept models, by run and thread


def _cluster_chunk(inputs: ModelInputs, draws: Draws, plans: Sequence[np.ndarray], solver: str,
                   run: str, rows: Sequence[int]) -> list[DrawResult]:
    """A batch of draws on a Dask worker, on the kept model this run built there (one per
    thread: a kept model is not shared between threads)."""
    import threading

    key = (run, threading.get_ident())
    if key not in _KEPT:
        for old in [k for k in _KEPT if k[0] != run]:  # free earlier runs' models
            del _KEPT[old]
        _KEPT[key] = _Worker(inputs, draws, plans, solver)
    return _KEPT[key].run(rows)


def _on_cluster(scheduler: str, inputs: ModelInputs, draws: Draws,
                plans: Sequence[np.ndarray], solver: str,
                tasks: list[range]) -> Iterator[list[DrawResult]]:
    import uuid

    from budgetopt.core.cluster import connect

    client = connect(scheduler)
    try:
        shared = client.scatter([inputs, draws, list(plans)], broadcast=True)
        run = uuid.uuid4().hex
        futures = [client.submit(_cluster_chunk, *shared, solver, run, rows, pure=False)
                   for rows in tasks]
        try:
            for f in futures:  # in order, as the local pool
                yield f.result()
        finally:
            client.cancel(futures)
    finally:
        client.close()


def _each(inputs: ModelInputs, draws: Draws, plans: Sequence[np.ndarray], jobs: int,
          solver: str, tasks: list[range]) -> Iterator[list[DrawResult]]:
    if jobs <= 1 or len(tasks) == 1:
        worker = _Worker(inputs, draws, plans, solver)
        for rows in tasks:
            yield worker.run(rows)
        return
    jobs = min(jobs, len(tasks), os.cpu_count() or jobs)
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                             initargs=(inputs, draws, plans, solver)) as pool:
        futures = [pool.submit(_run_chunk, rows) for rows in tasks]
        try:
            for f in futures:  # in order: the results are the same whatever finishes first
                yield f.result()
        finally:
            for f in futures:
                f.cancel()
