"""Whole pounds that add up: largest remainder and controlled rounding.

Every table in a paper shows whole pounds and must add up exactly to its total. Rounding each
figure on its own breaks that ("£9,599,999"), so budgetopt rounds once, at the finest cell
(stream × service × area × year), and sums every other table from the rounded cells.

:func:`largest_remainder` rounds a list of amounts so they sum exactly to their rounded total.
:func:`controlled_round` does more: each cell is rounded down or up, the grand total is exact,
and every *group* total named by the caller (stream, scheme, service, area) is its exact value
rounded down or up as well. That holds because the groups form two laminar families over the
cells (a "bipartite" table with nested subtotals), whose incidence matrix is totally unimodular:
the rounding LP has an integral optimum, found by HiGHS in milliseconds. Among valid roundings
it picks the one closest to the exact values.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from budgetopt.model.tiebreak import tie_break
from budgetopt.solve.arrays import solve_lp

INTEGRAL_TOLERANCE = 1e-6
QUANTUM_DIGITS = 5  # exact values are rounded to £0.00001 before controlled rounding
TIE_EPSILON = 1e-6  # weight of the fixed tie-break in the rounding LP
GROUP_TOLERANCE = 1e-9  # a group total within this (relative) of a whole pound is that pound


def largest_remainder(values: Sequence[float], total: float | None = None) -> np.ndarray:
    """Round to whole numbers summing exactly to ``round(total)`` (default: round(sum)).

    Each value is rounded down, and the pounds still missing go to the largest remainders (ties
    to the earlier value), so every result is its value rounded down or up.
    """
    v = np.asarray(values, dtype=float)
    target = round(float(v.sum() if total is None else total))
    floors = np.floor(v + 1e-9)
    short = int(target - floors.sum())
    out = floors.copy()
    if short > 0:
        order = np.argsort(-(v - floors), kind="stable")
        out[order[:short]] += 1
    elif short < 0:
        order = np.argsort(v - floors, kind="stable")
        out[order[:-short]] -= 1
    return out.astype(np.int64)


def cell_ids(*labels: np.ndarray) -> np.ndarray:
    """A fixed number for each cell from what it is (its stream, service, area, …), not where it
    sits in a table: ties in a rounding are broken by it, so the same cell rounds the same way
    whichever other cells a solver happened to leave at a penny or at zero."""
    joined = ["\x1f".join(map(str, parts)) for parts in zip(*labels, strict=True)]
    return np.fromiter((zlib.crc32(text.encode()) for text in joined), dtype=np.uint64,
                       count=len(joined))


def controlled_round(values: np.ndarray, groups: Sequence[np.ndarray],
                     ids: np.ndarray | None = None) -> np.ndarray:
    """Round cells to whole numbers so that the total and each group total stay within 1.

    ``groups`` are integer label arrays, one per family (e.g. the stream of each cell, the
    service of each cell, the scheme of each cell). Each family partitions the cells; the
    families must be laminar in two chains (here: stream | service ⊂ scheme) for the integral
    optimum to be guaranteed. The grand total is rounded to the nearest pound. ``ids`` name the
    cells for breaking ties (:func:`cell_ids`; default: their positions).
    """
    # Solver noise (1e-7 £ between a warm and a cold solve) must not decide a rounding:
    # quantise to 1/1000 of a penny first, and break remaining ties by a fixed hash of what the
    # cell is (``ids``) rather than by the path the LP solver takes.
    exact = np.asarray(values, dtype=float)
    v = np.round(exact, QUANTUM_DIGITS)
    n = len(v)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    lo = np.floor(v + 1e-9)
    hi = np.where(v - lo > 1e-9, lo + 1, lo)
    rows_lo, rows_hi, blocks = [], [], []
    for labels in groups:
        labels = np.asarray(labels)
        uniq, inv = np.unique(labels, return_inverse=True)
        sums = np.bincount(inv, weights=exact, minlength=len(uniq))
        slack = GROUP_TOLERANCE * np.maximum(1.0, np.abs(sums))
        blocks.append(sp.csr_matrix((np.ones(n), (inv, np.arange(n))), shape=(len(uniq), n)))
        rows_lo.append(np.floor(sums + slack))
        rows_hi.append(np.ceil(sums - slack))
    total = round(float(exact.sum()))
    blocks.append(sp.csr_matrix(np.ones((1, n))))
    rows_lo.append(np.array([total], dtype=float))
    rows_hi.append(np.array([total], dtype=float))
    a = sp.vstack(blocks).tocsc()
    # minimise distance from the exact values: cost of rounding up is (1 - 2·fraction)
    cost = 1.0 - 2.0 * (v - lo) + TIE_EPSILON * tie_break(np.arange(n) if ids is None else ids)
    r = solve_lp(cost, lo, hi, np.concatenate(rows_lo), np.concatenate(rows_hi), a)
    if r is None:  # pragma: no cover
        raise RuntimeError("controlled rounding found no solution (groups not laminar?)")
    rounded = np.rint(r)
    if np.abs(r - rounded).max(initial=0.0) > INTEGRAL_TOLERANCE:  # pragma: no cover
        raise RuntimeError("controlled rounding returned a fractional vertex")
    return rounded.astype(np.int64)
