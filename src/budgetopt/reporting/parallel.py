"""Running a batch's papers side by side: in local worker processes (one, with ``--jobs 1``, runs
them in turn) or on a Dask cluster; stopped cleanly on Ctrl+C or SIGTERM.

Every local paper runs in a worker process, never in the run's own: a notebook's kernel client
(nbclient) interrupted in this process leaves its clean-up to run on the way out, which prints
"Kernel died while waiting for execute reply" and an unretrieved task's traceback; a worker is
simply ended, with its kernel. :func:`in_worker` does the same for one call (the comparison
paper).

A worker that fails outside a scenario's own handling (killed, out of memory) fails that scenario
only: the others its broken pool did not finish run again. On
:class:`~budgetopt.reporting.interrupts.Interrupted` the workers and their kernels are ended (not
the processes that were there before the run), what did not finish is marked, and
:class:`Interrupted` is raised again with every scenario's outcome in order.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from budgetopt.reporting.interrupts import Interrupted, end_descendants, worker_start
from budgetopt.reporting.scenario_folder import Outcome, failed, interrupted

Task = Callable[[Path, Path, Path, str], Outcome]  # batch.run_one
T = TypeVar("T")


def run_all(task: Task, paths: list[Path], out_root: Path, repo_root: Path, jobs: int,
            progress: bool, meeting_date: str, spare: Set[int],
            scheduler: str | None = None) -> list[Outcome]:
    """Run ``task`` (``batch.run_one``) for each scenario in ``jobs`` worker processes (in
    turn in one, with ``jobs`` 1) or on the Dask ``scheduler``; outcomes in the order of
    ``paths``.

    A worker that dies breaks its pool, and every scenario the pool had not finished fails
    with it (``BrokenProcessPool``) whichever worker died. Those are run again, each in a pool
    of its own, so only the scenario whose worker dies again fails."""
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), unit="paper", desc="budgetopt run")
    finished: dict[Path, Outcome] = {}
    live: dict[Future[Outcome], Path] = {}  # the futures of the pool now running
    pools: list[ProcessPoolExecutor] = []

    def in_pool(batch: list[Path], workers: int) -> list[Path]:
        """Run ``batch``; the scenarios a broken pool did not finish."""
        pool = ProcessPoolExecutor(max_workers=workers, initializer=worker_start)
        pools.append(pool)
        live.clear()
        live.update({pool.submit(task, p, out_root, repo_root, meeting_date): p for p in batch})
        broken = []
        for f in as_completed(live):
            path = live[f]
            try:
                finished[path] = f.result()
            except BrokenProcessPool:
                broken.append(path)
                continue
            except Exception as e:  # noqa: BLE001 - the task itself failed in its worker
                finished[path] = _worker_stopped(path, out_root, e)
            if bar:
                bar.update()
        pool.shutdown(wait=False, cancel_futures=True)
        return broken

    try:
        if scheduler:
            _on_cluster(scheduler, task, paths, (out_root, repo_root, meeting_date), finished,
                        bar)
        else:
            for path in in_pool(paths, max(1, min(jobs, len(paths)))):
                for again in in_pool([path], 1):  # its own worker died: it alone fails
                    finished[again] = _worker_stopped(again, out_root, BrokenProcessPool(
                        "its worker process ended abruptly (killed, or out of memory)"))
                    if bar:
                        bar.update()
    except (Interrupted, KeyboardInterrupt):
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        end_descendants(spare)
        for f, p in live.items():  # finished while the signal came: keep, not mark
            if p not in finished and f.done() and not f.cancelled() and f.exception() is None:
                finished[p] = f.result()
        raise Interrupted([finished.get(p) or interrupted(p, out_root) for p in paths]) \
            from None
    finally:
        for pool in pools:
            pool.shutdown(wait=False, cancel_futures=True)
        if bar:
            bar.close()
    return [finished[p] for p in paths]


def _worker_stopped(path: Path, out_root: Path, error: BaseException) -> Outcome:
    return failed(path, out_root, f"The worker running this paper stopped: "
                                  f"{type(error).__name__}: {error}")


def in_worker(fn: Callable[..., T], *args: Any, spare: Set[int]) -> T:
    """``fn(*args)`` in a worker process of its own, for the same reason as the papers: an
    interruption ends that process and the kernel it started (not the processes in ``spare``)
    and raises :class:`Interrupted` again."""
    pool = ProcessPoolExecutor(max_workers=1, initializer=worker_start)
    try:
        result = pool.submit(fn, *args).result()
        pool.shutdown()
        return result
    except (Interrupted, KeyboardInterrupt):
        pool.shutdown(wait=False, cancel_futures=True)
        end_descendants(spare)
        raise Interrupted() from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _on_cluster(scheduler: str, task: Task, paths: list[Path], args: tuple,
                finished: dict[Path, Outcome], bar: object) -> None:
    """The papers as Dask tasks (the workers see the same files); an interruption cancels
    the ones not finished."""
    from distributed import as_completed as completed

    from budgetopt.core.cluster import connect

    client = connect(scheduler)
    futures = {client.submit(task, p, *args, pure=False, key=f"paper-{p.stem}-{id(p)}"): p
               for p in paths}
    try:
        for f in completed(list(futures)):
            finished[futures[f]] = f.result()
            if bar:
                bar.update()  # type: ignore[attr-defined]
    finally:
        client.cancel(list(futures))
        client.close()
