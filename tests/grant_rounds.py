"""Tiny grant rounds for tests: a round file and its bids, written into a folder that is its
own repository root."""

from __future__ import annotations

from pathlib import Path

import yaml

HEADER = ("bid_id,organisation,project,area,fund,theme,requested_gbp,minimum_gbp,"
          "match_funding_gbp,score_fit,score_need")


def bid(bid_id: str, score: tuple[int, int], requested: int, *, org: str | None = None,
        area: str = "north", fund: str = "f", theme: str = "t", minimum: int | str = "") -> str:
    return (f"{bid_id},{org or 'Org ' + bid_id},Project {bid_id},{area},{fund},{theme},"
            f"{requested},{minimum},0,{score[0]},{score[1]}")


def write_round(tmp: Path, bids: list[str], **rules) -> Path:
    """A round in ``tmp`` (its own repository root): one fund 'f' with £10,000 in 'north',
    grants £1,000 to £8,000, two criteria (fit, need: 0..20 each) unless ``rules`` says else."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "pyproject.toml").write_text("[project]\nname='x'\n")
    (tmp / "parameters").mkdir(exist_ok=True)
    (tmp / "bids.csv").write_text("\n".join([HEADER, *bids]) + "\n")
    doc = {"name": "tiny", "title": "A tiny round", "bids": "bids.csv",
           "funds": [{"id": "f", "name": "Fund", "budget": {"north": 10000}}],
           "grant": {"min_gbp": 1000, "max_gbp": 8000},
           "criteria": {"fit": {"weight": 1, "max": 20}, "need": {"weight": 1, "max": 20}},
           **rules}
    path = tmp / "round.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path
