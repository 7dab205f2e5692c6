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
    force), so money goes further where need per head is higher. Where each column's figures
    sit in the tables depends on the structure alone, so it is worked out once per model."""
    curve, outcome, need = m.memo("segments.layout", lambda: _segment_layout(m, ds))
    curves = ds.curves if ds.curves.index.is_monotonic_increasing else ds.curves.sort_index()
    shares = np.append(ds.need_shares.to_numpy().ravel(), 1.0)  # the last: force-wide
    intensity = np.append(ds.need_intensity.to_numpy().ravel(), 1.0)
    value = (curves["outcomes_per_1k_gbp"].to_numpy()[curve] / 1000
             * ds.outcomes["value_gbp"].to_numpy()[outcome] * intensity[need])
    return value, curves["width_gbp"].to_numpy()[curve] * shares[need]


def _segment_layout(m: LpModel, ds: Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each z column in order: its row in the sorted curves table, its outcome's row in
    the outcomes table, and its (scheme, area) cell in the flattened need shares (the last
    position, past them, for a force-wide service)."""
    curves = ds.curves.sort_index()
    rows = {sid: np.flatnonzero(curves.index.get_level_values("service_id") == sid)
            for sid in ds.services.index}
    outcome_row = {o: i for i, o in enumerate(ds.outcomes.index)}
    schemes, areas = list(ds.need_shares.index), list(ds.need_shares.columns)
    force = len(schemes) * len(areas)
    curve, outcome, need = [], [], []
    for s, scheme, split, o in zip(ds.services.index, ds.services["scheme_id"],
                                   ds.services["area_split"], ds.services["outcome_id"],
                                   strict=True):
        cells = ([schemes.index(scheme) * len(areas) + a for a in range(len(areas))]
                 if split else [force])
        for cell in cells:
            for _ in m.years:
                curve.append(rows[s])
                outcome.append(np.full(len(rows[s]), outcome_row[o]))
                need.append(np.full(len(rows[s]), cell))
    return np.concatenate(curve), np.concatenate(outcome), np.concatenate(need)


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
