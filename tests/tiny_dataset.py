"""A tiny dataset whose optimum can be worked out by hand, for testing constraint families.

Two plan years, two areas (north 75% of need, south 25%), two streams, two schemes, three
services. Each test overrides the few cells it needs and works out the expected answer.
"""

from __future__ import annotations

from pathlib import Path

from budgetopt.data.dataset import load_dataset
from budgetopt.data.inputs import ModelInputs, resolve
from budgetopt.data.scenario import Scenario
from budgetopt.results.result import Result, make_result
from budgetopt.solve.allocator import Allocator

TABLES = {
    "streams": [
        "stream_id,name,grantor,ring_fenced,must_spend,end_year,notes",
        "core,Core,PCC,false,false,,",
        "grant,Victims grant,MoJ,true,true,,",
    ],
    "stream_amounts": [
        "stream_id,year,amount_gbp",
        "core,2024,700", "core,2025,700", "core,2026,700",
        "grant,2024,300", "grant,2025,300", "grant,2026,300",
    ],
    "stream_eligibility": ["stream_id,scheme_id", "grant,victims"],
    "schemes": [
        "scheme_id,name,floor_gbp,cap_gbp,area_split,description",
        "victims,Victims,0,10000,false,",
        "local,Local,0,10000,true,",
    ],
    "need_formula": ["scheme_id,indicator,weight", "local,population,1"],
    "areas": [
        "area_id,name,population,crime,domestic_abuse,asb,deprivation",
        "north,North,300,30,3,30,1",
        "south,South,100,10,1,10,1",
    ],
    "services": [
        "service_id,name,provider,scheme_id,area_split,last_year_gbp,min_gbp,capacity_gbp,"
        "contract_value_gbp,contract_end_year,contract_uplift,evidence,outcome_id,notes",
        "v1,Victim service 1,P,victims,false,400,0,1000,,,,strong,o,",
        "v2,Victim service 2,P,victims,false,200,0,1000,,,,strong,o,",
        "l1,Local service,P,local,true,400,0,1000,,,,strong,o,",
    ],
    "service_priorities": [
        "service_id,priority_id,share", "v1,p1,1", "v2,p2,1", "l1,p1,0.5", "l1,p2,0.5",
    ],
    "priorities": ["priority_id,name,default_weight", "p1,One,1", "p2,Two,1"],
    # outcomes per £1,000; value £1,000 per outcome -> social value per £ = outcomes_per_1k
    "curves": [
        "service_id,segment,width_gbp,outcomes_per_1k_gbp",
        "v1,1,300,3", "v1,2,300,2", "v1,3,400,1",
        "v2,1,300,2.5", "v2,2,300,1.5", "v2,3,400,0.5",
        "l1,1,400,2.8", "l1,2,300,1.2", "l1,3,300,0.2",
    ],
    "outcomes": ["outcome_id,unit,value_gbp,source_id,price_year", "o,Outcome,1000,placeholder,"],
    "inflation": ["year,rate", "2025,0.1", "2026,0.1"],
}

MANIFEST = """name: tiny
title: Tiny hand-checkable dataset
base_year: 2024
plan_years: [2025, 2026]
price_base: 2024
tables:
{tables}
sources:
  - id: none
    title: Invented for tests
    publisher: budgetopt
    date: "2026"
    url: ""
    status: D
"""


def write_tiny(folder: Path, **overrides: list[str]) -> Path:
    """Write the tiny dataset, replacing whole tables given as lists of CSV lines."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {**TABLES, **overrides}
    for name, lines in tables.items():
        (folder / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    listing = "\n".join(f"  {n}: {n}.csv" for n in tables)
    (folder / "dataset.yaml").write_text(MANIFEST.format(tables=listing), encoding="utf-8")
    return folder


def write_floors_too_high(folder: Path) -> Path:
    """The tiny dataset with the local scheme's floor above what its funding allows: no
    allocation meets every limit (the smallest fix lowers that floor)."""
    schemes = [line.replace("local,Local,0,10000,true,", "local,Local,5000,10000,true,")
               for line in TABLES["schemes"]]
    return write_tiny(folder, schemes=schemes)


def tiny_inputs(folder: Path, **scenario: object) -> ModelInputs:
    settings = {"name": "tiny", "title": "Tiny", "dataset": str(folder), "plan_years": 2,
                "fairness_tolerance": 1.0, "stability_limit": 1.0, **scenario}
    return resolve(load_dataset(folder), Scenario.model_validate(settings))


def solve_tiny(folder: Path, solver: str = "highs", **scenario: object) -> Result:
    inputs = tiny_inputs(folder, **scenario)
    alloc = Allocator(inputs, solver)
    return make_result(alloc, alloc.solve(warm=False))


def totals(result: Result) -> dict[tuple[str, int], int]:
    a = result.allocation()
    return {(s, int(y)): int(v) for (s, y), v in
            a.groupby(["service_id", "year"])["amount_gbp"].sum().items()}
