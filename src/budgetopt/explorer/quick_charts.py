"""The explorer's charts drawn as plain SVG, quick enough to redraw on every move.

A paper draws its charts with matplotlib, which takes about a quarter of a second for the
Charts tab's three — longer than a whole re-solve. The explorer draws the same
:class:`~budgetopt.paper.charts.Bars` (the same data, title and alternative text) as
horizontal bars in SVG written here: no fonts measured, no figure built, a few milliseconds.
Every bar carries a tooltip with its exact figure; the label column's width is estimated from
the longest label, and a label too long for it is shortened with "…" (whole in its tooltip).
"""

from __future__ import annotations

from html import escape

from budgetopt.core.text import short_money
from budgetopt.paper.charts import NEED, PROPOSAL, Bars

ROW = 20  # px per label
PLOT = 380  # px for the bars
CHAR = 6.6  # px per character of a 12 px sans-serif label (an estimate, generous)
LABEL_MOST = 380  # px; a longer label is shortened with "…", whole in its tooltip
LEGEND, AXIS, RIGHT = 22, 22, 56


def _figure(v: float, unit: str) -> str:
    return f"{v:.1f}%" if unit == "%" else short_money(v)


def svg(b: Bars) -> str:
    """``b`` as an SVG image with ``role="img"``, its alternative text as ``aria-label`` and
    ``<desc>``, bars for each series (colourless series: blue for rises, red for falls), and
    the marks (need share and fairness band) as a line with a dot."""
    n = len(b.labels)
    fits = int((LABEL_MOST - 10) / CHAR)  # characters
    longest = min(fits, max((len(t) for t in b.labels), default=0))
    label_w = max(48, round(longest * CHAR) + 10)
    values = [v for _, _, vals in b.series for v in vals]
    values += [x for lo, _, hi in (b.marks or []) for x in (lo, hi)]
    lo, hi = min(0.0, *values) if values else 0.0, max(0.0, *values) if values else 1.0
    hi = hi if hi > lo else lo + 1

    def x(v: float) -> float:
        return label_w + (v - lo) / (hi - lo) * PLOT

    width, height = label_w + PLOT + RIGHT, LEGEND + n * ROW + AXIS
    bar = (ROW - 6) / max(len(b.series), 1)
    out = []
    legend = [(name, colour) for name, colour, _ in b.series if colour]
    if b.marks:
        legend.append((b.marks_legend, NEED))
    cx = label_w
    for name, colour in legend:
        out.append(f'<rect x="{cx}" y="6" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{cx + 14}" y="15">{escape(name)}</text>')
        cx += 24 + int(len(name) * CHAR)
    for i in range(n):  # the last label at the top, as matplotlib draws bars upwards
        k, top = n - 1 - i, LEGEND + i * ROW
        text = b.labels[k] if len(b.labels[k]) <= fits else b.labels[k][:fits - 1] + "…"
        out.append(f'<text x="{label_w - 6}" y="{top + ROW / 2 + 4:.1f}" text-anchor="end">'
                   f"<title>{escape(b.labels[k])}</title>{escape(text)}</text>")
        for j, (name, colour, vals) in enumerate(b.series):
            v = vals[k]
            fill = colour or (PROPOSAL if v > 0 else NEED)
            x0, x1 = sorted((x(0), x(v)))
            tip = f"{b.labels[k]}, {name}: {_figure(v, b.unit)}"
            out.append(f'<rect x="{x0:.1f}" y="{top + 3 + j * bar:.1f}" width="{x1 - x0:.1f}" '
                       f'height="{bar - 1:.1f}" fill="{fill}"><title>{escape(tip)}</title>'
                       "</rect>")
        if b.marks:
            low, mid, high = b.marks[k]
            y = top + ROW / 2
            out.append(f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="{y}" y2="{y}" '
                       f'stroke="{NEED}" stroke-width="2"/><circle cx="{x(mid):.1f}" cy="{y}" '
                       f'r="4" fill="{NEED}"><title>{escape(b.labels[k])}: need '
                       f"{_figure(mid, '%')}, band {_figure(low, '%')} to "
                       f"{_figure(high, '%')}</title></circle>")
    base = LEGEND + n * ROW
    out.append(f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{LEGEND}" y2="{base}" '
               'stroke="black" stroke-width="0.6"/>')
    for v in sorted({lo, 0.0, hi}):
        out.append(f'<text x="{x(v):.1f}" y="{base + 15}" text-anchor="middle">'
                   f"{escape(_figure(v, b.unit))}</text>")
    label = escape(b.alt, quote=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{label}" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
            'font-family="Liberation Sans, Arial, sans-serif" font-size="12">'
            f"<title>{escape(b.title)}. {escape(b.alt)}</title><desc>{escape(b.alt)}</desc>"
            + "".join(out) + "</svg>")
