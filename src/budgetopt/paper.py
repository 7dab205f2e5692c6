"""The budget-setting paper: every section of the committee report, generated from the result.

``notebooks/paper.ipynb`` stays thin: its parameters cell holds the scenario, the next cell calls
:meth:`Paper.from_parameters` (which validates the parameters through the scenario model, loads
and checks the dataset, solves and writes the result files), and each following cell displays
one section. Every sentence that states a result is built here from the result, so a test can
change the data and see the sentence change.

The frame follows a UK committee report (shared/reference/paper-outline.md): title block,
purpose, recommendations, summary, background, funding, the allocation, committed money, the
status quo, change against last year, areas, fairness, risks, implications, sources, appendices.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cached_property, wraps
from html import escape
from pathlib import Path
from typing import Any

import pandas as pd

from budgetopt import analysis, charts
from budgetopt.dataset import fy
from budgetopt.formatting import (
    bullet_list,
    heading,
    html_table,
    money,
    paragraph,
    pct,
    short_money,
    signed_money,
)
from budgetopt.inputs import ModelInputs, resolve
from budgetopt.results import Result, make_result
from budgetopt.scenario import Scenario, repository_root, scenario_dataset_path
from budgetopt.solve import Allocator, Solution

SCENARIO_KEYS = tuple(Scenario.model_fields)
SECTIONS = ["purpose", "recommendations", "summary", "background", "funding", "allocation",
            "committed", "sq", "change", "areas", "fairness", "more", "cut", "frontier",
            "limits", "why_not", "pins", "risks", "implications", "sources"]
NOT_MET_SECTIONS = ["not_met", "funding", "sources"]
EMPTY = ""


def needs_allocation(method):
    """A section that presents an allocation: empty when the scenario cannot be met, so a
    "cannot be met" paper never shows one."""

    @wraps(method)
    def wrapper(self: Paper, *args: Any, **kwargs: Any) -> Section:
        if not self.result.is_optimal:
            return Section(EMPTY)
        return method(self, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class Section:
    """A piece of the paper as HTML; notebooks display it."""

    html: str

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.html


@dataclass
class Paper:
    """A solved scenario and everything the paper says about it."""

    result: Result
    alloc: Allocator
    solution: Solution  # the result's solution, kept for the explanations' re-solves
    params_file: str
    repo_root: Path
    meeting_date: str
    started: dt.datetime
    manifest: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_parameters(cls, params: dict[str, Any], *, params_file: str = "",
                        repo_root: str = "", output_dir: str = "",
                        meeting_date: str = "") -> Paper:
        """Validate the notebook's parameters, load the dataset, solve, write result files."""
        started = dt.datetime.now(dt.UTC)
        root = Path(repo_root) if repo_root else repository_root(Path.cwd())
        scenario = Scenario.model_validate({k: v for k, v in params.items() if k in SCENARIO_KEYS})
        from budgetopt.dataset import load_dataset

        anchor = root / (params_file or "parameters/x.yaml")
        inputs = resolve(load_dataset(scenario_dataset_path(scenario, anchor)), scenario,
                         params_file or "parameters")
        alloc = Allocator(inputs)
        solution = alloc.solve(warm=False)
        result = make_result(alloc, solution)
        paper = cls(result, alloc, solution, params_file, root, meeting_date, started)
        paper.manifest = paper._manifest(dt.datetime.now(dt.UTC))  # provisional: draft or not
        if output_dir:
            paper.write_results(Path(output_dir))
        return paper

    def _manifest(self, finished: dt.datetime) -> dict[str, Any]:
        from budgetopt.reporting.manifest import build_manifest

        params = (self.repo_root / self.params_file if self.params_file
                  else self.repo_root / "parameters" / f"{self.scenario.name}.yaml")
        return build_manifest(inputs=self.inputs, params_path=params,
                              status=self.result.status.status.value, started=self.started,
                              finished=finished, repo_root=self.repo_root)

    @property
    def inputs(self) -> ModelInputs:
        return self.result.inputs

    @property
    def ds(self):
        return self.inputs.dataset

    @property
    def scenario(self) -> Scenario:
        return self.inputs.scenario

    @property
    def year(self) -> int:
        """The first plan year: the year the Panel is asked to note."""
        return self.inputs.years[0]

    @property
    def base(self) -> int:
        return self.inputs.base_year

    def write_results(self, out: Path) -> None:
        """allocation.csv, flows.csv, result.json and allocation.xlsx for this scenario."""
        from budgetopt.reporting.excel import write_workbook
        from budgetopt.results import write_result_files

        out.mkdir(parents=True, exist_ok=True)
        write_result_files(self.result, out, self.diagnosis)
        write_workbook(self.result, out / "allocation.xlsx")

    def finish(self, output_dir: str = "") -> Section:
        """Build the run manifest (and write it), returned as the last appendix."""
        from budgetopt.reporting.manifest import write_manifest

        self.manifest = self._manifest(dt.datetime.now(dt.UTC))
        if output_dir:
            write_manifest(self.manifest, Path(output_dir) / "manifest.json")
        return self.appendix_manifest()

    # ------------------------------------------------------------------ helpers
    def _number(self, key: str) -> str:
        """Section number: fixed by the report's frame, so cross-references are right
        whichever section is displayed first."""
        order = SECTIONS if self.result.is_optimal else NOT_MET_SECTIONS
        return str(order.index(key) + 1)

    @cached_property
    def diagnosis(self):
        """The smallest fix when the scenario cannot be met (None when it can)."""
        if self.result.status.status.value != "infeasible":
            return None
        from budgetopt.diagnose import diagnose

        return diagnose(self.inputs)

    @cached_property
    def explainer(self):
        from budgetopt.explain import Explainer

        return Explainer(self.alloc, self.solution, self.result)

    def _scheme_names(self) -> pd.Series:
        return self.ds.schemes["name"]

    def _headline(self) -> pd.DataFrame:
        bs = self.result.by_scheme()
        y, b = self.year, self.base
        names = self._scheme_names()
        out = pd.DataFrame({
            "Scheme": [names.get(k, "Total") if k != "total" else "Total" for k in bs.index],
            f"{fy(b)} (£)": bs[b].to_numpy(),
            f"Proposed {fy(y)} (£)": bs[y].to_numpy(),
        })
        out["Change (£)"] = out[f"Proposed {fy(y)} (£)"] - out[f"{fy(b)} (£)"]
        out["Change (%)"] = 100 * out["Change (£)"] / out[f"{fy(b)} (£)"].where(
            out[f"{fy(b)} (£)"] != 0)
        return out

    # ------------------------------------------------------------------ sections
    def title_block(self) -> Section:
        s, y = self.scenario, self.year
        draft = bool(self.manifest.get("draft", True))
        when = self.meeting_date or "to be arranged"
        status = "DRAFT" if draft else "FINAL"
        prepared = dt.date.today().isoformat()
        return Section(
            f'<header class="title-block">'
            f"<p>Police and Crime Panel · {escape(when)}</p>"
            f"<h1>Commissioning Intentions Plan {fy(y)} — scenario: {escape(s.title)}</h1>"
            f"<p>Report of the Police and Crime Commissioner</p>"
            f'<p class="status">{status} · scenario <code>{escape(s.name)}</code> · prepared '
            f"{prepared}</p></header>")

    @needs_allocation
    def purpose(self) -> Section:
        r = self.result
        total = r.totals()[self.year]
        text = (f"This report sets out how the Police and Crime Commissioner proposes to allocate "
                f"the commissioning budget of {money(total)} in {fy(self.year)} across "
                f"{len(self.ds.schemes)} commissioning schemes and {len(self.ds.services)} "
                f"services, with indicative allocations to {fy(self.inputs.years[-1])}. It "
                "shows how the allocation follows need and the Police and Crime Plan "
                "priorities within ring-fenced grants, contracts and stability limits.")
        return Section(heading("Purpose of the report", 2, self._number("purpose"))
                       + paragraph(text))

    @needs_allocation
    def recommendations(self) -> Section:
        y = self.year
        items = [
            f"The Panel is recommended to note the proposed allocation of "
            f"{money(self.result.totals()[y])} across the commissioning schemes in {fy(y)}, "
            f"set out in Table 1.",
            f"The Panel is recommended to note that the allocations for "
            f"{', '.join(fy(v) for v in self.inputs.years[1:]) or 'later years'} are indicative "
            "and depend on the funding then available.",
            "The Panel is recommended to note the risks and limits in section "
            f"{self._number('risks')}, including the figures that are placeholders.",
        ]
        n_placeholder = len(self.ds.placeholder_figures())
        if n_placeholder:
            items.append(f"The Panel is recommended to note that {n_placeholder} figures in the "
                         "dataset are placeholders to be confirmed (Appendix B).")
        return Section(heading("Recommendations", 2, self._number("recommendations"))
                       + bullet_list(items, ordered=True))

    @needs_allocation
    def summary(self) -> Section:
        r, y, b = self.result, self.year, self.base
        head = self._headline()
        body = head.iloc[:-1]
        up = body.sort_values("Change (£)", ascending=False).iloc[0]
        down = body.sort_values("Change (£)").iloc[0]
        total_change = int(head.iloc[-1]["Change (£)"])
        text = (f"In {fy(y)} the proposal allocates {money(r.totals()[y])}, "
                f"{signed_money(total_change)} against {fy(b)}. "
                f"The largest rise is for {up['Scheme']} ({signed_money(up['Change (£)'])}); "
                f"the largest fall is for {down['Scheme']} ({signed_money(down['Change (£)'])}). "
                f"The allocation delivers an estimated {short_money(r.social_value_gbp)} of "
                f"social value over {len(self.inputs.years)} plan years.")
        table = html_table(head, f"Table 1. Proposed allocation by scheme, {fy(y)}, against "
                           f"{fy(b)}", money_cols=[c for c in head.columns if "(£)" in c
                                                     and "Change" not in c],
                           signed_cols=["Change (£)"], pct_cols=["Change (%)"], total_row=True)
        chart = charts.figure(charts.schemes_against_last_year(
            r.by_scheme(), self._scheme_names(), y, b, f"proposed {fy(y)}", fy(b)),
            f"Figure 1. Allocation by scheme, proposed {fy(y)} against {fy(b)}")
        return Section(heading("Summary", 2, self._number("summary")) + paragraph(text)
                       + table + chart)

    @needs_allocation
    def background(self) -> Section:
        pr = self.ds.priorities.copy()
        pr["weight"] = self.inputs.priority_weights
        pri = pd.DataFrame({"Priority": pr["name"], "Weight": pr["weight"].map(
            lambda w: f"{w:g}")})
        infl = self.ds.inflation["rate"]
        infl_text = ", ".join(f"{fy(y)} {infl[y]:.1%}" for y in self.inputs.years)
        ends = analysis.ending_within_plan(self.result)
        changes = [f"{r['name']} ({r['kind']} with {r['with']}) ends at the {r['ends']}."
                   for _, r in ends.iterrows()]
        text = (f"The Police and Crime Plan priorities and the weights this scenario gives them "
                f"are in Table 2: a weight of 2 counts a £ of social value towards that priority "
                f"twice. Inflation is assumed to be {infl_text}.")
        return Section(
            heading("Background", 2, self._number("background")) + paragraph(text)
            + html_table(pri, "Table 2. Police and Crime Plan priorities and weights")
            + (paragraph("What changes within the plan:") + bullet_list(changes)
               if changes else paragraph("No contract or grant ends within the plan.")))

    def funding(self) -> Section:
        ds, years = self.ds, self.inputs.years
        amounts = self.inputs.stream_amounts
        rows = []
        for f, s in ds.streams.iterrows():
            cond = ("ring-fenced to " + ", ".join(sorted(ds.schemes.at[k, "name"]
                                                          for k in ds.eligible_schemes(f)))
                    if s["ring_fenced"] else "unrestricted")
            if s["must_spend"]:
                cond += "; must be spent in year"
            end = "" if pd.isna(s["end_year"]) else f"end of {fy(int(s['end_year']))}"
            rows.append([s["name"], *[round(amounts.at[f, y]) for y in years], cond, end])
        table = pd.DataFrame(rows, columns=["Stream", *[f"{fy(y)} (£)" for y in years],
                                            "Conditions", "Ends"])
        total = ["Total", *[round(amounts[y].sum()) for y in years], "", ""]
        table.loc[len(table)] = total
        change = self.scenario.budget_change_pct
        note = (f" This scenario changes the total by {change:+.1f}%, applied to the "
                "unrestricted core budget." if change else "")
        number = 3 if self.result.is_optimal else 2  # a cannot-be-met paper has one table before
        text = (f"Table {number} shows the funding available in each plan year by stream."
                f"{note} Ring-fenced grants can only be spent on the schemes their conditions "
                "name.")
        return Section(heading("Funding available", 2, self._number("funding"))
                       + paragraph(text)
                       + html_table(table, f"Table {number}. Funding available by stream",
                                    money_cols=[f"{fy(y)} (£)" for y in years], total_row=True,
                                    small=False))

    @needs_allocation
    def allocation(self) -> Section:
        r, y = self.result, self.year
        ds = self.ds
        m = r.matrix(y).reset_index()
        area_names = {**ds.areas["name"].to_dict(), "force": "Force-wide", "total": "Total"}
        svc_names = {**ds.services["name"].to_dict(), "": "", "total": "Total"}
        m["Service"] = m["service_id"].map(lambda s: svc_names.get(s, s))
        m.loc[m["scheme_id"] == "total", "Service"] = "Total"
        value_cols = [c for c in m.columns if c not in ("scheme_id", "service_id", "Service")]
        table = m[["Service", *value_cols]]
        labels = ["Service", *[f"{area_names.get(c, c)} (£)" for c in value_cols]]
        by_year = r.by_scheme().reset_index()
        by_year.insert(0, "Scheme", by_year["scheme_id"].map(
            lambda k: "Total" if k == "total" else ds.schemes.at[k, "name"]))
        by_year = by_year.drop(columns="scheme_id")
        years = [c for c in by_year.columns if c != "Scheme"]
        pri = r.by_priority().reset_index()
        pri.insert(0, "Priority", pri["priority_id"].map(
            lambda p: "Total" if p == "total" else ds.priorities.at[p, "name"]))
        pri = pri.drop(columns="priority_id")
        tau, delta = self.scenario.fairness_tolerance, self.scenario.stability_limit
        basis = (f"The allocation maximises social value weighted by the plan priorities. Each "
                 "service has a benefit curve with diminishing returns; area-split schemes "
                 "share money between the four Community Safety Partnership areas by need, each "
                 f"area's share kept within ±{tau:.0%} of its need share; each continuing "
                 f"service moves by at most {delta:.0%} of last year's amount a year; contracts "
                 "are held at their contracted values; floors, caps and ring-fences are met.")
        return Section(
            heading("Proposed allocation", 2, self._number("allocation")) + paragraph(basis)
            + html_table(table, f"Table 4. Funding allocation matrix, {fy(y)}: service by area",
                         money_cols=value_cols, total_row=True, small=False,
                         header_labels=labels)
            + html_table(by_year, "Table 5. Allocation by scheme and year",
                         money_cols=years, total_row=True,
                         header_labels=["Scheme", *[f"{fy(c)} (£)" for c in years]])
            + html_table(pri, "Table 6. Estimated social value by plan priority",
                         money_cols=[c for c in pri.columns if c != "Priority"],
                         total_row=True, header_labels=["Priority", *[
                             f"{fy(c)} (£)" for c in pri.columns if c != "Priority"]]))

    @needs_allocation
    def committed(self) -> Section:
        c = self.result.committed()
        y = self.year
        labels = {"contracts": "Contracts", "pins": "Pinned amounts",
                  "service minimums": "Service minimums", "scheme floors":
                  "Scheme floors (beyond the above)", "free to place": "Placed by the optimiser"}
        t = pd.DataFrame({"Money": [labels[k] for k in c.index],
                          **{f"{fy(v)} (£)": c[v].to_numpy() for v in c.columns}})
        t.loc[len(t)] = ["Total", *[int(c[v].sum()) for v in c.columns]]
        free = int(c.at["free to place", y])
        total = int(c[y].sum())
        rf = self.result.ring_fenced()
        rf_y = int(rf.at["ring-fenced", y]) if "ring-fenced" in rf.index else 0
        text = (f"Of the {money(total)} allocated in {fy(y)}, {money(total - free)} "
                f"({(total - free) / total:.1%}) is committed before any choice is made — by "
                f"contracts, pins, service minimums and scheme floors — and {money(free)} "
                f"({free / total:.1%}) was free to place. {money(rf_y)} comes from ring-fenced "
                "grants, which may only be placed within their eligible schemes.")
        return Section(heading("Committed and discretionary money", 2, self._number("committed"))
                       + paragraph(text)
                       + html_table(t, "Table 7. Committed money against money free to place",
                                    money_cols=[f"{fy(v)} (£)" for v in c.columns],
                                    total_row=True))

    @needs_allocation
    def status_quo(self) -> Section:
        r, y = self.result, self.year
        sq = analysis.status_quo(r)
        sq_y = sq[sq["year"] == y]
        prop = r.allocation()
        prop = prop[prop["year"] == y].groupby("scheme_id")["amount_gbp"].sum()
        by = sq_y.groupby("scheme_id")["amount_gbp"].sum()
        names = self._scheme_names()
        t = pd.DataFrame({"Scheme": names.reindex(by.index).to_numpy(),
                          "Status quo (£)": by.to_numpy(),
                          "Proposal (£)": prop.reindex(by.index).fillna(0).astype(int).to_numpy()})
        t["Difference (£)"] = t["Proposal (£)"] - t["Status quo (£)"]
        t.loc[len(t)] = ["Total", int(by.sum()), int(prop.sum()), int(prop.sum() - by.sum())]
        sv_sq = sq["social_value_gbp"].sum()
        gain = r.social_value_gbp - sv_sq
        text = (f"The status quo carries last year's allocation forward, scaled pro rata to the "
                f"funding available. Over the plan it would deliver an estimated "
                f"{short_money(sv_sq)} of social value; the proposal delivers "
                f"{short_money(r.social_value_gbp)}, {short_money(gain)} "
                f"({gain / sv_sq:.1%}) more, for the same money.")
        return Section(heading("The proposal beside the status quo", 2, self._number("sq"))
                       + paragraph(text)
                       + html_table(t, f"Table 8. Proposal against the status quo, {fy(y)}",
                                    money_cols=["Status quo (£)", "Proposal (£)"],
                                    signed_cols=["Difference (£)"], total_row=True))

    @needs_allocation
    def change(self) -> Section:
        r, y, b = self.result, self.year, self.base
        last = self.inputs.years[-1]
        c = r.change()
        names = self.ds.services["name"]
        by_scheme = c.groupby("scheme_id")[["last_year_gbp", f"{y}_gbp", f"{y}_real_gbp"]].sum()
        t = pd.DataFrame({
            "Scheme": self._scheme_names().reindex(by_scheme.index).to_numpy(),
            f"{fy(b)} (£)": by_scheme["last_year_gbp"].to_numpy(),
            f"{fy(y)} cash (£)": by_scheme[f"{y}_gbp"].to_numpy(),
            f"{fy(y)} in {fy(b)} prices (£)": by_scheme[f"{y}_real_gbp"].to_numpy(),
        })
        t["Real change (£)"] = t.iloc[:, 3] - t.iloc[:, 1]
        t.loc[len(t)] = ["Total", *[int(t.iloc[:, i].sum()) for i in range(1, 5)]]
        tot_last, tot_cash = int(t.iloc[-1, 1]), int(t.iloc[-1, 2])
        tot_real = int(t.iloc[-1, 3])
        text = (f"In cash terms the budget changes by {signed_money(tot_cash - tot_last)} "
                f"({pct(100 * (tot_cash - tot_last) / tot_last, signed=True)}) from {fy(b)} to "
                f"{fy(y)}; in {fy(b)} prices, after the inflation assumption, by "
                f"{signed_money(tot_real - tot_last)} "
                f"({pct(100 * (tot_real - tot_last) / tot_last, signed=True)}).")
        chart = charts.figure(charts.change_by_service(c, names, fy(last), fy(b)),
                              f"Figure 2. Change for each service in cash, {fy(b)} to {fy(last)}")
        return Section(heading("Change against last year", 2, self._number("change"))
                       + paragraph(text)
                       + html_table(t, f"Table 9. Change by scheme in cash and real terms, "
                                    f"{fy(y)}", money_cols=list(t.columns[1:4]),
                                    signed_cols=["Real change (£)"], total_row=True)
                       + chart)

    @needs_allocation
    def areas(self) -> Section:
        r, y = self.result, self.year
        ds = self.ds
        by = r.by_area()
        names = {**ds.areas["name"].to_dict(), "force": "Force-wide services", "total": "Total"}
        split = ds.services[ds.services["area_split"].astype(bool)]
        last = split["last_year_gbp"].groupby(split["scheme_id"]).sum()
        base_area = sum((ds.need_shares.loc[k] * v for k, v in last.items()),
                        pd.Series(0.0, index=ds.areas.index))
        t = pd.DataFrame({"Area": [names.get(a, a) for a in by.index],
                          **{f"{fy(v)} (£)": by[v].to_numpy() for v in by.columns}})
        sentences = []
        for a in ds.areas.index:
            v = int(by.at[a, y]) if a in by.index else 0
            sentences.append(f"{names[a]} receives {money(v)} of area-split funding in {fy(y)} "
                             f"(about {short_money(base_area[a])} in {fy(self.base)}, if last "
                             "year's area-split schemes were shared by need).")
        return Section(heading("What changes in each area", 2, self._number("areas"))
                       + bullet_list(sentences)
                       + html_table(t, "Table 10. Allocation by area (force-wide services "
                                    "serve every area)",
                                    money_cols=[f"{fy(v)} (£)" for v in by.columns],
                                    total_row=True))

    @needs_allocation
    def fairness(self) -> Section:
        r, y = self.result, self.year
        ds = self.ds
        tau = self.scenario.fairness_tolerance
        shares = analysis.area_shares(r)
        shares_y = shares[shares["year"] == y]
        parts, figs = [], []
        area_names = ds.areas["name"]
        for i, (k, rows) in enumerate(shares_y.groupby("scheme_id", sort=False)):
            name = ds.schemes.at[k, "name"]
            t = pd.DataFrame({"Area": area_names.reindex(rows["area_id"]).to_numpy(),
                              "Amount (£)": rows["amount_gbp"].to_numpy(),
                              "Share (%)": (100 * rows["share"]).round(1).to_numpy(),
                              "Need share (%)": (100 * rows["need_share"]).round(1).to_numpy(),
                              "Band (%)": [f"{100 * lo:.1f}–{100 * hi:.1f}" for lo, hi in
                                           zip(rows["band_low"], rows["band_high"],
                                               strict=True)]})
            parts.append(html_table(t, f"Table 11.{i + 1}. {name}: area share against need "
                                    f"share, {fy(y)}", money_cols=["Amount (£)"]))
            figs.append(charts.figure(
                charts.area_share_against_need(rows, name, area_names, fy(y)),
                f"Figure 3.{i + 1}. {name}: area share against need share, {fy(y)}"))
        text = (f"In each area-split scheme every area's share of the money stays within "
                f"±{tau:.0%} of its need share (so a 30% need share receives "
                f"{30 * (1 - tau):.0f}–{30 * (1 + tau):.0f}%). Need shares come from each "
                "scheme's need formula over population, crime, domestic abuse, ASB and "
                "deprivation. Areas with more need per head get more outcomes per £, so the "
                "optimiser leans towards them up to the edge of the band.")
        return Section(heading("Fairness between areas", 2, self._number("fairness"))
                       + paragraph(text) + "".join(parts) + "".join(figs))

    @needs_allocation
    def more_money(self) -> Section:
        e = self.explainer
        more = e.money_value(direction="more")
        streams = e.stream_values()
        return Section(heading("What more money would buy", 2, self._number("more"))
                       + paragraph(more.sentence)
                       + paragraph("Per stream, from re-solving with £1,000 more of each:")
                       + bullet_list(v.sentence for v in streams))

    @needs_allocation
    def cut(self) -> Section:
        less = self.explainer.money_value(direction="less")
        html = heading("What a cut would cost", 2, self._number("cut")) + paragraph(less.sentence)
        if less.what_if.diagnosis is not None:
            html += bullet_list(r.sentence for r in less.what_if.diagnosis.relaxations[:8])
        return Section(html)

    @needs_allocation
    def frontier(self) -> Section:
        fr = self.explainer.frontier()
        pts = fr.points
        t = pd.DataFrame({
            "Budget (% of this scenario)": [f"{100 * f:.1f}%" for f in pts["factor"]],
            f"Total {fy(self.year)} (£)": pts["total_gbp"].to_numpy(),
            "Social value over the plan (£)": pts["social_value_gbp"].to_numpy(),
        })
        shown = t.copy()
        value_col = "Social value over the plan (£)"
        shown[value_col] = ["cannot be met" if pd.isna(v) else money(v) for v in t[value_col]]
        fixes = []
        for factor, status in zip(pts["factor"], pts["status"], strict=True):
            d = fr.diagnoses.get(float(factor))
            fixes.append("" if status == "optimal" or d is None else
                         f"smallest fix {money(d.total_gbp)} ("
                         + ", ".join(sorted({r.family for r in d.relaxations})) + ")")
        if any(fixes):
            shown["If it cannot be met"] = fixes
        ok = pts[pts["status"] == "optimal"]
        lowest = ok["factor"].min() if not ok.empty else None
        text = (f"Figure 4 and Table 12 show the best social value the plan could buy at total "
                f"budgets from {100 * pts['factor'].min():.0f}% to "
                f"{100 * pts['factor'].max():.0f}% of this scenario's, changing the "
                f"unrestricted budget in every plan year. ")
        if lowest is not None and lowest > pts["factor"].min():
            d = fr.diagnoses.get(float(pts.loc[pts["status"] != "optimal", "factor"].max()))
            text += (f"Below {100 * lowest:.1f}% the limits cannot all be met"
                     + (f": {d.summary}" if d else ".") + " ")
        down = ", ".join(f"{n} ({100 * x:.1f}%)" for n, x in fr.disinvestment[:8])
        up = ", ".join(f"{n} ({100 * x:.1f}%)" for n, x in fr.investment[:8])
        lists = (paragraph("As the budget falls, services lose money in this order (the budget "
                           f"at which each first loses): {down or 'none within the range'}.")
                 + paragraph("As it rises, services gain in this order: "
                             f"{up or 'none within the range'}."))
        chart = charts.figure(charts.frontier(pts, fy(self.year)),
                              "Figure 4. Social value across total budgets (the budget frontier)")
        return Section(heading("The budget frontier", 2, self._number("frontier"))
                       + paragraph(text) + lists + chart
                       + html_table(shown, "Table 12. The budget frontier",
                                    money_cols=[f"Total {fy(self.year)} (£)"], small=False))

    @needs_allocation
    def limits(self) -> Section:
        values = self.explainer.limit_values()
        html = heading("Limits that shape this allocation", 2, self._number("limits"))
        html += paragraph(f"{len(values)} limits hold the allocation in {fy(self.year)}. Each "
                          "was released by £100,000 in turn and the plan re-solved; they are "
                          "listed by what that would add.")
        by_family: dict[str, list[str]] = {}
        for v in values:
            by_family.setdefault(v.limit.family, []).append(v.sentence)
        for family, sentences in by_family.items():
            html += heading(family.capitalize(), 3) + bullet_list(sentences)
        return Section(html)

    @needs_allocation
    def why_not_more(self) -> Section:
        items = self.explainer.why_not_more()
        html = heading("Why some services do not get more", 2, self._number("why_not"))
        if not items:
            return Section(html + paragraph(f"No service is held at its minimum or at zero in "
                                            f"{fy(self.year)}."))
        return Section(html + paragraph(
            f"{len(items)} services are held at their minimum or at zero in {fy(self.year)}. "
            "For each, the social value per £ it would need before the optimum gives it more:")
            + bullet_list(w.sentence for w in items))

    @needs_allocation
    def pins(self) -> Section:
        html = heading("What the pins cost", 2, self._number("pins"))
        prices = self.explainer.pin_prices()
        if not prices:
            return Section(html + paragraph("This scenario pins no amounts."))
        return Section(html + bullet_list(p.sentence for p in prices))

    def not_met(self) -> Section:
        """The diagnosis of a scenario that cannot be met (empty when it can)."""
        if self.result.is_optimal:
            return Section(EMPTY)
        d = self.diagnosis
        html = heading("Why this scenario cannot be met", 2, self._number("not_met"))
        html += paragraph(f"{self.result.status.sentence} No allocation is presented.")
        html += "".join(paragraph(c) for c in d.context) + paragraph(d.summary)
        if d.relaxations:
            rows = pd.DataFrame({
                "Limit": [r.family for r in d.relaxations],
                "Year": [fy(r.year) for r in d.relaxations],
                "Change needed": [r.sentence for r in d.relaxations],
                "Amount (£)": [round(r.amount_gbp) for r in d.relaxations]})
            rows.loc[len(rows)] = ["Total", "", "", int(rows["Amount (£)"].sum())]
            html += html_table(rows, "Table 1. The smallest set of changes that would make "
                               "this scenario possible", money_cols=["Amount (£)"],
                               total_row=True, small=False)
        return Section(html)

    @needs_allocation
    def risks(self) -> Section:
        limits = analysis.binding_limits(self.result)
        html = heading("Risks and limits", 2, self._number("risks"))
        html += paragraph(f"{len(limits)} limits shape the allocation over the plan; section "
                          f"{self._number('limits')} sets out those in {fy(self.year)} with "
                          "what releasing each would add.")
        weak = analysis.weak_evidence_relied_on(self.result)
        if not weak.empty:
            html += heading("Weak evidence relied on", 3) + paragraph(
                f"{len(weak)} services funded in {fy(self.year)} rest on weak evidence for their "
                f"benefit curves ({money(weak['amount_gbp'].sum())} in all): "
                + ", ".join(f"{r['service']} ({money(r['amount_gbp'])})"
                            for _, r in weak.iterrows()) + ".")
        ph = self.ds.placeholder_figures()
        by_table = pd.Series([t for t, _, _ in ph]).value_counts()
        html += heading("Placeholders", 3) + paragraph(
            f"{len(ph)} figures in the dataset are placeholders, not published figures: "
            + ", ".join(f"{n} in {t}" for t, n in by_table.items())
            + ". Appendix B lists how they were set. The allocation should be re-run when "
            "they are replaced.")
        ends = analysis.ending_within_plan(self.result)
        if not ends.empty:
            html += heading("Contracts and grants ending", 3) + bullet_list(
                f"{r['name']} ({r['kind']} with {r['with']}) ends at the {r['ends']}."
                for _, r in ends.iterrows())
        return Section(html)

    @needs_allocation
    def implications(self) -> Section:
        r, y = self.result, self.year
        ds = self.ds
        unspent = r.by_stream()
        unspent_y = int(unspent.loc[unspent["year"] == y, "unspent_gbp"].sum())
        fin = (f"The proposal allocates {money(r.totals()[y])} of the "
               f"{money(round(self.inputs.total_available(y)))} available in {fy(y)}"
               + (f", leaving {money(unspent_y)} unallocated." if unspent_y else
                  ", leaving nothing unallocated.")
               + " All figures are nominal and in whole pounds; every table adds up exactly.")
        ring = [f for f in ds.streams.index if ds.streams.at[f, "ring_fenced"]]
        legal = ("Ring-fenced grants are spent only on eligible schemes: "
                 + "; ".join(f"{ds.streams.at[f, 'name']} on "
                             + ", ".join(sorted(ds.schemes.at[k, 'name']
                                                for k in ds.eligible_schemes(f))) for f in ring)
                 + ". The Commissioner's statutory duties include the Code of Practice for "
                 "Victims of Crime (victim services funded through the Ministry of Justice "
                 "grant) and the Serious Violence Duty (Home Office funding).")
        by = r.by_area()
        gains = []
        for a in ds.areas.index:
            if a in by.index and len(self.inputs.years) > 1:
                diff = int(by.at[a, self.inputs.years[-1]] - by.at[a, y])
                gains.append(f"{ds.areas.at[a, 'name']}: {signed_money(diff)} from {fy(y)} to "
                             f"{fy(self.inputs.years[-1])}")
        equality = ("Area-split money follows need within the fairness band (section "
                    f"{self._number('fairness')}). Change in area-split funding over the plan: "
                    + ("; ".join(gains) if gains else "a single plan year, no change shown")
                    + ". An equality impact assessment of service changes should accompany "
                    "the final plan.")
        return Section(heading("Implications", 2, self._number("implications"))
                       + heading("Financial", 3) + paragraph(fin)
                       + heading("Legal", 3) + paragraph(legal)
                       + heading("Equality", 3) + paragraph(equality))

    def sources(self) -> Section:
        items = [f"{s.publisher}, “{s.title}” ({s.date}). {s.url}".rstrip(". ") + "."
                 for s in self.ds.manifest.sources]
        return Section(heading("Background papers and sources", 2, self._number("sources"))
                       + paragraph(f"{len(self.ds.manifest.sourced_figures)} figures in the "
                                   "dataset come from these published sources; the rest are "
                                   "placeholders (Appendix B).")
                       + bullet_list(items))

    @needs_allocation
    def appendix_services(self) -> Section:
        c = self.result.change()
        ds = self.ds
        years = self.inputs.years
        t = pd.DataFrame({
            "Service": ds.services["name"].reindex(c["service_id"]).to_numpy(),
            "Provider": ds.services["provider"].reindex(c["service_id"]).to_numpy(),
            "Evidence": ds.services["evidence"].reindex(c["service_id"]).to_numpy(),
            f"{fy(self.base)} (£)": c["last_year_gbp"].to_numpy(),
            **{f"{fy(y)} (£)": c[f"{y}_gbp"].to_numpy() for y in years},
        })
        t["Change (£)"] = c["change_gbp"].to_numpy()
        money_cols = [col for col in t.columns if col.endswith("(£)") and "Change" not in col]
        t.loc[len(t)] = ["Total", "", "", *[int(t[col].sum()) for col in money_cols],
                         int(t["Change (£)"].sum())]
        return Section(heading("Appendix A. Per-service detail", 2)
                       + html_table(t, "Table A1. Each service's allocation", total_row=True,
                                    money_cols=money_cols, signed_cols=["Change (£)"],
                                    small=False))

    def appendix_assumptions(self) -> Section:
        notes = [f"{p.table} ({', '.join(p.columns)}): {p.note}"
                 for p in self.ds.manifest.placeholders]
        model = [
            "Benefit curves are concave and piecewise linear; outcomes are valued with the "
            "unit social values in outcomes.csv.",
            "Money goes further in areas with more need per head (need share ÷ population "
            "share); at a need-proportional split the curves equal the force-level curves.",
            "Where equally valuable allocations exist, the one closest to last year's is "
            "chosen; services equal in every respect are ordered by a fixed pseudo-random "
            "order, so the same inputs always give the same allocation.",
            "Each service is paid from ring-fenced grants before unrestricted funding.",
        ]
        return Section(heading("Appendix B. Assumptions and placeholders", 2)
                       + heading("Model assumptions", 3) + bullet_list(model)
                       + heading("How placeholder figures were set", 3) + bullet_list(notes))

    def appendix_manifest(self) -> Section:
        m = self.manifest
        rows = [
            ("Scenario", m.get("scenario", self.scenario.name)),
            ("Parameters file", f"{m.get('params_file', self.params_file)} "
             f"(sha256 {str(m.get('params_sha256', ''))[:12]})"),
            ("Dataset", f"{m.get('dataset', self.ds.name)} (content hash "
             f"{self.ds.content_hash[:12]})"),
            ("Solver", f"{m.get('solver', {}).get('name', self.scenario.solver)} "
             f"{m.get('solver', {}).get('version', '')}".strip()),
            ("Status", self.result.status.status.value),
            ("Code version (git commit)", str(m.get("git_commit") or "not committed")),
            ("Draft", "yes: data, parameters or code differ from the commit" if m.get("draft",
                                                                                   True)
             else "no"),
            ("Python", str(m.get("python", ""))),
            ("Run", f"{m.get('started', '')} to {m.get('finished', '')}"),
        ]
        versions = m.get("versions", {})
        if versions:
            rows.append(("Packages", ", ".join(f"{k} {v}" for k, v in versions.items() if v)))
        t = pd.DataFrame(rows, columns=["Item", "Value"])
        params = json.dumps(m.get("parameters", self.scenario.model_dump(mode="json")),
                            indent=1, ensure_ascii=False)
        return Section(heading("Appendix C. Run manifest", 2)
                       + html_table(t, "Table C1. What produced this paper")
                       + f'<pre class="parameters">{escape(params)}</pre>')
