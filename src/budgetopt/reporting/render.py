"""Executed notebook → standalone HTML paper → tagged A4 PDF.

nbconvert's ``HTMLExporter`` renders the executed notebook with a template of the project's own
(``budgetopt/templates/paper``), code and prompts excluded and cells removed by tag, then
WeasyPrint writes a PDF/UA-1 file from that same HTML. The HTML is the source of truth: its
inlined stylesheet styles both the screen and the A4 page, so the HTML deliverable and the PDF
never disagree.

What the paper never contains, whatever the notebook holds:

* code, prompts, or cells tagged ``remove-cell``, ``parameters``, ``injected-parameters`` (nor
  papermill's error banner and anchor cells);
* ``<script>`` (MathJax, require.js, widget state, JavaScript outputs, scripts inside HTML
  outputs), event-handler attributes, frames, embedded objects, ``<link>`` or ``<base>``;
* an external URL in an attribute or a stylesheet: links to the web become plain text with the
  URL in parentheses; images are inlined as ``data:`` URIs (or dropped, leaving their alt text).

Both files are written atomically (temporary file in the same folder, then a rename).
"""

from __future__ import annotations

import base64
import copy
import html as html_lib
import logging
import mimetypes
import re
from collections.abc import Mapping
from pathlib import Path

import nbformat
from bs4 import BeautifulSoup, Comment, Declaration, Doctype, NavigableString, ProcessingInstruction
from bs4.element import Stylesheet, Tag
from nbconvert import HTMLExporter
from nbconvert.preprocessors import TagRemovePreprocessor
from traitlets.config import Config

from budgetopt.core.files import write_bytes, write_text
from budgetopt.core.marking import status_words

LOG = logging.getLogger(__name__)

__all__ = ["LANG", "PAPER_TEMPLATE", "REMOVE_CELL_TAGS", "TEMPLATES_DIR", "clean_css",
           "marking_line", "render_html", "render_pdf", "sanitise_html"]

#: Folder holding nbconvert template directories shipped with the package (package data
#: ``templates/**/*`` in pyproject.toml); resolved next to this package, so it works from a
#: source checkout, an editable install and a wheel alike.
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
PAPER_TEMPLATE = "paper"
LANG = "en-GB"

#: A cell carrying any of these tags is dropped, whatever its other tags.
REMOVE_CELL_TAGS = frozenset(
    {"remove-cell", "parameters", "injected-parameters", "papermill-error-cell-tag"}
)
REMOVE_INPUT_TAGS = frozenset({"remove-input"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output"})

_SEP = " — "

_DROP_ELEMENTS = ("script", "noscript", "iframe", "frame", "frameset", "object", "embed",
                  "applet", "link", "base", "audio", "video", "source", "track", "portal",
                  "template")
_URL_ATTRS = frozenset({"href", "src", "xlink:href", "action", "formaction", "poster",
                        "background", "cite", "longdesc", "data", "ping", "manifest",
                        "codebase", "archive", "usemap", "srcset"})
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.\-]*:|//)", re.IGNORECASE)
_WEB_URL = re.compile(r"^\s*(?:https?:|ftp:|//)", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(?!\s*['\"]?data:)[^)]*\)", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)
_CSS_EXPRESSION = re.compile(r"expression\s*\(", re.IGNORECASE)
_NUMERIC = re.compile(
    r"^[\-−–+]?\(?[\-−–+]?[£$€]?\s?\d[\d,]*(?:\.\d+)?\s?(?:%|pp|k|m|bn)?\)?$", re.IGNORECASE
)
_SVG_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SVG_DESC = re.compile(r"<desc[^>]*>(.*?)</desc>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_INLINE_IMAGE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"}
)


def marking_line(
    marking: str = "OFFICIAL", *, draft: bool = False, placeholders: int = 0,
    cannot_be_met: bool = False
) -> str:
    """The status marking shown at the top of the page and in the PDF's running header: the
    security marking and the status words of :mod:`budgetopt.core.marking`.

    ``marking_line("OFFICIAL", draft=True)`` → ``"OFFICIAL — DRAFT"``;
    with ``placeholders=469`` → ``"OFFICIAL — ILLUSTRATIVE"``; with ``cannot_be_met=True`` →
    ``"OFFICIAL — SCENARIO CANNOT BE MET"``; with none of them → ``"OFFICIAL — FINAL"``.
    """
    words = status_words(draft=draft, placeholders=placeholders, cannot_be_met=cannot_be_met)
    return _SEP.join([marking.strip() or "OFFICIAL", *words])


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------


def render_html(
    notebook: Path | nbformat.NotebookNode,
    out: Path,
    *,
    title: str,
    marking: str = "OFFICIAL",
    draft: bool = False,
    placeholders: int = 0,
    cannot_be_met: bool = False,
    notes: Mapping[str, str] | None = None,
) -> Path:
    """Convert an executed notebook to a standalone, script-free HTML paper at ``out``.

    ``notebook`` is a path to an ``.ipynb`` file or an in-memory notebook (not modified). Nothing
    is executed here. ``placeholders`` (the number of placeholder figures the paper rests on)
    makes it ILLUSTRATIVE. ``notes`` replaces the words of a banner (``draft``,
    ``illustrative``, ``cannot_be_met``) for a paper that is not a scenario's (a grant round's).
    Returns ``out``.
    """
    if isinstance(notebook, nbformat.NotebookNode):
        nb = copy.deepcopy(notebook)
        base_dir = Path.cwd()
    else:
        path = Path(notebook)
        nb = nbformat.read(path, as_version=4)
        base_dir = path.resolve().parent
    _add_alt_text(nb)

    line = marking_line(marking, draft=draft, placeholders=placeholders,
                        cannot_be_met=cannot_be_met)
    resources = {
        "metadata": {"name": title, "path": str(base_dir)},
        "paper": {
            "title": title,
            "lang": LANG,
            "marking": marking,
            "marking_line": line,
            "draft": draft,
            "placeholders": placeholders,
            "cannot_be_met": cannot_be_met,
            "notes": dict(notes or {}),
        },
    }
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    html = sanitise_html(body, base_dir=base_dir)
    return write_text(Path(out), html)


def _exporter() -> HTMLExporter:
    c = Config()
    c.TemplateExporter.exclude_input = True
    c.TemplateExporter.exclude_input_prompt = True
    c.TemplateExporter.exclude_output_prompt = True
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    c.TagRemovePreprocessor.remove_input_tags = set(REMOVE_INPUT_TAGS)
    c.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    # Headings get ids (for in-page links and PDF bookmarks); the "¶" links are dropped later.
    c.HTMLExporter.exclude_anchor_links = False
    c.HTMLExporter.embed_images = True
    c.HTMLExporter.sanitize_html = False  # sanitised below, more strictly and for our rules
    exporter = HTMLExporter(
        config=c,
        template_name=PAPER_TEMPLATE,
        extra_template_basedirs=[str(TEMPLATES_DIR)],
    )
    # Registered explicitly: naming it in config by bare class name fails (jupyter/nbconvert#1194).
    exporter.register_preprocessor(TagRemovePreprocessor(config=c), enabled=True)
    return exporter


def _add_alt_text(nb: nbformat.NotebookNode) -> None:
    """Give every SVG output an ``alt`` for the ``<img>``: its ``<desc>`` (the full description
    of the data, as the HTML's ``aria-label``), else its ``<title>``; the PDF carries it."""
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            svg = data.get("image/svg+xml")
            if not svg:
                continue
            if isinstance(svg, list):
                svg = "".join(svg)
            metadata = output.setdefault("metadata", {})
            if metadata.get("alt"):
                continue
            for pattern in (_SVG_DESC, _SVG_TITLE):
                match = pattern.search(svg)
                if match:
                    text = " ".join(_TAG.sub("", match.group(1)).split())
                    if text:
                        metadata["alt"] = html_lib.unescape(text)
                        break
            else:
                LOG.warning("An SVG chart has no <title> or <desc>: its alt text will be 'Chart'.")


def sanitise_html(html: str, *, base_dir: Path | None = None) -> str:
    """Strip scripts, active content and external URLs; mark numeric table cells ``num``."""
    soup = BeautifulSoup(html, "html.parser")

    for node in soup.find_all(string=True):
        if isinstance(node, Comment | ProcessingInstruction) or (
            isinstance(node, Declaration | Doctype) and node is not _first_doctype(soup)
        ):
            node.extract()

    for name in _DROP_ELEMENTS:
        for element in soup.find_all(name):
            element.decompose()
    for element in soup.find_all("meta"):
        if element.get("http-equiv") is not None:
            element.decompose()
    # RDF metadata in inline SVG (matplotlib) is nothing but namespace URLs.
    for element in soup.find_all(["metadata", "svg:metadata"]):
        element.decompose()

    for anchor in soup.find_all("a", class_="anchor-link"):
        anchor.decompose()
    for anchor in soup.find_all("a"):
        _delink(anchor)

    for element in soup.find_all(True):
        _clean_attributes(element, base_dir)

    for style in soup.find_all("style"):
        style.string = Stylesheet(clean_css(style.get_text()))

    for table in soup.find_all("table"):
        _mark_numeric_cells(table)

    return _serialise(soup)


def _first_doctype(soup: BeautifulSoup) -> Doctype | None:
    for node in soup.contents:
        if isinstance(node, Doctype):
            return node
    return None


def _serialise(soup: BeautifulSoup) -> str:
    text = str(soup)
    if not text.lstrip().lower().startswith("<!doctype"):
        text = "<!DOCTYPE html>\n" + text
    return text if text.endswith("\n") else text + "\n"


def _delink(anchor: Tag) -> None:
    """Keep in-page links; turn any other link into its text with the URL in parentheses."""
    href = str(anchor.get("href") or "").strip()
    if not href or href.startswith("#"):
        return
    label = anchor.get_text(" ", strip=True)
    shown = href[len("mailto:") :] if href.lower().startswith("mailto:") else href
    if href.lower().startswith("javascript:"):
        anchor.unwrap()
        return
    if label in {href, shown}:
        anchor.replace_with(NavigableString(shown))
        return
    url = Tag(name="span", attrs={"class": "url"})
    url.string = f" ({shown})"
    anchor.insert_after(url)
    anchor.unwrap()


def _clean_attributes(element: Tag, base_dir: Path | None) -> None:
    for attr in list(element.attrs):
        lower = attr.lower()
        value = element.attrs[attr]
        text = " ".join(value) if isinstance(value, list) else str(value)
        if lower.startswith("on") or lower == "xmlns" or lower.startswith("xmlns:"):
            del element.attrs[attr]
        elif lower == "style":
            element.attrs[attr] = clean_css(text)
        elif lower == "srcset":
            del element.attrs[attr]
        elif lower == "src":
            if text.strip().lower().startswith("data:"):
                continue
            inlined = _inline_file(text, base_dir)
            if inlined is not None:
                element.attrs[attr] = inlined
            elif element.name == "img":
                alt = element.get("alt") or "image not available"
                element.replace_with(NavigableString(f"[{alt}]"))
                return
            else:
                del element.attrs[attr]
        elif lower in _URL_ATTRS:
            if not text.strip().startswith("#"):
                del element.attrs[attr]
        elif _WEB_URL.match(text):
            del element.attrs[attr]


def _inline_file(src: str, base_dir: Path | None) -> str | None:
    """A local image next to the notebook, as a ``data:`` URI; ``None`` for anything else."""
    if base_dir is None or (_EXTERNAL.match(src) and not src.lower().startswith("file:")):
        return None
    raw = src.removeprefix("file://").removeprefix("file:")
    path = Path(raw)
    if not path.is_absolute():
        path = base_dir / path
    mime, _ = mimetypes.guess_type(path.name)
    if mime not in _INLINE_IMAGE_TYPES or not path.is_file():
        return None
    payload = base64.b64encode(path.read_bytes()).decode("ascii")
    return f"data:{mime};base64,{payload}"


def clean_css(css: str) -> str:
    """Remove ``@import`` and every non-``data:`` ``url(...)`` from a stylesheet."""
    css = _CSS_IMPORT.sub("", css)
    css = _CSS_URL.sub("none", css)
    return _CSS_EXPRESSION.sub("invalid(", css)


def _mark_numeric_cells(table: Tag) -> None:
    """Class ``num`` on body cells that hold a number (right-aligned by print.css), and on the
    header cells above columns that hold only numbers."""
    numeric_columns: dict[int, bool] = {}
    simple = not table.find(colspan=True)
    for row in table.find_all("tr"):
        if row.find_parent("thead") is not None or row.find_parent("table") is not table:
            continue
        for index, cell in enumerate(row.find_all(["td", "th"], recursive=False)):
            text = cell.get_text(strip=True).replace("\u00a0", " ")
            if not text:
                continue
            is_num = bool(_NUMERIC.match(text))
            if is_num and cell.name == "td":
                _add_class(cell, "num")
            numeric_columns[index] = numeric_columns.get(index, True) and is_num
    if not simple:
        return
    thead = table.find("thead")
    if thead is None:
        return
    for row in thead.find_all("tr"):
        for index, cell in enumerate(row.find_all(["td", "th"], recursive=False)):
            if numeric_columns.get(index):
                _add_class(cell, "num")


def _add_class(cell: Tag, name: str) -> None:
    if name not in (classes := cell.get_attribute_list("class")):
        cell["class"] = " ".join(c for c in [*classes, name] if c)


# --------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------


def _marking_of(html: Path) -> str | None:
    """The marking line the HTML paper carries (its body's ``data-marking``)."""
    match = re.search(r'data-marking="([^"]*)"', Path(html).read_text(encoding="utf-8"))
    return html_lib.unescape(match.group(1)) if match else None


def render_pdf(html: Path, out: Path, *, title: str, marking: str | None = None) -> Path:
    """Write the paper ``html`` (from :func:`render_html`) as a tagged A4 PDF (PDF/UA-1).

    The stylesheet is the one inlined in the HTML (A4, running marking, page X of Y, repeating
    table headers). Only ``file:`` and ``data:`` URLs are fetched: nothing goes to the network.
    Sets the document title metadata to ``title`` and the language to the HTML's (en-GB).
    Returns ``out``.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)
    document = HTML(filename=str(Path(html)), url_fetcher=fetcher, media_type="print").render()
    document.metadata.title = title
    # the status words travel with the file: subject and keywords, as the page header shows
    marking = marking or _marking_of(html)
    if marking:
        document.metadata.description = marking
        document.metadata.keywords = [w.strip() for w in marking.split("—")]
    if not document.metadata.lang:
        document.metadata.lang = LANG
    pdf = document.write_pdf(pdf_variant="pdf/ua-1")
    return write_bytes(Path(out), pdf)
