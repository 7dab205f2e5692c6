"""The LP as built: PuLP columns and rows in named blocks, and references to them by key.

Every column and row of the model belongs to a *block* (``z``, ``t``, ``stream``, ``fair_hi``,
…) and is found by its key within that block. A :class:`Col` or :class:`Row` names one of them;
everything above the model — the solver, explanations, the diagnosis — speaks in these references,
never in positions. :class:`LpModel` holds the blocks in creation order and, once built, the
*layout*: where each block starts when the blocks are laid end to end (budgetopt's order, which
the solver layer maps onto the solver's own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import pulp

from budgetopt.data.inputs import ModelInputs

INF = float("inf")
T = TypeVar("T")
Interval = tuple[float, float]  # (lower, upper); ±inf where open


@dataclass(frozen=True)
class Col:
    """One column of the model: its block and its key within the block."""

    block: str
    key: tuple


@dataclass(frozen=True)
class Row:
    """One row of the model: its block and its key within the block."""

    block: str
    key: tuple


Ref = Col | Row


@dataclass
class Block:
    """A block of columns or rows: PuLP objects in creation order, with their keys.

    ``structural`` is the interval every column of the block has before any limit family bounds
    it (``t`` and ``T`` are sums of non-negative money, ``d`` is free); ``None`` where the block's
    bounds are set column by column and no family touches them.
    """

    keys: list[tuple] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    pos: dict[tuple, int] = field(default_factory=dict)
    structural: Interval | None = None

    def add(self, key: tuple, item: object) -> None:
        self.pos[key] = len(self.keys)
        self.keys.append(key)
        self.items.append(item)

    def __getitem__(self, key: tuple) -> Any:
        return self.items[self.pos[key]]

    def __contains__(self, key: tuple) -> bool:
        return key in self.pos

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class LpModel:
    """The built PuLP problem with its blocks of columns and rows, by name and key."""

    inputs: ModelInputs
    prob: pulp.LpProblem
    cols: dict[str, Block] = field(default_factory=dict)
    rows: dict[str, Block] = field(default_factory=dict)
    # per z column: unweighted social value per £, the service's row in the weight matrix and
    # the segment's width (its upper bound)
    z_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    z_width: np.ndarray = field(default_factory=lambda: np.zeros(0))
    z_service: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    # allocation cells x[s,a,y] = Σ_k z: the z columns of each cell, and where each cell's run
    # of z columns starts in the z block (cells are contiguous)
    cells: Block = field(default_factory=Block)
    cell_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _col_start: dict[str, int] = field(default_factory=dict, repr=False)
    _row_start: dict[str, int] = field(default_factory=dict, repr=False)
    _memo: dict[object, Any] = field(default_factory=dict, repr=False)

    def col_block(self, block: str) -> Block:
        return self.cols.setdefault(block, Block())

    def row_block(self, block: str) -> Block:
        return self.rows.setdefault(block, Block())

    @property
    def services(self) -> pd.DataFrame:
        return self.inputs.dataset.services

    @property
    def years(self) -> list[int]:
        return self.inputs.years

    def segments_per_cell(self) -> np.ndarray:
        """How many curve segments (z columns) each allocation cell has, in cell order."""
        return np.diff(np.append(self.cell_starts, len(self.z_width)))

    def segment_position(self) -> np.ndarray:
        """Each z column's place on its cell's curve: 0 for the steepest segment."""
        return np.arange(len(self.z_width)) - np.repeat(self.cell_starts,
                                                        self.segments_per_cell())

    def memo(self, name: object, compute: Callable[[], T]) -> T:
        """A figure derived from the dataset and the model's keys alone, computed once: the
        dataset's structure never changes under a built model, so the warm re-solve need not
        look it up again (a scenario's own numbers are never memoised; a figure a robustness
        draw changes is keyed by the dataset's content hash)."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    # -- layout, fixed once the model is built
    def freeze(self) -> None:
        """Fix the layout: blocks laid end to end in creation order."""
        self._col_start = _starts(self.cols)
        self._row_start = _starts(self.rows)

    @property
    def n_cols(self) -> int:
        return sum(len(b) for b in self.cols.values())

    @property
    def n_rows(self) -> int:
        return sum(len(b) for b in self.rows.values())

    def col_slice(self, block: str) -> slice:
        start = self._col_start[block]
        return slice(start, start + len(self.cols[block]))

    def row_slice(self, block: str) -> slice:
        start = self._row_start[block]
        return slice(start, start + len(self.rows[block]))

    def index(self, ref: Ref) -> int:
        """Position of a column or row in budgetopt's order."""
        if isinstance(ref, Col):
            return self._col_start[ref.block] + self.cols[ref.block].pos[ref.key]
        return self._row_start[ref.block] + self.rows[ref.block].pos[ref.key]

    def columns(self) -> list[pulp.LpVariable]:
        return [v for b in self.cols.values() for v in b.items]

    def constraints(self) -> list[pulp.LpConstraint]:
        return [c for b in self.rows.values() for c in b.items]


def _starts(blocks: dict[str, Block]) -> dict[str, int]:
    out, n = {}, 0
    for name, block in blocks.items():
        out[name] = n
        n += len(block)
    return out


_SAFE = str.maketrans({c: "_" for c in "-+[] ->/.:*,()=<>!\"'"})


def row_name(block: str, key: tuple) -> str:
    """PuLP-safe row name: block and keys joined by '_' (characters PuLP rejects become '_')."""
    return f"{block}_" + "_".join(map(str, key)).translate(_SAFE)


def add_column(m: LpModel, block: str, key: tuple, lo: float | None = 0.0,
               hi: float | None = None) -> pulp.LpVariable:
    """A column named by block and number (its key lives in the block): building keyed names
    for hundreds of thousands of columns cost about a second on large models. Rows, which
    reports cite, keep names made of their block and keys."""
    b = m.col_block(block)
    v = m.prob.add_variable(f"{block}_{len(b)}", lowBound=lo, upBound=hi)
    b.add(key, v)
    return v


def add_row(m: LpModel, block: str, key: tuple, terms: list[tuple], sense: str,
            rhs: float) -> None:
    expr = pulp.LpAffineExpression(terms)
    con = {"<=": expr <= rhs, ">=": expr >= rhs, "==": expr == rhs}[sense]
    name = row_name(block, key)
    m.prob.addConstraint(con, name)
    m.row_block(block).add(key, m.prob.get_constraint_by_name(name))


def set_row_bounds(con: pulp.LpConstraint, lo: float, hi: float) -> None:
    """Give a one-sided or equality PuLP row the bounds [lo, hi] (one of them infinite or equal)."""
    if lo == hi:
        con.sense, con.constant = pulp.LpConstraintEQ, -lo
    elif np.isinf(lo):
        con.sense, con.constant = pulp.LpConstraintLE, -hi
    elif np.isinf(hi):
        con.sense, con.constant = pulp.LpConstraintGE, -lo
    else:  # pragma: no cover - the model never asks for a ranged row
        raise ValueError("ranged rows are not representable in PuLP")


def set_column_bounds(v: pulp.LpVariable, lo: float, hi: float) -> None:
    v.lowBound = None if np.isinf(lo) else float(lo)
    v.upBound = None if np.isinf(hi) else float(hi)
