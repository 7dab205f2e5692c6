"""The budget-setting paper: a solved scenario rendered as the sections of a committee report.

A :class:`Paper` renders a :class:`~budgetopt.pipeline.ScenarioRun`; it never runs the pipeline
and never writes a file. ``notebooks/paper.ipynb`` (generated from the section registry by
:mod:`budgetopt.paper.notebook`) gets the run from :func:`~budgetopt.pipeline.run_scenario`, has
the reporting layer write the result files and the manifest, and displays one section per cell.
Every sentence that states a result is built from the run, so a test can change the data and see
the sentence change; every section, table and figure number is counted from the registry
(:mod:`budgetopt.paper.registry`) for the variant the scenario needs — a scenario that cannot be
met shows its diagnosis, its funding and its sources, never an allocation.

The frame follows a UK committee report: title block, purpose, recommendations, summary,
background, funding, the allocation, committed money, the status quo, change against last year,
areas, fairness, explanations, risks, implications, sources, appendices.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from budgetopt.core.marking import paper_title, status_words
from budgetopt.data.dataset import Dataset
from budgetopt.data.inputs import ModelInputs
from budgetopt.data.scenario import Scenario
from budgetopt.explain.explainer import Explainer
from budgetopt.paper.html import EMPTY, Section
from budgetopt.paper.marks import Placeholders
from budgetopt.paper.numbering import Numbering
from budgetopt.paper.registry import BY_NAME, SECTIONS
from budgetopt.pipeline import ScenarioRun
from budgetopt.results.result import Result


@dataclass(frozen=True)
class Paper:
    """A solved scenario and everything the paper says about it."""

    run: ScenarioRun
    meeting_date: str = "to be arranged"
    manifest: dict[str, Any] = field(default_factory=dict)  # what the run was computed from

    def with_manifest(self, manifest: dict[str, Any] | None) -> Paper:
        """The same paper with the final run manifest (the last appendix shows it)."""
        return replace(self, manifest=manifest or {})

    # ------------------------------------------------------------------ sections
    def section(self, name: str) -> Section:
        """Render one registered section; empty when this variant of the paper leaves it out."""
        spec = BY_NAME[name]
        if not spec.shown(self.result.is_optimal, self.robust):
            return EMPTY
        section = spec.render(self)
        if spec.kind == "appendix":  # reference matter, set smaller
            return Section(f'<section class="appendix">{section.html}</section>')
        return section

    def sections(self) -> list[Section]:
        """Every section of this variant, in order."""
        return [self.section(s.name) for s in SECTIONS
                if s.shown(self.result.is_optimal, self.robust)]

    @cached_property
    def numbering(self) -> Numbering:
        return Numbering(SECTIONS, self.result.is_optimal, self.robust)

    @property
    def robust(self) -> bool:
        """Whether the scenario asks for the robustness analysis (its ``robustness`` block)."""
        return self.scenario.robustness is not None

    def number(self, name: str) -> str:
        """A section's number, or an appendix's letter."""
        return self.numbering.section(name)

    def table(self, key: str) -> str:
        """'Table 4', counted."""
        return self.numbering.table(key)

    def figure(self, key: str) -> str:
        """'Figure 2', counted."""
        return self.numbering.figure(key)

    # ------------------------------------------------------------------ the run, read
    @property
    def result(self) -> Result:
        return self.run.result

    @property
    def inputs(self) -> ModelInputs:
        return self.run.inputs

    @property
    def ds(self) -> Dataset:
        return self.run.dataset

    @property
    def scenario(self) -> Scenario:
        return self.run.scenario

    @property
    def explainer(self) -> Explainer:
        return self.run.explainer

    @property
    def year(self) -> int:
        """The first plan year: the year the Panel is asked to note."""
        return self.inputs.years[0]

    @property
    def base(self) -> int:
        return self.inputs.base_year

    @property
    def params_file(self) -> str:
        return str(self.run.params_file or "")

    @property
    def draft(self) -> bool:
        """DRAFT unless the manifest records committed data, parameters and code."""
        return bool(self.manifest.get("draft", True))

    @cached_property
    def placeholders(self) -> Placeholders:
        """Which of the dataset's figures are placeholders, to mark where they are shown."""
        return Placeholders(self.ds)

    @property
    def status_words(self) -> list[str]:
        """DRAFT and/or ILLUSTRATIVE, or FINAL (:mod:`budgetopt.core.marking`)."""
        return status_words(draft=self.draft, placeholders=self.placeholders.count,
                            cannot_be_met=not self.result.is_optimal)

    @property
    def title(self) -> str:
        return paper_title(self.scenario.title, self.year, met=self.result.is_optimal)
