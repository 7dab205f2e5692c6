"""A Community Grant Scheme round as data: its funds and their money per area, the grant limits,
the scoring rule, theme shares and the rules a selection must keep.

A round file is YAML (``parameters/grants/<name>.yaml``), checked by :class:`GrantRound` with
the same quality of error as a scenario: the file and the dotted key. The bids are a CSV table
beside it (:mod:`budgetopt.data.bids`). The rules are the ones Devon & Cornwall and other
Police and Crime Commissioners publish for their community grant rounds:

* each fund has a budget per area, fixed in the file or taken from a scenario's allocation of
  the scheme for that year (``from_scenario``), and may be over-allocated by a tolerance (about
  10% at Warwickshire, to offset the usual underspend);
* grants lie between a minimum and a maximum (up to £5,000 at Devon & Cornwall in 2025/26; up to
  £10,000 in Devon and £5,000 in Cornwall in 2023/24 — so the maximum may differ by area);
* bids are scored on weighted criteria; those reaching ``threshold`` (a share of the highest
  possible score: two thirds at Devon & Cornwall) go to a second round scored with its own
  weights (plan alignment counting double);
* themes may have a minimum or maximum share of a fund (about 40% ring-fenced for children and
  young people at Surrey); one award per organisation; part-funding may be allowed.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from budgetopt.core.errors import InputError, ProblemLog
from budgetopt.data.problems import problems_from
from budgetopt.data.scenario import NAME_LENGTH, Money
from budgetopt.data.yaml_files import read_yaml

ID = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Weight = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False)]


class FromScenario(BaseModel):
    """A fund's budget taken from a scenario: the scenario's allocation of ``service`` in
    ``year``, by area; ``areas`` groups the dataset's areas into the round's areas (a round in
    "devon" may take the dataset's Devon, Plymouth and Torbay)."""

    model_config = ConfigDict(extra="forbid")

    params: str = Field(description="The scenario's parameters file, from the repository root.")
    service: str = Field(pattern=ID, description="The service whose allocation is the fund.")
    year: int = Field(ge=2000, le=2100, description="The financial year (2025 = 2025/26).")
    areas: dict[str, list[str]] = Field(description="Each round area: the dataset areas whose "
                                        "money it gets.")


class Fund(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=ID, description="Identifier used by the bids' 'fund' column.")
    name: str = Field(min_length=1)
    budget: dict[str, Money] | None = Field(None, description="£ per area, fixed.")
    from_scenario: FromScenario | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Fund:
        if (self.budget is None) == (self.from_scenario is None):
            raise ValueError("give either 'budget' (£ per area) or 'from_scenario', not both "
                             "and not neither")
        return self


class Criterion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weight: Weight = Field(1.0, description="Weight in the first round.")
    max: float = Field(5.0, gt=0, le=1000, description="The highest score a bid can get.")


class Theme(BaseModel):
    """A minimum or maximum share of a fund's budget (all funds when ``fund`` is left out) for
    the bids of one theme."""

    model_config = ConfigDict(extra="forbid")

    theme: str = Field(min_length=1)
    fund: str | None = None
    min_share: float | None = Field(None, ge=0, le=1)
    max_share: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _a_share(self) -> Theme:
        if self.min_share is None and self.max_share is None:
            raise ValueError("give min_share, max_share or both")
        if (self.min_share is not None and self.max_share is not None
                and self.min_share > self.max_share):
            raise ValueError("min_share is larger than max_share")
        return self


class Grant(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_gbp: Money = Field(0, description="The smallest grant.")
    max_gbp: Money | dict[str, Money] = Field(description="The largest grant: £, or £ per "
                                              "area.")

    def most(self, area: str) -> float:
        return float(self.max_gbp if not isinstance(self.max_gbp, dict)
                     else self.max_gbp.get(area, float("inf")))


class Solve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_limit_s: float = Field(60, gt=0, le=86_400)
    gap: float = Field(0.0, ge=0, le=0.5, description="Relative optimality gap accepted (0: "
                       "proven optimum).")


class GrantRound(BaseModel):
    """One round of the Community Grant Scheme (or any small-grants scheme)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=ID, max_length=NAME_LENGTH)
    title: str = Field(min_length=3)
    description: str = ""
    bids: str = Field(description="The bids table (CSV), relative to the repository root.")
    synthetic: bool = Field(False, description="True when the bids are made up (a sample): "
                            "every output says so.")
    funds: list[Fund] = Field(min_length=1)
    grant: Grant
    criteria: dict[str, Criterion] = Field(min_length=1)
    threshold: float = Field(0.0, ge=0, le=1, description="Share of the highest possible "
                             "first-round score a bid needs to go to the second round: a "
                             "number (0.6) or a fraction ('2/3').")
    second_round_weights: dict[str, Weight] = Field(default_factory=dict, description="Weights "
                                                   "in the second round, by criterion; the "
                                                   "first round's where left out.")
    themes: list[Theme] = Field(default_factory=list)
    one_award_per_organisation: bool = True
    part_funding: bool = False
    over_allocation: float = Field(0.0, ge=0, le=0.5, description="How far over its budget "
                                   "a fund in an area may be allocated (0.1: 10%).")
    solve: Solve = Field(default_factory=lambda: Solve.model_validate({}))

    @field_validator("threshold", mode="before")
    @classmethod
    def _fraction(cls, v: Any) -> Any:
        """'2/3' is two thirds exactly (0.6667 would refuse a bid scoring exactly 20 of 30)."""
        if isinstance(v, str) and "/" in v:
            top, _, bottom = v.partition("/")
            try:
                return float(Fraction(int(top.strip()), int(bottom.strip())))
            except (ValueError, ZeroDivisionError):
                raise ValueError("write the threshold as a number (0.6) or a fraction of "
                                 "whole numbers ('2/3')") from None
        return v

    @model_validator(mode="after")
    def _consistent(self) -> GrantRound:
        ids = [f.id for f in self.funds]
        if len(set(ids)) != len(ids):
            raise ValueError("fund ids must differ")
        for c in self.second_round_weights:
            if c not in self.criteria:
                raise ValueError(f"second_round_weights names '{c}', which is not a criterion "
                                 f"(criteria: {', '.join(self.criteria)})")
        for t in self.themes:
            if t.fund is not None and t.fund not in ids:
                raise ValueError(f"theme '{t.theme}' names fund '{t.fund}', which is not one "
                                 f"of the funds ({', '.join(ids)})")
        if isinstance(self.grant.max_gbp, dict):
            for area, most in self.grant.max_gbp.items():
                if most < self.grant.min_gbp:
                    raise ValueError(f"the largest grant in '{area}' is below the smallest")
        elif self.grant.max_gbp < self.grant.min_gbp:
            raise ValueError("grant.max_gbp is below grant.min_gbp")
        return self

    def weights(self, stage: int) -> dict[str, float]:
        """The criteria weights of the first (1) or second (2) round."""
        first = {c: k.weight for c, k in self.criteria.items()}
        return first if stage == 1 else {**first, **self.second_round_weights}

    def highest_score(self, stage: int = 1) -> float:
        w = self.weights(stage)
        return sum(w[c] * k.max for c, k in self.criteria.items())


def load_round(path: str | Path) -> GrantRound:
    """Read and check a round file; raise InputError naming the file and key."""
    path = Path(path)
    raw, problem = read_yaml(path, "round file does not exist")
    what = f"Grant round '{path}'"
    if problem is not None:
        raise InputError([problem], what)
    if not isinstance(raw, dict):
        log = ProblemLog()
        log.add(str(path), "a round file must be a mapping of keys (name, title, bids, funds, "
                "...)")
        log.raise_if_any(what)
    try:
        return GrantRound.model_validate(raw)
    except ValidationError as e:
        raise InputError(problems_from(e, str(path), GrantRound), what) from None


def is_round_file(raw: Any) -> bool:
    """Whether a parsed YAML document is a grant round (it has bids and funds), not a
    scenario — so ``budgetopt run`` and ``budgetopt validate`` can take either."""
    return isinstance(raw, dict) and "bids" in raw and "funds" in raw


def is_round(path: Path) -> bool:
    """Whether a parameters file is a grant round rather than a scenario (a file that cannot
    be read is neither: the scenario's checks say why)."""
    raw, problem = read_yaml(path, "missing")
    return problem is None and is_round_file(raw)
