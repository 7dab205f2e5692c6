"""``budgetopt explore``: the explorer notebook served by Voila on 127.0.0.1, offline.

Voila passes no arguments to a notebook, so the scenario the explorer starts from travels in the
environment (``BUDGETOPT_EXPLORE_PARAMS``). The server binds to loopback only and opens no
browser; nothing on the page is loaded from the internet.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from budgetopt.data.scenario import load_scenario, repository_root

PARAMS_ENV = "BUDGETOPT_EXPLORE_PARAMS"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def voila_command(notebook: Path, port: int) -> list[str]:
    """The Voila command that serves the explorer on loopback only, with no browser.

    The kernel talks to Voila over local sockets (IPC), not TCP ports, and Voila logs errors
    only: the terminal shows the explorer's address (printed by :func:`serve`) and real faults,
    not "Kernel is running over TCP without encryption" or "Notebook is not trusted"."""
    return [sys.executable, "-m", "voila", str(notebook), "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--show_tracebacks=True", "--Voila.log_level=ERROR",
            "--KernelManager.transport=ipc"]


def serve(port: int = 8866, params: str = "parameters/baseline.yaml",
          echo: Callable[[str], None] = print) -> int:
    """Run Voila in the foreground (Ctrl+C stops it); the explorer starts from ``params``."""
    root = repository_root(Path.cwd())
    path = Path(params) if Path(params).is_absolute() else root / params
    load_scenario(path)  # bad input: a clear message now, not a broken page later
    port = port or free_port()
    echo(f"Scenario explorer: http://127.0.0.1:{port}/  (Ctrl+C to stop)")
    env = {**os.environ, PARAMS_ENV: str(path)}
    try:
        return subprocess.call(voila_command(root / "notebooks" / "explore.ipynb", port),
                               cwd=root, env=env)
    except KeyboardInterrupt:
        return 0
