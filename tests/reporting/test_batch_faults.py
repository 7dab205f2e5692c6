"""`budgetopt run` under faults, as a user meets them: a rerun after Ctrl+C, a full disk, an
output folder that will not do, and the terminal kept to what the analyst needs (issue 10,
points 12, 13 and 17). Each runs the command in its own process group, with real kernels."""

from __future__ import annotations

import os
import resource
import signal

import pytest

from batch_processes import SCENARIOS, kernels_started, start

pytestmark = pytest.mark.slow


def test_a_rerun_after_an_interruption_recovers_and_the_terminal_stays_quiet(tmp_path):
    out = tmp_path / "reports"
    proc = start(SCENARIOS[0], "--out", str(out))
    kernels_started(proc)
    os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=30) == 130
    again = start(SCENARIOS[0], "--out", str(out))
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stdout + stderr
    assert (out / "baseline" / "paper.pdf").is_file()
    assert not (out / "baseline" / "error.txt").exists()
    # one line for the scenario and one for the index: no kernel or server noise
    assert stderr.strip() == ""
    assert [line.split(":")[0] for line in stdout.strip().splitlines()] == ["Baseline",
                                                                             "Index of papers"]


def test_a_full_disk_leaves_no_paper_beside_a_result(tmp_path):
    # before: a truncated paper.ipynb stayed beside a result.json saying "optimal"
    def limit() -> None:  # files cannot grow past 200 KB: the notebook (≈360 KB) meets it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    out = tmp_path / "reports"
    proc = start(SCENARIOS[0], "--out", str(out), preexec_fn=limit)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stdout + stderr
    folder = out / "baseline"
    left = sorted(f.name for f in folder.iterdir())
    assert left == ["error.txt"], left
    assert "the disk is full" in (folder / "error.txt").read_text()
    assert "Baseline: failed" in stdout and "Traceback" not in stdout + stderr


def test_an_output_folder_that_is_a_file_exits_3_before_any_kernel(tmp_path):
    a_file = tmp_path / "reports"
    a_file.write_text("")
    proc = start(SCENARIOS[0], "--out", str(a_file))
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3
    assert stderr.strip() == (f"Cannot write {a_file}: it is {a_file}, which is a file, not a "
                              "folder; choose a folder (--out).")
