"""How figures read in sentences: money, £k/£m, percentages and financial years.

Every sentence budgetopt writes — an explanation, a diagnosis, a paper's summary — formats its
figures here, so "£1,234,567", "−£31,530" and "2025/26" look the same wherever they appear.
Money is whole pounds with thousands separators; £k and £m are for running text only; a minus
is the typographic minus sign (U+2212).
"""

from __future__ import annotations

import pandas as pd


def fy(year: int) -> str:
    """Financial-year label: 2024 -> '2024/25'."""
    return f"{year}/{(year + 1) % 100:02d}"


def money(x: float) -> str:
    """£1,234,567 (negative: −£1,234)."""
    v = round(float(x))
    return f"−£{-v:,}" if v < 0 else f"£{v:,}"


def signed_money(x: float) -> str:
    """+£1,234, −£1,234 or £0."""
    v = round(float(x))
    return "£0" if v == 0 else (f"+£{v:,}" if v > 0 else f"−£{-v:,}")


def short_money(x: float) -> str:
    """£9.6m, £480k, £950 — for running text only."""
    v = float(x)
    a = abs(v)
    sign = "−" if v < 0 else ""
    if a >= 1e6:
        return f"{sign}£{a / 1e6:,.1f}m" if a < 1e8 else f"{sign}£{a / 1e6:,.0f}m"
    if a >= 1e4:
        return f"{sign}£{a / 1e3:,.0f}k"
    return f"{sign}£{a:,.0f}"


def pct(x: float | None, signed: bool = False) -> str:
    """12.5% (one decimal place); '–' for a missing value."""
    if x is None or pd.isna(x):
        return "–"
    text = f"{abs(x):.1f}%"
    if signed:
        return ("+" if x > 0 else "−" if x < 0 else "") + text
    return ("−" if x < 0 else "") + text


def plain(value: object) -> str:
    """A setting's value in words: mappings as 'a 1; b 2', lists as 'x, y', nothing as
    'none' — for manifests and comparisons, never JSON."""
    if value is None or value == {} or value == []:
        return "none"
    if isinstance(value, dict):
        return "; ".join(f"{k} {plain(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    return str(value)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 service', '3 services' ('1 contract or grant', '2 contracts or grants' with
    ``many``)."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
