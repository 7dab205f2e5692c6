"""Stopping a batch run on Ctrl+C or SIGTERM: the signals become one exception in the run, and
every process the run started — worker processes and the kernels they started — is ended.

Kernels run in their own sessions (jupyter_client starts them so), so a terminal's Ctrl+C never
reaches them, and workers ignore it: the run's own process decides, ends them all within
:data:`KILL_GRACE` seconds (SIGTERM, then SIGKILL) and reports what finished.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Set
from contextlib import contextmanager, suppress

KILL_GRACE = 2.0  # seconds a worker or kernel has to end after SIGTERM before SIGKILL


class Interrupted(BaseException):
    """Ctrl+C or SIGTERM reached the run. A BaseException, like KeyboardInterrupt, so that no
    ``except Exception`` on the way (a scenario's own failure handling) swallows it."""


SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _Handling:
    """Whether this process's signals are being handled (a nested use leaves it to the outer one)
    and whether the first signal has come."""

    active = False
    fired = False


@contextmanager
def signals_interrupt(restore: bool = True) -> Iterator[None]:
    """Ctrl+C and SIGTERM raise :class:`Interrupted` in the run, once: the first signal
    interrupts and every later one is ignored, so no second Ctrl+C cuts the clean-up short.

    With ``restore=False`` (a command that exits when this ends) the signals stay ignored after
    the first until the process has exited: restoring the default handler first would let a
    late Ctrl+C kill the process on its way out (exit −2, not 130). A use inside another leaves
    the handling to the outer one. Main thread only; elsewhere, e.g. under a notebook's thread,
    the signals keep their handlers."""
    if threading.current_thread() is not threading.main_thread() or _Handling.active:
        yield
        return

    def stop(signum: int, frame: object) -> None:
        if _Handling.fired:  # already pending when the first one set SIG_IGN
            return
        _Handling.fired = True
        for sig in SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        raise Interrupted()

    _Handling.active, _Handling.fired = True, False
    saved = {sig: signal.signal(sig, stop) for sig in SIGNALS}
    try:
        yield
    finally:
        _Handling.active = False
        if restore or not _Handling.fired:
            for sig, handler in saved.items():
                signal.signal(sig, handler)


def worker_start() -> None:
    """In each worker: Ctrl+C to the terminal's process group is the parent's to handle (it
    ends the workers), and SIGTERM ends a worker at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def running_children() -> set[int]:
    """The processes below this one now (a notebook kernel's own, say): not the run's to end."""
    import psutil

    try:
        return {p.pid for p in psutil.Process().children(recursive=True)}
    except psutil.Error:
        return set()


def end_descendants(spare: Set[int] = frozenset()) -> None:
    """End every process this one started since ``spare`` was taken — workers and the kernels
    they started (kernels run in their own sessions, so a terminal's Ctrl+C never reaches
    them) — within seconds."""
    import psutil

    try:
        procs = [p for p in psutil.Process().children(recursive=True) if p.pid not in spare]
    except psutil.Error:
        return
    for p in procs:
        with suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=KILL_GRACE)
    for p in alive:
        with suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=KILL_GRACE)
