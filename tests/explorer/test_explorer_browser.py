"""The explorer in a real browser: Voila on a loopback port, Debian's Chromium driven by
Playwright, every request that is not to loopback blocked."""

from __future__ import annotations

import os
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
            page.locator(".budgetopt-matrix tr.total td").last.wait_for(timeout=120_000)
            year_total = ("() => { const c = document.querySelectorAll("
                          "'.budgetopt-matrix tr.total td'); return c[c.length - 2].innerText; }")
            before = page.evaluate(year_total)  # the year's total (the last column: change)
            assert before == f"£{expected_first_year_total(0.0):,}"

            readout = page.locator(".budgetopt-budget-box input")
            readout.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("-5")
            page.keyboard.press("Enter")
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
        finally:
            browser.close()
    # anything the page tried to fetch from outside was blocked, and it still worked
    assert all(urlparse(u).hostname not in LOOPBACK for u in blocked)


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
    (29em), every number box shows its value, and a change is highlighted in the matrix."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": 900})
            context.route("**/*", lambda route: route.continue_()
                          if urlparse(route.request.url).hostname in LOOPBACK
                          or route.request.url.startswith(("data:", "blob:"))
                          else route.abort())
            page = context.new_page()
            page.goto(voila_url, timeout=60_000)
            page.locator(".budgetopt-matrix tr.total td").last.wait_for(timeout=120_000)
            em = page.evaluate("() => parseFloat(getComputedStyle("
                               "document.querySelector('.budgetopt-controls')).fontSize)")
            for tab in ("Allocation", "Charts", "Why", "Compare", "Robustness"):
                page.get_by_role("tab", name=tab).click()
                page.wait_for_timeout(300)
                box = page.locator(".budgetopt-controls").bounding_box()
                assert box["width"] >= 29 * em - 1, (width, tab, box["width"])
                boxes = page.locator(".budgetopt-budget-box input")
                assert boxes.input_value() != ""  # the value is shown, not clipped away
            page.get_by_role("tab", name="Allocation").click()
            box = page.locator(".budgetopt-budget-box input")
            box.click()
            page.keyboard.press("Control+A")
            page.keyboard.type("-3")
            page.keyboard.press("Enter")
            page.locator(".budgetopt-matrix tr.changed").first.wait_for(timeout=60_000)
            shot = tmp_path / f"explorer-{width}.png"
            page.screenshot(path=str(shot), full_page=False)
            if os.environ.get("BUDGETOPT_SCREENSHOTS"):  # refresh docs/explorer.md's pictures
                target = Path(os.environ["BUDGETOPT_SCREENSHOTS"]) / shot.name
                target.write_bytes(shot.read_bytes())
        finally:
            browser.close()
