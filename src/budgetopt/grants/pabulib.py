"""Rounds in Pabulib's ``.pb`` format, both ways, so a round can be checked with — or taken
from — participatory-budgeting tools (pabutools, the Pabulib library of real PB elections).

A ``.pb`` file is one budget: ``META`` (``key;value`` lines: ``budget``, ``vote_type``, …),
``PROJECTS`` (``project_id;cost;…``) and ``VOTES`` (``voter_id;vote;points``), separated by
semicolons. :func:`write_pabulib` writes one file per fund and area of a round: its candidate
bids as projects at the cost of their request (capped at the largest grant), their
second-round scores as the ``score`` column and as the points of one "scoring" ballot (the
panel's), so pabutools' utilitarian rule sees the same welfare. :func:`read_pabulib` reads a
file as a round of one fund: each project a bid asking for its cost, scored by its ``score``
column or else by the points (or approvals) its votes give it, funded whole or not at all.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from budgetopt.core import files
from budgetopt.core.errors import ProblemLog
from budgetopt.data.grant_round import GrantRound
from budgetopt.grants.inputs import RoundInputs, eligibility

FUND = "pb"


def write_pabulib(inputs: RoundInputs, folder: str | Path) -> list[Path]:
    """One ``<round>_<fund>_<area>.pb`` per fund and area with candidates."""
    bids, out = inputs.bids, Path(folder)
    written = []
    for (fund, area), cap in inputs.caps.items():
        here = bids[bids["eligible"] & (bids["fund"] == fund) & (bids["area"] == area)]
        if here.empty:
            continue
        cost = here["highest_gbp"].astype(int)
        meta = {"description": f"{inputs.round.title}: {inputs.fund(fund).name}, {area}",
                "country": "United Kingdom", "unit": area, "subunit": fund,
                "instance": inputs.round.name, "num_projects": len(here), "num_votes": 1,
                "budget": int(cap), "vote_type": "scoring", "currency": "GBP",
                "rule": "budgetopt exact selection (utilitarian, lexicographic)",
                "synthetic": "yes" if inputs.round.synthetic else "no"}
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\n")
        w.writerow(["META"])
        w.writerow(["key", "value"])
        w.writerows(meta.items())
        w.writerow(["PROJECTS"])
        w.writerow(["project_id", "cost", "score", "name", "category", "organisation"])
        for b, row in here.iterrows():
            w.writerow([b, cost[b], f"{row['second_score']:g}", row["project"], row["theme"],
                        row["organisation"]])
        w.writerow(["VOTES"])
        w.writerow(["voter_id", "vote", "points"])
        w.writerow(["panel", ",".join(map(str, here.index)),
                    ",".join(f"{v:g}" for v in here["second_score"])])
        path = out / f"{inputs.round.name}_{fund}_{area}.pb"
        written.append(files.write_text(path, buf.getvalue()))
    return written


def _sections(path: Path, log: ProblemLog) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """The file's sections as (line, {header: value}) rows."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        log.add(file, f"cannot read the file ({e.strerror or e})")
        return {}
    out: dict[str, list[tuple[int, dict[str, str]]]] = {}
    section, header = "", []
    expect_header = False
    for line, row in enumerate(csv.reader(text.splitlines(), delimiter=";"), start=1):
        if not row or not "".join(row).strip():
            continue
        name = row[0].strip().lower()
        if name in ("meta", "projects", "votes") and len(row) == 1:
            section, expect_header = name, True
            out.setdefault(section, [])
            continue
        if not section:
            log.add(file, "a Pabulib file starts with a META section", row=line)
            return {}
        if expect_header:
            header, expect_header = [h.strip() for h in row], False
            continue
        if len(row) != len(header):
            log.add(file, f"row has {len(row)} fields but the {section.upper()} header has "
                    f"{len(header)}", row=line)
            continue
        out[section].append((line, dict(zip(header, (v.strip() for v in row), strict=True))))
    return out


def read_pabulib(path: str | Path) -> RoundInputs:
    """A ``.pb`` file as a round of one fund (see the module's docstring)."""
    path = Path(path)
    file, log = str(path), ProblemLog()
    parts = _sections(path, log)
    meta = {r["key"]: r["value"] for _, r in parts.get("meta", []) if "key" in r}
    if "budget" not in meta:
        log.add(file, "META has no 'budget' line (key;value)")
    projects = parts.get("projects", [])
    if not projects:
        log.add(file, "the PROJECTS section is missing or empty")
    log.raise_if_any(f"Pabulib file '{path}'")
    points: dict[str, float] = {}
    for _, r in parts.get("votes", []):
        ids = [v.strip() for v in r.get("vote", "").split(",") if v.strip()]
        given = [float(p) for p in r["points"].split(",")] if r.get("points") else [1.0] * len(
            ids)
        for k, p in zip(ids, given, strict=False):
            points[k] = points.get(k, 0.0) + p
    area = meta.get("unit", "all").replace(" ", "-") or "all"
    rows = []
    for line, r in projects:
        pid = r.get("project_id", "")
        try:
            cost = float(r.get("cost", "").replace(",", "."))
        except ValueError:
            log.add(file, "cost is not a number", row=line, column="cost", value=r.get("cost"))
            continue
        score = float(r["score"]) if r.get("score") not in (None, "", "None") else points.get(
            pid, 0.0)
        rows.append({"bid_id": pid, "organisation": r.get("name") or pid,
                     "project": r.get("name") or pid, "area": area, "fund": FUND,
                     "theme": (r.get("category") or "none").split(",")[0],
                     "requested_gbp": cost, "minimum_gbp": cost, "match_funding_gbp": 0.0,
                     "score_score": score, "_line": line})
    log.raise_if_any(f"Pabulib file '{path}'")
    bids = pd.DataFrame(rows)
    budget = float(meta["budget"].replace(",", "."))
    top = max(1.0, float(bids["score_score"].max()))
    grant_round = GrantRound.model_validate({
        "name": path.stem[:60] or "pabulib", "title": meta.get("description") or path.stem,
        "bids": str(path), "funds": [{"id": FUND, "name": "Participatory budget",
                                      "budget": {area: budget}}],
        "grant": {"min_gbp": 0, "max_gbp": float(bids["requested_gbp"].max())},
        "criteria": {"score": {"weight": 1, "max": top}},
        "one_award_per_organisation": False, "solve": {"time_limit_s": 600},
        "synthetic": meta.get("synthetic", "no").lower() == "yes"})
    bids["first_score"] = bids["second_score"] = bids["score_score"]
    bids = bids.set_index("bid_id")
    budgets = pd.Series([budget], index=pd.MultiIndex.from_tuples([(FUND, area)],
                                                                  names=["fund", "area"]),
                        name="budget_gbp")
    return RoundInputs(grant_round, eligibility(grant_round, bids), budgets, path)


def is_pabulib(path: str | Path) -> bool:
    return Path(path).suffix.lower() == ".pb"
