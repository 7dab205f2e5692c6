"""The back of the paper: risks and limits, implications, sources, and the appendices
(per-service detail, assumptions and placeholders, the run manifest)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pandas as pd

from budgetopt.core.text import fy, money, plain, plural, signed_money
from budgetopt.data.dataset import Dataset, Figure
from budgetopt.explain import analysis
from budgetopt.paper.html import Section, bullet_list, heading, html_table, paragraph
from budgetopt.paper.marks import MARK

if TYPE_CHECKING:  # pragma: no cover
    from budgetopt.paper.document import Paper


def risks(p: Paper) -> Section:
    limits = p.run.explainer.binding_limits()
    html = heading("Risks and limits", 2, p.number("risks"))
    html += paragraph(f"{len(limits)} limits shape the allocation over the plan; section "
                      f"{p.number('shaping')} sets out those in {fy(p.year)} with what "
                      "releasing each would add.")
    weak = analysis.weak_evidence_relied_on(p.result)
    if not weak.empty:
        html += heading("Weak evidence relied on", 3) + paragraph(
            f"{len(weak)} services funded in {fy(p.year)} rest on weak evidence for their "
            f"benefit curves ({money(weak['amount_gbp'].sum())} in all): "
            + ", ".join(f"{r['service']} ({money(r['amount_gbp'])})"
                        for _, r in weak.iterrows()) + ".")
    ph = p.ds.placeholder_figures()
    if ph:
        by_table = pd.Series([t for t, _, _ in ph]).value_counts()
        html += heading("Placeholders", 3) + paragraph(
            f"{len(ph)} figures in the dataset are placeholders, not published figures: "
            + ", ".join(f"{n} in {t}" for t, n in by_table.items())
            + f". They are marked {MARK} where a table shows them, and Appendix "
            f"{p.number('appendix_assumptions')} says how they were set. The paper is "
            "ILLUSTRATIVE until they are replaced and the allocation re-run.")
    ends = analysis.ending_within_plan(p.result)
    if not ends.empty:
        t = pd.DataFrame({"Contract or grant": ends["name"],
                          "Kind": ends["kind"], "With": ends["with"], "Ends": ends["ends"]})
        html += heading("Contracts and grants ending", 3) + paragraph(
            f"{plural(len(ends), 'contract or grant', 'contracts and grants')} end"
            f"{'s' if len(ends) == 1 else ''} within the plan; each needs re-procurement, "
            "renewal or an exit plan before it ends.") + html_table(
            t, f"{p.table('ending')}. Contracts and grants ending within the plan")
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
             # not which stream pays for them: that is the dataset's, and named above
             + ". The Commissioner's statutory duties include the Code of Practice for "
             "Victims of Crime and the Serious Violence Duty.")
    by = r.by_area()
    gains = []
    for a in ds.areas.index:
        if a in by.index and len(p.inputs.years) > 1:
            diff = int(by.at[a, p.inputs.years[-1]] - by.at[a, y])
            gains.append(f"{ds.areas.at[a, 'name']}: {signed_money(diff)} from {fy(y)} to "
                         f"{fy(p.inputs.years[-1])}")
    equality = ("Area-split money follows need within the fairness band (section "
                f"{p.number('areas')}). Change in area-split funding over the plan: "
                + ("; ".join(gains) if gains else "a single plan year, no change shown")
                + ". An equality impact assessment of service changes should accompany "
                "the final plan.")
    return Section(heading("Implications", 2, p.number("implications"))
                   + heading("Financial", 3) + paragraph(fin)
                   + heading("Legal", 3) + paragraph(legal)
                   + heading("Equality", 3) + paragraph(equality))


def figure_counts(ds: Dataset) -> str:
    """How many of the dataset's figures are sourced, confirmed and placeholders — each figure
    counted once (:attr:`Dataset.figure_states`), so the three add up to the whole."""
    n = Counter(ds.figure_states.values())
    confirmed = (f"{n[Figure.CONFIRMED]:,} are the team's own confirmed figures (the tables' "
                 "placeholder column); " if n[Figure.CONFIRMED] else "")
    return (f"Of the dataset's {sum(n.values()):,} figures, {n[Figure.SOURCED]:,} come from "
            f"these published sources; {confirmed}{n[Figure.PLACEHOLDER]:,} are placeholders")


def sources(p: Paper) -> Section:
    items = [f"{s.publisher}, “{s.title}” ({s.date}). {s.url}".rstrip(". ") + "."
             for s in p.ds.manifest.sources]
    letter = p.number("sources")
    return Section(heading(f"Appendix {letter}. Background papers and sources", 2)
                   + paragraph(figure_counts(p.ds) + f" (Appendix "
                               f"{p.number('appendix_assumptions')}).")
                   + bullet_list(items))


GLOSSARY: tuple[tuple[str, str], ...] = (
    ("Area-split scheme", "A scheme whose money is shared between the Community Safety "
     "Partnership areas in proportion to need (the others fund force-wide services)."),
    ("Benefit curve", "What each further £1,000 for a service is estimated to achieve; each "
     "further £1,000 achieves a little less than the one before (diminishing returns)."),
    ("Binding limit", "A limit the allocation sits exactly at, so that it shapes the result."),
    ("Contested", "A service funded above its minimum in some draws of the uncertain evidence "
     "but not in at least 90% of them."),
    ("Core (robustness)", "A service funded above its minimum in at least 90% of the draws of "
     "the uncertain evidence."),
    ("Draw", "One set of the uncertain figures, sampled within their stated spreads; the plan "
     "is re-solved for each."),
    ("Fairness band", "How far an area's share of an area-split scheme may stray from its need "
     "share (±τ of it)."),
    ("Feasibility edge", "The deepest cut to the budget at which every limit can still be met."),
    ("Floor, cap", "The least and the most a scheme may receive in a year."),
    ("Illustrative", "The paper rests on placeholder figures: it shows what the method gives, "
     "not amounts to rely on."),
    ("Need share", "An area's share of need, from the scheme's need formula (population, crime, "
     "domestic abuse, ASB, deprivation)."),
    ("Optimiser, optimum", "The method (linear programming) that finds, exactly, the allocation "
     "of greatest weighted social value within every limit; that allocation."),
    ("Pin", "An amount the scenario fixes for a service in a year."),
    ("Placeholder", "A figure not taken from a published source, set by assumption until a "
     "real figure replaces it; marked † where shown."),
    ("Priority weight", "How much a £ of social value towards a Police and Crime Plan priority "
     "counts; 2 counts it twice."),
    ("Regret", "How much value the recommended plan gives up, in one draw, against the best "
     "plan for that draw."),
    ("Ring-fenced grant", "Funding that may only be spent on the schemes its conditions name."),
    ("Smallest fix", "The least change to the limits that would make a scenario possible."),
    ("Social value", "The estimated value to society, in £, of the outcomes services achieve."),
    ("Stability limit", "How far a service may move in one year: δ of its base-year amount."),
    ("Status quo", "Last year's allocation carried forward, scaled to the funding available."),
)


def glossary(p: Paper) -> Section:
    t = pd.DataFrame(GLOSSARY, columns=["Term", "Meaning"])
    return Section(heading(f"Appendix {p.number('glossary')}. Glossary", 2)
                   + html_table(t, "Terms used in this paper", small=False, full_width=True))


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
        "unit social values of the dataset's outcomes table.",
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
                   + heading("How placeholder figures were set", 3)
                   + (bullet_list(notes) if notes else paragraph(
                       "Not recorded: the dataset's manifest does not say how its placeholder "
                       "figures were set (its placeholders list is empty).")))


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
        ("Marking", " · ".join(p.status_words)),
        ("Placeholder figures used", f"{p.placeholders.count:,}"),
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
    params = m.get("parameters", p.scenario.model_dump(mode="json"))
    rows.append(("Parameters", plain(params)))
    t = pd.DataFrame(rows, columns=["Item", "Value"])
    return Section(heading(f"Appendix {p.number('appendix_manifest')}. Run manifest", 2)
                   + html_table(t, f"{p.table('manifest')}. What produced this paper",
                                small=False, full_width=True))

