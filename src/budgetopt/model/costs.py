"""Stage-1 costs — the priority-weighted social value of each £ on each curve segment — and the
value of an allocation on its curves.

The objective is Σ_z weight_s · value_per_£(z) · z, where a service's weight is Σ_p share[s,p]·w[p]
over the plan priorities it serves and w comes from the scenario. The costs are a number a
scenario changes, so the builder and the warm re-solve both take them from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pulp

from budgetopt.data.inputs import ModelInputs
from budgetopt.model.lp import LpModel


def service_weights(inputs: ModelInputs) -> pd.Series:
    """Priority weight of each service: Σ_p share[s,p]·w[p]."""
    shares = inputs.dataset.service_priorities["share"].unstack("priority_id").fillna(0.0)
    w = inputs.priority_weights.reindex(shares.columns).fillna(0.0)
    return (shares @ w).reindex(inputs.dataset.services.index).fillna(0.0)


def stage1_costs(m: LpModel, inputs: ModelInputs) -> np.ndarray:
    """Objective coefficient of each z column: weight_s · social value per £ (to maximise)."""
    shares, priorities = m.memo("costs.shares", lambda: _share_matrix(inputs))
    w = shares @ inputs.priority_weights.reindex(priorities).fillna(0.0).to_numpy(dtype=float)
    return w[m.z_service] * m.z_value


def _share_matrix(inputs: ModelInputs) -> tuple[np.ndarray, pd.Index]:
    """service × priority shares, services in the dataset's order (as ``z_service`` counts)."""
    shares = inputs.dataset.service_priorities["share"].unstack("priority_id").fillna(0.0)
    shares = shares.reindex(inputs.dataset.services.index).fillna(0.0)
    return shares.to_numpy(dtype=float), shares.columns


def filled_in_order(m: LpModel, cells: np.ndarray) -> np.ndarray:
    """The segments of each allocation cell as its curve is filled, steepest first: what the
    money in the cell is worth on its curve, whatever order a solver left the segments in (a
    service whose priorities weigh nothing has no reason to fill them in order)."""
    counts = m.segments_per_cell()
    before = np.cumsum(m.z_width) - m.z_width  # width of the z block before each segment
    before = before - np.repeat(before[m.cell_starts], counts)  # ... within its own cell
    return np.clip(np.repeat(cells, counts) - before, 0.0, m.z_width)


def plan_value(m: LpModel, inputs: ModelInputs, cells: np.ndarray) -> float:
    """The priority-weighted social value of an allocation (its cells, in the model's order)
    on the model's curves as they stand."""
    return float(stage1_costs(m, inputs) @ filled_in_order(m, cells))


def set_objective(m: LpModel) -> None:
    costs = stage1_costs(m, m.inputs)
    m.prob.setObjective(pulp.LpAffineExpression(
        list(zip(m.cols["z"].items, costs.tolist(), strict=True))))
