"""Charts for papers: inline SVG with alt text generated from the same data as the chart.

Each function returns an SVG string with ``role="img"``, an ``aria-label`` and ``<title>``/
``<desc>`` elements stating what the chart shows in words, so screen readers and the tagged PDF
carry the content, not just the picture. Matplotlib renders with the Agg backend and no fonts or
scripts are fetched.
"""

from __future__ import annotations

import io
import re
import textwrap
from dataclasses import dataclass
from html import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from budgetopt.core.text import short_money

plt.rcParams.update({
    # the paper's own font family (print.css), text left as text in the SVG
    "font.family": "sans-serif", "font.sans-serif": ["Liberation Sans", "Arial", "DejaVu Sans"],
    "font.size": 9, "xtick.labelsize": 8, "ytick.labelsize": 8, "svg.fonttype": "none",
    "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "budgetopt",
})
PROPOSAL, BASE, NEED = "#1d4f91", "#a5b8d3", "#c0504d"


def _svg(fig: plt.Figure, title: str, alt: str) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    label = escape(alt, quote=True)
    svg = re.sub(r"<svg ", f'<svg role="img" aria-label="{label}" ', svg, count=1)
    # the PDF's alternative text is the <title> (WeasyPrint): so it carries the data too
    head = f"<title>{escape(title)}. {escape(alt)}</title><desc>{escape(alt)}</desc>"
    return re.sub(r"(<svg[^>]*>)", r"\1" + head, svg, count=1)


def figure(svg: str, caption: str) -> str:
    return f'<figure class="keep-together">{svg}<figcaption>{escape(caption)}</figcaption></figure>'


@dataclass(frozen=True)
class Bars:
    """A bar chart as data: what it shows, in the order drawn (bottom to top), and its words.
    Papers draw it with matplotlib (the functions below); the explorer draws the same data as
    plain SVG, which is quick enough to redraw on every move
    (:mod:`budgetopt.explorer.quick_charts`)."""

    title: str
    alt: str
    labels: list[str]
    series: list[tuple[str, str, list[float]]]  # (legend, colour, one value per label)
    unit: str = "£"  # "£" (short money) or "%"
    marks: list[tuple[float, float, float]] | None = None  # (low, mid, high) per label
    marks_legend: str = ""


def schemes_bars(by_scheme: pd.DataFrame, names: pd.Series, year: int, base_year: int,
                 label_year: str, label_base: str) -> Bars:
    """Each scheme's proposal for ``year`` beside last year, smallest at the bottom."""
    t = by_scheme.drop(index="total", errors="ignore").sort_values(year)
    parts = [f"{names.get(k, k)} {short_money(r[year])} ({short_money(r[base_year])} last year)"
             for k, r in t.iloc[::-1].iterrows()]
    alt = (f"Bar chart of the proposed allocation by scheme in {label_year} beside "
           f"{label_base}: " + "; ".join(parts) + ".")
    return Bars(f"Allocation by scheme, {label_year} against {label_base}", alt,
                [str(names.get(k, k)) for k in t.index],
                [(label_base, BASE, list(t[base_year])), (label_year, PROPOSAL, list(t[year]))])


def area_bars(shares: pd.DataFrame, scheme_name: str, area_names: pd.Series,
              label_year: str) -> Bars:
    """Each area's share of one scheme (%), with its need share and the fairness band."""
    s = shares.set_index("area_id")
    parts = [f"{area_names.get(a, a)} {r['share']:.1%} against need {r['need_share']:.1%}"
             for a, r in s.iterrows()]
    alt = (f"Chart of each area's share of {scheme_name} in {label_year} against its need "
           "share and fairness band: " + "; ".join(parts) + ".")
    return Bars(f"{scheme_name}: area share against need share, {label_year}", alt,
                [str(area_names.get(a, a)) for a in s.index],
                [("share of the scheme", PROPOSAL, list(s["share"] * 100))], unit="%",
                marks=[(r["band_low"] * 100, r["need_share"] * 100, r["band_high"] * 100)
                       for _, r in s.iterrows()],
                marks_legend="need share and fairness band")


def change_bars(change: pd.DataFrame, names: pd.Series, label_year: str, label_base: str,
                most: int = 40) -> Bars:
    """Each service's change in cash against last year (the ``most`` largest changes; the alt
    text says how many smaller ones are left out), falls at the bottom."""
    c = change.set_index("service_id")["change_gbp"]
    c = c[c != 0]
    left_out = max(0, len(c) - most)
    c = c.reindex(c.abs().sort_values(ascending=False).index[:most]).sort_values()
    ups = [f"{names.get(s, s)} {short_money(v)}" for s, v in c[::-1].items() if v > 0]
    downs = [f"{names.get(s, s)} {short_money(v)}" for s, v in c.items() if v < 0]
    alt = (f"Bar chart of the change for each service from {label_base} to {label_year}. "
           f"Rises: {'; '.join(ups) or 'none'}. Falls: {'; '.join(downs) or 'none'}."
           + (f" {left_out} smaller changes are not shown." if left_out else ""))
    return Bars(f"Change by service, {label_base} to {label_year}", alt,
                [str(names.get(s, s)) for s in c.index], [("change", "", list(c.to_numpy()))])


def change_by_service(change: pd.DataFrame, names: pd.Series, label_year: str,
                      label_base: str, most: int = 40) -> str:
    """Diverging bars of each service's change in cash against last year."""
    b = change_bars(change, names, label_year, label_base, most)
    values = b.series[0][2]
    fig, ax = plt.subplots(figsize=(6.2, 0.22 * max(len(values), 1) + 0.8))
    ax.barh(range(len(values)), values, color=[PROPOSAL if v > 0 else NEED for v in values])
    ax.set_yticks(range(len(values)), b.labels, fontsize=8)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.xaxis.set_major_formatter(lambda v, _: short_money(v))
    return _svg(fig, b.title, b.alt)


def frontier(points: pd.DataFrame, label_year: str) -> str:
    """Social value against total budget, the value axis from zero. Budgets that cannot be met
    are a shaded band labelled "cannot be met" (they have no value to draw), and the dashed
    line marks this scenario's budget, labelled."""
    ok = points[points["status"] == "optimal"]
    bad = points[points["status"] != "optimal"]
    fig, ax = plt.subplots(figsize=(6.2, 2.6))
    ax.plot(ok["total_gbp"], ok["social_value_gbp"], marker="o", markersize=3, color=PROPOSAL,
            label="best social value")
    if not bad.empty:
        edge = ok["total_gbp"].min() if not ok.empty else points["total_gbp"].max()
        ax.axvspan(points["total_gbp"].min(), edge, color="#f3d9d8", linewidth=0,
                   label="cannot be met")
    here = float(points.iloc[(points["factor"] - 1).abs().argsort()[:1]]["total_gbp"].iloc[0])
    ax.axvline(here, color="grey", linewidth=0.8, linestyle="--", label="this scenario")
    ax.set_ylim(0, (ok["social_value_gbp"].max() if not ok.empty else 1) * 1.08)
    ax.xaxis.set_major_formatter(lambda v, _: short_money(v))
    ax.yaxis.set_major_formatter(lambda v, _: short_money(v))
    ax.set_xlabel(f"total budget, {label_year}")
    ax.set_ylabel("social value over the plan")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    parts = [f"{short_money(r['total_gbp'])}: "
             + (short_money(r["social_value_gbp"]) if r["status"] == "optimal"
                else "cannot be met") for _, r in points.iterrows()]
    alt = ("Line chart of the best social value the plan could buy at each total budget in "
           f"{label_year}, from zero; this scenario's budget is {short_money(here)}: "
           + "; ".join(parts) + ".")
    return _svg(fig, "The budget frontier", alt)


def scheme_fans(fans: pd.DataFrame, names: pd.Series, most: int = 5) -> str:
    """For the ``most`` largest schemes: the recommended total each plan year (a line and
    points) inside the band in which 90% of the draws put it (P5 to P95)."""
    size = fans.groupby("scheme_id")["recommended_gbp"].sum().sort_values(ascending=False)
    chosen = list(size.index[:most])
    rows = (len(chosen) + 2) // 3
    fig, axes = plt.subplots(rows, 3, figsize=(6.2, 1.9 * rows), squeeze=False)
    for ax in axes.ravel()[len(chosen):]:
        ax.set_visible(False)
    parts = []
    for ax, k in zip(axes.ravel(), chosen, strict=False):
        f = fans[fans["scheme_id"] == k].sort_values("year")
        years = [f"{y % 100:02d}/{(y + 1) % 100:02d}" for y in f["year"]]
        ax.fill_between(years, f["p5_gbp"], f["p95_gbp"], color=BASE, label="90% of draws")
        ax.plot(years, f["p50_gbp"], color=BASE, linewidth=0.8, linestyle="--")
        ax.plot(years, f["recommended_gbp"], color=PROPOSAL, marker="o", markersize=3,
                label="recommended")
        ax.set_title(textwrap.fill(str(names.get(k, k)), 28), fontsize=8)
        ax.yaxis.set_major_formatter(lambda v, _: short_money(v))
        ax.tick_params(labelsize=6)
        parts.append(f"{names.get(k, k)}: " + "; ".join(
            f"{yr} recommended {short_money(r['recommended_gbp'])}, 90% of draws "
            f"{short_money(r['p5_gbp'])} to {short_money(r['p95_gbp'])}"
            for yr, (_, r) in zip(years, f.iterrows(), strict=True)))
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, frameon=False, fontsize=8, loc="lower center", ncol=2,
               bbox_to_anchor=(0.5, -0.04))
    fig.tight_layout()
    alt = ("Fan charts of the largest schemes: the recommended total each year and the range "
           "90% of the draws of the uncertain evidence give. " + ". ".join(parts) + ".")
    return _svg(fig, "How far the largest schemes move across the draws", alt)


def tornado(swings: pd.DataFrame, most: int = 10) -> str:
    """The inputs whose range moves the allocation most: £ moved at the input's P10 (left)
    and at its P90 (right), largest first."""
    t = swings.dropna(subset=["moved_gbp"]).head(most).iloc[::-1]
    fig, ax = plt.subplots(figsize=(6.2, 0.28 * max(len(t), 1) + 0.8))
    pos = range(len(t))
    ax.barh(pos, -t["moved_p10_gbp"].fillna(0).to_numpy(), color=NEED, label="at its P10")
    ax.barh(pos, t["moved_p90_gbp"].fillna(0).to_numpy(), color=PROPOSAL, label="at its P90")
    ax.set_yticks(list(pos), list(t["input"]), fontsize=8)
    ax.axvline(0, color="black", linewidth=0.6)
    ax.xaxis.set_major_formatter(lambda v, _: short_money(abs(v)))
    ax.set_xlabel("£ of the allocation that moves")
    ax.legend(frameon=False, fontsize=8, loc="lower right")
    parts = [f"{r['input']}: {short_money(r['moved_p10_gbp'] or 0)} at its P10, "
             f"{short_money(r['moved_p90_gbp'] or 0)} at its P90"
             for _, r in t.iloc[::-1].iterrows()]
    alt = ("Tornado chart of the evidence that matters most, largest first: " + "; ".join(parts)
           + ".")
    return _svg(fig, "Which evidence matters most", alt)
