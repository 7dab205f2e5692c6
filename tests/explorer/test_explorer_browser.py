"""The explorer in a real browser: Voila on a loopback port, Debian's Chromium driven by
Playwright, every request that is not to loopback blocked."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from budgetopt.data.inputs import load_inputs, resolve
from budgetopt.explorer.serve import PARAMS_ENV, free_port, voila_command
from budgetopt.results.result import make_result
from budgetopt.solve.allocator import Allocator

pytestmark = pytest.mark.slow  # Voila and a real browser

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def voila_url():
    port = free_port()
    env = {**os.environ, PARAMS_ENV: str(REPO / "parameters" / "baseline.yaml")}
    proc = subprocess.Popen(voila_command(REPO / "notebooks" / "explore.ipynb", port), cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read(100)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                out = proc.stdout.read().decode(errors="replace")[-2000:]
                pytest.fail(f"Voila did not start on {url}:\n{out}")
            time.sleep(0.5)
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def expected_first_year_total(change_pct: float) -> int:
    base = load_inputs(REPO / "parameters" / "baseline.yaml")
    inputs = resolve(base.dataset, base.scenario.with_changes(budget_change_pct=change_pct))
    alloc = Allocator(inputs)
    return make_result(alloc, alloc.solve(warm=False)).totals()[inputs.years[0]]


def test_budget_change_in_a_real_browser(voila_url, tmp_path):
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: install Debian's package with "
                    "'apt-get install -y chromium' (.ci/run does this).")
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def only_loopback(route):
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1000})
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.goto(voila_url, timeout=60_000)
            total_cell = page.locator(".budgetopt-matrix tr.total td").last
            total_cell.wait_for(timeout=120_000)
            before = total_cell.inner_text()
            assert before == f"£{expected_first_year_total(0.0):,}"

            readout = page.locator(".budgetopt-budget .widget-readout")
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("-5")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "before => { const c = document.querySelectorAll("
                "'.budgetopt-matrix tr.total td'); return c.length && "
                "c[c.length - 1].innerText !== before; }", arg=before, timeout=60_000)
            after = total_cell.inner_text()
            assert after == f"£{expected_first_year_total(-5.0):,}"
            assert "warm re-solve" in page.locator(".budgetopt-status").inner_text()
            shot = tmp_path / "explorer.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            if os.environ.get("BUDGETOPT_SCREENSHOT"):  # refresh the user guide's picture
                Path(os.environ["BUDGETOPT_SCREENSHOT"]).write_bytes(shot.read_bytes())
        finally:
            browser.close()
    # anything the page tried to fetch from outside was blocked, and it still worked
    assert all(urlparse(u).hostname not in LOOPBACK for u in blocked)
