"""A Dask cluster for work that outgrows one machine (the optional ``cluster`` extra).

``--scheduler tcp://HOST:PORT`` sends the Monte Carlo's batches of draws, or a batch run's
papers, to a ``dask.distributed`` scheduler instead of the local process pool. The workers must
see the same files (the repository and the output folder) and run the same budgetopt.
"""

from __future__ import annotations

from typing import Any

from budgetopt.core.errors import InputError, Problem

TIMEOUT = 10  # seconds to reach the scheduler


def connect(address: str) -> Any:
    """A ``distributed.Client`` on ``address``; a clear error when the extra is missing or no
    scheduler answers there."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError([Problem("--scheduler", "needs the cluster extra: pip install "
                                  "'budgetopt[cluster]' (dask.distributed)", value=address)],
                         "The --scheduler option") from None
    try:
        return Client(address, timeout=TIMEOUT)
    except (OSError, TimeoutError, ValueError) as e:
        raise InputError([Problem("--scheduler", f"no Dask scheduler answers there ({e}); give "
                                  "the address a scheduler prints, e.g. tcp://127.0.0.1:8786",
                                  value=address)], "The --scheduler option") from None
