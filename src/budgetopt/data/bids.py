"""The bids of a grant round: one row per application, checked like every dataset table.

The table's columns depend on the round: one ``score_<criterion>`` column per criterion the
round names, each between 0 and that criterion's highest score. Every problem names the file,
the line as an editor shows it, the column and what would be valid; a bid whose area, fund or
amounts do not fit the round is refused rather than silently left out.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from budgetopt.core.errors import ProblemLog
from budgetopt.data.grant_round import GrantRound
from budgetopt.data.readers import read_csv_table
from budgetopt.data.schemas import Column, Kind, Table

C = Column
BASE_COLUMNS = (
    C("bid_id", Kind.ID, "Identifier of the application."),
    C("organisation", Kind.TEXT, "The applicant; with one award per organisation, bids from the "
      "same name count as one applicant."),
    C("project", Kind.TEXT, "What the grant would pay for."),
    C("area", Kind.ID, "The round area the project serves (one of the fund's budget areas)."),
    C("fund", Kind.ID, "The fund applied to (one of the round's funds)."),
    C("theme", Kind.ID, "The project's theme (for the round's theme shares)."),
    C("requested_gbp", Kind.MONEY, "£ asked for.", gt=0),
    C("minimum_gbp", Kind.MONEY, "The smallest £ the project can run on, when part-funding is "
      "allowed (blank: the amount asked for).", required=False),
    C("match_funding_gbp", Kind.MONEY, "£ the applicant brings from elsewhere (reported, not "
      "scored).", required=False),
)


def score_column(criterion: str) -> str:
    return f"score_{criterion}"


def bids_table(grant_round: GrantRound) -> Table:
    """The bids table this round needs: the fixed columns and one score column per criterion."""
    scores = tuple(C(score_column(c), Kind.NUMBER, f"Score on '{c}', 0 to {k.max:g}.", ge=0,
                     le=k.max) for c, k in grant_round.criteria.items())
    return Table("bids", "The applications to a grant round.", BASE_COLUMNS + scores,
                 ("bid_id",))


def round_areas(grant_round: GrantRound) -> dict[str, set[str]]:
    """Each fund's areas, as its budget (or its scenario's area groups) names them."""
    return {f.id: set(f.budget or {}) | set(f.from_scenario.areas if f.from_scenario else {})
            for f in grant_round.funds}


def load_bids(path: str | Path, grant_round: GrantRound) -> pd.DataFrame:
    """The round's bids, indexed by ``bid_id``, with ``first_score`` and ``second_score`` (the
    weighted scores of the two rounds) and ``_line``; raise InputError listing every problem."""
    path = Path(path)
    file = str(path)
    log = ProblemLog()
    frame = read_csv_table(path, bids_table(grant_round), log)
    log.raise_if_any(f"Bids '{path}'")
    assert frame is not None
    areas = round_areas(grant_round)
    for _, b in frame.iterrows():
        line = int(b["_line"])
        if b["fund"] not in areas:
            log.add(file, f"not one of the round's funds ({', '.join(sorted(areas))})", line,
                    "fund", b["fund"])
        elif b["area"] not in areas[b["fund"]]:
            log.add(file, f"fund '{b['fund']}' has no budget for this area (its areas: "
                    f"{', '.join(sorted(areas[b['fund']]))})", line, "area", b["area"])
        if pd.notna(b["minimum_gbp"]) and b["minimum_gbp"] > b["requested_gbp"]:
            log.add(file, f"the smallest amount is more than the £{b['requested_gbp']:,.0f} "
                    "asked for", line, "minimum_gbp", b["minimum_gbp"])
        for col in ("requested_gbp", "minimum_gbp"):
            v = b[col]
            if pd.notna(v) and float(v) != round(float(v)):
                log.add(file, "grants are in whole pounds", line, col, v)
    log.raise_if_any(f"Bids '{path}'")
    frame["minimum_gbp"] = frame["minimum_gbp"].fillna(frame["requested_gbp"])
    frame["match_funding_gbp"] = frame["match_funding_gbp"].fillna(0.0)
    for stage, col in ((1, "first_score"), (2, "second_score")):
        w = grant_round.weights(stage)
        frame[col] = sum(w[c] * frame[score_column(c)] for c in grant_round.criteria)
    return frame.set_index("bid_id")
