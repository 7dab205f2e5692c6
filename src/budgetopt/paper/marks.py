"""Placeholders marked where they are shown: a dagger on the row, a note under the table.

A figure that rests on a placeholder is marked in the table that shows it, not only in an
appendix (issue 12). :class:`Placeholders` answers "is this figure a placeholder?" for the
figures tables show — a stream's amount in a year, a service's base-year amount, a scheme's
base-year total, the benefit curves — and :func:`note` writes the table's footnote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from budgetopt.core.text import fy
from budgetopt.data.dataset import Dataset

MARK = "†"


@dataclass
class Placeholders:
    """The placeholder figures of one dataset, by table, key and column."""

    ds: Dataset
    figures: set[tuple[str, str, str]] = field(init=False)

    def __post_init__(self) -> None:
        self.figures = set(self.ds.placeholder_figures())

    @property
    def count(self) -> int:
        return len(self.figures)

    def stream_years(self, stream: str, years: Iterable[int]) -> list[int]:
        """The years in ``years`` whose amount of ``stream`` is a placeholder."""
        return [y for y in years if ("stream_amounts", f"{stream}/{y}", "amount_gbp")
                in self.figures]

    def service(self, service: str, column: str) -> bool:
        return ("services", service, column) in self.figures

    def scheme_base(self, scheme: str) -> bool:
        """Whether any service of ``scheme`` has a placeholder base-year amount."""
        ids = self.ds.services.index[self.ds.services["scheme_id"] == scheme]
        return any(self.service(s, "last_year_gbp") for s in ids)

    def need_share(self, scheme: str) -> bool:
        """Whether the need shares of area-split ``scheme`` rest on a placeholder: a weight of
        its formula, or an indicator it uses in any area (a share is an area's indicators over
        every area's)."""
        formula = self.ds.tables["need_formula"]
        used = [i for k, i in formula.index if k == scheme]
        return any(("need_formula", f"{scheme}/{i}", "weight") in self.figures for i in used) \
            or any(("areas", a, i) in self.figures for a in self.ds.areas.index for i in used)

    def curve_services(self) -> set[str]:
        """Services whose benefit curve includes a placeholder figure."""
        return {key.split("/")[0] for table, key, _ in self.figures if table == "curves"}

    def plan_funding(self, years: Iterable[int]) -> bool:
        """Whether any stream's amount in ``years`` is a placeholder."""
        years = list(years)
        return any(self.stream_years(f, years) for f in self.ds.streams.index)

    def allocation_note(self, years: Iterable[int]) -> str:
        """Why every proposed amount is illustrative, when it is: the curves and funding it
        rests on. Empty when neither is a placeholder."""
        years = list(years)
        parts = []
        curves = self.curve_services()
        if curves:
            n = len(self.ds.services)
            parts.append(f"the benefit curves of {len(curves)} of the {n} services "
                         "(assumed returns, not measured ones)")
        if self.plan_funding(years):
            parts.append(f"funding for {fy(years[0])}–{fy(years[-1])} not yet confirmed")
        if not parts:
            return ""
        return "Proposed amounts rest on placeholders: " + " and ".join(parts) + "."


def mark(label: str, on: bool) -> str:
    """``label`` with the placeholder mark when ``on``."""
    return f"{label} {MARK}" if on else label


def note(*sentences: str) -> str:
    """The footnote under a table: the mark explained, then any further sentences."""
    text = " ".join(s for s in sentences if s)
    return f'<p class="table-note">{escape(text)}</p>' if text else ""
