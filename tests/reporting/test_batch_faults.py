"""`budgetopt run` under faults, as a user meets them: a rerun after Ctrl+C, a full disk, an
output folder that will not do, and the terminal kept to what the analyst needs (issue 10,
points 12, 13 and 17). Each runs the command in its own process group, with real kernels."""

from __future__ import annotations

import os
import resource
import signal

import pytest

from batch_processes import REPO, SCENARIOS, kernels_started, start
from full_disk import budgetopt_full_at

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
    assert proc.returncode == 3, stdout + stderr  # the output cannot be written (was 1)
    folder = out / "baseline"
    left = sorted(f.name for f in folder.iterdir())
    assert left == ["error.txt"], left
    assert "the disk is full" in (folder / "error.txt").read_text()
    assert "Baseline: failed" in stdout and "Traceback" not in stdout + stderr


def test_a_comparison_that_meets_a_full_disk_is_said_in_a_sentence(tmp_path):
    # before: "The comparison paper failed: OSError: [Errno 27] File too large", exit 1
    def limit() -> None:  # 5 KB: the notebooks meet it as papermill first writes them
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (5_000, 5_000))

    out = tmp_path / "reports"
    proc = start(SCENARIOS[0], "--out", str(out), preexec_fn=limit)
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stdout + stderr
    assert "Errno" not in stdout + stderr and "Traceback" not in stdout + stderr
    assert (f"Cannot write {out / 'comparison'}/.partial.ipynb: the disk is full (or a size "
            "limit reached); free some space.") in stdout.splitlines()
    assert sorted(f.name for f in (out / "comparison").iterdir()) == ["error.txt"]


@pytest.fixture(scope="module")
def full_disk_at_the_pdf(tmp_path_factory):
    """`budgetopt run baseline` whose paper.pdf files meet a full disk (the paper's and the
    comparison's, both rendered in worker processes, which start with the command's patched
    file writes: they are forked from it)."""
    out = tmp_path_factory.mktemp("full-pdf") / "reports"
    return out, budgetopt_full_at("paper.pdf", "run", SCENARIOS[0], "--out", str(out))


def test_a_paper_whose_pdf_meets_a_full_disk_exits_3_naming_it(full_disk_at_the_pdf):
    # before: exit 1, the code for a scenario that failed or cannot be met
    out, p = full_disk_at_the_pdf
    assert p.returncode == 3, p.stdout + p.stderr
    pdf = out / "baseline" / "paper.pdf"
    assert (f"— Cannot write {pdf}: the disk is full (or a size limit reached); free some "
            "space.") in p.stdout
    assert "Traceback" not in p.stdout + p.stderr


def test_a_paper_that_failed_on_a_full_disk_leaves_only_its_error(full_disk_at_the_pdf):
    # before: the whole executed paper.ipynb stayed beside error.txt, reading as a result
    out, _ = full_disk_at_the_pdf
    for folder in (out / "baseline", out / "comparison"):
        assert sorted(f.name for f in folder.iterdir()) == ["error.txt"], folder
    assert "the disk is full" in (out / "baseline" / "error.txt").read_text()


@pytest.mark.parametrize("where", ["baseline", "comparison"])
def test_a_paper_folder_that_is_a_file_exits_3_naming_it(tmp_path, where):
    # before: exit 1 for the scenario's folder, exit 0 for the comparison's (README: 0 means
    # every paper written)
    out = tmp_path / "reports"
    out.mkdir()
    (out / where).write_text("")
    proc = start(SCENARIOS[0], "--out", str(out))
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stdout + stderr
    sentence = (f"Cannot write {out / where}: it is {out / where}, which is a file, not a "
                "folder; choose a folder (--out).") if where == "comparison" else (
        f"Cannot write the paper of scenario '{where}': its folder would be {out / where}, but "
        "that is a file already there; rename the scenario (name: in its parameters file) or "
        "move that file.")  # a scenario's name is the fix, not another --out
    assert any(line.endswith(sentence) for line in stdout.splitlines()), stdout
    assert "Traceback" not in stdout + stderr


def test_a_grant_round_folder_that_is_a_file_exits_3(tmp_path):
    out = tmp_path / "reports"
    (out / "grants").mkdir(parents=True)
    folder = out / "grants" / "cgs-2025-26-sample"
    folder.write_text("")
    proc = start(str(REPO / "parameters" / "grants" / "cgs-2025-26-sample.yaml"), "--out",
                 str(out))
    stdout, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stdout + stderr
    assert stdout.strip().endswith(f"Cannot write {folder}: it is {folder}, which is a file, "
                                   "not a folder; choose a folder (--out).")


def test_an_output_folder_that_is_a_file_exits_3_before_any_kernel(tmp_path):
    a_file = tmp_path / "reports"
    a_file.write_text("")
    proc = start(SCENARIOS[0], "--out", str(a_file))
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3
    assert stderr.strip() == (f"Cannot write {a_file}: it is {a_file}, which is a file, not a "
                              "folder; choose a folder (--out).")
