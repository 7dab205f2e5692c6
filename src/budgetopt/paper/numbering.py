"""Sections of a paper declared once, and their numbers counted, never typed.

Each section of a paper is a :class:`SectionSpec` in its paper's registry: how it renders, whether
it is numbered or an appendix, which variant of the paper shows it (a scenario that can be met,
one that cannot, or both) and which tables and figures it holds. :class:`Numbering` counts
section numbers, appendix letters, and table and figure numbers from the registry for one
variant, so a cross-reference ("set out in Table 1", "section 18", "Appendix B") is always the
number the reader will find, whichever sections the variant leaves out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from string import ascii_uppercase
from typing import Any, Literal

Kind = Literal["front", "numbered", "appendix"]
When = Literal["met", "not met", "always", "robust"]  # robust: met, with a robustness block


@dataclass(frozen=True)
class SectionSpec:
    """One section of a paper."""

    name: str
    render: Callable[[Any], Any]  # the paper -> its Section
    kind: Kind = "numbered"
    when: When = "always"
    tables: tuple[str, ...] = ()
    figures: tuple[str, ...] = ()

    def shown(self, met: bool, robust: bool = False) -> bool:
        if self.when == "robust":
            return met and robust
        return self.when == "always" or (self.when == "met") == met


class Numbering:
    """Numbers of sections, appendices, tables and figures in one variant of a paper."""

    def __init__(self, specs: Sequence[SectionSpec], met: bool, robust: bool = False) -> None:
        shown = [s for s in specs if s.shown(met, robust)]
        self.sections: dict[str, str] = {}
        self.tables: dict[str, str] = {}
        self.figures: dict[str, str] = {}
        n_section = n_appendix = n_table = n_figure = 0
        for spec in shown:
            if spec.kind == "numbered":
                n_section += 1
                self.sections[spec.name] = str(n_section)
                for key in spec.tables:
                    n_table += 1
                    self.tables[key] = str(n_table)
                for key in spec.figures:
                    n_figure += 1
                    self.figures[key] = str(n_figure)
            elif spec.kind == "appendix":
                letter = ascii_uppercase[n_appendix]
                n_appendix += 1
                self.sections[spec.name] = letter
                for i, key in enumerate(spec.tables, start=1):
                    self.tables[key] = f"{letter}{i}"
                for i, key in enumerate(spec.figures, start=1):
                    self.figures[key] = f"{letter}{i}"

    def section(self, name: str) -> str:
        return self.sections[name]

    def table(self, key: str) -> str:
        return f"Table {self.tables[key]}"

    def figure(self, key: str) -> str:
        return f"Figure {self.figures[key]}"
