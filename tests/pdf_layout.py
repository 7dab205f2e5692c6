"""Where a PDF's text lies on its pages: a table too wide for the page runs off its right edge,
which no text extraction alone would notice (the text is still there, past the paper)."""

from __future__ import annotations

from pathlib import Path

import pypdf

RIGHT_MARGIN = 15.0  # points: no text starts in the last 15 pt of the page's width, where not
# even a "£0" fits (a chart's last tick label may sit beyond the text margin: 553 of 595 pt)


def text_off_the_page(pdf: Path) -> list[tuple[int, float, str]]:
    """(page, x, text) of every piece of text that starts at or past the page's right edge
    (only where text starts is known here, not where it ends)."""
    found = []
    for number, page in enumerate(pypdf.PdfReader(pdf).pages, start=1):
        edge = float(page.mediabox.width) - RIGHT_MARGIN

        def visit(text, cm, tm, font, size, number=number, edge=edge):
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            if text.strip() and x > edge:
                found.append((number, round(x), text.strip()[:30]))

        page.extract_text(visitor_text=visit)
    return found
