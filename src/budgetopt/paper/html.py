"""Accessible HTML for papers and the explorer: tables, headings, paragraphs, lists.

Tables are plain HTML with a caption, a ``<thead>`` (so WeasyPrint repeats headers across
pages) and ``th scope`` attributes for screen readers. Figures inside them are formatted by
:mod:`budgetopt.core.text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

import pandas as pd

from budgetopt.core.text import money, pct, signed_money


@dataclass(frozen=True)
class Section:
    """A piece of a paper as HTML; notebooks display it."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


EMPTY = Section("")


def html_table(
    frame: pd.DataFrame,
    caption: str,
    *,
    money_cols: Iterable[str] = (),
    signed_cols: Iterable[str] = (),
    pct_cols: Iterable[str] = (),
    total_row: bool = False,
    small: bool = True,
    header_labels: Sequence[str] | None = None,
    row_classes: Sequence[str] | None = None,
    full_width: bool = False,
) -> str:
    """An accessible HTML table. Numeric columns are right-aligned (``td.num``); the first
    column is the row header. ``total_row`` styles the last row as a total; ``row_classes``
    gives each row a class (``"subtotal"``, ``"member"``, or ``""``)."""
    money_cols, signed_cols, pct_cols = set(money_cols), set(signed_cols), set(pct_cols)
    labels = list(header_labels) if header_labels else [str(c) for c in frame.columns]
    numeric = money_cols | signed_cols | pct_cols
    num_class = ' class="num"'
    head = "".join(
        f'<th scope="col"{num_class if c in numeric else ""}>{escape(label)}</th>'
        for c, label in zip(frame.columns, labels, strict=True))
    body = []
    n = len(frame)
    for i, (_, row) in enumerate(frame.iterrows()):
        cells = []
        for j, c in enumerate(frame.columns):
            v = row[c]
            if c in numeric and pd.isna(v):  # not applicable: an empty cell, never £0
                text, cls = "", "num"
            elif c in money_cols:
                text, cls = money(v), "num"
            elif c in signed_cols:
                text, cls = signed_money(v), "num"
            elif c in pct_cols:
                text, cls = pct(v, signed=True), "num"
            else:
                text, cls = ("" if pd.isna(v) else str(v)), ""
            tag = "th" if j == 0 else "td"
            scope = ' scope="row"' if j == 0 else ""
            klass = f' class="{cls}"' if cls else ""
            cells.append(f"<{tag}{scope}{klass}>{escape(text)}</{tag}>")
        classes = ["total"] if total_row and i == n - 1 else []
        if row_classes and row_classes[i]:
            classes.append(row_classes[i])
        row_class = f' class="{" ".join(classes)}"' if classes else ""
        body.append(f"<tr{row_class}>{''.join(cells)}</tr>")
    klass = "data small" if small else "data"
    if len(frame.columns) > 6:
        klass += " wide"
    if full_width:  # text tables (glossary, manifest): the last column takes the room
        klass += " full"
    table = (f'<table class="{klass}"><caption>{escape(caption)}</caption>'
             f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
    # small tables stay whole on a page, caption included
    return f'<div class="keep-together">{table}</div>' if small else table


WORD_JOINER = "\u2060"  # no line break here (Unicode UAX 14, class WJ)


def text_html(text: str) -> str:
    """Running text as HTML, a signed amount never wrapping between its sign and its figure:
    a word joiner goes between "−" (or "+") and "£" — the one place Unicode line breaking
    would otherwise allow a break in "(−£31,530)". (A nowrap ``<span>`` per amount makes
    WeasyPrint break some paragraphs after their first word.)"""
    return escape(text.replace("−£", f"−{WORD_JOINER}£").replace("+£", f"+{WORD_JOINER}£"))


def bullet_list(items: Iterable[str], ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    inner = "".join(f"<li>{text_html(i)}</li>" for i in items)
    return f"<{tag}>{inner}</{tag}>" if inner else ""


def paragraph(text: str) -> str:
    return f"<p>{text_html(text)}</p>"


def heading(text: str, level: int = 2, number: str | None = None) -> str:
    label = f"{number} {text}" if number else text
    return f"<h{level}>{escape(label)}</h{level}>"
