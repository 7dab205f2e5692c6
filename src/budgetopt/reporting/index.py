"""``reports/index.html``: every scenario of a batch run side by side, linking to its paper.

Every scenario asked for has a row: a paper links its paper; one that cannot be met links its
diagnosis paper; one that failed, was interrupted or was refused as invalid says why in a
sentence (and links its ``error.txt`` where there is one).

An interrupted run's index says how many scenarios finished and whether the baseline did (the
others are set against it when it did). The comparison paper is linked when its folder holds
one; otherwise the folder's ``error.txt`` says why there is none (it failed, or an interrupted
run withdrew an earlier run's paper, which compared scenarios that no longer hold a result).

The figures come from the scenarios' result files through
:class:`~budgetopt.paper.comparison.Comparison`, the same comparison the comparison paper makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Protocol

import pandas as pd

from budgetopt.core import files
from budgetopt.core.text import money, signed_money
from budgetopt.paper.comparison import (
    Comparison,
    ScenarioOutcome,
    read_outcome,
    scheme_names_for,
)
from budgetopt.reporting.scenario_folder import BASELINE, COMPARISON

SHOWN = ("paper", "not met")  # states whose folder holds this run's result
STATUS_WORDS = {"paper": "optimal", "not met": "cannot be met", "failed": "failed",
                "interrupted": "interrupted", "invalid": "invalid input"}


class RunOutcome(Protocol):
    """What the index shows of one scenario of the run."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def folder(self) -> Path: ...
    @property
    def state(self) -> str: ...
    @property
    def message(self) -> str: ...


def _cell(value: object, show=money) -> str:
    return "–" if value is None or pd.isna(value) else show(value)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _interrupted(comp: Comparison, outcomes: Sequence[RunOutcome]) -> str:
    """What an interrupted run finished, and what it is set against: the baseline when it
    finished (not 'no baseline' when it did)."""
    ran = [o for o in outcomes if o.state != "invalid"]
    done = sum(o.state != "interrupted" for o in ran)
    head = (f"This run was interrupted: {done} of {_plural(len(ran), 'scenario')} finished "
            "(run again to finish the others); ")
    if comp.baseline is not None:
        return head + f"those that finished are set against the baseline, {comp.baseline.title}."
    if any(o.name == BASELINE and o.state == "interrupted" for o in ran):
        return head + "the baseline did not finish, so none is set against it."
    return head + "no baseline to compare with."


def _against(comp: Comparison) -> str:
    """'3 alternative scenarios against the baseline, Baseline.' — counted without it."""
    n = len(comp.alternatives)
    if comp.baseline is None:
        return f"{_plural(n, 'scenario')}; no baseline to compare with."
    other = sum(1 for o in comp.outcomes if not comp.comparable(o))
    return (f"{n} alternative scenario{'s' if n != 1 else ''} against the baseline, "
            f"{comp.baseline.title}"
            + (f"; {other} of another dataset, not compared with it." if other else "."))


def _comparison(out_root: Path) -> str:
    """The comparison paper's links, or why there is none (its folder's ``error.txt``: it
    failed, or an interrupted run withdrew it)."""
    folder = out_root / COMPARISON
    if (folder / "paper.pdf").is_file():
        return ('<p><a href="comparison/paper.html">Comparison paper</a> · '
                '<a href="comparison/paper.pdf">PDF</a></p>')
    try:
        why = (folder / "error.txt").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):
        return ""
    return (f"<p>No comparison paper: {escape(why)} "
            '(<a href="comparison/error.txt">error.txt</a>)</p>')


def write_index(out_root: Path, outcomes: Sequence[RunOutcome], baseline: Path | None,
                repo_root: Path, interrupted: bool = False) -> Path:
    """Write ``index.html`` into ``out_root`` and return its path (``interrupted``: the run was
    stopped by Ctrl+C or SIGTERM, and the index says how far it got)."""
    # only a paper or a diagnosis is read: any other folder may hold an earlier run's files
    outcomes_read = [read_outcome(o.folder) if o.state in SHOWN else
                     ScenarioOutcome(o.name, o.folder, {"status": o.state, "title": o.title},
                                     None) for o in outcomes]
    comp = Comparison(outcomes_read, read_outcome(baseline) if baseline else None,
                      scheme_names_for(repo_root, outcomes_read))
    overview = comp.overview()
    rows = []
    for o, (_, figures) in zip(outcomes, overview.iterrows(), strict=True):
        name = escape(o.name)
        if o.state in SHOWN and (o.folder / "paper.pdf").is_file():
            what = "paper" if o.state == "paper" else "diagnosis paper"
            link = (f'<a href="{name}/paper.html">{what}</a> · '
                    f'<a href="{name}/paper.pdf">PDF</a>')
        else:
            own_file = o.state != "invalid" and (o.folder / "error.txt").is_file()
            link = escape(o.message) + (f' (<a href="{name}/error.txt">error.txt</a>)'
                                        if own_file else "")
        status = STATUS_WORDS.get(o.state, o.state)
        rows.append(f"<tr><th scope='row'>{escape(o.title)}</th><td>{escape(status)}</td>"
                    f"<td class='num'>{_cell(figures['Total (£)'])}</td>"
                    f"<td class='num'>{_cell(figures['Social value (£)'])}</td>"
                    f"<td class='num'>{_cell(figures['Against baseline (£)'], signed_money)}</td>"
                    f"<td>{link}</td></tr>")
    changes = comp.scheme_changes()
    change_html = ""
    if not changes.empty:
        cols = [c for c in changes.columns if c != "Scheme"]
        head = "".join(f"<th scope='col' class='num'>{escape(c)}</th>" for c in cols)
        body = "".join(
            "<tr><th scope='row'>" + escape(str(r["Scheme"])) + "</th>"
            + "".join(f"<td class='num'>{signed_money(r[c])}</td>" for c in cols) + "</tr>"
            for _, r in changes.iterrows())
        change_html = ("<table><caption>Change against the baseline by scheme, all plan years"
                       f"</caption><thead><tr><th scope='col'>Scheme</th>{head}</tr></thead>"
                       f"<tbody>{body}</tbody></table>")
    compare = _comparison(out_root)
    said = _interrupted(comp, outcomes) if interrupted else _against(comp)
    html = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>budgetopt scenarios</title>
<style>body{{font-family:"Liberation Sans",Arial,"DejaVu Sans",sans-serif;margin:2em;
max-width:70em}}table{{border-collapse:collapse;margin:1em 0}}th,td{{padding:.3em .6em;
border-bottom:1px solid #ccc;text-align:left}}td.num,th.num{{text-align:right}}
caption{{text-align:left;font-weight:bold;padding:.4em 0}}</style></head>
<body><p>OFFICIAL</p><h1>Commissioning Intentions Plan: scenarios</h1>
<p>{escape(said)}
Totals and social value are over each scenario's plan years.</p>
<table><caption>Scenarios in this run</caption><thead><tr><th scope='col'>Scenario</th>
<th scope='col'>Status</th><th scope='col' class='num'>Total</th>
<th scope='col' class='num'>Social value</th><th scope='col' class='num'>Against baseline</th>
<th scope='col'>Paper</th></tr></thead><tbody>{''.join(rows)}</tbody></table>
{change_html}{compare}</body></html>
"""
    return files.write_text(out_root / "index.html", html)
