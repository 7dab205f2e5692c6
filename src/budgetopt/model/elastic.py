"""The elastic model: the LP with every limit a commissioner can move given a priced slack.

When no allocation meets every limit, the diagnosis (:mod:`budgetopt.explain.diagnose`) asks
this model for the cheapest set of moves that makes the scenario possible. Each limit family
adds its own relaxed rows (``relax``): what may move, on which side, at what cost per £ (pins and
stability cheapest, contracts dearest); families with no ``relax_cost`` — ring-fence eligibility,
capacity, scheme caps — never move.

The cheapest fix need not be unique (two scheme floors of equal price, two streams), so the
elastic LP is laid out in a fixed order — the model's own order of the columns and rows the
limits sit on, then the registry's order of families — and equally priced moves of services are
spread by at most ``TIE_SPREAD`` of their price in the services' order: the same scenario always
gets the same fix, whatever order the families make their slack in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from budgetopt.data.inputs import ModelInputs
from budgetopt.model.build import apply_numbers, build_model, model_numbers
from budgetopt.model.limits import REGISTRY, LimitFamily, Slack, SlackSpec
from budgetopt.model.lp import LpModel, Ref, Row

TIE_SPREAD = 1e-3  # deterministic order between equally priced moves (earlier listed first)


@dataclass(frozen=True)
class _Relaxed:
    family: LimitFamily
    ref: Ref  # the column or row of the model the limit sits on
    terms: list[tuple]
    sense: str
    rhs: float
    slacks: tuple[SlackSpec, ...]


@dataclass
class ElasticModel:
    """A freshly built model whose relaxable limits are being replaced by priced slack."""

    m: LpModel
    prob: pulp.LpProblem = field(
        default_factory=lambda: pulp.LpProblem("elastic", pulp.LpMinimize))
    slacks: list[Slack] = field(default_factory=list)
    _relaxed: list[_Relaxed] = field(default_factory=list)

    @property
    def inputs(self) -> ModelInputs:
        return self.m.inputs

    def service_rank(self, service: str) -> float:
        """Spread of a service's moves: its row in the services table, as a fraction."""
        services = self.m.inputs.dataset.services.index
        return int(services.get_loc(service)) / max(len(services), 1)

    def relax(self, family: LimitFamily, ref: Ref, terms: list[tuple], sense: str, rhs: float,
              *slacks: SlackSpec) -> None:
        """The row ``terms + Σ sign·slack (sense) rhs`` in place of a limit of ``family``."""
        assert family.relax_cost is not None, f"{family.family} never relaxes"
        self._relaxed.append(_Relaxed(family, ref, terms, sense, rhs, slacks))

    def _materialise(self) -> list[pulp.LpConstraint]:
        """Create the slack columns and rows in the fixed order (see the module docstring)."""
        position = {id(f): i for i, f in enumerate(REGISTRY)}
        order = sorted(range(len(self._relaxed)), key=lambda i: (
            isinstance(self._relaxed[i].ref, Row), self.m.index(self._relaxed[i].ref),
            position[id(self._relaxed[i].family)], i))
        rows = []
        for i in order:
            r = self._relaxed[i]
            terms = list(r.terms)
            for spec in r.slacks:
                v = self.prob.add_variable(f"e_{len(self.slacks)}", lowBound=0)
                cost = (r.family.relax_cost or 0.0) * (1 + TIE_SPREAD * spec.rank)
                self.slacks.append(Slack(r.family.family, spec.side, spec.year, spec.subject,
                                         spec.limit, spec.key, v, cost))
                terms.append((v, spec.sign))
            expr = pulp.LpAffineExpression(terms)
            rows.append({"<=": expr <= r.rhs, ">=": expr >= r.rhs, "==": expr == r.rhs}[r.sense])
        return rows


def build_elastic(inputs: ModelInputs) -> ElasticModel:
    """The elastic model of ``inputs``: limits that never relax stay bounds; every other
    family's limits become rows with slack."""
    m = build_model(inputs)
    fixed = [f for f in REGISTRY if f.relax_cost is None]
    apply_numbers(m, model_numbers(m, inputs, fixed), rows=False)
    el = ElasticModel(m)
    for family in REGISTRY:
        family.relax(el)
    extra = el._materialise()
    replaced = {b for f in REGISTRY for b in f.replaces_rows}
    for block, rows in m.rows.items():
        if block not in replaced:
            for con in rows.items:
                el.prob.addConstraint(con)
    for i, con in enumerate(extra):
        el.prob.addConstraint(con, f"elastic_{i}")
    el.prob.setObjective(pulp.LpAffineExpression([(s.column, s.cost) for s in el.slacks]))
    return el
