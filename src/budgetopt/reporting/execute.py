"""Running a notebook with papermill for a batch run: quiet kernels, one retry on start-up races,
and a failure said in a sentence."""

from __future__ import annotations

import time
from pathlib import Path

CELL_TIMEOUT = 600  # seconds per notebook cell
# the kernel's own log ("Kernel is running over TCP without encryption", "KeyboardInterrupt
# caught in kernel" as papermill shuts it down) is noise on the analyst's terminal; errors in
# the paper's cells still reach the notebook and error.txt
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


def execute(notebook: Path, out: Path, parameters: dict, cwd: Path) -> None:
    """papermill, with one retry on the kernel start-up races seen under parallel runs."""
    import papermill as pm

    for attempt in (1, 2):
        try:
            pm.execute_notebook(str(notebook), str(out), parameters=parameters,
                                kernel_name="python3", progress_bar=False, log_output=False,
                                execution_timeout=CELL_TIMEOUT, cwd=str(cwd),
                                extra_arguments=KERNEL_ARGUMENTS)
            return
        except RuntimeError as e:  # "Kernel didn't respond", ZMQ "Address already in use"
            transient = "Kernel didn't respond" in str(e) or "Address already in use" in str(e)
            if attempt == 2 or not transient:
                raise
            time.sleep(1)


def failure_sentence(nb_path: Path) -> str:
    """The failing cell's error from the executed notebook, in one sentence."""
    import nbformat

    try:
        nb = nbformat.read(nb_path, as_version=4)
    except Exception:  # noqa: BLE001 - missing or half-written notebook
        return "The paper notebook could not be executed."
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return (f"The paper notebook failed in cell {i + 1}: {out.get('ename')}: "
                        f"{out.get('evalue')}".strip())
    return "The paper notebook stopped before it finished."
