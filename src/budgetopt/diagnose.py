"""Why a scenario cannot be met, and the smallest fix.

When no allocation meets every limit, :func:`diagnose` solves an *elastic* version of the model:
each limit that a commissioner can move gets a slack column priced per £, and the LP finds the
cheapest set of moves that makes the scenario feasible. Each move becomes a sentence ("Lower the
floor of ASB services in 2025/26 from £1,100,000 to £950,000"). One function serves the CLI, the
papers and the explorer.

What may move, and what a £ of moving it costs (pins and stability cheapest, contracts dearest):
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pulp

from budgetopt.dataset import fy
from budgetopt.formatting import money
from budgetopt.inputs import ModelInputs
from budgetopt.model import LpModel, build_model, service_limits

FAMILY_COST = {
    "pin": 1.0,
    "stability": 1.0,
    "fairness": 2.0,
    "service minimum": 3.0,
    "scheme floor": 3.0,
    "funding": 4.0,
    "contract": 10.0,
}
"""Cost per £ of relaxing a limit of each family. Ring-fence eligibility, service capacity and
scheme caps never relax: they are conditions of grants and physical limits, not choices."""
TIE_SPREAD = 1e-3  # deterministic order between equally priced moves (earlier listed first)
SHOWN_FROM = 0.5  # £: moves smaller than this are rounding, not fixes


@dataclass(frozen=True)
class Relaxation:
    family: str
    year: int
    subject: str
    limit_gbp: float  # the limit as set
    amount_gbp: float  # how far it moves (always > 0)
    sentence: str


@dataclass(frozen=True)
class Diagnosis:
    """The smallest relaxation that makes a scenario feasible (empty when it already is)."""

    relaxations: list[Relaxation]
    total_gbp: float
    found: bool  # False: no move of the relaxable limits helps (a ring-fence or capacity fault)
    context: list[str]

    @property
    def summary(self) -> str:
        if not self.found:
            return ("No move of floors, contracts, pins, stability, fairness or funding makes "
                    "this scenario possible: check ring-fenced grants against the capacity of "
                    "the services they may fund.")
        if not self.relaxations:
            return "The scenario can be met; nothing needs to change."
        families = sorted({r.family for r in self.relaxations},
                          key=lambda f: list(FAMILY_COST).index(f))
        return (f"The smallest fix moves limits by {money(self.total_gbp)} in all "
                f"({', '.join(families)}).")

    @property
    def sentences(self) -> list[str]:
        return [*self.context, self.summary, *(r.sentence for r in self.relaxations)]


def diagnose(inputs: ModelInputs) -> Diagnosis:
    """Find the cheapest relaxation (by FAMILY_COST) that makes ``inputs`` feasible."""
    m = build_model(inputs)
    el = _Elastic(m)
    el.add_service_limits()
    el.add_scheme_floors()
    el.add_stability()
    el.add_funding()
    el.add_fairness()
    return el.solve()


class _Elastic:
    def __init__(self, m: LpModel) -> None:
        self.m = m
        self.inputs = m.inputs
        self.ds = m.inputs.dataset
        self.prob = pulp.LpProblem("elastic", pulp.LpMinimize)
        self.loose = {"stream", "fair_hi", "fair_lo"}  # rows rebuilt below with slack
        self.slacks: list[tuple[pulp.LpVariable, float, dict]] = []
        self.extra_rows: list[tuple[pulp.LpConstraint, str]] = []
        self.order = {s: i for i, s in enumerate(self.ds.services.index)}

    def _slack(self, cost_family: str, rank: int, info: dict) -> pulp.LpVariable:
        v = self.prob.add_variable(f"e_{len(self.slacks)}", lowBound=0)
        n = max(len(self.order), 1)
        self.slacks.append((v, FAMILY_COST[cost_family] * (1 + TIE_SPREAD * rank / n), info))
        return v

    def _row(self, terms: list, sense: str, rhs: float) -> None:
        expr = pulp.LpAffineExpression(terms)
        con = {"<=": expr <= rhs, ">=": expr >= rhs, "==": expr == rhs}[sense]
        self.extra_rows.append((con, f"elastic_{len(self.extra_rows)}"))

    def add_service_limits(self) -> None:
        names = self.ds.services["name"]
        for (s, y), t in zip(self.m.cols["t"].keys, self.m.cols["t"].items, strict=True):
            limits = service_limits(self.inputs, s, y)
            capacity = limits[0][2]
            t.lowBound, t.upBound = 0.0, capacity  # capacity never relaxes
            rank = self.order[s]
            for family, lo, hi in limits:
                fam = "service minimum" if family == "service" else family
                subject = names[s]
                if lo > 0:
                    e = self._slack(fam, rank, dict(family=fam, side="lo", year=y,
                                                    subject=subject, limit=lo, key=s))
                    self._row([(t, 1.0), (e, 1.0)], ">=", lo)
                if family in ("contract", "pin"):
                    e = self._slack(fam, rank, dict(family=fam, side="hi", year=y,
                                                    subject=subject, limit=hi, key=s))
                    self._row([(t, 1.0), (e, -1.0)], "<=", hi)

    def add_scheme_floors(self) -> None:
        for (k, y), T in zip(self.m.cols["T"].keys, self.m.cols["T"].items, strict=True):
            floor = float(self.ds.schemes.at[k, "floor_gbp"])
            T.lowBound = 0.0
            if floor > 0:
                e = self._slack("scheme floor", 0, dict(
                    family="scheme floor", side="lo", year=y,
                    subject=self.ds.schemes.at[k, "name"], limit=floor, key=k))
                self._row([(T, 1.0), (e, 1.0)], ">=", floor)

    def add_stability(self) -> None:
        if "d" not in self.m.cols:
            return
        names = self.ds.services["name"]
        for (s, y), d in zip(self.m.cols["d"].keys, self.m.cols["d"].items, strict=True):
            band = float(d.upBound)
            d.lowBound = d.upBound = None
            rank = self.order[s]
            for side, sign in (("hi", -1.0), ("lo", 1.0)):
                e = self._slack("stability", rank, dict(family="stability", side=side, year=y,
                                                        subject=names[s], limit=band, key=s))
                if side == "hi":
                    self._row([(d, 1.0), (e, sign)], "<=", band)
                else:
                    self._row([(d, 1.0), (e, sign)], ">=", -band)

    def add_funding(self) -> None:
        streams, amounts = self.ds.streams, self.inputs.stream_amounts
        spend: dict[tuple, list] = {}
        for (f, _s, y), g in zip(self.m.cols["g"].keys, self.m.cols["g"].items, strict=True):
            spend.setdefault((f, y), []).append(g)
        for f, y in self.m.rows["stream"].keys:
            amount = float(amounts.at[f, y])
            name = streams.at[f, "name"]
            terms = [(g, 1.0) for g in spend.get((f, y), [])]
            up = self._slack("funding", 0, dict(family="funding", side="hi", year=y,
                                                subject=name, limit=amount, key=f))
            if streams.at[f, "must_spend"]:
                down = self._slack("funding", 0, dict(family="funding", side="lo", year=y,
                                                      subject=name, limit=amount, key=f))
                self._row([*terms, (up, -1.0), (down, 1.0)], "==", amount)
            else:
                self._row([*terms, (up, -1.0)], "<=", amount)

    def add_fairness(self) -> None:
        if "fair_hi" not in self.m.rows:
            return
        from budgetopt.model import fairness_coefficient

        cols = self.m.cols
        for k, a, y in self.m.rows["fair_hi"].keys:
            X, S = cols["X"][(k, a, y)], cols["S"][(k, y)]
            c_hi, c_lo = fairness_coefficient(self.inputs, k, a)
            subject = (f"{self.ds.areas.at[a, 'name']}'s share of "
                       f"{self.ds.schemes.at[k, 'name']}")
            e = self._slack("fairness", 0, dict(family="fairness", side="hi", year=y,
                                                subject=subject, limit=0.0, key=(k, a)))
            self._row([(X, 1.0), (S, c_hi), (e, -1.0)], "<=", 0.0)
            e = self._slack("fairness", 0, dict(family="fairness", side="lo", year=y,
                                                subject=subject, limit=0.0, key=(k, a)))
            self._row([(X, 1.0), (S, c_lo), (e, 1.0)], ">=", 0.0)

    def solve(self) -> Diagnosis:
        for family, block in self.m.rows.items():
            if family in self.loose:
                continue
            for con in block.items:
                self.prob.addConstraint(con)
        for con, name in self.extra_rows:
            self.prob.addConstraint(con, name)
        self.prob.setObjective(pulp.LpAffineExpression(
            [(v, cost) for v, cost, _ in self.slacks]))
        status = self.prob.solve(pulp.HiGHS(msg=False))
        if status != pulp.LpStatusOptimal:
            return Diagnosis([], 0.0, False, [])
        moves = [(float(v.varValue or 0.0), info) for v, _, info in self.slacks]
        relaxations = [_relaxation(amount, info, self.inputs) for amount, info in moves
                       if amount > SHOWN_FROM]
        relaxations.sort(key=lambda r: (r.year, list(FAMILY_COST).index(r.family),
                                        -r.amount_gbp))
        total = float(np.sum([r.amount_gbp for r in relaxations]))
        return Diagnosis(relaxations, total, True, _context(self.inputs, relaxations))


def _relaxation(amount: float, info: dict, inputs: ModelInputs) -> Relaxation:
    fam, side, y, subject, limit = (info["family"], info["side"], info["year"], info["subject"],
                                    info["limit"])
    when = fy(y)
    if fam == "scheme floor":
        text = (f"Lower the floor of {subject} in {when} from {money(limit)} to "
                f"{money(limit - amount)}.")
    elif fam == "service minimum":
        text = (f"Lower the minimum of {subject} in {when} from {money(limit)} to "
                f"{money(limit - amount)}.")
    elif fam == "contract":
        verb = "down" if side == "lo" else "up"
        text = (f"Vary the contract for {subject} in {when} {verb} by {money(amount)} "
                f"(from {money(limit)}).")
    elif fam == "pin":
        new = limit - amount if side == "lo" else limit + amount
        text = f"Move the pin on {subject} in {when} from {money(limit)} to {money(new)}."
    elif fam == "stability":
        word = "rise" if side == "hi" else "fall"
        text = (f"Let {subject} {word} by {money(amount)} more than the stability limit "
                f"(±{money(limit)}) into {when}.")
    elif fam == "fairness":
        word = "above" if side == "hi" else "below"
        text = f"Let {subject} go {money(amount)} {word} its fairness band in {when}."
    elif side == "hi":  # funding
        text = f"Add {money(amount)} to the {subject} in {when} (from {money(limit)})."
    else:
        text = (f"Leave {money(amount)} of the {subject} unspent in {when}: it must be spent, "
                "but the services it may fund cannot use it.")
    return Relaxation(fam, y, subject, limit, amount, text)


def _context(inputs: ModelInputs, relaxations: list[Relaxation]) -> list[str]:
    """A sentence per year that explains the conflict in totals, where totals explain it."""
    ds = inputs.dataset
    out = []
    for y in sorted({r.year for r in relaxations if r.family in ("scheme floor",
                                                                   "service minimum")}):
        floors = float(ds.schemes["floor_gbp"].sum())
        available = inputs.total_available(y)
        if floors > available:
            out.append(f"Scheme floors add up to {money(floors)} in {fy(y)} but only "
                       f"{money(available)} is available: lower floors by at least "
                       f"{money(floors - available)}, or add funding.")
    return out
