"""Voila as ``budgetopt explore`` runs it: loopback only, a token, the Host header checked,
kernels of closed pages culled, and a page template that loads nothing from the internet.

Run as ``python -m budgetopt.explorer.voila_server NOTEBOOK PORT`` with the token in the
``BUDGETOPT_EXPLORE_TOKEN`` environment variable (never on a command line other users can read).
Voila's own defaults allow any Host header (``allow_remote_access=True``), which is the shape of
a DNS-rebinding attack on a loopback server; here the Jupyter server's check refuses every
request whose Host is not a loopback name or address.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from traitlets.config import Config

TOKEN_ENV = "BUDGETOPT_EXPLORE_TOKEN"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "jupyter"
CULL_IDLE_SECONDS = 300  # a closed page's kernel is shut down after this long without a client
CULL_EVERY_SECONDS = 60
CULL_ENV = "BUDGETOPT_EXPLORE_CULL_SECONDS"  # "IDLE[,EVERY]": shorter, for tests


def config(token: str, cull_idle: int = CULL_IDLE_SECONDS,
           cull_every: int = CULL_EVERY_SECONDS) -> Config:
    c = Config()
    c.Voila.ip = "127.0.0.1"
    c.Voila.open_browser = False
    c.Voila.token = token
    c.Voila.tornado_settings = {"allow_remote_access": False,
                                "local_hostnames": ["localhost", "127.0.0.1", "::1"]}
    c.Voila.log_level = "ERROR"
    c.VoilaConfiguration.template = "budgetopt"
    c.VoilaConfiguration.show_tracebacks = True
    c.KernelManager.transport = "ipc"
    for name in ("MappingKernelManager", "AsyncMappingKernelManager"):
        c[name].cull_idle_timeout = cull_idle
        c[name].cull_interval = cull_every
        c[name].cull_connected = False  # only kernels no page is connected to
    return c


def main(argv: list[str] | None = None) -> int:
    from voila.app import Voila

    notebook, port = (argv or sys.argv[1:])[:2]
    token = os.environ.get(TOKEN_ENV, "")
    # the page template lives with the package; Voila finds templates on the Jupyter path
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(TEMPLATES), os.environ.get("JUPYTER_PATH", "")) if p)
    idle, _, every = os.environ.get(CULL_ENV, "").partition(",")
    cull = (int(idle), int(every or CULL_EVERY_SECONDS)) if idle else (
        CULL_IDLE_SECONDS, CULL_EVERY_SECONDS)
    Voila.launch_instance(argv=[notebook, f"--port={port}"], config=config(token, *cull))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
