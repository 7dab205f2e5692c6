"""The robustness analysis's files: ``robustness.csv`` (per service and year) and
``robustness.json`` (the run: draws, seed, regret, EVPI, the expected-value plan, timings)."""

from __future__ import annotations

import json
from pathlib import Path

from budgetopt.core import files
from budgetopt.core.text import fy
from budgetopt.robust.analysis import RobustnessReport

CSV_COLUMNS = ["service_id", "year", "financial_year", "recommended_gbp", "p5_gbp", "p50_gbp",
               "p95_gbp", "p_above_min", "p_rise", "p_fall", "class", "direction",
               "p_direction"]
FILES = ("robustness.csv", "robustness.json")


def write_robustness(report: RobustnessReport, folder: str | Path) -> list[Path]:
    """Write both files into ``folder`` (both or neither) and return their paths."""
    out = files.prepare_folder(folder, FILES)
    table = report.table.copy()
    table["financial_year"] = table["year"].map(fy)
    for col in ("recommended_gbp", "p5_gbp", "p50_gbp", "p95_gbp"):
        table[col] = table[col].round().astype("Int64")
    for col in ("p_above_min", "p_rise", "p_fall", "p_direction"):
        table[col] = table[col].round(4)
    with files.together() as written:
        return [written.write_csv(out / "robustness.csv", table[CSV_COLUMNS]),
                written.write_text(out / "robustness.json",
                                   json.dumps(report.record(), indent=2) + "\n")]
