"""Running `budgetopt run` as a user does, in its own process group, for the fault tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = [str(REPO / "parameters" / f"{n}.yaml") for n in ("baseline", "cut-5pct")]
NOISE = ("Kernel is running over TCP", "KeyboardInterrupt caught in kernel", "Traceback",
         "Kernel died", "Task exception was never retrieved", "DeadKernelError", "Aborted!")


def start(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "budgetopt.cli", "run", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)


@contextmanager
def started(*args: str, **kwargs) -> Iterator[subprocess.Popen]:
    """:func:`start`, and on the way out (a failed assertion included) its process group and
    every process the run started ended: only this test's own."""
    proc = start(*args, **kwargs)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            kids = _children(proc)
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            for kid in kids:  # kernels run in sessions of their own
                with suppress(psutil.Error):
                    kid.kill()
            proc.communicate(timeout=30)


def _children(proc: subprocess.Popen) -> list[psutil.Process]:
    try:
        return psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        return []


def _is_kernel(p: psutil.Process) -> bool:
    with suppress(psutil.Error):
        return p.is_running() and "ipykernel" in " ".join(p.cmdline())
    return False


def kernels_started(proc: subprocess.Popen, timeout: float = 90,
                    folder: Path | None = None) -> list[psutil.Process]:
    """Wait until the run has a kernel executing a paper (in ``folder``, when given: a kernel
    works in the folder of the paper it makes); every process it has started."""
    end = time.monotonic() + timeout
    while time.monotonic() < end and proc.poll() is None:
        for kid in _children(proc):
            with suppress(psutil.Error):
                if _is_kernel(kid) and (folder is None or Path(kid.cwd()) == folder):
                    time.sleep(2)  # into the paper's cells
                    return _children(proc)
        time.sleep(0.2)
    raise AssertionError(f"no kernel started{f' in {folder}' if folder else ''}")


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 60) -> None:
    """Wait until the run has made ``path``."""
    end = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < end and proc.poll() is None, f"{path} was not made"
        time.sleep(0.02)


def none_left(processes: list[psutil.Process]) -> list[psutil.Process]:
    """The processes of ``processes`` still alive (zombies are not)."""
    time.sleep(0.5)
    alive = []
    for p in processes:
        with suppress(psutil.Error):
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                alive.append(p)
    return alive
