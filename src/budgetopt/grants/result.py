"""A solved round as one typed object, and the one function that makes it.

:func:`run_round` is the grant rounds' pipeline — read and check the round and its bids, work
out each fund's money, select exactly, fund down the ranked list for comparison, explain every
decision (or, when the rules cannot all be kept, find the smallest fix) — so the command, the
paper and the tests all see the same :class:`RoundResult`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from budgetopt.grants.explain import FUNDED, RESERVE, Decision, ThemeFix, decisions, theme_fixes
from budgetopt.grants.inputs import RoundInputs, load_round_inputs
from budgetopt.grants.pabulib import is_pabulib, read_pabulib
from budgetopt.grants.ranked import RankedList, ranked_list
from budgetopt.grants.selection import Selection, select


@dataclass(frozen=True)
class RoundResult:
    inputs: RoundInputs
    selection: Selection
    ranked: RankedList
    decisions: list[Decision] = field(default_factory=list)
    fixes: list[ThemeFix] = field(default_factory=list)

    @property
    def is_met(self) -> bool:
        return self.selection.status in ("optimal", "time limit")

    @property
    def marking(self) -> list[str]:
        """What a reader must know before trusting the figures."""
        words = []
        if self.inputs.round.synthetic:
            words.append("ILLUSTRATIVE — the bids are synthetic (made up for the sample)")
        if not self.selection.proven and self.is_met:
            words.append("NOT PROVEN OPTIMAL — " + self.selection.sentence())
        if not self.is_met:
            words.append("CANNOT BE MET — " + self.selection.sentence())
        return words or ["DRAFT — for the grants panel"]

    def awards(self) -> pd.DataFrame:
        """One row per bid: who, where, how much asked and awarded, the outcome and why."""
        bids = self.inputs.bids
        rows = []
        for d in self.decisions:
            b = bids.loc[d.bid]
            rows.append({
                "bid_id": d.bid, "organisation": b["organisation"], "project": b["project"],
                "area": b["area"], "fund": b["fund"], "theme": b["theme"],
                "requested_gbp": int(b["requested_gbp"]), "awarded_gbp": d.awarded_gbp,
                "status": d.status, "reason": d.reason,
                "first_score": float(b["first_score"]), "second_score": float(b["second_score"]),
                "margin": d.margin, "score_needed": d.needed, "reserve_place": d.reserve_place,
                "ranked_list_gbp": int(self.ranked.awards.get(d.bid, 0))})
        return pd.DataFrame(rows)

    def totals(self) -> pd.DataFrame:
        """Per fund and area: the money, what was asked by eligible bids, what was awarded, what
        is left, and the bids funded — with a total row; whole pounds."""
        a = self.awards()
        inputs = self.inputs
        rows = []
        for (fund, area), budget in inputs.budgets.items():
            here = a[(a["fund"] == fund) & (a["area"] == area)]
            awarded = int(here["awarded_gbp"].sum())
            rows.append({"fund": fund, "area": area, "budget_gbp": int(budget),
                         "bids": len(here), "requested_gbp": int(here["requested_gbp"].sum()),
                         "funded": int((here["status"] == FUNDED).sum()),
                         "awarded_gbp": awarded, "unspent_gbp": int(budget) - awarded,
                         "reserve": int((here["status"] == RESERVE).sum()),
                         "ranked_list_gbp": int(here["ranked_list_gbp"].sum())})
        t = pd.DataFrame(rows)
        total = t.drop(columns=["fund", "area"]).sum()
        return pd.concat([t, pd.DataFrame([{"fund": "total", "area": "", **total}])],
                         ignore_index=True)

    def comparison(self) -> dict[str, Any]:
        """The exact selection against funding down the ranked list."""
        s, r = self.selection, self.ranked
        budget = int(self.inputs.budgets.sum())
        return {
            "exact": {"score": s.score, "bids_funded": len(s.funded), "awarded_gbp": s.money,
                      "unspent_gbp": budget - s.money},
            "ranked_list": {"score": r.score, "bids_funded": len(r.funded),
                            "awarded_gbp": r.money, "unspent_gbp": budget - r.money,
                            "theme_minimums_missed": r.themes_missed},
            "gain": {"score": s.score - r.score, "bids_funded": len(s.funded) - len(r.funded),
                     "awarded_gbp": s.money - r.money}}

    def summary(self) -> dict[str, Any]:
        """What round.json holds."""
        s = self.selection
        out: dict[str, Any] = {
            "round": self.inputs.round.name, "title": self.inputs.round.title,
            "synthetic": self.inputs.round.synthetic, "marking": self.marking,
            "status": s.status, "proven_optimal": s.proven, "gap": s.gap,
            "solver": s.solver, "seconds": round(s.seconds, 3), "sentence": s.sentence()}
        if self.is_met:
            t = self.totals()
            out["totals"] = t.to_dict(orient="records")
            out["comparison"] = self.comparison()
        else:
            out["fixes"] = [f.sentence(self.inputs) for f in self.fixes]
        return out


def run_round(path: str | Path, solver: str = "highs", scores: bool = True,
              root: str | Path | None = None) -> RoundResult:
    """Read, select, compare and explain a round — a round file, or a Pabulib ``.pb`` file as
    a round of one fund (``scores``: each bid's margin or needed score, one solve each)."""
    inputs = read_pabulib(path) if is_pabulib(path) else load_round_inputs(path, root)
    sel = select(inputs, solver)
    ranked = ranked_list(inputs)
    if sel.status == "infeasible":
        return RoundResult(inputs, sel, ranked, [], theme_fixes(inputs, solver))
    if sel.status == "error":
        return RoundResult(inputs, sel, ranked)
    return RoundResult(inputs, sel, ranked, decisions(inputs, sel, scores))
