"""Build the allocation LP: the structure, every limit family in registry order, the tie-break.

:func:`build_model` (after PyPSA's ``create_model``) creates the PuLP problem from
:class:`~budgetopt.data.inputs.ModelInputs`: the decisions and identities of
:mod:`~budgetopt.model.structure`, then each limit family's own rows
(:mod:`~budgetopt.model.limits`), then the tie-break columns of
:mod:`~budgetopt.model.tiebreak`, then the numbers and the objective.

Every number a scenario can change comes from the families' ``numbers`` through
:func:`model_numbers`, which the builder and the warm re-solve both call: one source of truth, so
a warm edit can never drift from a fresh build. The structure (which columns and rows exist)
depends only on the dataset and the number of plan years. The formulation is in docs/model.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pulp

from budgetopt.data.inputs import ModelInputs
from budgetopt.model import structure, tiebreak
from budgetopt.model.costs import set_objective
from budgetopt.model.expected import expected_values
from budgetopt.model.limits import REGISTRY, Coefficients, LimitFamily
from budgetopt.model.lp import INF, LpModel, set_column_bounds, set_row_bounds


@dataclass(frozen=True)
class ModelNumbers:
    """The scenario's numbers in the model: the intersected bounds of every block that a
    family bounds, and every coefficient a family sets."""

    col_bounds: dict[str, tuple[np.ndarray, np.ndarray]]
    row_bounds: dict[str, tuple[np.ndarray, np.ndarray]]
    coefficients: list[Coefficients]


def model_numbers(m: LpModel, inputs: ModelInputs,
                  families: Iterable[LimitFamily] | None = None) -> ModelNumbers:
    """The numbers of ``inputs``: per bounded block, the block's structural interval
    intersected with the bounds of ``families`` (default: all). Every block some family bounds
    appears, even where none of ``families`` does (then it has its structural interval)."""
    chosen = set(map(id, REGISTRY if families is None else families))
    cols: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    rows: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    coefficients = []
    for fam in REGISTRY:
        for n in fam.numbers(m, inputs):
            if isinstance(n, Coefficients):
                if id(fam) in chosen:
                    coefficients.append(n)
                continue
            target, blocks = (cols, m.cols) if n.kind == "col" else (rows, m.rows)
            if n.block not in target:
                base = blocks[n.block].structural or (-INF, INF)
                size = len(blocks[n.block])
                target[n.block] = (np.full(size, base[0]), np.full(size, base[1]))
            if id(fam) in chosen:
                lo, hi = target[n.block]
                np.maximum(lo, n.lo, out=lo)
                np.minimum(hi, n.hi, out=hi)
    return ModelNumbers(cols, rows, coefficients)


def apply_numbers(m: LpModel, numbers: ModelNumbers, rows: bool = True) -> None:
    """Write bounds into the PuLP objects (coefficients are set when rows are built)."""
    for block, (lo, hi) in numbers.col_bounds.items():
        for v, a, b in zip(m.cols[block].items, lo, hi, strict=True):
            set_column_bounds(v, a, b)
    if not rows:
        return
    for block, (lo, hi) in numbers.row_bounds.items():
        for con, a, b in zip(m.rows[block].items, lo, hi, strict=True):
            set_row_bounds(con, a, b)


def build_model(inputs: ModelInputs) -> LpModel:
    """Build the PuLP problem for a scenario."""
    m = LpModel(inputs, pulp.LpProblem(f"budgetopt_{inputs.scenario.name}", pulp.LpMaximize))
    structure.add_allocations(m)
    structure.add_service_totals(m)
    for family in REGISTRY:
        family.build(m)
    tiebreak.add_anchors(m)
    if inputs.scenario.objective == "expected":
        m.z_value = expected_values(m, inputs)
    apply_numbers(m, model_numbers(m, inputs))
    set_objective(m)
    m.freeze()
    return m
