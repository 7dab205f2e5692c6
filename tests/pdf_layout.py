"""Where a PDF's text lies on its pages: a table too wide for the page runs off its right edge,
which no text extraction alone would notice (the text is still there, past the paper)."""

from __future__ import annotations

from pathlib import Path

import pypdf

RIGHT_MARGIN = 50.0  # points: no text may start in the last 50 pt of the page's width


def text_off_the_page(pdf: Path) -> list[tuple[int, float, str]]:
    """(page, x, text) of every piece of text that starts past the right margin."""
    found = []
    for number, page in enumerate(pypdf.PdfReader(pdf).pages, start=1):
        edge = float(page.mediabox.width) - RIGHT_MARGIN

        def visit(text, cm, tm, font, size, number=number, edge=edge):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            if text.strip() and x > edge:
                found.append((number, round(x), text.strip()[:30]))

        page.extract_text(visitor_text=visit)
    return found
