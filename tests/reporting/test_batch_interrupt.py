"""`budgetopt run` interrupted, as a user does it: Ctrl+C to the terminal's process group and
SIGTERM to the command (issue 10, point 13). Each runs the command in its own process group,
with real kernels; the rerun that recovers is in test_batch_faults.py."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest

from budgetopt.reporting.scenario_folder import INTERRUPTED

from batch_processes import NOISE, SCENARIOS, kernels_started, start

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("how", ["Ctrl+C to the process group", "SIGTERM to the command",
                                 "Ctrl+C pressed three times"])
def test_an_interrupted_run_stops_within_seconds_and_says_what_finished(tmp_path, how):
    # before: SIGINT did nothing for 6 s, Ctrl+C kept running the remaining scenarios for 45 s
    # and printed nbclient tracebacks, SIGTERM left the workers writing papers for 25 s
    out = tmp_path / "reports"
    proc = start(*SCENARIOS, "--jobs", "2", "--out", str(out))
    started = kernels_started(proc)
    assert len(started) >= 3  # two workers and at least one kernel
    sent = time.monotonic()
    if how.startswith("Ctrl+C"):
        for _ in range(3 if "three" in how else 1):  # more while it cleans up: ignored
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.3)
    else:
        proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert proc.returncode == 130, stdout + stderr
    time.sleep(0.5)
    alive = [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    assert alive == []  # no orphan worker or kernel
    assert "Interrupted: the workers and their kernels were stopped" in stdout
    for noise in NOISE:
        assert noise not in stdout + stderr, stdout + stderr
    for name in ("baseline", "cut-5pct"):
        folder = out / name
        assert (folder / "error.txt").read_text().strip() == INTERRUPTED
        assert not (folder / "result.json").exists() and not (folder / "paper.pdf").exists()
        assert not list(folder.glob(".*"))  # no half-written notebook or temporary file
    index = (out / "index.html").read_text()
    assert index.count(">interrupted<") == 2
