"""A round ready to select from: the round's rules, its bids and each fund's money per area.

:func:`load_round_inputs` reads the round file and its bids, and works out every fund's budget
per area — fixed in the file, or the allocation a scenario gives the scheme in that year (the
scenario is run through :func:`budgetopt.pipeline.run_scenario`, like any other). Eligibility
is decided here, once, with its reason: a bid below the threshold, or asking for less than the
smallest grant, or more than the largest when part-funding cannot bring it within the limit,
is not a candidate, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from budgetopt.core.errors import InputError, Problem, ProblemLog
from budgetopt.core.text import fy, money
from budgetopt.data.bids import load_bids
from budgetopt.data.grant_round import Fund, GrantRound, load_round
from budgetopt.data.inputs import ModelInputs
from budgetopt.data.scenario import repository_root
from budgetopt.data.schemas import FORCE_AREA


@dataclass(frozen=True)
class RoundInputs:
    """Everything a selection reads. ``bids`` is indexed by bid id, with ``first_score``,
    ``second_score``, ``eligible``, ``ineligible_reason``, ``lowest_gbp`` and ``highest_gbp``
    (the least and most the bid could be given within its own minimum and the grant limits);
    ``budgets`` is £ by (fund, area)."""

    round: GrantRound
    bids: pd.DataFrame
    budgets: pd.Series
    file: Path | None = None

    @property
    def caps(self) -> pd.Series:
        """The most each fund may award in each area: its budget with the over-allocation."""
        return (self.budgets * (1 + self.round.over_allocation)).apply(np.floor)

    def fund(self, fund_id: str) -> Fund:
        return next(f for f in self.round.funds if f.id == fund_id)


def fund_budgets(grant_round: GrantRound, root: Path) -> pd.Series:
    """£ per (fund, area), whole pounds; a scenario that cannot be met is an input error."""
    from budgetopt.pipeline import run_scenario  # runs a scenario only when a fund needs one

    rows: dict[tuple[str, str], float] = {}
    for i, f in enumerate(grant_round.funds):
        if f.budget is not None:
            rows.update({(f.id, a): float(round(v)) for a, v in f.budget.items()})
            continue
        src = f.from_scenario
        assert src is not None
        key = f"funds.{i}.from_scenario"
        run = run_scenario(root / src.params, repo_root=root)
        log = ProblemLog()
        source_problems(f, i, run.inputs, root / src.params, log)
        log.raise_if_any(f"Fund '{f.id}'")
        if not run.is_met:
            raise InputError([Problem(str(root / src.params), "this scenario cannot be met, so "
                                      f"fund '{f.id}' has no budget to take", key=key)],
                             f"Fund '{f.id}'")
        a = run.result.allocation()
        a = a[(a["service_id"] == src.service) & (a["year"] == src.year)]
        if a.empty:
            raise InputError([Problem(str(root / src.params), f"the scenario allocates nothing "
                                      f"to service '{src.service}' in {fy(src.year)} (is the "
                                      "service id or the year right?)", key=key)],
                             f"Fund '{f.id}'")
        by_area = a.groupby("area_id")["amount_gbp"].sum()
        for area, members in src.areas.items():
            rows[(f.id, area)] = float(by_area.reindex(members, fill_value=0).sum())
    index = pd.MultiIndex.from_tuples(list(rows), names=["fund", "area"])
    return pd.Series(list(rows.values()), index=index, name="budget_gbp")


def source_problems(f: Fund, i: int, inputs: ModelInputs, path: Path, log: ProblemLog) -> None:
    """What is wrong with where fund ``f`` (the ``i``-th) takes its money from, checked against
    the scenario's inputs without solving it: the service, the year, and the areas a round area
    gathers (a force-wide service has the one area 'force'). One check for ``budgetopt
    validate`` and for a round that runs."""
    src = f.from_scenario
    assert src is not None
    key = f"funds.{i}.from_scenario"
    services = inputs.dataset.services
    if src.year not in inputs.years:
        log.add(str(path), f"not a plan year of the scenario ({fy(inputs.years[0])} to "
                f"{fy(inputs.years[-1])})", key=f"{key}.year", value=src.year)
    if src.service not in services.index:
        log.add(str(path), "not a service of the scenario's dataset", key=f"{key}.service",
                value=src.service)
        return
    areas = (list(inputs.dataset.areas.index) if services.at[src.service, "area_split"]
             else [FORCE_AREA])
    for area, members in src.areas.items():
        unknown = [m for m in members if m not in areas]
        if unknown:
            log.add(str(path), f"area(s) {', '.join(unknown)} get no share of '{src.service}' "
                    f"(its areas: {', '.join(areas)})", key=f"{key}.areas.{area}")


def eligibility(grant_round: GrantRound, bids: pd.DataFrame) -> pd.DataFrame:
    """Each bid's candidacy and the amounts it could be given, with the reason when it cannot."""
    out = bids.copy()
    g = grant_round.grant
    needed = grant_round.threshold * grant_round.highest_score(1)
    most = out["area"].map(g.most)
    lowest = out["minimum_gbp"] if grant_round.part_funding else out["requested_gbp"]
    out["lowest_gbp"] = np.maximum(lowest, g.min_gbp)
    out["highest_gbp"] = np.minimum(out["requested_gbp"], most)
    if not grant_round.part_funding:  # the whole request or nothing
        out.loc[out["requested_gbp"] > most, "highest_gbp"] = np.nan
    reasons = []
    for _bid, b in out.iterrows():
        if b["first_score"] < needed - 1e-9:
            reasons.append(f"scored {b['first_score']:g} in the first round, below the "
                           f"{needed:g} ({grant_round.threshold:.0%} of the highest possible "
                           f"{grant_round.highest_score(1):g}) needed for the second round")
        elif b["requested_gbp"] < g.min_gbp:
            reasons.append(f"asks for {money(b['requested_gbp'])}, less than the smallest grant "
                           f"of {money(g.min_gbp)}")
        elif pd.isna(b["highest_gbp"]) or b["highest_gbp"] < b["lowest_gbp"]:
            reasons.append(f"asks for {money(b['requested_gbp'])}, more than the largest grant "
                           f"in {b['area']} ({money(g.most(b['area']))})"
                           + ("" if not grant_round.part_funding else
                              f", and cannot run on less than {money(b['minimum_gbp'])}"))
        else:
            reasons.append("")
    out["ineligible_reason"] = reasons
    out["eligible"] = out["ineligible_reason"] == ""
    return out


def _bids_file(grant_round: GrantRound, root: Path) -> Path:
    """The bids table (relative to the repository root, as a scenario's dataset is)."""
    bids = Path(grant_round.bids)
    return bids if bids.is_absolute() else root / bids


def load_round_inputs(path: str | Path, root: str | Path | None = None) -> RoundInputs:
    """Read a round file, its bids and its funds' money (paths in the round file are relative
    to the repository root, as a scenario's dataset is)."""
    path = Path(path)
    grant_round = load_round(path)
    root = Path(root) if root else repository_root(path.resolve().parent)
    bids = load_bids(_bids_file(grant_round, root), grant_round)
    return RoundInputs(grant_round, eligibility(grant_round, bids),
                       fund_budgets(grant_round, root), path)


def check_round(path: str | Path, root: str | Path | None = None) -> tuple[GrantRound, str]:
    """Check a round file, its bids and the scenarios its funds take money from, without
    selecting (``budgetopt validate``); raise InputError listing every problem, else return the
    round and a one-screen summary of it."""
    from budgetopt.data.inputs import load_inputs

    path = Path(path)
    grant_round = load_round(path)
    root = Path(root) if root else repository_root(path.resolve().parent)
    bids = eligibility(grant_round, load_bids(_bids_file(grant_round, root), grant_round))
    log = ProblemLog()
    for i, f in enumerate(grant_round.funds):
        if f.from_scenario is not None:  # the scenario and its dataset, not solved
            source_problems(f, i, load_inputs(root / f.from_scenario.params), path, log)
    log.raise_if_any(f"Grant round '{path}'")
    return grant_round, round_summary(grant_round, bids)


def round_summary(grant_round: GrantRound, bids: pd.DataFrame) -> str:
    """A round on one screen: its funds' money per area, the grant limits, the marking and
    the rules, its bids and how many could be funded, its themes."""
    r, g = grant_round, grant_round.grant
    largest = (money(g.max_gbp) if not isinstance(g.max_gbp, dict) else
               ", ".join(f"{money(v)} in {a}" for a, v in g.max_gbp.items()))
    rules = "; ".join(["one award per organisation" if r.one_award_per_organisation else
                       "several awards per organisation", "part-funding allowed" if
                       r.part_funding else "no part-funding",
                       f"over-allocation {r.over_allocation:.0%}"])
    lines = [f"Grant round '{r.name}': {r.title}",
             f"  bids {r.bids}" + ("  (synthetic: made up to show the method)"
                                   if r.synthetic else ""),
             f"  grants {money(g.min_gbp)} to {largest} ({rules})",
             f"  {len(r.criteria)} criteria: a bid needs {r.threshold * r.highest_score(1):g} "
             f"of a possible {r.highest_score(1):g} in the first round to go to the second",
             "", "  Funds"]
    for f in r.funds:
        if (src := f.from_scenario) is not None:
            where = (f"{src.service} in {fy(src.year)} from {src.params} (areas "
                     f"{', '.join(src.areas)}), worked out when the round runs")
        else:
            where = ", ".join(f"{a} {money(v)}" for a, v in (f.budget or {}).items())
        lines.append(f"    {f.name} ({f.id}): {where}")
    out = int((~bids["eligible"]).sum())
    by_fund = ", ".join(f"{n} to {fund}" for fund, n in bids.groupby("fund").size().items())
    lines += ["", f"  {len(bids)} bids ({by_fund}) asking {money(bids['requested_gbp'].sum())}"
              f"; {out} below the threshold or outside the grant limits"]
    for t in r.themes:
        share = " and ".join(f"{word} {v:.0%}" for word, v in (("at least", t.min_share),
                                                                 ("at most", t.max_share))
                             if v is not None)
        lines.append(f"  theme {t.theme}: {share} of {t.fund or 'every fund'}")
    return "\n".join(lines)
