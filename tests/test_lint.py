"""The code stays clean: ruff over everything, mypy over the package, notebooks as generated."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow  # whole-tree tools in fresh processes


def run(*cmd: str) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean():
    p = run(str(BIN / "ruff"), "check", ".")  # the notebooks too
    assert p.returncode == 0, p.stdout + p.stderr


def test_mypy_is_clean():
    p = run(str(BIN / "mypy"))
    assert p.returncode == 0, p.stdout + p.stderr


def test_notebook_check_passes():
    p = run(sys.executable, "tools/make_notebooks.py", "--check")
    assert p.returncode == 0, p.stderr
