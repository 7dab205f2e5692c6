"""Write the sample grant round's bids: data/grants/cgs-2025-26-sample/bids.csv.

The bids are SYNTHETIC — made up, seeded, so the file is the same on every run — for a round
shaped like Devon & Cornwall's 2025/26 Community Grant Scheme and Police Property Act fund
(published budgets per area, grants up to £5,000, the burglary-and-theft theme; see
parameters/grants/cgs-2025-26-sample.yaml). No organisation, project or score is real.

    .venv/bin/python tools/make_sample_round.py [--check]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "data" / "grants" / "cgs-2025-26-sample" / "bids.csv"
CRITERIA = ("plan_alignment", "target_group", "benefits", "need_reach", "sustainability",
            "clarity")
THEMES = {"burglary-theft": 0.45, "children-young-people": 0.25, "asb": 0.15,
          "victims": 0.15}
PROJECTS = {"burglary-theft": ("Shed and garage security marking", "Neighbourhood watch "
                               "starter kits", "Bike theft prevention workshops",
                               "Home security checks for older residents"),
            "children-young-people": ("After-school sports sessions", "Youth club evenings",
                                      "Mentoring for young people at risk"),
            "asb": ("Community clean-up and lighting", "Street pastors' night patrols"),
            "victims": ("Peer support group for victims of crime", "Befriending after a "
                        "burglary")}
ROUNDS = [("cgs", "devon", 62), ("cgs", "cornwall", 32), ("ppa", "devon", 22),
          ("ppa", "cornwall", 12)]


def bids(seed: int = 2025) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows, n = [], 0
    themes, weights = list(THEMES), list(THEMES.values())
    for fund, area, count in ROUNDS:
        for _ in range(count):
            n += 1
            theme = str(rng.choice(themes, p=weights))
            requested = int(rng.integers(30, 121)) * 50  # £1,500 to £6,000
            minimum = round(requested * rng.uniform(0.6, 1.0) / 50) * 50
            org = n if rng.random() > 0.12 else max(1, n - 1)  # a few apply twice
            scores = np.clip(np.round(rng.normal(3.8, 0.9, len(CRITERIA))), 0, 5).astype(int)
            rows.append({
                "bid_id": f"B{n:03d}", "organisation": f"Sample group {org:03d} (synthetic)",
                "project": str(rng.choice(PROJECTS[theme])), "area": area, "fund": fund,
                "theme": theme, "requested_gbp": requested, "minimum_gbp": minimum,
                "match_funding_gbp": int(rng.integers(0, 11)) * 100,
                **{f"score_{c}": int(s) for c, s in zip(CRITERIA, scores, strict=True)}})
    return rows


def text() -> str:
    buf = io.StringIO()
    rows = bids()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="fail if the file is not up to date")
    a = p.parse_args()
    if a.check:
        ok = OUT.is_file() and OUT.read_text(encoding="utf-8") == text()
        print("sample bids up to date" if ok else f"{OUT} is out of date: run this script")
        return 0 if ok else 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
