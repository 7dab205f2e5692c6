"""Generated datasets for tests and benchmarks: valid, feasible, any size, deterministic by seed.

:func:`make_dataset` writes a complete dataset folder (``dataset.yaml`` and the 13 CSV tables of
:data:`budgetopt.data.schemas.TABLES`) that passes :func:`budgetopt.data.dataset.load_dataset`
and is feasible for a default scenario (fairness tolerance τ = 0.1, stability limit δ = 0.1),
because it is built around a known feasible point: every service keeps last year's amount (or
its contract value, which lies within 5% below it), and area-split services split it in exact
proportion to need. Around that point:

* each plan year's stream amounts sum to at least last year's total (core grows 0–2% a year);
* ring-fenced must-spend streams fund disjoint groups of schemes and are at most 40% of their
  eligible services' last-year total, so they can always be spent;
* scheme floors are at most 90% of the scheme's last-year total, caps at least 120% of it;
* service minimums are at most 60% of last year, capacities 1.5–2× last year, curves cover
  capacity; contracts are 95–100% of last year with no uplift, inside the stability band.

A budget cut of a few per cent is also feasible (services may fall 10% a year).

``tied=True`` gives groups of services in the same scheme exactly identical curves, outcomes and
priority shares (and, for half of the groups, identical amounts too), so the stage-1 LP has many
optimal allocations; the second stage must still make every solver agree.

:func:`make_scenario` writes a parameters file pointing at such a dataset by absolute path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from budgetopt.data.scenario import Scenario, save_scenario
from budgetopt.data.schemas import TABLES

BASE_YEAR = 2024
PRIORITIES = (("harm", "Reduce harm", 1.0), ("victims", "Support victims", 1.5),
              ("prevention", "Prevent crime", 0.8))
OUTCOMES = (("violence", "violent offence prevented", 14050),
            ("burglary", "burglary prevented", 5930),
            ("asb", "ASB incident prevented", 650),
            ("victim-recovery", "victim helped to cope and recover", 3200),
            ("reoffending", "reoffence prevented", 2100))
# share patterns that sum to 1 within the loader's tolerance
SHARE_PATTERNS = ((1.0,), (0.5, 0.5), (0.6, 0.4), (0.7, 0.2, 0.1), (0.4, 0.3, 0.3))
NEED_PATTERNS = ((("population", 1.0),),
                 (("population", 0.4), ("crime", 0.3), ("deprivation", 0.3)),
                 (("crime", 0.5), ("domestic_abuse", 0.5)),
                 (("population", 0.5), ("crime", 0.25), ("asb", 0.25)))
TIE_GROUP = 4  # services per tied group


def _bool(values: Any) -> list[str]:
    return ["true" if v else "false" for v in values]


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    cols = [c for c in TABLES[name].column_names if c in frame.columns]
    frame[cols].to_csv(folder / f"{name}.csv", index=False, lineterminator="\n")


def make_dataset(folder: Path, *, services: int, areas: int, plan_years: int = 3, seed: int = 0,
                 tied: bool = False, segments: int = 4) -> Path:
    """Write a valid, feasible synthetic dataset into ``folder`` (created) and return it."""
    if services < 2 or areas < 2:
        raise ValueError("need at least 2 services and 2 areas")
    if not 1 <= plan_years <= 5:
        raise ValueError("plan_years must be 1 to 5")
    if segments < 3:
        raise ValueError("curves need at least 3 segments")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    years = list(range(BASE_YEAR + 1, BASE_YEAR + 1 + plan_years))
    S, A, K = services, areas, segments

    # ---- schemes: ~S/10 (at least 2), half of them area-split (rounded up)
    G = max(2, round(S / 10))
    scheme_ids = [f"scheme-{k + 1:03d}" for k in range(G)]
    scheme_split = np.zeros(G, dtype=bool)
    scheme_split[rng.permutation(G)[: (G + 1) // 2]] = True
    # every scheme gets a service; the rest are spread at random (G <= S since S >= 2)
    svc_scheme = np.sort(np.concatenate([np.arange(G), rng.integers(0, G, S - G)]))

    # ---- services around the feasible point t = last year
    last = np.round(np.exp(rng.normal(np.log(150_000), 1.0, S)).clip(10_000, 3_000_000), -3)
    min_frac = np.where(rng.random(S) < 0.3, 0.0, rng.uniform(0.2, 0.6, S))
    cap_frac = rng.uniform(1.5, 2.0, S)
    svc_split = scheme_split[svc_scheme] & (rng.random(S) < 0.8)
    has_contract = rng.random(S) < 0.15
    contract_frac = rng.uniform(0.95, 1.0, S)
    contract_end = rng.integers(years[0], years[-1] + 2, S)
    outcome = rng.integers(0, len(OUTCOMES), S)
    pattern = rng.integers(0, len(SHARE_PATTERNS), S)
    prio_perm = np.array([rng.permutation(len(PRIORITIES)) for _ in range(S)])
    first_slope = rng.uniform(0.2, 3.0, S)
    decay = rng.uniform(0.4, 0.8, (S, K - 1))
    width_frac = rng.dirichlet(np.full(K, 2.0), S)
    cover = rng.uniform(1.0, 1.2, S)

    if tied:
        # groups of TIE_GROUP consecutive services within one scheme share curve, outcome and
        # priorities exactly; every other group is identical in every amount as well
        group_start = np.zeros(S, dtype=int)
        start = 0
        for i in range(1, S + 1):
            if i == S or svc_scheme[i] != svc_scheme[start] or i - start == TIE_GROUP:
                group_start[start:i] = start
                start = i
        for arr in (outcome, pattern, first_slope, svc_split):
            arr[:] = arr[group_start]
        prio_perm[:] = prio_perm[group_start]
        decay[:] = decay[group_start]
        same = (group_start // TIE_GROUP) % 2 == 0
        src = np.where(same, group_start, np.arange(S))
        for arr in (last, min_frac, cap_frac, has_contract, contract_frac, contract_end, cover):
            arr[:] = arr[src]
        width_frac[:] = width_frac[src]

    min_gbp = np.round(last * min_frac, -2)
    capacity = np.round(last * cap_frac, -3)
    contract = np.where(has_contract, np.floor(last * contract_frac / 100) * 100, np.nan)

    svc_ids = [f"svc-{i + 1:05d}" for i in range(S)]
    services_df = pd.DataFrame({
        "service_id": svc_ids,
        "name": [f"Service {i + 1}" for i in range(S)],
        "provider": [f"Provider {i % 97 + 1}" for i in range(S)],
        "scheme_id": np.array(scheme_ids)[svc_scheme],
        "area_split": _bool(svc_split),
        "last_year_gbp": last.astype(np.int64),
        "min_gbp": min_gbp.astype(np.int64),
        "capacity_gbp": capacity.astype(np.int64),
        "contract_value_gbp": pd.array(np.where(has_contract, contract, np.nan)).astype("Int64"),
        "contract_end_year": pd.array(np.where(has_contract, contract_end, np.nan)
                                      ).astype("Int64"),
        "contract_uplift": np.where(has_contract, "0", ""),
        "evidence": np.array(["strong", "moderate", "weak"])[rng.integers(0, 3, S)],
        "outcome_id": np.array([o[0] for o in OUTCOMES])[outcome],
        "notes": "synthetic",
    })
    _write(folder, "services", services_df)

    # ---- priorities and service shares
    _write(folder, "priorities", pd.DataFrame(
        PRIORITIES, columns=["priority_id", "name", "default_weight"]))
    prio_ids = np.array([p[0] for p in PRIORITIES])
    sp_rows: list[tuple[str, str, float]] = []
    for i in range(S):
        for j, share in enumerate(SHARE_PATTERNS[pattern[i]]):
            sp_rows.append((svc_ids[i], prio_ids[prio_perm[i, j]], share))
    _write(folder, "service_priorities",
           pd.DataFrame(sp_rows, columns=["service_id", "priority_id", "share"]))

    # ---- curves: strictly falling slopes, widths covering capacity
    slopes = np.empty((S, K))
    slopes[:, 0] = first_slope
    slopes[:, 1:] = first_slope[:, None] * np.cumprod(decay, axis=1)
    slopes = np.array([[float(f"{v:.6g}") for v in row] for row in slopes])
    widths = np.maximum(np.floor(width_frac * (capacity * cover)[:, None]), 1.0)
    widths[:, -1] += np.maximum(capacity - widths.sum(axis=1), 0.0)  # cover capacity exactly
    if tied:
        slopes[:] = slopes[group_start]
    _write(folder, "curves", pd.DataFrame({
        "service_id": np.repeat(svc_ids, K),
        "segment": np.tile(np.arange(1, K + 1), S),
        "width_gbp": widths.ravel().astype(np.int64),
        "outcomes_per_1k_gbp": slopes.ravel(),
    }))

    # ---- outcomes
    _write(folder, "outcomes", pd.DataFrame({
        "outcome_id": [o[0] for o in OUTCOMES], "unit": [o[1] for o in OUTCOMES],
        "value_gbp": [o[2] for o in OUTCOMES], "source_id": "placeholder", "price_year": 2024,
    }))

    # ---- schemes: floors <= 90% and caps >= 120% of the scheme's last-year total
    scheme_total = np.bincount(svc_scheme, weights=last, minlength=G)
    floor = np.floor(scheme_total * rng.uniform(0.5, 0.9, G) / 1000) * 1000
    cap = np.ceil(scheme_total * rng.uniform(1.2, 1.6, G) / 1000) * 1000
    _write(folder, "schemes", pd.DataFrame({
        "scheme_id": scheme_ids, "name": [f"Scheme {k + 1}" for k in range(G)],
        "floor_gbp": floor.astype(np.int64), "cap_gbp": cap.astype(np.int64),
        "area_split": _bool(scheme_split), "description": "synthetic",
    }))

    # ---- areas and need formulas
    area_ids = [f"area-{a + 1:03d}" for a in range(A)]
    pop = np.round(rng.uniform(50_000, 800_000, A))
    _write(folder, "areas", pd.DataFrame({
        "area_id": area_ids, "name": [f"Area {a + 1}" for a in range(A)],
        "population": pop.astype(np.int64),
        "crime": np.round(pop * rng.uniform(0.04, 0.09, A)).astype(np.int64),
        "domestic_abuse": np.round(pop * rng.uniform(0.008, 0.02, A)).astype(np.int64),
        "asb": np.round(pop * rng.uniform(0.01, 0.03, A)).astype(np.int64),
        "deprivation": np.round(rng.uniform(2, 35, A), 1),
    }))
    nf_rows = [(scheme_ids[k], ind, w)
               for k in np.flatnonzero(scheme_split)
               for ind, w in NEED_PATTERNS[k % len(NEED_PATTERNS)]]
    _write(folder, "need_formula", pd.DataFrame(nf_rows,
                                                columns=["scheme_id", "indicator", "weight"]))

    # ---- streams: core (unrestricted) + 1-2 ring-fenced must-spend streams on disjoint schemes
    order = rng.permutation(G)
    n_rf = 2 if G >= 4 else 1
    rf_schemes = [sorted(order[i::n_rf + 1][: max(1, G // 4)]) for i in range(n_rf)]
    streams = [("core", "Core commissioning budget", "PCC", False, False)]
    elig_rows: list[tuple[str, str]] = []
    rf_amount = []
    for i, ks in enumerate(rf_schemes):
        sid = f"grant-{i + 1}"
        streams.append((sid, f"Ring-fenced grant {i + 1}", "Government", True, True))
        elig_rows += [(sid, scheme_ids[k]) for k in ks]
        rf_amount.append(np.floor(0.4 * scheme_total[ks].sum() / 1000) * 1000)
    _write(folder, "streams", pd.DataFrame({
        "stream_id": [s[0] for s in streams], "name": [s[1] for s in streams],
        "grantor": [s[2] for s in streams], "ring_fenced": _bool(s[3] for s in streams),
        "must_spend": _bool(s[4] for s in streams),
        # grants are confirmed to the last plan year (and the loader needs at least one end
        # year: a column of empty end years fails its year comparison)
        "end_year": ["" if not s[3] else str(years[-1]) for s in streams], "notes": "synthetic",
    }))
    _write(folder, "stream_eligibility", pd.DataFrame(elig_rows,
                                                      columns=["stream_id", "scheme_id"]))
    total_last = float(last.sum())
    amt_rows = []
    for j, y in enumerate([BASE_YEAR, *years]):
        growth = 1.0 if j == 0 else 1.0 + float(rng.uniform(0.0, 0.02)) * j
        amt_rows.append(("core", y, int(np.ceil(total_last * growth - sum(rf_amount)))))
        amt_rows += [(f"grant-{i + 1}", y, int(a)) for i, a in enumerate(rf_amount)]
    _write(folder, "stream_amounts", pd.DataFrame(amt_rows,
                                                  columns=["stream_id", "year", "amount_gbp"]))

    _write(folder, "inflation", pd.DataFrame({
        "year": years, "rate": np.round(rng.uniform(0.015, 0.035, plan_years), 3)}))

    # ---- uncertainty: the default dataset's spreads per evidence rating, every outcome and
    # need formula, and the grants after the first plan year
    spread = [("effect", "strong", 0.15, ""), ("effect", "moderate", 0.3, ""),
              ("effect", "weak", 0.5, "")]
    spread += [("outcome_value", o[0], 0.3, "") for o in OUTCOMES]
    spread += [("need", scheme_ids[k], 0.1, "") for k in np.flatnonzero(scheme_split)]
    if plan_years > 1:
        spread += [("funding", f"grant-{i + 1}", 0.1, str(years[1])) for i in range(n_rf)]
    _write(folder, "uncertainty", pd.DataFrame(spread,
                                               columns=["input", "key", "log_sd", "from_year"]))

    manifest = {
        "name": folder.name,
        "title": f"Synthetic dataset: {S} services, {A} areas, {plan_years} plan years "
                 f"(seed {seed}{', tied' if tied else ''})",
        "base_year": BASE_YEAR,
        "plan_years": years,
        "currency": "GBP",
        "price_base": BASE_YEAR,
        "tables": {name: f"{name}.csv" for name in TABLES},
        "sources": [{"id": "synthetic", "title": "budgetopt.data.synthetic.make_dataset",
                     "publisher": "budgetopt", "date": "2025", "url": "", "status": "D"}],
        "placeholders": [{"table": name, "columns": ["*"],
                          "note": "generated by budgetopt.data.synthetic for tests and benchmarks"}
                         for name in TABLES],
    }
    (folder / "dataset.yaml").write_text(
        "# Generated by budgetopt.data.synthetic.make_dataset; every figure is a placeholder.\n"
        + yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder


def make_scenario(folder: Path, dataset_dir: Path, name: str = "synthetic",
                  **overrides: Any) -> Path:
    """Write ``<folder>/<name>.yaml``: a default scenario (τ = δ = 0.1, all the dataset's plan
    years, at most 5) on ``dataset_dir`` by absolute path, with ``overrides`` applied."""
    folder, dataset_dir = Path(folder), Path(dataset_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    manifest = yaml.safe_load((dataset_dir / "dataset.yaml").read_text(encoding="utf-8"))
    fields: dict[str, Any] = {
        "name": name,
        "title": f"Synthetic scenario {name}",
        "dataset": str(dataset_dir),
        "plan_years": len(manifest["plan_years"]),
        "fairness_tolerance": 0.10,
        "stability_limit": 0.10,
        **overrides,
    }
    path = folder / f"{name}.yaml"
    save_scenario(Scenario.model_validate(fields), path)
    return path
