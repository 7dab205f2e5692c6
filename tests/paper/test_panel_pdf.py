"""The rendered papers a Panel reads (issue 12), end to end: papermill, HTML, WeasyPrint PDF.

The baseline's page budget, page 1, the marking in every page's header and in the metadata, the
PDF's alternative text for figures, and the expected-value paper's range of social value."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest

from budgetopt.reporting.batch import run

from pdf_layout import text_off_the_page

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
MAIN_BODY_PAGES = 10
WHOLE_PAPER_PAGES = 14


@pytest.fixture(scope="module")
def papers(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("papers")
    code = run([REPO / "parameters" / "baseline.yaml", REPO / "parameters" / "expected-value.yaml"],
               out, jobs=2, echo=lambda _: None, progress=False)
    assert code == 0
    return out


def _pages(pdf: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(pdf).pages]


def _alt_texts(pdf: Path) -> list[str]:
    """Every /Alt in the PDF's structure tree (what a screen reader says for a figure)."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(node, depth=0):
        node = node.get_object() if hasattr(node, "get_object") else node
        if depth > 80 or id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, pypdf.generic.DictionaryObject):
            if "/Alt" in node:
                found.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"], depth + 1)
        elif isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child, depth + 1)

    walk(pypdf.PdfReader(pdf).trailer["/Root"]["/StructTreeRoot"])
    return found


def test_baseline_fits_the_page_budget(papers):
    pages = _pages(papers / "baseline" / "paper.pdf")
    first_appendix = next(i for i, text in enumerate(pages, 1) if "Appendix A." in text)
    assert first_appendix - 1 <= MAIN_BODY_PAGES  # the main body ends on page 10 at most
    assert len(pages) <= WHOLE_PAPER_PAGES


def test_no_text_runs_off_a_page(papers):
    for name in ("baseline", "expected-value"):
        assert text_off_the_page(papers / name / "paper.pdf") == [], name


def test_page_one_carries_the_decision(papers):
    page1 = _pages(papers / "baseline" / "paper.pdf")[0]
    for heading in ("1 Purpose of the report", "2 Recommendations", "3 Summary and key messages",
                    "Table 1. Proposed allocation by scheme"):
        assert heading in page1
    assert page1.count("OFFICIAL") == 2  # once at the top, once in the footer: not twice at top


def test_marking_and_title_are_honest(papers):
    pdf = papers / "baseline" / "paper.pdf"
    pages = _pages(pdf)
    manifest = json.loads((papers / "baseline" / "manifest.json").read_text())
    assert manifest["placeholders_used"] > 0 and "ILLUSTRATIVE" in manifest["marking"]
    assert "FINAL" not in manifest["marking"]
    assert all("ILLUSTRATIVE" in text for text in pages)  # every page's header or footer
    assert not any("FINAL" in text for text in pages)
    meta = pypdf.PdfReader(pdf).metadata
    assert "ILLUSTRATIVE" in (meta.get("/Keywords") or "") + (meta.get("/Subject") or "")
    title = meta.title
    assert title == manifest["paper_title"] == "Commissioning Intentions Plan 2025/26 — Baseline"
    assert title in pages[0].replace("\n", " ")


def test_pdf_figures_carry_the_data_description(papers):
    alts = _alt_texts(papers / "baseline" / "paper.pdf")
    assert any("Line chart of the best social value" in a and "cannot be met" in a for a in alts)
    assert any("Bar chart of the change for each service" in a for a in alts)
    html = (papers / "baseline" / "paper.html").read_text()
    assert "Line chart of the best social value" in html  # the same words as the HTML's


def test_expected_value_paper_gives_the_range(papers):
    pages = " ".join(_pages(papers / "expected-value" / "paper.pdf")).replace("\n", " ")
    assert "How sure can we be?" in pages
    assert "5th to 95th percentile" in pages and "on average over draws" in pages
