"""`budgetopt solve` as a user runs it: files written, exit codes 0 / 1 / 2, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from full_disk import budgetopt_full_at
from tiny_dataset import write_floors_too_high

pytestmark = pytest.mark.slow  # the command in a fresh process

REPO = Path(__file__).resolve().parents[1]


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "budgetopt.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_solve_baseline_writes_the_three_files(tmp_path):
    p = run("solve", str(REPO / "parameters" / "baseline.yaml"), "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "Victim and Witness Services" in p.stdout
    alloc = pd.read_csv(tmp_path / "allocation.csv")
    flows = pd.read_csv(tmp_path / "flows.csv")
    result = json.loads((tmp_path / "result.json").read_text())
    assert {"year", "scheme_id", "service_id", "area_id", "amount_gbp"} <= set(alloc.columns)
    assert {"year", "stream_id", "service_id", "amount_gbp"} <= set(flows.columns)
    assert result["status"] == "optimal"
    assert alloc["amount_gbp"].sum() == flows["amount_gbp"].sum() == result["total_allocated_gbp"]
    for fy, v in result["per_year"].items():
        year = int(fy[:4])
        assert alloc.loc[alloc["year"] == year, "amount_gbp"].sum() == v["allocated_gbp"]
    assert (alloc["amount_gbp"] == alloc["amount_gbp"].round()).all()


def test_solve_with_cbc_gives_the_same_allocation(tmp_path):
    assert run("solve", "parameters/baseline.yaml", "--out", str(tmp_path / "h")).returncode == 0
    p = run("solve", "parameters/baseline.yaml", "--solver", "cbc", "--out", str(tmp_path / "c"))
    assert p.returncode == 0, p.stderr
    a = pd.read_csv(tmp_path / "h" / "allocation.csv").set_index(
        ["year", "service_id", "area_id"])["amount_gbp"]
    b = pd.read_csv(tmp_path / "c" / "allocation.csv").set_index(
        ["year", "service_id", "area_id"])["amount_gbp"]
    assert (a - b).abs().max() <= 1


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_infeasible_scenario_exits_1_with_the_reason_and_no_tables(tmp_path, solver):
    data = write_floors_too_high(tmp_path / "data")
    params = tmp_path / "p.yaml"
    params.write_text(f"name: floors\ntitle: Floors too high\ndataset: {data}\nplan_years: 2\n")
    out = tmp_path / "out"
    p = run("solve", str(params), "--out", str(out), "--solver", solver)
    assert p.returncode == 1
    assert "No allocation meets every limit" in p.stdout
    assert "The smallest fix moves limits by £" in p.stdout  # the diagnosis, on CBC too
    assert "Traceback" not in p.stdout + p.stderr
    assert json.loads((out / "result.json").read_text())["status"] == "infeasible"
    assert not (out / "allocation.csv").exists()


def test_bad_parameters_exit_2_naming_file_and_key(tmp_path):
    params = tmp_path / "bad.yaml"
    params.write_text("name: bad\ntitle: Bad\ndataset: data/devon-cornwall\n"
                      "fairness_tolerance: 3\nbudget: 5\n")
    p = run("solve", str(params), "--out", str(tmp_path / "out"))
    assert p.returncode == 2
    assert "fairness_tolerance" in p.stderr and "budget" in p.stderr
    assert str(params) in p.stderr
    assert "Traceback" not in p.stdout + p.stderr
    assert not (tmp_path / "out").exists()


def test_missing_parameters_file_exits_2(tmp_path):
    p = run("solve", str(tmp_path / "nope.yaml"))
    assert p.returncode == 2
    assert "does not exist" in p.stderr and "Traceback" not in p.stderr


# ------------------------------------------------------------------ output folders (issue 10)
def _limit_file_size(limit: int):
    """A child process whose files cannot grow past ``limit`` bytes: a full disk, as the
    writes meet it (EFBIG), without filling one."""
    import resource
    import signal

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("where", ["a file", "under a file", "not permitted"])
def test_an_output_folder_that_will_not_do_exits_3_with_a_sentence(tmp_path, where):
    # before: a traceback and exit 1, the code for "not met"
    a_file = tmp_path / "taken"
    a_file.write_text("")
    out = {"a file": a_file, "under a file": a_file / "below",
           "not permitted": Path("/sys/budgetopt-out")}[where]
    p = run("solve", "parameters/baseline.yaml", "--out", str(out))
    assert p.returncode == 3
    assert "Traceback" not in p.stdout + p.stderr
    assert p.stderr.startswith(f"Cannot write {out}")
    assert len(p.stderr.strip().splitlines()) == 1


def test_a_full_disk_leaves_nothing_that_reads_as_the_result(tmp_path):
    # an earlier run's files are in the folder; this run meets a full disk while writing
    # allocation.csv (8 KB): exit 3, and neither the old nor a partial allocation or result
    # remains to be read as this run's
    out = tmp_path / "out"
    assert run("solve", "parameters/baseline.yaml", "--out", str(out)).returncode == 0
    assert (out / "allocation.csv").is_file() and (out / "result.json").is_file()
    p = subprocess.run([sys.executable, "-m", "budgetopt.cli", "solve",
                        "parameters/cut-5pct.yaml", "--out", str(out)], cwd=REPO,
                       capture_output=True, text=True, timeout=300,
                       preexec_fn=_limit_file_size(5_000))
    assert p.returncode == 3, p.stderr
    assert "the disk is full" in p.stderr and "Traceback" not in p.stderr
    assert sorted(f.name for f in out.iterdir()) == []


@pytest.mark.parametrize("at", ["flows.csv", "result.json"])
def test_a_full_disk_at_a_later_file_leaves_none_of_the_files(tmp_path, at):
    # before: allocation.csv (and flows.csv) stayed under their final names beside no
    # result.json; the files of one run are written all or none
    out = tmp_path / "out"
    p = budgetopt_full_at(at, "solve", "parameters/baseline.yaml", "--out", str(out))
    assert p.returncode == 3, p.stderr
    assert p.stderr.strip() == (f"Cannot write {out / at}: the disk is full (or a size limit "
                                "reached); free some space.")
    assert sorted(f.name for f in out.iterdir()) == []


def _earlier_result(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name in ("allocation.csv", "flows.csv", "result.json", "notes.txt",
                 "allocation.xlsx", "manifest.json"):  # the last two: a paper's, not solve's
        (folder / name).write_text("an earlier run's\n")


@pytest.mark.parametrize("where", ["--out", "the default folder"])
def test_bad_parameters_remove_an_earlier_result_from_the_folder(tmp_path, where):
    # before: exit 2 left the earlier run's allocation.csv, flows.csv and result.json, which
    # could be read as this run's; only this command's files go (notes.txt is the user's)
    (tmp_path / "parameters").mkdir()
    params = tmp_path / "parameters" / "bad.yaml"
    params.write_text(f"name: bad\ntitle: Bad\ndataset: {REPO / 'data' / 'devon-cornwall'}\n"
                      "budget_change_pct: 500\n")
    out = tmp_path / "out" if where == "--out" else tmp_path / "reports" / "bad"
    _earlier_result(out)
    p = run("solve", str(params), *(["--out", str(out)] if where == "--out" else []))
    assert p.returncode == 2, p.stderr
    assert "budget_change_pct" in p.stderr and "Traceback" not in p.stdout + p.stderr
    assert sorted(f.name for f in out.iterdir()) == ["allocation.xlsx", "manifest.json",
                                                     "notes.txt"]


def test_a_folder_in_the_way_of_a_file_is_named(tmp_path):
    # before: "Cannot write …/out: Is a directory." named the output folder, not the entry
    out = tmp_path / "out"
    (out / "allocation.csv").mkdir(parents=True)
    p = run("solve", "parameters/baseline.yaml", "--out", str(out))
    assert p.returncode == 3, p.stderr
    assert p.stderr.strip() == (f"Cannot write {out / 'allocation.csv'}: it is a folder, where "
                                "budgetopt writes a file; move or remove it, or choose another "
                                "folder (--out).")
    assert (out / "allocation.csv").is_dir()  # the user's folder is left alone
