"""Scenarios side by side, from the result files each scenario's run wrote.

Used by ``reports/index.html`` (the batch index) and by ``notebooks/compare.ipynb`` (the
comparison paper). Reads only ``reports/<scenario>/result.json`` and ``allocation.csv``, so a
comparison can be remade without solving anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import pandas as pd

from budgetopt.core.text import fy, money, pct, plain, short_money, signed_money
from budgetopt.data.dataset import Dataset, load_dataset
from budgetopt.data.scenario import repository_root
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.paper.numbering import Numbering, SectionSpec
from budgetopt.results.compare import TOTAL, against_baseline

STATUS_WORDS = {"infeasible": "cannot be met", "not met": "cannot be met"}  # result.json's


@dataclass
class ScenarioOutcome:
    name: str
    folder: Path
    summary: dict  # result.json, or {"status": "failed", ...} when it is missing
    allocation: pd.DataFrame | None
    parameters: dict = field(default_factory=dict)  # the manifest's, when there is one

    @property
    def title(self) -> str:
        return str(self.summary.get("title", self.name))

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
    manifest = folder / "manifest.json"
    params = (json.loads(manifest.read_text(encoding="utf-8")).get("parameters", {})
              if manifest.is_file() else {})
    return ScenarioOutcome(folder.name, folder, summary, alloc, params)


@dataclass
class Comparison:
    outcomes: list[ScenarioOutcome]
    baseline: ScenarioOutcome | None
    scheme_names: dict[str, str]
    area_names: dict[str, str] = field(default_factory=dict)

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
        if base is not None and not same_dataset(base, outcomes):
            base = None  # a plan of another dataset (another force): nothing to compare with
        ds = _dataset_for(root, outcomes)
        if scheme_names is None:
            scheme_names = ds.schemes["name"].to_dict() if ds is not None else {}
        return cls(outcomes, base, scheme_names,
                   ds.areas["name"].to_dict() if ds is not None else {})

    def overview(self) -> pd.DataFrame:
        """One row per scenario: status, total, social value, change against the baseline."""
        base_total = (self.baseline.summary.get("total_allocated_gbp")
                      if self.baseline and self.baseline.optimal else None)
        rows = []
        for o in self.outcomes:
            total = o.summary.get("total_allocated_gbp")
            rows.append({
                "Scenario": o.summary.get("title", o.name),
                "Status": STATUS_WORDS.get(o.status, o.status),
                "Total (£)": total,
                "Social value (£)": o.summary.get("social_value_gbp"),
                "Against baseline (£)": (total - base_total
                                         if total is not None and base_total is not None
                                         and self.comparable(o) else None),
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
                for o in self.alternatives if o.optimal and o.allocation is not None}
        order = list(dict.fromkeys(base["scheme_id"]))  # the plan's order, as the papers'
        schemes = [k for k in order if k in against_baseline(base, base).index] + [TOTAL]
        out = (pd.DataFrame(cols).reindex(schemes) if cols else pd.DataFrame(index=schemes))
        out.insert(0, "Scheme", [self.scheme_names.get(k, "Total") if k != TOTAL else "Total"
                                 for k in out.index])
        return out.reset_index(drop=True)

    def comparable(self, o: ScenarioOutcome) -> bool:
        """Whether ``o`` plans the baseline's dataset (by the dataset names their result files
        record): another force's plan is never set against this one's baseline."""
        if self.baseline is None:
            return True
        mine, theirs = o.summary.get("dataset"), self.baseline.summary.get("dataset")
        return not mine or not theirs or mine == theirs

    @property
    def alternatives(self) -> list[ScenarioOutcome]:
        """The scenarios compared with the baseline: the baseline itself and the plans of
        another dataset left out."""
        base = self.baseline.name if self.baseline else None
        return [o for o in self.outcomes if o.name != base and self.comparable(o)]

    def by_year(self, o: ScenarioOutcome, key: str = "scheme_id") -> pd.DataFrame:
        """``o`` against the baseline by ``key`` (scheme_id or area_id) and plan year: rows in
        the baseline's order, a column a year, and a total row."""
        assert self.baseline is not None and self.baseline.allocation is not None
        assert o.allocation is not None

        def pivot(a: pd.DataFrame) -> pd.DataFrame:
            return a.pivot_table(index=key, columns="year", values="amount_gbp", aggfunc="sum",
                                 fill_value=0, sort=False)

        was, now = pivot(self.baseline.allocation), pivot(o.allocation)
        rows = was.index.union(now.index, sort=False)
        years = sorted(set(was.columns) | set(now.columns))
        diff = (now.reindex(index=rows, columns=years, fill_value=0)
                - was.reindex(index=rows, columns=years, fill_value=0)).astype("int64")
        diff.loc[TOTAL] = diff.sum()
        return diff

    def differences(self, o: ScenarioOutcome) -> list[str]:
        """What ``o`` sets differently from the baseline, in words: why it differs."""
        base = self.baseline.parameters if self.baseline else {}
        skip = {"name", "title", "description", "expected_status"}
        out = []
        for k, v in o.parameters.items():
            if k in skip or base.get(k) == v:
                continue
            out.append(_setting(k, v, base.get(k)))
        return out

    # -- paper sections
    def section(self, name: str) -> Section:
        """Render one section of the comparison paper (see ``COMPARISON_SECTIONS``)."""
        return COMPARISON_BY_NAME[name].render(self)

    @property
    def numbering(self) -> Numbering:
        return Numbering(COMPARISON_SECTIONS, met=True)


def _title_block(c: Comparison) -> Section:
    n = len(c.alternatives)
    against = f"the baseline, {c.baseline.title}" if c.baseline else "no baseline"
    return Section('<header class="title-block">'
                   "<h1>Commissioning Intentions Plan — scenarios compared</h1>"
                   f"<p>{n} alternative scenario{'s' if n != 1 else ''} against "
                   f"{escape(against)}</p></header>")


def _setting(key: str, value: object, was: object) -> str:
    """One setting that differs from the baseline's, in words."""
    if key == "budget_change_pct" and isinstance(value, int | float):
        base = was if isinstance(was, int | float) else 0.0
        return (f"a budget change of {pct(value, signed=True)} "
                f"(baseline {pct(base, signed=True)})")
    if key in ("stability_limit", "fairness_tolerance") and isinstance(value, int | float):
        label = key.replace("_", " ")
        return f"a {label} of {value:.0%} (baseline {plain(was if was is None else f'{was:.0%}')})"
    return f"{key.replace('_', ' ')}: {plain(value)} (baseline {plain(was)})"


def _alternatives(c: Comparison) -> Section:
    """Each alternative against the baseline: by scheme and year, by area and year, and the
    largest differences with the settings that cause them."""
    n = c.numbering
    html = heading("Each scenario against the baseline", 2, n.section("alternatives"))
    shown = [o for o in c.alternatives if o.optimal]
    if not c.baseline or not c.baseline.optimal or not shown:
        return Section(html + paragraph("There is no pair of allocations to compare."))
    areas = {**c.area_names, "force": "Force-wide services"}
    for i, o in enumerate(shown, start=1):
        schemes = c.by_year(o)
        area = c.by_year(o, "area_id")
        body = schemes.drop(index=TOTAL)
        overall = body.sum(axis=1)
        largest = overall.abs().sort_values(ascending=False).index[:3]
        moves = "; ".join(f"{c.scheme_names.get(k, k)} {signed_money(overall[k])}"
                          for k in largest if overall[k] != 0)
        why = c.differences(o)
        gap = int(schemes.loc[TOTAL].sum())
        text = (f"Over the plan, {o.title} allocates "
                + (f"{money(abs(gap))} {'more' if gap > 0 else 'less'} than" if gap else
                   "the same total as") + " the baseline"
                + (f"; the largest differences are {moves}" if moves else "") + ". "
                + ("It differs from the baseline in: " + "; ".join(why) + "."
                   if why else "Its settings are the baseline's; its data differ."))
        html += heading(o.title, 3) + paragraph(text)
        for frame, label, names, key in ((schemes, "Scheme", c.scheme_names, "by_year"),
                                         (area, "Area", areas, "by_area")):
            t = frame.reset_index().rename(columns={frame.index.name or "index": label})
            t[label] = [("Total" if k == TOTAL else names.get(k, k)) for k in frame.index]
            years = [y for y in frame.columns]
            t.columns = [label, *[f"{fy(int(y))} (£)" for y in years]]
            html += html_table(t, f"{n.table(key)}.{i}. {o.title} against the baseline by "
                               f"{label.lower()} and year (£)", signed_cols=list(t.columns[1:]),
                               total_row=True)
    return Section(html)


def _summary(c: Comparison) -> Section:
    ov = c.overview()
    met = ov[ov["Status"] == "optimal"]  # (the status in words: optimal, cannot be met, …)
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
    SectionSpec("alternatives", _alternatives, tables=("by_year", "by_area")),
    SectionSpec("notes", _notes),
)
COMPARISON_BY_NAME = {s.name: s for s in COMPARISON_SECTIONS}


def same_dataset(base: ScenarioOutcome, outcomes: list[ScenarioOutcome]) -> bool:
    """Whether ``base`` plans a dataset that one of ``outcomes`` plans (by the dataset names
    their result files record; true when none records one)."""
    used = {o.summary["dataset"] for o in outcomes if o.summary.get("dataset")}
    return not used or base.summary.get("dataset") in used


def _dataset_for(root: Path, outcomes: list[ScenarioOutcome]) -> Dataset | None:
    """The dataset of the first scenario that recorded one (for names), or None."""
    for o in outcomes:
        manifest = o.folder / "manifest.json"
        if manifest.is_file():
            path = json.loads(manifest.read_text(encoding="utf-8")).get("dataset_path")
            if path:
                try:
                    return load_dataset(root / path)
                except Exception:  # noqa: BLE001 - names are cosmetic; fall back to ids
                    continue
    return None


def scheme_names_for(root: Path, outcomes: list[ScenarioOutcome]) -> dict[str, str]:
    """Scheme names from the dataset of the first scenario that recorded one."""
    ds = _dataset_for(root, outcomes)
    return ds.schemes["name"].to_dict() if ds is not None else {}
