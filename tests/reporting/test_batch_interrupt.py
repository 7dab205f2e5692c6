"""`budgetopt run` interrupted, as a user does it: Ctrl+C to the terminal's process group, SIGINT
or SIGTERM to the command, Ctrl+C held down, in the parallel and the sequential path, before any
paper starts, after some scenarios finished and during the comparison paper (issue 10, point
13). Each runs the command in its own process group, with real kernels; the rerun that recovers
is in test_batch_faults.py."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from budgetopt.reporting.interrupted_run import (
    BEFORE_ANY_PAPER,
    COMPARISON_WITHDRAWN,
    ROUND_INTERRUPTED,
)
from budgetopt.reporting.scenario_folder import INTERRUPTED

from batch_processes import (
    NOISE,
    REPO,
    SCENARIOS,
    kernels_started,
    none_left,
    started,
    wait_for,
)

pytestmark = pytest.mark.slow

HOW = ["Ctrl+C to the process group", "SIGINT to the command", "SIGTERM to the command"]


def interrupt(proc: subprocess.Popen, how: str) -> None:
    if how.startswith("Ctrl+C"):
        for _ in range(3 if "three" in how else 1):  # more while it cleans up: ignored
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.3)
    else:
        proc.send_signal(signal.SIGINT if how.startswith("SIGINT") else signal.SIGTERM)


def stopped_within(proc: subprocess.Popen, how: str, seconds: float) -> tuple[str, str]:
    """Interrupt ``proc`` as ``how`` says; its stdout and stderr once it has exited, which it
    must within ``seconds``."""
    sent = time.monotonic()
    interrupt(proc, how)
    stdout, stderr = proc.communicate(timeout=max(30, 6 * seconds))
    assert time.monotonic() - sent < seconds
    return stdout, stderr


def assert_quiet(stdout: str, stderr: str) -> None:
    """Nothing on stderr, and no kernel or traceback noise anywhere: only the run's sentences."""
    assert stderr == "", stderr
    for noise in NOISE:
        assert noise not in stdout, stdout


@pytest.mark.parametrize("how", [*HOW, "Ctrl+C pressed three times"])
def test_an_interrupted_run_stops_within_seconds_and_says_what_finished(tmp_path, how):
    # before: SIGINT did nothing for 6 s, Ctrl+C kept running the remaining scenarios for 45 s
    # and printed nbclient tracebacks, SIGTERM left the workers writing papers for 25 s
    out = tmp_path / "reports"
    with started(*SCENARIOS, "--jobs", "2", "--out", str(out)) as proc:
        begun = kernels_started(proc)
        assert len(begun) >= 3  # two workers and at least one kernel
        stdout, stderr = stopped_within(proc, how, 10)
    assert proc.returncode == 130, stdout + stderr
    assert none_left(begun) == []  # no orphan worker or kernel
    assert "Interrupted: the workers and their kernels were stopped" in stdout
    assert_quiet(stdout, stderr)
    for name in ("baseline", "cut-5pct"):
        folder = out / name
        assert (folder / "error.txt").read_text().strip() == INTERRUPTED
        assert not (folder / "result.json").exists() and not (folder / "paper.pdf").exists()
        assert not list(folder.glob(".*"))  # no half-written notebook or temporary file
    index = (out / "index.html").read_text()
    assert index.count(">interrupted<") == 2
    assert "This run was interrupted: 0 of 2 scenarios finished" in index
    assert "the baseline did not finish, so none is set against it." in index


@pytest.mark.parametrize("how", HOW)
def test_papers_run_in_turn_stop_as_quietly(tmp_path, how):
    # before: with --jobs 1 (the default) the kernels ran under the command's own process, and
    # 3 interruptions in 12 printed "Kernel died while waiting for execute reply.", "Task
    # exception was never retrieved" and nbclient's DeadKernelError traceback as it exited
    for attempt in range(2):  # the noise came now and then: more than one try
        out = tmp_path / f"reports-{attempt}"
        with started(*SCENARIOS, "--out", str(out)) as proc:
            begun = kernels_started(proc)
            stdout, stderr = stopped_within(proc, how, 10)
        assert proc.returncode == 130, stdout + stderr
        assert none_left(begun) == []
        assert_quiet(stdout, stderr)
        assert "0 of 2 scenario(s) had finished" in stdout
        assert (out / "baseline" / "error.txt").read_text().strip() == INTERRUPTED
        assert not list((out / "baseline").glob(".*"))
        assert not (out / "cut-5pct").exists()  # not started: nothing made for it
        assert (out / "index.html").read_text().count(">interrupted<") == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_held_down_still_exits_130(tmp_path, jobs):
    # before: the default handler came back once the clean-up was done, and a later Ctrl+C
    # killed the command on its way out (waitpid −2, not 130), in 2 of 5 tries with three
    # presses 0.3 s apart
    out = tmp_path / "reports"
    with started(*SCENARIOS, "--jobs", jobs, "--out", str(out)) as proc:
        kernels_started(proc)
        sent = time.monotonic()
        while proc.poll() is None and time.monotonic() - sent < 20:
            os.killpg(proc.pid, signal.SIGINT)
            time.sleep(0.05)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stdout + stderr
    assert_quiet(stdout, stderr)
    assert (out / "index.html").read_text().count(">interrupted<") == 2


def _many_scenarios(folder: Path, n: int) -> list[str]:
    """``n`` valid scenario files: checking them takes seconds before any paper starts."""
    base = yaml.safe_load((REPO / "parameters" / "baseline.yaml").read_text())
    paths = []
    for i in range(n):
        path = folder / f"s{i}.yaml"
        path.write_text(yaml.safe_dump({**base, "name": f"s{i}", "title": f"S{i}",
                                        "dataset": str(REPO / "data" / "devon-cornwall")}))
        paths.append(str(path))
    return paths


@pytest.mark.parametrize("how", ["Ctrl+C to the process group", "SIGTERM to the command"])
def test_an_interrupt_while_the_files_are_checked_exits_130_with_a_sentence(tmp_path, how):
    # before: the handling came only after the files were checked; Ctrl+C then gave click's
    # "Aborted!" and exit 1 (the code of a scenario not met), SIGTERM a silent −15
    out = tmp_path / "reports"
    params = _many_scenarios(tmp_path, 40)
    with started(*params, "--out", str(out)) as proc:
        wait_for(out, proc, timeout=120)  # the output folder checked: the files are next
        time.sleep(0.5)
        stdout, stderr = stopped_within(proc, how, 5)
    assert proc.returncode == 130, stdout + stderr
    assert stdout.strip().splitlines()[-1] == BEFORE_ANY_PAPER
    assert_quiet(stdout, stderr)
    assert list(out.iterdir()) == []  # no scenario was started, no index written


def test_a_run_interrupted_after_a_scenario_finished_keeps_it_and_withdraws_the_old_comparison(
        tmp_path):
    # before: the index still linked the earlier run's comparison/paper.pdf, which compared
    # scenarios that now held only error.txt, and said "2 scenarios; no baseline to compare
    # with." though the baseline's paper had finished
    out = tmp_path / "reports"
    earlier = out / "comparison"
    earlier.mkdir(parents=True)
    for name in ("paper.pdf", "paper.html", "paper.ipynb"):
        (earlier / name).write_text("the earlier run's comparison")
    with started(*SCENARIOS, "--out", str(out)) as proc:  # --jobs 1: one after the other
        begun = kernels_started(proc, timeout=300, folder=out / "cut-5pct")
        assert (out / "baseline" / "paper.pdf").is_file()
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stdout + stderr
    assert none_left(begun) == []
    assert_quiet(stdout, stderr)
    lines = stdout.strip().splitlines()
    assert lines[0].startswith("Baseline: paper — Paper written: ")
    assert lines[1] == f"5% cut to the commissioning budget: interrupted — {INTERRUPTED}"
    assert "1 of 2 scenario(s) had finished" in lines[2]
    assert sorted(p.name for p in (out / "baseline").iterdir()) == sorted([
        "paper.ipynb", "paper.html", "paper.pdf", "allocation.csv", "flows.csv", "result.json",
        "allocation.xlsx", "manifest.json"])
    assert (out / "cut-5pct" / "error.txt").read_text().strip() == INTERRUPTED
    assert sorted(p.name for p in earlier.iterdir()) == ["error.txt"]
    assert (earlier / "error.txt").read_text().strip() == COMPARISON_WITHDRAWN
    index = (out / "index.html").read_text()
    rows = index.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert 'href="baseline/paper.pdf"' in rows[0] and "<td>optimal</td>" in rows[0]
    assert ">interrupted<" in rows[1] and 'href="cut-5pct/error.txt"' in rows[1]
    assert ("This run was interrupted: 1 of 2 scenarios finished (run again to finish the "
            "others); those that finished are set against the baseline, Baseline.") in index
    assert "no baseline to compare with" not in index
    assert "comparison/paper" not in index
    assert "No comparison paper: The run was interrupted" in index


def test_an_interrupt_during_the_comparison_paper_says_each_scenario_once(tmp_path):
    # before: each scenario's line came twice, and comparison/.partial.ipynb was left behind
    out = tmp_path / "reports"
    with started(SCENARIOS[0], "--out", str(out)) as proc:
        begun = kernels_started(proc, timeout=300, folder=out / "comparison")
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stdout + stderr
    assert none_left(begun) == []
    assert_quiet(stdout, stderr)
    assert stdout.count("Baseline: ") == 1, stdout
    assert "1 of 1 scenario(s) had finished" in stdout
    assert (out / "baseline" / "paper.pdf").is_file()
    assert sorted(p.name for p in (out / "comparison").iterdir()) == ["error.txt"]
    index = (out / "index.html").read_text()
    assert 'href="baseline/paper.pdf"' in index and "comparison/paper" not in index
    assert "No comparison paper: The run was interrupted" in index


@pytest.mark.parametrize("how", ["Ctrl+C to the process group", "SIGTERM to the command"])
def test_an_interrupted_grant_round_paper_says_so_and_leaves_no_half_notebook(tmp_path, how):
    # before: a round's paper ran in the command's own process; an interrupt left its
    # .partial.ipynb and no error.txt, and the run said no paper had been started
    out = tmp_path / "reports"
    folder = out / "grants" / "cgs-2025-26-sample"
    round_file = str(REPO / "parameters" / "grants" / "cgs-2025-26-sample.yaml")
    with started(round_file, "--out", str(out)) as proc:
        begun = kernels_started(proc, timeout=300, folder=folder)
        stdout, stderr = stopped_within(proc, how, 10)
    assert proc.returncode == 130, stdout + stderr
    assert stdout.strip().splitlines()[-1] == ROUND_INTERRUPTED
    assert_quiet(stdout, stderr)
    assert not none_left(begun)
    assert (folder / "error.txt").read_text().strip() == INTERRUPTED
    assert sorted(p.name for p in folder.iterdir()) == ["error.txt"]
