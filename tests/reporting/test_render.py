"""The paper renderer: executed notebook → standalone HTML → tagged A4 PDF (DESIGN.md §5).

Notebooks are built by hand with outputs already in place: nothing is executed.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from budgetopt.reporting.render import (
    TEMPLATES_DIR,
    marking_line,
    render_html,
    render_pdf,
)

pypdf = pytest.importorskip("pypdf")

TITLE = "Commissioning Intentions Plan 2026/27 — scenario: Baseline"

SVG = (
    '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
    '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
    '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" viewBox="0 0 200 100">'
    "<title>Allocation by area: North £1,200,000, South £800,000</title>"
    '<rect x="10" y="10" width="120" height="30" fill="#1d4f91"/>'
    '<rect x="10" y="50" width="80" height="30" fill="#1d4f91"/>'
    "</svg>"
)

TABLE = (
    '<table class="dataframe"><caption>Table 1: Proposed allocation</caption>'
    "<thead><tr><th>Scheme</th><th>Proposed £</th></tr></thead>"
    "<tbody><tr><td>Victim Support</td><td>1,200,000</td></tr>"
    "<tr><td>Youth diversion</td><td>800,000</td></tr></tbody></table>"
)


def _cell(source: str, tags: list[str], outputs: list) -> nbformat.NotebookNode:
    cell = new_code_cell(source, metadata={"tags": tags}, execution_count=1)
    cell.outputs = outputs
    return cell


def _notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    error_banner = new_markdown_cell(
        '<span style="color:red">An Exception was encountered at '
        '<a href="#papermill-error-cell">In [3]</a>.</span>',
        metadata={"tags": ["papermill-error-cell-tag"]},
    )
    nb.cells = [
        error_banner,
        new_markdown_cell(
            "# Commissioning Intentions Plan\n\n"
            "## 1. Purpose of the report\n\n"
            "The Panel is asked to note the proposed allocation. "
            "See [the Police and Crime Plan](https://example.org/plan) and "
            "[section 2](#2.-Recommendations)."
        ),
        _cell("scenario = 'baseline'  # PARAM_DEFAULT_MARKER", ["parameters"], []),
        _cell(
            "scenario = 'stretch'  # INJECTED_MARKER",
            ["injected-parameters", "keep-me"],
            [new_output("stream", name="stdout", text="INJECTED_OUTPUT_MARKER\n")],
        ),
        _cell(
            "display(HTML(table)); display(SVG(chart))  # CODE_SOURCE_MARKER",
            ["remove-input"],
            [
                new_output("display_data", data={"text/html": TABLE, "text/plain": "table"}),
                new_output("display_data", data={"image/svg+xml": SVG, "text/plain": "fig"}),
            ],
        ),
        _cell(
            "secret = 1  # REMOVE_CELL_MARKER",
            ["remove-cell"],
            [new_output("stream", name="stdout", text="REMOVE_CELL_OUTPUT_MARKER\n")],
        ),
        _cell(
            "print('x')",
            ["remove-output"],
            [new_output("stream", name="stdout", text="REMOVE_OUTPUT_MARKER\n")],
        ),
        _cell(
            "widget()",
            [],
            [
                new_output(
                    "display_data",
                    data={
                        "application/javascript": "alert('JS_MARKER')",
                        "text/plain": "JS_FALLBACK_MARKER",
                    },
                ),
                new_output(
                    "display_data",
                    data={
                        "text/html": "<!-- https://example.org/comment -->"
                        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
                        '<a xlink:href="https://example.org/svg"><rect width="5" height="5"/>'
                        '</a></svg><p class="note">a &gt; b</p>'
                        '<div onclick="x()">HTML_WITH_SCRIPT<script>evil()'
                        '</script><img src="https://example.org/x.png" alt="remote"></div>'
                        '<style>@import url("https://cdn.example.org/a.css");'
                        " .x { background: url(https://example.org/b.png) }"
                        " p > .y { color: red }</style>"
                        '<a href="javascript:alert(1)">JS_LINK_TEXT</a>',
                        "text/plain": "",
                    },
                ),
                new_output("stream", name="stderr", text="STDERR_WARNING_MARKER\n"),
            ],
        ),
        new_markdown_cell("## 2. Recommendations\n\n1. The Panel is recommended to note Table 1."),
    ]
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {}, "version_major": 2}
    }
    return nb


def _long_table_notebook(rows: int = 200) -> nbformat.NotebookNode:
    body = "".join(f"<tr><td>Scheme {i:03d}</td><td>{i * 1234:,}</td></tr>" for i in range(rows))
    table = (
        "<table><thead><tr><th>RepeatedHeaderScheme</th><th>Amount £</th></tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )
    nb = new_notebook()
    nb.cells = [
        new_markdown_cell("# Appendix A: per-service detail"),
        _cell(
            "show(table)",
            ["remove-input"],
            [
                new_output("display_data", data={"text/html": table, "text/plain": "t"}),
            ],
        ),
    ]
    return nb


@pytest.fixture(scope="module")
def paper(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("paper") / "paper.html"
    result = render_html(_notebook(), out, title=TITLE)
    assert result == out
    return out, out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def paper_pdf(paper: tuple[Path, str]) -> Path:
    html_path, _ = paper
    out = html_path.with_suffix(".pdf")
    assert render_pdf(html_path, out, title=TITLE) == out
    return out


# ---- HTML ------------------------------------------------------------------------------------


def test_html_has_no_script_and_no_external_url(paper: tuple[Path, str]) -> None:
    _, html = paper
    assert "<script" not in html.lower()
    assert "require.js" not in html and "mathjax" not in html.lower()
    for match in re.finditer(r"""(?:src|href|xlink:href)\s*=\s*["']?([^"'\s>]*)""", html, re.I):
        assert not re.match(r"(?:https?:)?//", match.group(1)), match.group(0)
    for match in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", html, re.I):
        assert not re.match(r"(?:https?:)?//", match.group(1)), match.group(0)
    assert "@import" not in html
    assert "onclick" not in html
    assert "widget-state" not in html
    assert "JS_MARKER" not in html and "JS_FALLBACK_MARKER" not in html
    assert "javascript:" not in html and "JS_LINK_TEXT" in html
    assert "example.org/comment" not in html and "example.org/svg" not in html
    assert "http://www.w3.org/2000/svg" not in html  # xmlns is implied in HTML
    assert "p > .y { color: red }" in html  # CSS inside <style> is not entity-escaped
    assert "An Exception was encountered" not in html  # papermill's error banner


def test_external_link_becomes_text_with_url(paper: tuple[Path, str]) -> None:
    _, html = paper
    assert "the Police and Crime Plan" in html
    assert "(https://example.org/plan)" in html
    assert 'href="#2.-Recommendations"' in html
    assert 'id="2.-Recommendations"' in html
    assert "anchor-link" not in html  # in-page links stay links
    assert "[remote]" in html  # a remote image is dropped, leaving its alt text


def test_html_head_lang_title_charset_and_inline_css(paper: tuple[Path, str]) -> None:
    _, html = paper
    assert '<html lang="en-GB">' in html
    assert "<title>Commissioning Intentions Plan 2026/27 — scenario: Baseline</title>" in html
    assert '<meta charset="utf-8"' in html
    assert "<style" in html and "table-header-group" in html and "@page" in html
    assert "<link" not in html


def test_removed_cells_code_and_prompts_absent(paper: tuple[Path, str]) -> None:
    _, html = paper
    for marker in (
        "PARAM_DEFAULT_MARKER",
        "INJECTED_MARKER",
        "INJECTED_OUTPUT_MARKER",
        "REMOVE_CELL_MARKER",
        "REMOVE_CELL_OUTPUT_MARKER",
        "REMOVE_OUTPUT_MARKER",
        "CODE_SOURCE_MARKER",
        "STDERR_WARNING_MARKER",
        "In&nbsp;[",
        "Out[",
    ):
        assert marker not in html, marker


def test_table_and_svg_present(paper: tuple[Path, str]) -> None:
    _, html = paper
    assert "<thead>" in html and "Victim Support" in html
    assert "Table 1: Proposed allocation" in html
    assert '<td class="num">1,200,000</td>' in html
    assert "data:image/svg+xml;base64," in html
    assert 'alt="Allocation by area: North £1,200,000, South £800,000"' in html
    assert "HTML_WITH_SCRIPT" in html


def test_marking_visible(paper: tuple[Path, str]) -> None:
    _, html = paper
    assert 'data-marking="OFFICIAL — FINAL"' in html
    assert '<p class="marking" role="note">OFFICIAL — FINAL</p>' in html
    assert "— DRAFT" not in html and "banner draft" not in html
    assert "ILLUSTRATIVE" not in html and "banner illustrative" not in html


def test_draft_and_cannot_be_met_markings(tmp_path: Path) -> None:
    assert marking_line("OFFICIAL", draft=True) == "OFFICIAL — DRAFT"
    assert marking_line(cannot_be_met=True) == "OFFICIAL — SCENARIO CANNOT BE MET"
    draft = render_html(_notebook(), tmp_path / "d.html", title=TITLE, draft=True).read_text()
    assert "OFFICIAL — DRAFT" in draft and "banner draft" in draft
    cbm = render_html(_notebook(), tmp_path / "c.html", title=TITLE, cannot_be_met=True).read_text()
    assert "SCENARIO CANNOT BE MET" in cbm and "banner cannot-be-met" in cbm
    assert marking_line(placeholders=3) == "OFFICIAL — ILLUSTRATIVE"
    assert marking_line(draft=True, placeholders=3) == "OFFICIAL — DRAFT — ILLUSTRATIVE"
    ill = render_html(_notebook(), tmp_path / "i.html", title=TITLE, placeholders=3).read_text()
    assert "OFFICIAL — ILLUSTRATIVE" in ill and "banner illustrative" in ill
    assert "FINAL" not in ill


def test_render_from_path_and_input_unchanged(tmp_path: Path) -> None:
    nb = _notebook()
    before = nbformat.writes(nb)
    src = tmp_path / "executed.ipynb"
    nbformat.write(nb, src)
    out = render_html(src, tmp_path / "sub" / "paper.html", title=TITLE)
    assert "Victim Support" in out.read_text()
    assert nbformat.writes(nb) == before
    assert [p.name for p in out.parent.iterdir()] == ["paper.html"]  # no temp file left


def test_templates_ship_with_the_package() -> None:
    paper = TEMPLATES_DIR / "paper"
    assert {"conf.json", "index.html.j2", "print.css"} <= {p.name for p in paper.iterdir()}
    css = (paper / "print.css").read_text()
    assert "http" not in css and "@import" not in css


# ---- PDF -------------------------------------------------------------------------------------


@pytest.mark.slow  # real PDF rendering
def test_pdf_is_tagged_titled_and_marked(paper_pdf: Path) -> None:
    data = paper_pdf.read_bytes()
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(paper_pdf)
    assert len(reader.pages) >= 1
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata is not None and reader.metadata.title == TITLE
    text = reader.pages[0].extract_text()
    assert "OFFICIAL" in text
    assert "Page 1 of" in text


@pytest.mark.slow  # real PDF rendering
def test_pdf_draft_marking_in_running_header(tmp_path: Path) -> None:
    html = render_html(_notebook(), tmp_path / "d.html", title=TITLE, draft=True)
    pdf = render_pdf(html, tmp_path / "d.pdf", title=TITLE)
    text = pypdf.PdfReader(pdf).pages[0].extract_text()
    assert "OFFICIAL — DRAFT" in text


@pytest.mark.slow  # real PDF rendering
def test_long_table_repeats_its_header(tmp_path: Path) -> None:
    html = render_html(_long_table_notebook(), tmp_path / "long.html", title="Long table")
    pdf = render_pdf(html, tmp_path / "long.pdf", title="Long table")
    reader = pypdf.PdfReader(pdf)
    assert len(reader.pages) >= 2
    page2 = reader.pages[1].extract_text()
    assert "RepeatedHeaderScheme" in page2
    assert "Page 2 of" in page2
