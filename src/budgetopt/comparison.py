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

from budgetopt.formatting import heading, html_table, money, paragraph, short_money
from budgetopt.paper import Section
from budgetopt.scenario import repository_root


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
            scheme_names = _scheme_names(root, outcomes)
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
        base = self.baseline.allocation.groupby("scheme_id")["amount_gbp"].sum()
        cols = {}
        for o in self.outcomes:
            if o.optimal and o.name != self.baseline.name:
                cols[o.summary.get("title", o.name)] = (
                    o.allocation.groupby("scheme_id")["amount_gbp"].sum()
                    .reindex(base.index, fill_value=0) - base)
        out = pd.DataFrame(cols)
        out.loc["total"] = out.sum()
        out.insert(0, "Scheme", [self.scheme_names.get(k, "Total") for k in out.index])
        return out.reset_index(drop=True)

    # -- paper sections
    def title_block(self) -> Section:
        return Section('<header class="title-block">'
                       "<h1>Commissioning Intentions Plan — scenarios compared</h1>"
                       f"<p>{len(self.outcomes)} scenarios against "
                       f"{escape(self.baseline.name if self.baseline else 'no baseline')}</p>"
                       "</header>")

    def summary(self) -> Section:
        ov = self.overview()
        met = ov[ov["Status"] == "optimal"]
        text = (f"{len(met)} of {len(ov)} scenarios have an optimal allocation. ")
        if not met.empty:
            best = met.sort_values("Social value (£)", ascending=False).iloc[0]
            text += (f"The highest estimated social value is in '{best['Scenario']}' "
                     f"({short_money(best['Social value (£)'])} over its plan years).")
        shown = ov.copy()
        for c in ("Total (£)", "Social value (£)", "Against baseline (£)"):
            shown[c] = shown[c].map(lambda v: "–" if pd.isna(v) else money(v))
        return Section(heading("Summary", 2, "1") + paragraph(text)
                       + html_table(shown, "Table 1. Scenarios side by side (totals over the "
                                    "plan years)"))

    def by_scheme(self) -> Section:
        ch = self.scheme_changes()
        if ch.empty:
            return Section(heading("Change by scheme", 2, "2")
                           + paragraph("The baseline has no allocation to compare with."))
        cols = [c for c in ch.columns if c != "Scheme"]
        return Section(heading("Change by scheme against the baseline", 2, "2")
                       + html_table(ch, "Table 2. Change against the baseline by scheme, all "
                                    "plan years (£)", signed_cols=cols, total_row=True))

    def notes(self) -> Section:
        failed = [o for o in self.outcomes if not o.optimal]
        items = [f"{o.summary.get('title', o.name)}: {o.summary.get('status_sentence', o.status)}"
                 for o in failed]
        return Section(heading("Notes", 2, "3")
                       + (paragraph("Scenarios without an allocation:") + "<ul>"
                          + "".join(f"<li>{escape(i)}</li>" for i in items) + "</ul>"
                          if items else paragraph("Every scenario has an allocation.")))


def _scheme_names(root: Path, outcomes: list[ScenarioOutcome]) -> dict[str, str]:
    """Scheme names from the dataset of the first scenario that recorded one."""
    from budgetopt.dataset import load_dataset

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
