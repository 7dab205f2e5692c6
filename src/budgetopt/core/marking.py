"""How sure a paper may say it is: its status words and its title, decided in one place.

A paper is **FINAL** only when everything behind it is committed (data, parameters, code) *and*
no figure it rests on is a placeholder. Otherwise it is **DRAFT** (something is not committed:
the paper cannot be reproduced from the repository) and/or **ILLUSTRATIVE** (it rests on
placeholder figures: it shows what the method gives, not a figure to rely on). The renderer puts
the words in every page's running header and in the PDF's metadata, the title block repeats
them, and the manifest records them; all three read them from here.
"""

from __future__ import annotations

from budgetopt.core.text import fy

DRAFT = "DRAFT"
ILLUSTRATIVE = "ILLUSTRATIVE"
FINAL = "FINAL"
CANNOT_BE_MET = "SCENARIO CANNOT BE MET"


def status_words(*, draft: bool, placeholders: int, cannot_be_met: bool = False) -> list[str]:
    """The status words of a paper, most serious last: ``["DRAFT", "ILLUSTRATIVE"]``, or
    ``["FINAL"]`` when nothing is uncommitted and no placeholder is used."""
    words = [w for w, on in ((DRAFT, draft), (ILLUSTRATIVE, placeholders > 0),
                             (CANNOT_BE_MET, cannot_be_met)) if on]
    return words or [FINAL]


def is_final(*, draft: bool, placeholders: int) -> bool:
    return status_words(draft=draft, placeholders=placeholders) == [FINAL]


def paper_title(scenario_title: str, first_year: int, *, met: bool = True) -> str:
    """The paper's title, the same on page 1, in the HTML ``<title>`` and in the PDF's
    metadata."""
    return (f"Commissioning Intentions Plan {fy(first_year)} — {scenario_title}"
            + ("" if met else " (cannot be met)"))
