"""The back of the paper: risks and limits, implications, sources, and the appendices
(per-service detail, assumptions and placeholders, the run manifest)."""

from __future__ import annotations

import json
from html import escape
from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money, signed_money
from budgetopt.explain import analysis
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper


def risks(p: Paper) -> Section:
    limits = p.run.explainer.binding_limits()
    html = heading("Risks and limits", 2, p.number("risks"))
    html += paragraph(f"{len(limits)} limits shape the allocation over the plan; section "
                      f"{p.number('limits')} sets out those in {fy(p.year)} with "
                      "what releasing each would add.")
    weak = analysis.weak_evidence_relied_on(p.result)
    if not weak.empty:
        html += heading("Weak evidence relied on", 3) + paragraph(
            f"{len(weak)} services funded in {fy(p.year)} rest on weak evidence for their "
            f"benefit curves ({money(weak['amount_gbp'].sum())} in all): "
            + ", ".join(f"{r['service']} ({money(r['amount_gbp'])})"
                        for _, r in weak.iterrows()) + ".")
    ph = p.ds.placeholder_figures()
    by_table = pd.Series([t for t, _, _ in ph]).value_counts()
    html += heading("Placeholders", 3) + paragraph(
        f"{len(ph)} figures in the dataset are placeholders, not published figures: "
        + ", ".join(f"{n} in {t}" for t, n in by_table.items())
        + f". Appendix {p.number('appendix_assumptions')} lists how they were set. The "
        "allocation should be re-run when they are replaced.")
    ends = analysis.ending_within_plan(p.result)
    if not ends.empty:
        html += heading("Contracts and grants ending", 3) + bullet_list(
            f"{r['name']} ({r['kind']} with {r['with']}) ends at the {r['ends']}."
            for _, r in ends.iterrows())
    return Section(html)


def implications(p: Paper) -> Section:
    r, y = p.result, p.year
    ds = p.ds
    unspent = r.by_stream()
    unspent_y = int(unspent.loc[unspent["year"] == y, "unspent_gbp"].sum())
    fin = (f"The proposal allocates {money(r.totals()[y])} of the "
           f"{money(round(p.inputs.total_available(y)))} available in {fy(y)}"
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
        if a in by.index and len(p.inputs.years) > 1:
            diff = int(by.at[a, p.inputs.years[-1]] - by.at[a, y])
            gains.append(f"{ds.areas.at[a, 'name']}: {signed_money(diff)} from {fy(y)} to "
                         f"{fy(p.inputs.years[-1])}")
    equality = ("Area-split money follows need within the fairness band (section "
                f"{p.number('fairness')}). Change in area-split funding over the plan: "
                + ("; ".join(gains) if gains else "a single plan year, no change shown")
                + ". An equality impact assessment of service changes should accompany "
                "the final plan.")
    return Section(heading("Implications", 2, p.number("implications"))
                   + heading("Financial", 3) + paragraph(fin)
                   + heading("Legal", 3) + paragraph(legal)
                   + heading("Equality", 3) + paragraph(equality))


def sources(p: Paper) -> Section:
    items = [f"{s.publisher}, “{s.title}” ({s.date}). {s.url}".rstrip(". ") + "."
             for s in p.ds.manifest.sources]
    return Section(heading("Background papers and sources", 2, p.number("sources"))
                   + paragraph(f"{len(p.ds.manifest.sourced_figures)} figures in the "
                               "dataset come from these published sources; the rest are "
                               f"placeholders (Appendix {p.number('appendix_assumptions')}).")
                   + bullet_list(items))


def appendix_services(p: Paper) -> Section:
    c = p.result.change()
    ds = p.ds
    years = p.inputs.years
    t = pd.DataFrame({
        "Service": ds.services["name"].reindex(c["service_id"]).to_numpy(),
        "Provider": ds.services["provider"].reindex(c["service_id"]).to_numpy(),
        "Evidence": ds.services["evidence"].reindex(c["service_id"]).to_numpy(),
        f"{fy(p.base)} (£)": c["last_year_gbp"].to_numpy(),
        **{f"{fy(y)} (£)": c[f"{y}_gbp"].to_numpy() for y in years},
    })
    t["Change (£)"] = c["change_gbp"].to_numpy()
    money_cols = [col for col in t.columns if col.endswith("(£)") and "Change" not in col]
    t.loc[len(t)] = ["Total", "", "", *[int(t[col].sum()) for col in money_cols],
                     int(t["Change (£)"].sum())]
    return Section(heading(f"Appendix {p.number('appendix_services')}. Per-service detail", 2)
                   + html_table(t, f"{p.table('services')}. Each service's allocation",
                                total_row=True,
                                money_cols=money_cols, signed_cols=["Change (£)"],
                                small=False))


def appendix_assumptions(p: Paper) -> Section:
    notes = [f"{p.table} ({', '.join(p.columns)}): {p.note}"
             for p in p.ds.manifest.placeholders]
    model = [
        "Benefit curves are concave and piecewise linear; outcomes are valued with the "
        "unit social values in outcomes.csv.",
        "Money goes further in areas with more need per head (need share ÷ population "
        "share); at a need-proportional split the curves equal the force-level curves.",
        "Where equally valuable allocations exist, the steadiest is chosen: closest to "
        "last year's, with the fewest rises that fall back the next year; services equal "
        "in every respect are ordered by a fixed pseudo-random "
        "order, so the same inputs always give the same allocation.",
        "Each service is paid from ring-fenced grants before unrestricted funding.",
    ]
    letter = p.number("appendix_assumptions")
    return Section(heading(f"Appendix {letter}. Assumptions and placeholders", 2)
                   + heading("Model assumptions", 3) + bullet_list(model)
                   + heading("How placeholder figures were set", 3) + bullet_list(notes))


def appendix_manifest(p: Paper) -> Section:
    m = p.manifest
    rows = [
        ("Scenario", m.get("scenario", p.scenario.name)),
        ("Parameters file", f"{m['params_file']} (sha256 {str(m.get('params_sha256'))[:12]})"
         if m.get("params_file") else "none: the parameters were given directly, not read "
         "from a file (they are listed in the manifest); so the paper is a draft"),
        ("Dataset", f"{m.get('dataset', p.ds.name)} (content hash "
         f"{p.ds.content_hash[:12]})"),
        ("Solver", f"{m.get('solver', {}).get('name', p.scenario.solver)} "
         f"{m.get('solver', {}).get('version', '')}".strip()),
        ("Status", p.result.status.status.value),
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
    params = json.dumps(m.get("parameters", p.scenario.model_dump(mode="json")),
                        indent=1, ensure_ascii=False)
    return Section(heading(f"Appendix {p.number('appendix_manifest')}. Run manifest", 2)
                   + html_table(t, f"{p.table('manifest')}. What produced this paper")
                   + f'<pre class="parameters">{escape(params)}</pre>')
