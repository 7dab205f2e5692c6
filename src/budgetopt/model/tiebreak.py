"""Uniqueness: the later stages' columns and costs, and the fixed hash that breaks exact ties.

Linear programmes with tied slopes have many optimal allocations, and two solves can differ by
six figures at the same objective. The lexicographic solve (:mod:`budgetopt.solve.lexicographic`)
therefore optimises three things in turn; this module supplies what stages 2 and 3 minimise:

* stage 2, :func:`anchor_costs`: among allocations of equal value, the steadiest — the
  relative change of each service total from its base-year amount (``up``/``dn`` on ``anchor``
  rows), every year-to-year move of it, weighted double (``mu``/``md`` on ``move`` rows), so a
  path that rises one year and falls back the next costs more than one that does not, and area
  splits in proportion to need (``p``/``q`` on ``area_anchor``);
* stage 3, :func:`flow_costs`: pay each service from ring-fenced money first, and fill each
  cell's curve segments in order (``z``), which stage 1 does only where the weight is above 0.

Exact ties that remain are broken by perturbing those costs with :func:`tie_break`.
"""

from __future__ import annotations

import numpy as np

from budgetopt.data.schemas import FORCE_AREA
from budgetopt.model.lp import LpModel, add_column, add_row

# Stage-2 cost scale: deviations cost 1e6/max(base, FLOOR) per £, i.e. about 1 per £ for a £1m
# service, so costs stay well above solver tolerances. Exact ties are broken by perturbing those
# costs by at most TIE_SPREAD (services, streams) and AREA_TIE_SPREAD (area splits) with the
# fixed pseudo-random numbers of tie_break().
ANCHOR_COST_SCALE = 1e6
ANCHOR_BASE_FLOOR = 10_000.0
TIE_SPREAD = 0.05
AREA_TIE_SPREAD = 0.1
MOVE_WEIGHT = 2.0  # stage 2: a £ moved between years counts twice a £ away from the base year
SEGMENT_ORDER_COST = 1e-3  # stage 3, per £ and segment position: later segments fill last


def add_anchors(m: LpModel) -> None:
    """Deviation columns used by the second stage (no cost in the first):
    ``anchor[s,y]``: t − up + dn = base; ``move[s,y]``: t[s,y] − t[s,y−1] − mu + md = 0 (the
    first plan year moves from the base-year amount); ``area_anchor[s,a,y]``:
    Σ_k z − n·t − p + q = 0."""
    ds = m.inputs.dataset
    t = m.cols["t"]
    base = ds.services["last_year_gbp"].astype(float).to_dict()
    scheme_of = ds.services["scheme_id"].to_dict()
    shares = ds.need_shares.stack().to_dict()
    for (s, y), tv in zip(t.keys, t.items, strict=True):
        up, dn = add_column(m, "up", (s, y)), add_column(m, "dn", (s, y))
        add_row(m, "anchor", (s, y), [(tv, 1.0), (up, -1.0), (dn, 1.0)], "==", base[s])
    previous = dict(zip(m.years[1:], m.years, strict=False))
    for (s, y), tv in zip(t.keys, t.items, strict=True):
        mu, md = add_column(m, "mu", (s, y)), add_column(m, "md", (s, y))
        terms = [(tv, 1.0), (mu, -1.0), (md, 1.0)]
        if y in previous:
            terms.append((t[(s, previous[y])], -1.0))
        add_row(m, "move", (s, y), terms, "==", 0.0 if y in previous else base[s])
    for (s, a, y), zs in zip(m.cells.keys, m.cells.items, strict=True):
        if a == FORCE_AREA:
            continue
        n = float(shares[(scheme_of[s], a)])
        p, q = add_column(m, "p", (s, a, y)), add_column(m, "q", (s, a, y))
        add_row(m, "area_anchor", (s, a, y),
                [*((z, 1.0) for z in zs), (t[(s, y)], -n), (p, -1.0), (q, 1.0)], "==", 0.0)


def tie_break(index: np.ndarray | int | list[int]) -> np.ndarray:
    """A fixed pseudo-random number in [0, 1) for each index (the splitmix64 hash).

    Exact ties between equal services, areas or streams are broken by perturbing costs with
    these numbers. A hash, not a linear sequence: the perturbation of cell (s, a) must not split
    into a service part plus an area part, or swapping money around a cycle of cells (s1 gives
    a1 to s2, s2 gives a2 to s1) would cost exactly nothing and stay tied. With a hash every such
    swap costs something at first order, so the optimum is a single point whichever solver, warm
    or cold, finds it.
    """
    with np.errstate(over="ignore"):
        z = np.asarray(index, dtype=np.uint64) + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(float) / float(1 << 53)


def anchor_costs(m: LpModel) -> dict[str, np.ndarray]:
    """Stage 2: relative distance from last year's service totals, relative year-to-year moves
    and distance from need-share splits."""
    ds = m.inputs.dataset
    base = ds.services["last_year_gbp"]
    order = {s: i for i, s in enumerate(ds.services.index)}
    area = {a: j for j, a in enumerate(ds.areas.index)}

    def scale(keys: list[tuple]) -> np.ndarray:
        return np.array([ANCHOR_COST_SCALE / max(base[k[0]], ANCHOR_BASE_FLOOR) for k in keys])

    keys = m.cols["up"].keys
    per_service = scale(keys) * (1 + TIE_SPREAD * tie_break([order[k[0]] for k in keys]))
    costs = {"up": per_service, "dn": per_service}
    moves = MOVE_WEIGHT * scale(m.cols["mu"].keys) * (1 + TIE_SPREAD * tie_break(
        [order[k[0]] for k in m.cols["mu"].keys]))
    costs["mu"] = costs["md"] = moves
    if "p" in m.cols:
        keys = m.cols["p"].keys
        cell = [order[k[0]] * len(area) + area[k[1]] for k in keys]
        costs["p"] = costs["q"] = scale(keys) * (1 + AREA_TIE_SPREAD * tie_break(cell))
    return costs


def flow_costs(m: LpModel) -> dict[str, np.ndarray]:
    """Stage 3: pay each service from ring-fenced money first, unrestricted money last, with a
    fixed pseudo-random order between (stream, service) cells so the split is unique; and fill
    each cell's curve segments in order (a service whose priorities weigh nothing has no value
    to order them by, so without this its segments fill in whatever order the solver finds)."""
    ds = m.inputs.dataset
    streams = ds.streams
    order = {s: i for i, s in enumerate(ds.services.index)}
    stream_no = {f: i for i, f in enumerate(streams.index)}
    n = len(order)
    keys = m.cols["g"].keys
    rank = np.array([0.0 if streams.at[f, "ring_fenced"] else 1.0 for f, _, _ in keys])
    cell = [stream_no[f] * n + order[s] for f, s, _ in keys]
    return {"g": (1 + rank) * (1 + TIE_SPREAD * tie_break(cell)),
            "z": SEGMENT_ORDER_COST * m.segment_position()}
