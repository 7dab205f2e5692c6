"""The explorer in JupyterLab, in a real browser: the notebook run in a real kernel, at 1024 and
1440 px, with the file browser side bar open and closed.

JupyterLab runs on a loopback port with a token and its own settings and runtime folders (so
nothing of the user's is read or changed); autosave is off, and the test checks the committed
notebook is left as it was — without outputs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from budgetopt.explorer.serve import end_server, free_port, new_token

from browser_page import check_layout, loopback_page, screenshot

pytestmark = pytest.mark.slow  # JupyterLab, a kernel and a real browser

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "explore.ipynb"
SETTINGS = {  # the lab's own settings: no autosave (the notebook stays without outputs), no news
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    # every cell drawn, in view or not, so the explorer's parts can be measured
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab serving the repository on loopback; yields the notebook's address."""
    tmp = tmp_path_factory.mktemp("lab")
    for name, value in SETTINGS.items():
        path = tmp / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    before = NOTEBOOK.read_bytes()
    port, token = free_port(), new_token()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp / "runtime")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
         "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={REPO}",
         f"--LabApp.user_settings_dir={tmp / 'settings'}",
         f"--LabApp.workspaces_dir={tmp / 'workspaces'}"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                   timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                end_server(proc)
                pytest.fail("JupyterLab did not start")
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}/lab/tree/notebooks/explore.ipynb?token={token}"
    end_server(proc)
    assert NOTEBOOK.read_bytes() == before, "JupyterLab changed the committed notebook"


def run_all(page) -> None:
    """Open the notebook, wait for its kernel, run every cell (Run → Run All Cells; again if
    a first click came before the lab was ready) and wait for the explorer."""
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    explorer = page.locator(".budgetopt-matrix tr.total td").last
    for _ in range(3):
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.locator('li[data-command="runmenu:run-all"]').click()
        try:
            page.locator(".jp-InputPrompt").filter(has_text="[1]").wait_for(timeout=20_000)
            break
        except Exception:  # noqa: BLE001 - not started: the lab was not ready; ask again
            continue
    explorer.wait_for(timeout=120_000)


def left_bar_open(page) -> bool:
    return page.locator("#filebrowser").is_visible()


@pytest.mark.parametrize("width", [1024, 1440])
def test_the_explorer_holds_its_layout_in_jupyterlab(lab, width, tmp_path):
    """With the file browser open beside the notebook, then closed: the control column keeps
    its width and nothing in it is cut off on any tab; a change is highlighted."""
    with loopback_page(lab, width) as (page, blocked):
        run_all(page)
        for side_bar in (True, False):
            if left_bar_open(page) != side_bar:
                # the file browser's tab in the left bar opens and closes its panel
                page.locator('.jp-SideBar.jp-mod-left li[data-id="filebrowser"]').click()
                page.wait_for_timeout(500)
            assert left_bar_open(page) == side_bar
            check_layout(page, container=".jp-NotebookPanel", move="-3" if side_bar else "-4")
            if side_bar:
                screenshot(page, tmp_path / f"explorer-lab-{width}.png")
    assert blocked == []
