"""`budgetopt robust` and an expected-value scenario as a user runs them (fresh processes, real
kernels): the files, the words, the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from full_disk import budgetopt_full_at
from tiny_dataset import write_floors_too_high

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def budgetopt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "budgetopt.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)


def test_robust_writes_its_files_and_says_what_holds(tmp_path):
    p = budgetopt("robust", "parameters/baseline.yaml", "--draws", "60", "--seed", "1",
                  "--jobs", "2", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "over 60 draws (seed 1), 2025/26" in p.stdout
    assert "core (above its minimum in at least 90% of draws)" in p.stdout
    assert "value of perfect information" in p.stdout and "Traceback" not in p.stderr
    table = pd.read_csv(tmp_path / "robustness.csv")
    assert len(table) == 31 * 3 and table["p_above_min"].between(0, 1).all()
    record = json.loads((tmp_path / "robustness.json").read_text())
    assert record["draws"] == 60 and record["regret_gbp"]["mean"] >= 0


def test_robust_on_a_scenario_that_cannot_be_met_exits_1_with_its_diagnosis(tmp_path):
    data = write_floors_too_high(tmp_path / "data")
    params = tmp_path / "floors.yaml"
    params.write_text(f"name: floors\ntitle: Floors too high\ndataset: {data}\nplan_years: 2\n")
    p = budgetopt("robust", str(params), "--draws", "10", "--out", str(tmp_path / "out"))
    assert p.returncode == 1, p.stderr
    assert "No allocation meets every limit" in p.stdout
    assert "The smallest fix moves limits by £" in p.stdout  # the pipeline's diagnosis
    assert "Traceback" not in p.stdout + p.stderr
    assert not list((tmp_path / "out").glob("robustness.*"))


def test_an_expected_value_scenario_runs_into_a_paper(tmp_path):
    shipped = (REPO / "parameters" / "expected-value.yaml").read_text()
    assert "objective: expected" in shipped
    params = tmp_path / "expected-value.yaml"
    params.write_text(shipped.replace("robustness: {draws: 300, seed: 1, plan_draws: 100}",
                                      "robustness: {draws: 40, seed: 1, plan_draws: 20}")
                      .replace("dataset: data/devon-cornwall",
                               f"dataset: {REPO / 'data' / 'devon-cornwall'}"))
    p = subprocess.run([sys.executable, "-m", "budgetopt.cli", "run", str(params), "--out",
                        str(tmp_path / "reports")], cwd=REPO, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    html = (tmp_path / "reports" / "expected-value" / "paper.html").read_text()
    assert "the plan best on average over 20 draws" in html
    assert "How sure can we be?" in html and "drawn 40 times (seed 1)" in html
    assert (tmp_path / "reports" / "expected-value" / "paper.pdf").is_file()


def test_a_full_disk_at_robustness_json_leaves_neither_file(tmp_path):
    # before: robustness.csv stayed under its final name without robustness.json
    out = tmp_path / "out"
    p = budgetopt_full_at("robustness.json", "robust", "parameters/baseline.yaml", "--draws",
                          "10", "--out", str(out), cwd=REPO)
    assert p.returncode == 3, p.stderr
    assert p.stderr.strip() == (f"Cannot write {out / 'robustness.json'}: the disk is full (or "
                                "a size limit reached); free some space.")
    assert sorted(f.name for f in out.iterdir()) == []


def test_bad_parameters_remove_an_earlier_robustness_result(tmp_path):
    # before: exit 2 left the earlier run's robustness files; the solve's files and the
    # user's are not this command's and stay
    params = tmp_path / "bad.yaml"
    params.write_text(f"name: bad\ntitle: Bad\ndataset: {REPO / 'data' / 'devon-cornwall'}\n"
                      "budget_change_pct: 500\n")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("robustness.csv", "robustness.json", "result.json", "notes.txt"):
        (out / name).write_text("an earlier run's\n")
    p = budgetopt("robust", str(params), "--draws", "10", "--out", str(out))
    assert p.returncode == 2, p.stderr
    assert "budget_change_pct" in p.stderr and "Traceback" not in p.stdout + p.stderr
    assert sorted(f.name for f in out.iterdir()) == ["notes.txt", "result.json"]
