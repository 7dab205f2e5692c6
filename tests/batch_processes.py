"""Running `budgetopt run` as a user does, in its own process group, for the fault tests."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = [str(REPO / "parameters" / f"{n}.yaml") for n in ("baseline", "cut-5pct")]
NOISE = ("Kernel is running over TCP", "KeyboardInterrupt caught in kernel", "Traceback")


def start(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "budgetopt.cli", "run", *args], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)


def kernels_started(proc: subprocess.Popen, timeout: float = 90) -> list[psutil.Process]:
    """Wait until the run has a kernel executing a paper; every process it has started."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        kids = psutil.Process(proc.pid).children(recursive=True)
        if any("ipykernel" in " ".join(k.cmdline()) for k in kids if k.is_running()):
            time.sleep(2)  # into the paper's cells
            return psutil.Process(proc.pid).children(recursive=True)
        time.sleep(0.2)
    raise AssertionError("no kernel started")
