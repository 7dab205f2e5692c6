"""Where a PDF's text lies on its pages: a table too wide for the page runs off its right edge,
which no text extraction alone would notice (the text is still there, past the paper). The
character boxes come from PDFium, the renderer Chromium uses, so text drawn inside a chart
(a form XObject with its own matrix) is placed where a reader sees it.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium

EDGE = 5.0  # points: a character reaching within 5 pt of the paper's edge has run off it


def text_off_the_page(pdf: Path) -> list[tuple[int, float, str]]:
    """(page, right edge, character) of every character that reaches the page's right edge."""
    found = []
    doc = pdfium.PdfDocument(str(pdf))
    try:
        for number in range(len(doc)):
            page = doc[number]
            text = page.get_textpage()
            edge = page.get_width() - EDGE
            for i in range(text.count_chars()):
                right = text.get_charbox(i)[2]
                if right > edge:
                    found.append((number + 1, round(right), text.get_text_range(i, 1)))
    finally:
        doc.close()
    return found
