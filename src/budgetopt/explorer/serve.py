"""``budgetopt explore``: the explorer notebook served by Voila on 127.0.0.1, offline.

Voila passes no arguments to a notebook, so the scenario the explorer starts from travels in the
environment (``BUDGETOPT_EXPLORE_PARAMS``), as does the token (``BUDGETOPT_EXPLORE_TOKEN``). The
server binds to loopback only, opens no browser, refuses a foreign Host header and any request
without the token, culls the kernels of closed pages, and stops with every kernel on Ctrl+C or
SIGTERM; nothing on the page is loaded from the internet.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from budgetopt.data.scenario import load_scenario, repository_root
from budgetopt.explorer.voila_server import TOKEN_ENV

PARAMS_ENV = "BUDGETOPT_EXPLORE_PARAMS"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def new_token() -> str:
    return secrets.token_urlsafe(24)


def voila_command(notebook: Path, port: int) -> list[str]:
    """The command that serves the explorer (:mod:`budgetopt.explorer.voila_server`): loopback
    only, no browser, a token from the environment, the Host header checked, idle kernels
    culled. The kernel talks to Voila over local sockets (IPC), and Voila logs errors only."""
    return [sys.executable, "-m", "budgetopt.explorer.voila_server", str(notebook), str(port)]


def serve(port: int = 8866, params: str = "parameters/baseline.yaml",
          echo: Callable[[str], None] = print) -> int:
    """Run Voila until Ctrl+C or SIGTERM, then stop it and every kernel it started; the
    explorer starts from ``params``; the address printed carries the token."""
    root = repository_root(Path.cwd())
    path = Path(params) if Path(params).is_absolute() else root / params
    load_scenario(path)  # bad input: a clear message now, not a broken page later
    port = port or free_port()
    token = new_token()
    echo(f"Scenario explorer: http://127.0.0.1:{port}/?token={token}  (Ctrl+C to stop)")
    env = {**os.environ, PARAMS_ENV: str(path), TOKEN_ENV: token}
    proc = subprocess.Popen(voila_command(root / "notebooks" / "explore.ipynb", port), cwd=root,
                            env=env, start_new_session=True)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        end_server(proc)


def end_server(proc: subprocess.Popen) -> None:
    """Stop Voila, then anything left in its process group (its kernels)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
