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
