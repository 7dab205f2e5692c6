"""A real browser for the explorer's tests: Debian's Chromium driven by Playwright, with every
request that is not to loopback blocked and recorded (a test asserts the record is empty)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@contextlib.contextmanager
def loopback_page(url: str, width: int = 1440, height: int = 900):
    """A Chromium page on ``url`` in which every request not to loopback is blocked; yields
    the page and the list of blocked addresses (which a test asserts is empty)."""
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: install Debian's package with "
                    "'apt-get install -y chromium' (.ci/run does this).")
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []

    def only_loopback(route):
        address = route.request.url
        if address.startswith(("data:", "blob:")) or urlparse(address).hostname in LOOPBACK:
            route.continue_()
        else:
            blocked.append(address)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            context.route("**/*", only_loopback)
            page = context.new_page()
            page.goto(url, timeout=60_000)
            yield page, blocked
        finally:
            browser.close()


def type_into(page, selector: str, text: str) -> None:
    page.locator(selector).click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


TABS = ("Allocation", "Charts", "Why", "Compare", "Robustness")
CONTROL_WIDTH_EM = 29  # views.CSS: .budgetopt-controls

# every input and slider of the control column that is cut off sideways: outside the column,
# or outside the visible part of ``container`` (the page in Voila, the notebook in JupyterLab)
CLIPPED = """container => {
  const c = document.querySelector('.budgetopt-controls').getBoundingClientRect();
  const v = document.querySelector(container).getBoundingClientRect();
  const out = [];
  const parts = '.budgetopt-controls input, .budgetopt-controls .widget-slider, '
              + '.budgetopt-controls .widget-html';
  for (const e of document.querySelectorAll(parts)) {
    const r = e.getBoundingClientRect();
    if (r.width === 0) continue;  // hidden
    if (r.left < c.left - 1 || r.right > c.right + 1 || r.left < v.left - 1
        || r.right > v.right + 1) out.push(`${e.className || e.tagName} ${r.left}-${r.right}`);
  }
  return out;
}"""


def check_layout(page, container: str = "body", move: str = "-3") -> None:
    """On every tab: the control column is at least its set width, and nothing in it (number
    boxes with their values, sliders, labels) is cut off sideways; then a change is
    highlighted in the matrix (after a budget change to ``move`` %), and editing a number did
    not scroll the column sideways."""
    em = page.evaluate("() => parseFloat(getComputedStyle("
                       "document.querySelector('.budgetopt-controls')).fontSize)")
    for tab in TABS:
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(300)
        box = page.locator(".budgetopt-controls").bounding_box()
        assert box["width"] >= CONTROL_WIDTH_EM * em - 1, (tab, box["width"])
        assert page.evaluate(CLIPPED, container) == [], tab
        assert page.locator(".budgetopt-budget-box input").input_value() != ""
    page.get_by_role("tab", name="Allocation").click()
    before = page.locator(".budgetopt-status").inner_text()
    type_into(page, ".budgetopt-budget-box input", move)
    page.wait_for_function("s => document.querySelector('.budgetopt-status').innerText !== s",
                           arg=before, timeout=60_000)
    page.locator(".budgetopt-matrix tr.changed").first.wait_for(timeout=60_000)
    assert page.evaluate("() => document.querySelector('.budgetopt-controls').scrollLeft") == 0
    assert page.evaluate(CLIPPED, container) == []


def screenshot(page, path: Path) -> None:
    """A screenshot of the page; with BUDGETOPT_SCREENSHOTS set to a folder (docs/images), a
    copy there for docs/explorer.md."""
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 10_000
    folder = os.environ.get("BUDGETOPT_SCREENSHOTS")
    if folder:
        (Path(folder) / path.name).write_bytes(path.read_bytes())
