"""Scenarios side by side, from the result files each scenario's run wrote.

Used by ``reports/index.html`` (the batch index) and by ``notebooks/compare.ipynb`` (the
comparison paper). Reads only ``reports/<scenario>/result.json`` and ``allocation.csv``, so a
comparison can be remade without solving anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from pathlib import Path

import pandas as pd

from budgetopt.core.text import money, short_money
from budgetopt.data.dataset import load_dataset
from budgetopt.data.scenario import repository_root
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.paper.numbering import Numbering, SectionSpec
from budgetopt.results.compare import TOTAL, against_baseline


@dataclass
class ScenarioOutcome:
    name: str
    folder: Path
    summary: dict  # result.json, or {"status": "failed", ...} when it is missing
    allocation: pd.DataFrame | None

    @property
    def status(self) -> str:
        return self.summary.get("status", "failed")

    @property
    def optimal(self) -> bool:
        return self.status == "optimal" and self.allocation is not None


def read_outcome(folder: Path) -> ScenarioOutcome:
    summary_path, alloc_path = folder / "result.json", folder / "allocation.csv"
    summary = (json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.is_file()
               else {"status": "failed", "title": folder.name})
    alloc = pd.read_csv(alloc_path) if alloc_path.is_file() else None
    return ScenarioOutcome(folder.name, folder, summary, alloc)


@dataclass
class Comparison:
    outcomes: list[ScenarioOutcome]
    baseline: ScenarioOutcome | None
    scheme_names: dict[str, str]

    @classmethod
    def from_reports(cls, scenarios: list[str], *, reports_dir: str = "reports",
                     baseline: str = "baseline", repo_root: str = "",
                     scheme_names: dict[str, str] | None = None) -> Comparison:
        root = Path(repo_root) if repo_root else repository_root(Path.cwd())
        base_dir = Path(reports_dir) if Path(reports_dir).is_absolute() else root / reports_dir
        outcomes = [read_outcome(base_dir / s) for s in scenarios]
        base = next((o for o in outcomes if o.name == baseline), None)
        if base is None and (base_dir / baseline).is_dir():
            base = read_outcome(base_dir / baseline)
        if scheme_names is None:
            scheme_names = scheme_names_for(root, outcomes)
        return cls(outcomes, base, scheme_names)

    def overview(self) -> pd.DataFrame:
        """One row per scenario: status, total, social value, change against the baseline."""
        base_total = (self.baseline.summary.get("total_allocated_gbp")
                      if self.baseline and self.baseline.optimal else None)
        rows = []
        for o in self.outcomes:
            total = o.summary.get("total_allocated_gbp")
            rows.append({
                "Scenario": o.summary.get("title", o.name),
                "Status": o.status,
                "Total (£)": total,
                "Social value (£)": o.summary.get("social_value_gbp"),
                "Against baseline (£)": (total - base_total
                                         if total is not None and base_total is not None
                                         else None),
            })
        return pd.DataFrame(rows)

    def scheme_changes(self) -> pd.DataFrame:
        """Change against the baseline by scheme, over all plan years, one column a scenario."""
        if not self.baseline or not self.baseline.optimal:
            return pd.DataFrame()
        base = self.baseline.allocation
        assert base is not None
        cols = {o.summary.get("title", o.name):
                against_baseline(o.allocation, base)["difference_gbp"]
                for o in self.outcomes
                if o.optimal and o.allocation is not None and o.name != self.baseline.name}
        schemes = against_baseline(base, base).index
        out = pd.DataFrame(cols, index=schemes) if cols else pd.DataFrame(index=schemes)
        out.insert(0, "Scheme", [self.scheme_names.get(k, "Total") if k != TOTAL else "Total"
                                 for k in out.index])
        return out.reset_index(drop=True)

    # -- paper sections
    def section(self, name: str) -> Section:
        """Render one section of the comparison paper (see ``COMPARISON_SECTIONS``)."""
        return COMPARISON_BY_NAME[name].render(self)

    @property
    def numbering(self) -> Numbering:
        return Numbering(COMPARISON_SECTIONS, met=True)


def _title_block(c: Comparison) -> Section:
    return Section('<header class="title-block">'
                   "<h1>Commissioning Intentions Plan — scenarios compared</h1>"
                   f"<p>{len(c.outcomes)} scenarios against "
                   f"{escape(c.baseline.name if c.baseline else 'no baseline')}</p>"
                   "</header>")


def _summary(c: Comparison) -> Section:
    ov = c.overview()
    met = ov[ov["Status"] == "optimal"]
    text = f"{len(met)} of {len(ov)} scenarios have an optimal allocation. "
    if not met.empty:
        best = met.sort_values("Social value (£)", ascending=False).iloc[0]
        text += (f"The highest estimated social value is in '{best['Scenario']}' "
                 f"({short_money(best['Social value (£)'])} over its plan years).")
    shown = ov.copy()
    for col in ("Total (£)", "Social value (£)", "Against baseline (£)"):
        shown[col] = shown[col].map(lambda v: "–" if pd.isna(v) else money(v))
    n = c.numbering
    return Section(heading("Summary", 2, n.section("summary")) + paragraph(text)
                   + html_table(shown, f"{n.table('overview')}. Scenarios side by side (totals "
                                "over the plan years)"))


def _by_scheme(c: Comparison) -> Section:
    ch, n = c.scheme_changes(), c.numbering
    if ch.empty:
        return Section(heading("Change by scheme", 2, n.section("by_scheme"))
                       + paragraph("The baseline has no allocation to compare with."))
    cols = [col for col in ch.columns if col != "Scheme"]
    return Section(heading("Change by scheme against the baseline", 2, n.section("by_scheme"))
                   + html_table(ch, f"{n.table('by_scheme')}. Change against the baseline by "
                                "scheme, all plan years (£)", signed_cols=cols, total_row=True))


def _notes(c: Comparison) -> Section:
    failed = [o for o in c.outcomes if not o.optimal]
    items = [f"{o.summary.get('title', o.name)}: {o.summary.get('status_sentence', o.status)}"
             for o in failed]
    return Section(heading("Notes", 2, c.numbering.section("notes"))
                   + (paragraph("Scenarios without an allocation:") + bullet_list(items)
                      if items else paragraph("Every scenario has an allocation.")))


COMPARISON_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("title_block", _title_block, kind="front"),
    SectionSpec("summary", _summary, tables=("overview",)),
    SectionSpec("by_scheme", _by_scheme, tables=("by_scheme",)),
    SectionSpec("notes", _notes),
)
COMPARISON_BY_NAME = {s.name: s for s in COMPARISON_SECTIONS}


def scheme_names_for(root: Path, outcomes: list[ScenarioOutcome]) -> dict[str, str]:
    """Scheme names from the dataset of the first scenario that recorded one."""
    for o in outcomes:
        manifest = o.folder / "manifest.json"
        if manifest.is_file():
            path = json.loads(manifest.read_text(encoding="utf-8")).get("dataset_path")
            if path:
                try:
                    ds = load_dataset(root / path)
                except Exception:  # noqa: BLE001 - names are cosmetic; fall back to ids
                    continue
                return ds.schemes["name"].to_dict()
    return {}
