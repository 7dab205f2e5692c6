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

from budgetopt.data.dataset import Dataset
from budgetopt.data.schemas import FORCE_AREA
from budgetopt.model.lp import INF, LpModel, add_column, add_row


def segment_numbers(m: LpModel, ds: Dataset) -> tuple[np.ndarray, np.ndarray]:
    """The social value per £ and the width of every z column, in column order, from ``ds``'s
    curves, outcome values and need shares: what a draw of the robustness analysis changes.

    For an area-split service, area a's curve has the dataset's segment widths scaled by its
    need share and outcomes per £ scaled by its need intensity (need per head relative to the
    force), so money goes further where need per head is higher."""
    curves = ds.curves.sort_index()
    outcome_value = ds.outcomes["value_gbp"]
    seg = {sid: (rows["width_gbp"].to_numpy(), rows["outcomes_per_1k_gbp"].to_numpy())
           for sid, rows in curves.groupby(level="service_id", sort=False)}
    services = ds.services
    value, width = [], []
    for s, scheme, split, outcome in zip(services.index, services["scheme_id"],
                                         services["area_split"], services["outcome_id"],
                                         strict=True):
        widths, slopes = seg[s]
        per_gbp = outcome_value[outcome] * slopes / 1000
        if split:
            shares, intensity = ds.need_shares.loc[scheme], ds.need_intensity.loc[scheme]
            areas = [(shares[a], intensity[a]) for a in shares.index]
        else:
            areas = [(1.0, 1.0)]
        for share, factor in areas:
            for _ in m.years:
                value.append(per_gbp * factor)
                width.append(widths * share)
    return np.concatenate(value), np.concatenate(width)


def add_allocations(m: LpModel) -> None:
    """The benefit-curve segments z[s,a,y,k], with the numbers of :func:`segment_numbers`."""
    ds = m.inputs.dataset
    z_value, z_width = segment_numbers(m, ds)
    segments = {sid: rows.index.get_level_values("segment").astype(int).tolist()
                for sid, rows in ds.curves.sort_index().groupby(level="service_id", sort=False)}
    z_service: list[int] = []
    starts: list[int] = []
    services = ds.services
    for si, (s, split) in enumerate(zip(services.index, services["area_split"], strict=True)):
        areas = list(ds.need_shares.columns) if split else [FORCE_AREA]
        for a in areas:
            for y in m.years:
                starts.append(len(z_service))
                m.cells.add((s, a, y), [
                    add_column(m, "z", (s, a, y, k), 0.0, float(z_width[len(z_service) + i]))
                    for i, k in enumerate(segments[s])])
                z_service.extend([si] * len(segments[s]))
    m.z_value, m.z_width = z_value, z_width
    m.z_service = np.array(z_service, dtype=int)
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
