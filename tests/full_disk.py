"""A full disk met at one file, in a fresh `budgetopt` process, for the output-folder tests.

``budgetopt_full_at("result.json", "solve", ...)`` runs the command with the writes of that file
going to ``/dev/full`` (ENOSPC, as on a full disk) and every other file written as usual: a file
system error at a real write, after the files written before it. budgetopt writes each file
through a temporary file named ``.<name>.…`` beside it (core/files.py), which is where the
error is met.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def full_at(name: str, real: Callable[..., tuple[int, str]]) -> Callable[..., tuple[int, str]]:
    """``real`` (tempfile.mkstemp), but the temporary file of ``name`` is written to /dev/full:
    its name is made as usual, its writes meet a full disk."""
    def mkstemp(*args: Any, prefix: str = "", **kwargs: Any) -> tuple[int, str]:
        fd, path = real(*args, prefix=prefix, **kwargs)
        if prefix.startswith(f".{name}."):
            os.close(fd)
            fd = os.open("/dev/full", os.O_WRONLY)
        return fd, path
    return mkstemp


FULL_AT = f"""
import sys, tempfile
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from full_disk import full_at
from budgetopt.cli import main

tempfile.mkstemp = full_at(sys.argv.pop(1), tempfile.mkstemp)
main()
"""


def budgetopt_full_at(name: str, *args: str, cwd: Path = REPO,
                      timeout: float = 600) -> subprocess.CompletedProcess:
    """``budgetopt *args`` whose writes of the file ``name`` meet a full disk."""
    return subprocess.run([sys.executable, "-c", FULL_AT, name, *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)
