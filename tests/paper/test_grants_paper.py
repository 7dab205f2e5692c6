"""The grant round's summary paper: its sections from a solved round, and `budgetopt run` on a
round file rendering it to HTML and PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from budgetopt.grants.result import run_round
from budgetopt.paper.grants import GRANT_SECTIONS, GrantPaper

from grant_rounds import bid, write_round

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "parameters" / "grants" / "cgs-2025-26-sample.yaml"


def money_cells(html: str, row: str) -> list[int]:
    """The £ figures of the table row whose first cell is ``row``."""
    found = re.search(rf"<tr[^>]*>\s*<t[hd][^>]*>{re.escape(row)}</t[hd]>(.*?)</tr>", html, re.S)
    assert found, row
    return [int(v.replace(",", "")) for v in re.findall(r"£([\d,]+)", found.group(1))]


def test_every_section_of_a_round_that_can_be_met(tmp_path):
    path = write_round(tmp_path, [bid("A", (15, 15), 6000), bid("B", (15, 10), 5000),
                                  bid("C", (12, 12), 5000), bid("D", (1, 1), 2000)],
                       threshold="1/4")
    paper = GrantPaper(run_round(path))
    html = {s.name: paper.section(s.name).html for s in GRANT_SECTIONS}
    assert html["not_met"] == ""  # only for a round that cannot be met
    assert "The recommended selection funds 2 bids with £10,000, leaving £0 unspent" in \
        html["summary"]
    assert "would fund 1 bids (£6,000) for a total score of 30; the recommended selection " \
        "scores 49 (+19) with +1 bids" in html["summary"]
    # the table adds up: available, asked, awarded and unspent of the only fund and area
    assert money_cells(html["by_area"], "Fund, north") == money_cells(html["by_area"], "Total") \
        == [10000, 18000, 10000, 0]
    assert "B009" not in html["reserve"] and ">A<" in html["reserve"]
    assert "Not eligible: it scored 2 in the first round" in html["not_funded"]
    assert "Table 1. Bids and awards by fund and area" in html["by_area"]


def test_the_paper_of_a_round_that_cannot_be_met(tmp_path):
    path = write_round(tmp_path, [bid("A", (15, 15), 1000)],
                       themes=[{"theme": "t", "min_share": 0.5}])
    paper = GrantPaper(run_round(path))
    shown = [s.name for s in GRANT_SECTIONS if paper.section(s.name).html]
    assert shown == ["title_block", "not_met", "method"]
    assert "Lower the minimum share of &#x27;t&#x27; of the round from 50.0% to 10.0%" in \
        paper.section("not_met").html


@pytest.mark.slow  # papermill in a real kernel, WeasyPrint
def test_budgetopt_run_renders_the_rounds_paper(tmp_path):
    done = subprocess.run([sys.executable, "-m", "budgetopt.cli", "run", str(SAMPLE),
                           "--out", str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = tmp_path / "grants" / "cgs-2025-26-sample"
    for name in ("paper.pdf", "paper.html", "awards.csv", "round.json", "awards.xlsx"):
        assert (folder / name).is_file(), name
    html = (folder / "paper.html").read_text()
    assert "OFFICIAL — ILLUSTRATIVE" in html and "FINAL" not in html
    assert "the bids in this round are synthetic" in html
    assert "<script" not in html
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(folder / "paper.pdf").pages)
    assert "The reserve list" in text and "Against funding down the ranked list" in text
