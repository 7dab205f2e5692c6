"""The decisions and the accounting identities every limit family builds on.

* ``z[s,a,y,k]`` £ to service s in area a (``force`` for force-wide services) in year y on
  benefit-curve segment k; the allocation cell ``x[s,a,y]`` is Σ_k z — an expression, not a
  column (a column and a linking row per cell made the model a third larger for nothing).
  Slopes fall along a curve, so the LP fills segments in order without integer variables
  (where a service's weight is 0 the third stage keeps the order: ``tiebreak.flow_costs``).
* ``t[s,y]`` service total (``service_total`` rows: t = Σ_a x).

These carry no limit of their own: the limit families (:mod:`budgetopt.model.limits`) bound
``t`` and add the columns and rows that tie it to funding, schemes, stability and fairness.
"""

from __future__ import annotations

import numpy as np

from budgetopt.data.schemas import FORCE_AREA
from budgetopt.model.lp import INF, LpModel, add_column, add_row


def add_allocations(m: LpModel) -> None:
    """The benefit-curve segments z[s,a,y,k].

    For an area-split service, area a's curve has the dataset's segment widths scaled by its
    need share and outcomes per £ scaled by its need intensity (need per head relative to the
    force), so money goes further where need per head is higher."""
    ds = m.inputs.dataset
    curves = ds.curves.sort_index()
    outcome_value = ds.outcomes["value_gbp"]
    z_value: list[float] = []
    z_width: list[float] = []
    z_service: list[int] = []
    starts: list[int] = []
    seg_numbers = {sid: (rows.index.get_level_values("segment").astype(int).tolist(),
                         rows["width_gbp"].to_numpy(), rows["outcomes_per_1k_gbp"].to_numpy())
                   for sid, rows in curves.groupby(level="service_id", sort=False)}
    services = ds.services
    for si, (s, scheme, split, outcome) in enumerate(zip(
            services.index, services["scheme_id"], services["area_split"],
            services["outcome_id"], strict=True)):
        segments, widths, slopes = seg_numbers[s]
        per_gbp = (outcome_value[outcome] * slopes / 1000).tolist()
        if split:
            shares = ds.need_shares.loc[scheme].to_dict()
            intensity = ds.need_intensity.loc[scheme].to_dict()
        else:
            shares, intensity = {FORCE_AREA: 1.0}, {FORCE_AREA: 1.0}
        for a, n in shares.items():
            seg_hi = (widths * n).tolist()
            seg_value = [v * intensity[a] for v in per_gbp]
            for y in m.years:
                starts.append(len(z_value))
                m.cells.add((s, a, y), [add_column(m, "z", (s, a, y, k), 0.0, hi)
                                        for k, hi in zip(segments, seg_hi, strict=True)])
                z_value.extend(seg_value)
                z_width.extend(seg_hi)
                z_service.extend([si] * len(segments))
    m.z_value, m.z_service = np.array(z_value), np.array(z_service, dtype=int)
    m.z_width = np.array(z_width)
    m.cell_starts = np.array(starts, dtype=np.int64)


def add_service_totals(m: LpModel) -> None:
    """t[s,y] = Σ_a x[s,a,y]; the service limit families bound t."""
    by_service: dict[tuple, list] = {}
    for (s, _a, y), zs in zip(m.cells.keys, m.cells.items, strict=True):
        by_service.setdefault((s, y), []).extend(zs)
    m.col_block("t").structural = (0.0, INF)
    for (s, y), xs in by_service.items():
        t = add_column(m, "t", (s, y))
        add_row(m, "service_total", (s, y), [(t, 1.0), *((v, -1.0) for v in xs)], "==", 0.0)
