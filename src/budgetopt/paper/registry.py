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
    S("summary", front.summary, when="met", tables=("headline",)),
    S("background", front.background, when="met"),
    S("funding", front.funding, tables=("funding",)),
    S("allocation", allocation.allocation, when="met", tables=("matrix", "by_priority")),
    S("committed", allocation.committed, when="met", tables=("committed",)),
    S("status_quo", allocation.status_quo, when="met", tables=("status_quo",)),
    S("change", allocation.change, when="met", tables=("change",), figures=("change",)),
    S("areas", allocation.areas, when="met", tables=("by_area", "fairness")),
    S("value_of_money", explanations.value_of_money, when="met", tables=("frontier",),
      figures=("frontier",)),
    S("shaping", explanations.shaping, when="met", tables=("limits", "held")),
    S("robustness", robustness.robustness, when="robust", tables=("evidence",),
      figures=("fans", "tornado")),
    S("risks", back.risks, when="met", tables=("ending",)),
    S("implications", back.implications, when="met"),
    S("appendix_services", back.appendix_services, kind="appendix", when="met",
      tables=("services",)),
    S("appendix_assumptions", back.appendix_assumptions, kind="appendix"),
    S("sources", back.sources, kind="appendix"),
    S("glossary", back.glossary, kind="appendix"),
    S("appendix_manifest", back.appendix_manifest, kind="appendix", tables=("manifest",)),
)
BY_NAME = {s.name: s for s in SECTIONS}
