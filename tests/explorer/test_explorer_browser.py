"""The explorer in a real browser: Voila on a loopback port, Debian's Chromium driven by
Playwright, every request that is not to loopback blocked."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from budgetopt.data.inputs import load_inputs, resolve
from budgetopt.explorer.serve import PARAMS_ENV, end_server, free_port, new_token, voila_command
from budgetopt.explorer.voila_server import CULL_ENV, TOKEN_ENV
from budgetopt.results.result import make_result
from budgetopt.solve.allocator import Allocator

from browser_page import check_layout, loopback_page, screenshot, type_into

pytestmark = pytest.mark.slow  # Voila and a real browser

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def voila_url():
    port = free_port()
    token = new_token()
    env = {**os.environ, PARAMS_ENV: str(REPO / "parameters" / "baseline.yaml"),
           TOKEN_ENV: token}
    proc = subprocess.Popen(voila_command(REPO / "notebooks" / "explore.ipynb", port), cwd=REPO,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/?token={token}"
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
    end_server(proc)


def expected_first_year_total(change_pct: float) -> int:
    base = load_inputs(REPO / "parameters" / "baseline.yaml")
    inputs = resolve(base.dataset, base.scenario.with_changes(budget_change_pct=change_pct))
    alloc = Allocator(inputs)
    return make_result(alloc, alloc.solve(warm=False)).totals()[inputs.years[0]]


def test_budget_change_in_a_real_browser(voila_url, tmp_path):
    with loopback_page(voila_url, 1500, 1000) as (page, blocked):
        page.locator(".budgetopt-matrix tr.total td").last.wait_for(timeout=120_000)
        year_total = ("() => { const c = document.querySelectorAll("
                      "'.budgetopt-matrix tr.total td'); return c[c.length - 2].innerText; }")
        before = page.evaluate(year_total)  # the year's total (the last column: change)
        assert before == f"£{expected_first_year_total(0.0):,}"
        type_into(page, ".budgetopt-budget-box input", "-5")
        page.wait_for_function(
            "before => { const c = document.querySelectorAll("
            "'.budgetopt-matrix tr.total td'); return c.length > 1 && "
            "c[c.length - 2].innerText !== before; }", arg=before, timeout=60_000)
        after = page.evaluate(year_total)
        assert after == f"£{expected_first_year_total(-5.0):,}"
        bar = page.locator(".budgetopt-status").inner_text()
        assert "Total 2025/26:" in bar and "on the start" in bar
        assert "What changed:" in page.locator(".budgetopt-changed").inner_text()
        shot = tmp_path / "explorer.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        if os.environ.get("BUDGETOPT_SCREENSHOT"):  # refresh the user guide's picture
            Path(os.environ["BUDGETOPT_SCREENSHOT"]).write_bytes(shot.read_bytes())
    assert blocked == []  # the page asked for nothing outside the machine


def test_compare_reset_save_and_an_impossible_cut_in_a_real_browser(voila_url):
    with loopback_page(voila_url) as (page, blocked):
        total = page.locator(".budgetopt-matrix tr.total td").last
        total.wait_for(timeout=120_000)
        status = page.locator(".budgetopt-status")
        start = re.search(r"Total 2025/26: £[\d,]+", status.inner_text()).group(0)
        # keep a setting and see it in Compare
        type_into(page, ".budgetopt-budget-box input", "-4")
        page.wait_for_function("s => !document.querySelector('.budgetopt-status').innerText"
                               ".includes(s)", arg=start, timeout=60_000)
        page.get_by_placeholder("a name for this setting").fill("four off")
        page.get_by_role("button", name="Keep").click()
        page.get_by_role("tab", name="Compare").click()
        page.get_by_text("four off: change from the start by scheme and year").wait_for(
            timeout=60_000)
        # reset: back to the start
        page.get_by_role("button", name="Reset").click()
        page.wait_for_function("() => document.querySelector('.budgetopt-budget-box input')"
                               ".value === '0'", timeout=60_000)
        page.wait_for_function("s => document.querySelector('.budgetopt-status').innerText"
                               ".startsWith(s)", arg=start, timeout=60_000)
        # saving under a shipped scenario's name is refused, next to the button
        name = page.locator(".widget-text").filter(has_text="Scenario name").locator("input")
        name.fill("baseline")
        name.press("Enter")
        page.get_by_role("button", name="Save scenario").click()
        refusal = page.locator(".budgetopt-saved-refused")
        refusal.wait_for(timeout=60_000)
        assert "parameters/baseline.yaml is a shipped or hand-written scenario" in \
            refusal.inner_text()
        assert name.input_value() == "baseline-2"  # a free name is offered
        # a cut that cannot be met: the deepest that can, and a button that applies it
        type_into(page, ".budgetopt-budget-box input", "-30")
        page.get_by_text("Cannot be met.").wait_for(timeout=60_000)
        page.get_by_role("tab", name="Why").click()
        deepest = page.locator(".budgetopt-deepest")
        deepest.wait_for(timeout=60_000)
        assert "the deepest budget change that can be met is −" in deepest.inner_text()
        page.get_by_role("button", name="Use the deepest budget change that can be met").click()
        page.wait_for_function("() => !document.querySelector('.budgetopt-status').innerText"
                               ".includes('Cannot be met')", timeout=60_000)
        assert float(page.locator(".budgetopt-budget-box input").input_value()) > -30
    assert blocked == []


def _status(url: str, host: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        return opener.open(request, timeout=20).status
    except urllib.error.HTTPError as e:
        return e.code


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect to the login page is a refusal
        return None


def test_the_server_wants_its_token_and_a_loopback_host(voila_url):
    assert _status(voila_url) == 200
    bare = voila_url.split("?")[0]
    assert _status(bare) in (302, 403)  # no token: to the login page, never the explorer
    assert _status(voila_url, host="evil.example.com") == 403  # DNS rebinding refused
    assert _status(voila_url, host=f"localhost:{urlparse(voila_url).port}") == 200
    page = urllib.request.urlopen(voila_url, timeout=20).read().decode()
    assert "cdn.jsdelivr.net" not in page  # the icon font comes from Voila's own bundle


def test_sigterm_stops_the_explorer_and_its_kernels(tmp_path):
    import psutil

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "budgetopt.cli", "explore", "--port",
                             str(port)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    url = line.split()[2]
    assert "?token=" in url
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=30).read()  # starts a kernel for the page
            break
        except OSError:
            time.sleep(0.5)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children  # Voila (and the page's kernel)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    _, alive = psutil.wait_procs(children, timeout=15)
    assert alive == [], [p.cmdline() for p in alive]


def test_the_kernel_of_a_page_nobody_has_open_is_culled():
    """A page's kernel with no page connected is shut down after the idle time (here 3 s,
    checked every second; 300 s as budgetopt explore runs), while Voila goes on serving."""
    import psutil

    port, token = free_port(), new_token()
    env = {**os.environ, PARAMS_ENV: str(REPO / "parameters" / "baseline.yaml"),
           TOKEN_ENV: token, CULL_ENV: "3,1"}
    proc = subprocess.Popen(voila_command(REPO / "notebooks" / "explore.ipynb", port), cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/?token={token}"

    def kernels() -> list:
        return [c for c in psutil.Process(proc.pid).children(recursive=True)
                if "ipykernel" in " ".join(c.cmdline())]
    try:
        deadline = time.monotonic() + 90
        while True:
            try:  # the page is rendered by a kernel that waits for the page to connect
                urllib.request.urlopen(url, timeout=60).read()
                break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None, "Voila did not start"
                time.sleep(0.5)
        assert kernels(), "the page started no kernel"
        deadline = time.monotonic() + 45
        while kernels() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert kernels() == [], "the idle kernel was not culled"
        assert proc.poll() is None and _status(url) == 200  # and Voila still serves
    finally:
        end_server(proc)


@pytest.mark.parametrize("width", [1024, 1440])
def test_the_control_column_keeps_its_width_on_every_tab(voila_url, width, tmp_path):
    """Voila at 1024 and 1440 px: on every tab the control column is at least its set width
    (29em) and nothing in it is cut off; a change is highlighted in the matrix."""
    with loopback_page(voila_url, width) as (page, blocked):
        page.locator(".budgetopt-matrix tr.total td").last.wait_for(timeout=120_000)
        check_layout(page)
        screenshot(page, tmp_path / f"explorer-{width}.png")
    assert blocked == []


def test_the_robustness_tab_runs_in_the_layout(voila_url):
    with loopback_page(voila_url, 1024) as (page, blocked):
        page.locator(".budgetopt-matrix tr.total td").last.wait_for(timeout=120_000)
        page.get_by_role("tab", name="Robustness").click()
        draws = page.locator(".widget-inline-hbox").filter(has_text="Draws").locator("input")
        draws.first.fill("20")
        draws.first.press("Enter")
        page.get_by_role("button", name="Run").click()
        page.get_by_text("core", exact=False).first.wait_for(timeout=120_000)
        page.locator(".budgetopt-results svg").first.wait_for(timeout=60_000)
        em = page.evaluate("() => parseFloat(getComputedStyle("
                           "document.querySelector('.budgetopt-controls')).fontSize)")
        assert page.locator(".budgetopt-controls").bounding_box()["width"] >= 29 * em - 1
    assert blocked == []
