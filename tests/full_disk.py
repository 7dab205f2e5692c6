"""A full disk met at one file, in a fresh `budgetopt` process, for the output-folder tests.

``budgetopt_full_at("result.json", "solve", ...)`` runs the command with the writes of that file
going to ``/dev/full`` (ENOSPC, as on a full disk) and every other file written as usual: a file
system error at a real write, after the files written before it. budgetopt writes each file
through a temporary file named ``.<name>.…`` beside it (core/files.py), which is where the
error is met.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FULL_AT = """
import os, sys, tempfile
from budgetopt.cli import main

name, real = sys.argv.pop(1), tempfile.mkstemp

def mkstemp(*args, prefix="", **kwargs):
    fd, path = real(*args, prefix=prefix, **kwargs)
    if prefix.startswith(f".{name}."):
        os.close(fd)
        fd = os.open("/dev/full", os.O_WRONLY)
    return fd, path

tempfile.mkstemp = mkstemp
main()
"""


def budgetopt_full_at(name: str, *args: str, cwd: Path = REPO,
                      timeout: float = 600) -> subprocess.CompletedProcess:
    """``budgetopt *args`` whose writes of the file ``name`` meet a full disk."""
    return subprocess.run([sys.executable, "-c", FULL_AT, name, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
