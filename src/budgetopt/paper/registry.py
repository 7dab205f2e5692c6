"""The registry of the budget-setting paper's sections, in the order of a UK committee report.

Everything that needs the list of sections takes it from here: the paper's numbering (sections,
appendices, tables and figures are counted from it), which sections a scenario that cannot be
met shows, and the paper notebook, whose cells :mod:`budgetopt.paper.notebook` generates from it.
"""

from __future__ import annotations

from budgetopt.paper.numbering import SectionSpec
from budgetopt.paper.sections import allocation, back, explanations, front, robustness

S = SectionSpec
SECTIONS: tuple[SectionSpec, ...] = (
    S("title_block", front.title_block, kind="front"),
    S("not_met", front.not_met, when="not met", tables=("fix",)),
    S("purpose", front.purpose, when="met"),
    S("recommendations", front.recommendations, when="met"),
    S("summary", front.summary, when="met", tables=("headline",), figures=("schemes",)),
    S("background", front.background, when="met", tables=("priorities",)),
    S("funding", front.funding, tables=("funding",)),
    S("allocation", allocation.allocation, when="met",
      tables=("matrix", "by_scheme", "by_priority")),
    S("committed", allocation.committed, when="met", tables=("committed",)),
    S("status_quo", allocation.status_quo, when="met", tables=("status_quo",)),
    S("change", allocation.change, when="met", tables=("change",), figures=("change",)),
    S("areas", allocation.areas, when="met", tables=("by_area",)),
    S("fairness", allocation.fairness, when="met", tables=("fairness",), figures=("fairness",)),
    S("more_money", explanations.more_money, when="met"),
    S("cut", explanations.cut, when="met"),
    S("frontier", explanations.frontier, when="met", tables=("frontier",),
      figures=("frontier",)),
    S("limits", explanations.limits, when="met"),
    S("why_not_more", explanations.why_not_more, when="met"),
    S("pins", explanations.pins, when="met"),
    S("robustness", robustness.robustness, when="robust", tables=("evidence",),
      figures=("fans", "tornado")),
    S("risks", back.risks, when="met"),
    S("implications", back.implications, when="met"),
    S("sources", back.sources),
    S("appendix_services", back.appendix_services, kind="appendix", when="met",
      tables=("services",)),
    S("appendix_assumptions", back.appendix_assumptions, kind="appendix"),
    S("appendix_manifest", back.appendix_manifest, kind="appendix", tables=("manifest",)),
)
BY_NAME = {s.name: s for s in SECTIONS}
