"""`budgetopt validate` run as a real process: exit codes, summary, problems, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # the command in a fresh process

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "budgetopt.cli", *map(str, args)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False,
    )


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stdout + result.stderr, result.stderr


def test_validate_default_dataset(repo_root):
    result = run_cli("validate", "data/devon-cornwall", cwd=repo_root)
    assert result.returncode == EXIT_OK, result.stderr
    out = result.stdout
    assert "Dataset 'devon-cornwall'" in out
    assert "base year 2024/25; plan years 2025/26 to 2029/30" in out
    assert "8 schemes" in out and "4 areas" in out
    assert "reconciles to the published total £9,600,000" in out
    assert "placeholder figures" in out
    assert "The dataset is valid." in out
    assert_no_traceback(result)


def test_validate_manifest_path(repo_root):
    result = run_cli("validate", "data/devon-cornwall/dataset.yaml", cwd=repo_root)
    assert result.returncode == EXIT_OK, result.stderr
    assert "The dataset is valid." in result.stdout


def test_validate_broken_copy(dataset_copy, csv_edit, tmp_path):
    line = csv_edit.set_cell("services", {"service_id": "isva"}, "evidence", "excellent")
    csv_edit.write_text("inflation", "year;rate\n2025;0.03\n")
    result = run_cli("validate", dataset_copy, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT
    err = result.stderr
    assert "is not valid: 2 problems found" in err
    assert f"services.csv, line {line}, column 'evidence': value 'excellent'" in err
    assert "inflation.csv, line 1" in err and "semicolons" in err
    assert "The dataset is valid." not in result.stdout
    assert_no_traceback(result)


def test_validate_nonexistent_folder(tmp_path):
    result = run_cli("validate", tmp_path / "no-such-dataset", cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT
    assert "dataset folder does not exist" in result.stderr
    assert_no_traceback(result)


def test_validate_parameters_file(repo_root, tmp_path):
    # from another working directory: the scenario's dataset path resolves from the repository
    result = run_cli("validate", repo_root / "parameters" / "baseline.yaml", cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Dataset 'devon-cornwall'" in result.stdout
    assert "Scenario 'baseline' is valid: Baseline" in result.stdout
    assert_no_traceback(result)


def test_validate_bad_parameters_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\ntitle: Bad\ndataset: data/devon-cornwall\n"
                    "fairness_tolerance: 2\ncolour: blue\n")
    result = run_cli("validate", path, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT
    assert "key 'fairness_tolerance'" in result.stderr
    assert "key 'colour'" in result.stderr
    assert_no_traceback(result)


def test_installed_console_script(repo_root):
    script = Path(sys.executable).parent / "budgetopt"
    assert script.exists(), "the budgetopt console script is not installed (pip install -e .)"
    result = subprocess.run([str(script), "validate", "data/devon-cornwall"], cwd=repo_root,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == EXIT_OK, result.stderr
    assert "The dataset is valid." in result.stdout


SAMPLE_ROUND = Path("parameters") / "grants" / "cgs-2025-26-sample.yaml"


def test_validate_grant_round(repo_root):
    # the command tells a round from a scenario as `budgetopt run` does, and checks its bids
    result = run_cli("validate", SAMPLE_ROUND, cwd=repo_root)
    assert result.returncode == EXIT_OK, result.stderr
    out = result.stdout
    bids = (repo_root / "data" / "grants" / "cgs-2025-26-sample" / "bids.csv").read_text()
    n_bids = len(bids.strip().splitlines()) - 1
    assert "Grant round 'cgs-2025-26-sample'" in out
    assert f"{n_bids} bids" in out
    assert "133,000" in out and "36,900" in out  # each fund's money per area
    assert "synthetic" in out
    assert "Grant round 'cgs-2025-26-sample' is valid" in out
    assert len(out.splitlines()) <= 24, out  # one screen
    assert result.stderr == ""
    assert_no_traceback(result)


def test_validate_grant_round_with_bad_bids_and_keys(tmp_path):
    from grant_rounds import bid, write_round

    path = write_round(tmp_path, [bid("A", (15, 15), 3000), bid("B", (15, 15), 2000,
                                                                area="south")],
                       grant={"min_gbp": 1000, "max_gbp": 1e30})
    result = run_cli("validate", path, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT
    err = result.stderr
    assert "Grant round" in err and "key 'grant.max_gbp'" in err
    assert "key 'funds'" not in err and "key 'dataset'" not in err  # not read as a scenario
    assert_no_traceback(result)
    path = write_round(tmp_path, [bid("A", (15, 15), 3000), bid("B", (15, 15), 2000,
                                                                area="south")])
    result = run_cli("validate", path, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT
    assert "bids.csv, line 3, column 'area': value 'south'" in result.stderr
    assert_no_traceback(result)


def test_a_named_pipe_or_a_missing_file_is_said_never_waited_on(tmp_path):
    """A named pipe would make a reader wait for a writer for ever: a parameters file, a
    round's bids table (and a dataset's tables, tests/data) that is one is refused at once."""
    from grant_rounds import bid, write_round

    pipe = tmp_path / "scenario.yaml"
    os.mkfifo(pipe)
    result = run_cli("validate", pipe, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT
    assert "scenario.yaml — is a named pipe (FIFO), not a file" in result.stderr
    result = run_cli("validate", tmp_path / "nowhere.yaml", cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT  # a file, not a dataset folder, that is missing
    assert "nowhere.yaml — parameters file does not exist" in result.stderr
    path = write_round(tmp_path / "round", [bid("A", (15, 15), 3000)])
    (path.parent / "bids.csv").unlink()
    os.mkfifo(path.parent / "bids.csv")
    result = run_cli("validate", path, cwd=path.parent)
    assert result.returncode == EXIT_BAD_INPUT
    assert "bids.csv — is a named pipe (FIFO), not a file" in result.stderr


@pytest.mark.parametrize("name", ["grants", "README.md", "index.html"])
def test_validate_refuses_a_name_the_reports_folder_holds(tmp_path, name):
    # before: grants and README.md passed validate (issue 10, point 14)
    path = tmp_path / "named.yaml"
    path.write_text(f"name: {name}\ntitle: Named\ndataset: data/devon-cornwall\n")
    result = run_cli("validate", path, cwd=tmp_path)
    assert result.returncode == EXIT_BAD_INPUT, result.stdout
    assert f"key 'name': value '{name}' — '{name}' is reserved: reports/" in result.stderr
    assert "choose another name" in result.stderr
    assert_no_traceback(result)
