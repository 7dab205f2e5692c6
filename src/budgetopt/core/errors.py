"""Problems with user input, collected rather than raised one at a time.

Every check in budgetopt that looks at something a person wrote (a CSV table, a manifest, a
parameters file) records a :class:`Problem` naming *where* (file, row, column), *what* (the value)
and *which rule* it broke, and carries on. Only when a whole stage has been checked are the
problems raised together as one :class:`InputError`, so an analyst fixes everything in one pass
instead of meeting errors one by one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One broken rule in one place of the user's input.

    ``row`` is the line number in the file as a text editor shows it (the header is line 1), so
    the analyst can go straight to it; ``None`` when the problem is about the whole file. In a
    workbook, ``sheet`` names the sheet, ``row`` is the row number Excel shows and ``column``
    reads "E: min_gbp" (the column's letter and header).
    """

    file: str
    rule: str
    row: int | None = None
    column: str | None = None
    value: object = None
    key: str | None = None  # a key of a YAML file, dotted ('pins.0.amount_gbp')
    sheet: str | None = None  # a workbook's sheet

    def __str__(self) -> str:
        shown = "" if self.value is None else f": value {_show(self.value)}"
        return f"{self.where()}{shown} — {self.rule}"

    def where(self) -> str:
        """'file, line 7, column 'x'' — or, in a workbook, 'file, sheet, row 7 (E: x)'."""
        where = self.file
        if self.sheet is not None:
            where += f", {self.sheet}"
            if self.row is not None:
                where += f", row {self.row}" + (f" ({self.column})" if self.column else "")
            elif self.column is not None:
                where += f", column {self.column}"
        else:
            if self.row is not None:
                where += f", line {self.row}"
            if self.column is not None:
                where += f", column '{self.column}'"
        if self.key is not None:
            where += f", key '{self.key}'"
        return where


def _show(value: object) -> str:
    """A value as the message shows it: 1500000.0 as 1500000, but 1e30 as 1e+30 (not 31 digits
    that are not the number typed)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class InputError(Exception):
    """Raised when input fails its checks; holds every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem], what: str = "input", note: str = "") -> None:
        self.problems = list(problems)
        self.what = what
        self.note = note  # what was not checked yet, said after the list
        super().__init__(self.report())

    def report(self, limit: int = 50) -> str:
        n = len(self.problems)
        lines = [f"{self.what} is not valid: {n} problem{'s' if n != 1 else ''} found"]
        lines += [f"  - {p}" for p in self.problems[:limit]]
        if n > limit:
            lines.append(f"  ... and {n - limit} more")
        if self.note:
            lines.append(self.note)
        return "\n".join(lines)

    def _render_traceback_(self) -> list[str]:
        """What IPython shows in place of a traceback: the problems, as the command prints
        them (a notebook run by papermill then fails with these lines, not two tracebacks)."""
        return self.report().splitlines()


class ProblemLog:
    """Collects problems for one stage; :meth:`raise_if_any` ends the stage."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self,
        file: str,
        rule: str,
        row: int | None = None,
        column: str | None = None,
        value: object = None,
        key: str | None = None,
    ) -> None:
        self.problems.append(Problem(file, rule, row, column, value, key))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, what: str, note: str = "") -> None:
        if self.problems:
            raise InputError(self.problems, what, note)
