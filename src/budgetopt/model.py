"""The allocation linear programme, one function per constraint family.

:func:`build_model` creates the PuLP problem from :class:`~budgetopt.inputs.ModelInputs` by calling
the ``add_*`` family functions in a fixed order (after PyPSA's ``define_*_constraints``). Every
column and row is named after its family and keys and registered in :class:`LpModel`, so reports
can cite a limit and the warm re-solve can find it again.

Every number that a scenario can change — stream amounts, priority weights, τ, δ, pins — is
computed by a ``*_numbers`` function that both the builder and the warm re-solve call: one source
of truth, so a warm edit can never drift from a fresh build. The structure (which columns and
rows exist) depends only on the dataset and the number of plan years.

Formulation (see docs/model.md):

* ``z[s,a,y,k]`` £ to service s in area a (``force`` for force-wide services) in year y on
  benefit-curve segment k (width scaled by the area's need share); the allocation cell
  ``x[s,a,y]`` is Σ_k z. Slopes fall along a curve, so the LP fills segments in order without
  integer variables.
* ``t[s,y]`` service total, ``g[f,s,y]`` stream f's money spent on service s (only where the
  ring-fence allows), ``T[k,y]`` scheme total, ``d[s,y]`` year-on-year move.
* Two-sided limits around known amounts are column bounds (scheme floor/cap on ``T``, stability
  band on ``d``, minimum/capacity/contract/pin on ``t``), not pairs of rows: warm re-solves were
  5–24× slower with two rows (performance notes).
* The fairness band depends on a decision (the scheme total), so it needs two rows per area; the
  rows act on aggregate columns ``X[k,a,y]`` and ``S[k,y]`` so that a change of τ edits exactly
  two coefficients per area.
* Anchor columns (``up/dn`` on service totals, ``p/q`` on area splits) carry no stage-1 cost; the
  second stage uses them to pick, among equally valuable allocations, the one closest to last
  year's (see :mod:`budgetopt.solve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from budgetopt.inputs import ModelInputs
from budgetopt.schemas import FORCE_AREA

# Stage-2 cost scale: deviations cost 1e6/max(base, FLOOR) per £, i.e. about 1 per £ for a £1m
# service, so costs stay well above solver tolerances. Exact ties are broken by perturbing those
# costs by at most TIE_SPREAD (services, streams) and AREA_TIE_SPREAD (area splits) with the
# fixed pseudo-random numbers of tie_break().
ANCHOR_COST_SCALE = 1e6
ANCHOR_BASE_FLOOR = 10_000.0
TIE_SPREAD = 0.05
AREA_TIE_SPREAD = 0.1


@dataclass
class Block:
    """A family's columns or rows: PuLP objects in creation order, with their keys."""

    keys: list[tuple] = field(default_factory=list)
    items: list = field(default_factory=list)
    pos: dict[tuple, int] = field(default_factory=dict)

    def add(self, key: tuple, item: object) -> None:
        self.pos[key] = len(self.keys)
        self.keys.append(key)
        self.items.append(item)

    def __getitem__(self, key: tuple):
        return self.items[self.pos[key]]

    def __contains__(self, key: tuple) -> bool:
        return key in self.pos

    def __len__(self) -> int:
        return len(self.keys)


@dataclass
class LpModel:
    """The built PuLP problem with its families of columns and rows, by name and key."""

    inputs: ModelInputs
    prob: pulp.LpProblem
    cols: dict[str, Block] = field(default_factory=dict)
    rows: dict[str, Block] = field(default_factory=dict)
    # per z column: unweighted social value per £ and the service's row in the weight matrix
    z_value: np.ndarray = field(default_factory=lambda: np.zeros(0))
    z_service: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    # allocation cells x[s,a,y] = Σ_k z: the z columns of each cell, and where each cell's run
    # of z columns starts in the z family (cells are contiguous)
    cells: Block = field(default_factory=Block)
    cell_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def col_block(self, family: str) -> Block:
        return self.cols.setdefault(family, Block())

    def row_block(self, family: str) -> Block:
        return self.rows.setdefault(family, Block())

    @property
    def services(self) -> pd.DataFrame:
        return self.inputs.dataset.services

    @property
    def years(self) -> list[int]:
        return self.inputs.years


_SAFE = str.maketrans({c: "_" for c in "-+[] ->/.:*,()=<>!\"'"})


def _name(family: str, key: tuple) -> str:
    """PuLP-safe name: family and keys joined by '_' (characters PuLP rejects become '_')."""
    return f"{family}_" + "_".join(map(str, key)).translate(_SAFE)


def _var(m: LpModel, family: str, key: tuple, lo: float | None = 0.0,
         hi: float | None = None) -> pulp.LpVariable:
    """A column named by family and number (its keys live in the family's Block): building
    keyed names for hundreds of thousands of columns cost about a second on large models.
    Rows, which reports cite, keep names made of their family and keys."""
    block = m.col_block(family)
    v = m.prob.add_variable(f"{family}_{len(block)}", lowBound=lo, upBound=hi)
    block.add(key, v)
    return v


def _row(m: LpModel, family: str, key: tuple, terms: list[tuple], sense: str,
         rhs: float) -> None:
    expr = pulp.LpAffineExpression(terms)
    con = {"<=": expr <= rhs, ">=": expr >= rhs, "==": expr == rhs}[sense]
    name = _name(family, key)
    m.prob.addConstraint(con, name)
    m.row_block(family).add(key, m.prob.get_constraint_by_name(name))


# --------------------------------------------------------------------------------------------
# Numbers a scenario can change (shared by the builder and the warm re-solve)
# --------------------------------------------------------------------------------------------
def service_weights(inputs: ModelInputs) -> pd.Series:
    """Priority weight of each service: Σ_p share[s,p]·w[p]."""
    shares = inputs.dataset.service_priorities["share"].unstack("priority_id").fillna(0.0)
    w = inputs.priority_weights.reindex(shares.columns).fillna(0.0)
    return (shares @ w).reindex(inputs.dataset.services.index).fillna(0.0)


def stage1_costs(m: LpModel, inputs: ModelInputs) -> np.ndarray:
    """Objective coefficient of each z column: weight_s · social value per £ (to maximise)."""
    w = service_weights(inputs).to_numpy()
    return w[m.z_service] * m.z_value


def contract_amount(service: pd.Series, base_year: int, year: int) -> float | None:
    """Contract value in ``year`` with its annual uplift, or None when no contract binds."""
    value = service["contract_value_gbp"]
    if pd.isna(value) or value <= 0 or year > service["contract_end_year"]:
        return None
    return float(value * (1 + service["contract_uplift"]) ** (year - base_year))


def service_limits(inputs: ModelInputs, s: str, y: int) -> list[tuple[str, float, float]]:
    """Every limit on t[s,y] as (family, low, high): the service's minimum and capacity, its
    contract held at the uplifted value, a pin fixing it. The model applies their intersection;
    explanations read which family set the binding side."""
    row = inputs.dataset.services.loc[s]
    limits = [("service", float(row["min_gbp"]), float(row["capacity_gbp"]))]
    c = contract_amount(row, inputs.base_year, y)
    if c is not None:
        limits.append(("contract", c, c))
    for pin in inputs.pins:
        if (pin.service, pin.year) == (s, y):
            limits.append(("pin", pin.amount_gbp, pin.amount_gbp))
    return limits


def service_total_numbers(m: LpModel, inputs: ModelInputs) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of t[s,y]: the intersection of its limits (empty, hence infeasible, on conflict).

    Vectorised form of :func:`service_limits` (which explanations use for single services);
    a test checks the two agree."""
    keys = m.cols["t"].keys
    services = inputs.dataset.services
    sid = pd.Index([s for s, _ in keys])
    year = np.array([y for _, y in keys], dtype=float)
    rows = services.loc[sid]
    lo = rows["min_gbp"].to_numpy(dtype=float).copy()
    hi = rows["capacity_gbp"].to_numpy(dtype=float).copy()
    value = rows["contract_value_gbp"].to_numpy(dtype=float)
    active = (np.nan_to_num(value) > 0) & (year <= rows["contract_end_year"].to_numpy(dtype=float))
    uplift = np.nan_to_num(rows["contract_uplift"].to_numpy(dtype=float))
    c = value * (1 + uplift) ** (year - inputs.base_year)
    lo = np.where(active, np.maximum(lo, c), lo)
    hi = np.where(active, np.minimum(hi, c), hi)
    if inputs.pins:
        pos = m.cols["t"].pos
        for pin in inputs.pins:
            i = pos[(pin.service, pin.year)]
            lo[i], hi[i] = max(lo[i], pin.amount_gbp), min(hi[i], pin.amount_gbp)
    return lo, hi


def stream_numbers(m: LpModel, inputs: ModelInputs) -> tuple[np.ndarray, np.ndarray]:
    """Row bounds of stream[f,y]: spend at most the amount, exactly it if it must be spent."""
    keys = m.rows["stream"].keys
    amounts = inputs.stream_amounts.stack()
    hi = amounts.loc[keys].to_numpy(dtype=float)
    must = inputs.dataset.streams["must_spend"].loc[[f for f, _ in keys]].to_numpy(dtype=bool)
    lo = np.where(must, hi, -np.inf)
    return lo, hi


def stability_numbers(m: LpModel, inputs: ModelInputs) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of d[s,y]: ±δ of the service's base-year amount."""
    base = inputs.dataset.services["last_year_gbp"]
    sid = [s for s, _ in m.cols["d"].keys]
    half = inputs.scenario.stability_limit * base.loc[sid].to_numpy(dtype=float)
    return -half, half


def fairness_coefficient(inputs: ModelInputs, scheme: str, area: str) -> tuple[float, float]:
    """Coefficient of S[k,y] in the fair_hi and fair_lo rows of area a: −(1±τ)·need share."""
    tau = inputs.scenario.fairness_tolerance
    n = float(inputs.dataset.need_shares.at[scheme, area])
    return -(1 + tau) * n, -(1 - tau) * n


def fairness_coefficients(m: LpModel, inputs: ModelInputs) -> tuple[np.ndarray, np.ndarray]:
    """:func:`fairness_coefficient` for every fair_hi/fair_lo row, in row order."""
    tau = inputs.scenario.fairness_tolerance
    stacked = inputs.dataset.need_shares.stack()
    n = stacked.loc[[(k, a) for k, a, _ in m.rows["fair_hi"].keys]].to_numpy(dtype=float)
    return -(1 + tau) * n, -(1 - tau) * n


# --------------------------------------------------------------------------------------------
# Families
# --------------------------------------------------------------------------------------------
def add_allocations(m: LpModel) -> None:
    """The benefit-curve segments z[s,a,y,k]; the allocation x[s,a,y] of a cell is Σ_k z, an
    expression rather than a column (a column and a linking row per cell made the model a
    third larger for nothing).

    For an area-split service, area a's curve has the dataset's segment widths scaled by its
    need share and outcomes per £ scaled by its need intensity (need per head relative to the
    force), so money goes further where need per head is higher."""
    ds = m.inputs.dataset
    curves = ds.curves.sort_index()
    outcome_value = ds.outcomes["value_gbp"]
    z_value, z_service, starts = [], [], []
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
                m.cells.add((s, a, y), [_var(m, "z", (s, a, y, k), 0.0, hi)
                                        for k, hi in zip(segments, seg_hi, strict=True)])
                z_value.extend(seg_value)
                z_service.extend([si] * len(segments))
    m.z_value, m.z_service = np.array(z_value), np.array(z_service, dtype=int)
    m.cell_starts = np.array(starts, dtype=np.int64)


def add_service_bounds(m: LpModel) -> None:
    """t[s,y] = Σ_a x[s,a,y] (``service_total`` rows). Its bounds combine the service's minimum
    and capacity, contracts (the annual contract value with its uplift, held in every plan year up
    to the end year) and pins — see :func:`service_limits`."""
    by_service: dict[tuple, list] = {}
    for (s, _a, y), zs in zip(m.cells.keys, m.cells.items, strict=True):
        by_service.setdefault((s, y), []).extend(zs)
    for (s, y), xs in by_service.items():
        t = _var(m, "t", (s, y))
        _row(m, "service_total", (s, y), [(t, 1.0), *((v, -1.0) for v in xs)], "==", 0.0)
    lo, hi = service_total_numbers(m, m.inputs)
    for v, a, b in zip(m.cols["t"].items, lo, hi, strict=True):
        v.lowBound, v.upBound = float(a), float(b)


def add_funding(m: LpModel) -> None:
    """Flows g[f,s,y]: ring-fenced streams reach only eligible schemes; each stream spends at
    most its amount (exactly it when it must be spent); ``flow_balance`` rows make the flows
    into a service equal its total."""
    ds = m.inputs.dataset
    services = ds.services
    flows_in: dict[tuple, list] = {}
    spend: dict[tuple, list] = {}
    scheme_of = services["scheme_id"].to_dict()
    for f in ds.streams.index:
        eligible = ds.eligible_schemes(f)
        for s, scheme in scheme_of.items():
            if scheme not in eligible:
                continue
            for y in m.years:
                g = _var(m, "g", (f, s, y))
                flows_in.setdefault((s, y), []).append(g)
                spend.setdefault((f, y), []).append(g)
    t = m.cols["t"]
    for key in t.keys:
        terms = [(g, 1.0) for g in flows_in.get(key, [])]
        _row(m, "flow_balance", key, [*terms, (t[key], -1.0)], "==", 0.0)
    for f in ds.streams.index:
        for y in m.years:
            _row(m, "stream", (f, y), [(g, 1.0) for g in spend.get((f, y), [])], "<=", 0.0)
    lo, hi = stream_numbers(m, m.inputs)
    for con, a, b in zip(m.rows["stream"].items, lo, hi, strict=True):
        _set_row_bounds(con, a, b)


def add_scheme_bounds(m: LpModel) -> None:
    """T[k,y] = Σ_{s∈k} t[s,y] with the scheme's floor and cap as T's bounds."""
    ds = m.inputs.dataset
    t = m.cols["t"]
    for k, scheme in ds.schemes.iterrows():
        members = ds.services.index[ds.services["scheme_id"] == k]
        for y in m.years:
            T = _var(m, "T", (k, y), float(scheme["floor_gbp"]), float(scheme["cap_gbp"]))
            _row(m, "scheme_total", (k, y), [(T, 1.0), *((t[(s, y)], -1.0) for s in members)],
                 "==", 0.0)


def add_stability(m: LpModel) -> None:
    """Each year-on-year move of a continuing service (base amount > 0) is d[s,y] ∈ ±δ·base:
    t[s,y] − t[s,y−1] − d[s,y] = 0, with t[s,base year] the base-year amount."""
    ds = m.inputs.dataset
    t = m.cols["t"]
    for s, base in ds.services["last_year_gbp"].astype(float).items():
        if base <= 0:
            continue
        for i, y in enumerate(m.years):
            d = _var(m, "d", (s, y), None, None)
            terms = [(t[(s, y)], 1.0), (d, -1.0)]
            if i:
                terms.append((t[(s, m.years[i - 1])], -1.0))
            _row(m, "stability", (s, y), terms, "==", 0.0 if i else base)
    lo, hi = stability_numbers(m, m.inputs)
    for v, a, b in zip(m.cols["d"].items, lo, hi, strict=True):
        v.lowBound, v.upBound = float(a), float(b)


def add_fairness(m: LpModel) -> None:
    """Within an area-split scheme each area's share of the area-split total stays within ±τ of
    its need share: X[k,a,y] ≤ (1+τ)·n·S[k,y] and X[k,a,y] ≥ (1−τ)·n·S[k,y]."""
    ds = m.inputs.dataset
    cells = m.cells
    split = ds.services[ds.services["area_split"].astype(bool)]
    for k in ds.need_shares.index:
        members = split.index[split["scheme_id"] == k]
        if members.empty:
            continue
        for y in m.years:
            S = _var(m, "S", (k, y))
            area_cols = []
            for a in ds.areas.index:
                X = _var(m, "X", (k, a, y))
                area_cols.append(X)
                _row(m, "fair_area", (k, a, y),
                     [(X, 1.0), *((z, -1.0) for s in members for z in cells[(s, a, y)])],
                     "==", 0.0)
            _row(m, "fair_total", (k, y), [(S, 1.0), *((X, -1.0) for X in area_cols)], "==", 0.0)
            for a, X in zip(ds.areas.index, area_cols, strict=True):
                c_hi, c_lo = fairness_coefficient(m.inputs, k, a)
                _row(m, "fair_hi", (k, a, y), [(X, 1.0), (S, c_hi)], "<=", 0.0)
                _row(m, "fair_lo", (k, a, y), [(X, 1.0), (S, c_lo)], ">=", 0.0)


def add_anchors(m: LpModel) -> None:
    """Deviation columns used by the second stage (no cost in the first):
    ``anchor[s,y]``: t − up + dn = base; ``area_anchor[s,a,y]``: Σ_k z − n·t − p + q = 0."""
    ds = m.inputs.dataset
    t = m.cols["t"]
    base = ds.services["last_year_gbp"].astype(float).to_dict()
    scheme_of = ds.services["scheme_id"].to_dict()
    shares = ds.need_shares.stack().to_dict()
    for (s, y), tv in zip(t.keys, t.items, strict=True):
        up, dn = _var(m, "up", (s, y)), _var(m, "dn", (s, y))
        _row(m, "anchor", (s, y), [(tv, 1.0), (up, -1.0), (dn, 1.0)], "==", base[s])
    for (s, a, y), zs in zip(m.cells.keys, m.cells.items, strict=True):
        if a == FORCE_AREA:
            continue
        n = float(shares[(scheme_of[s], a)])
        p, q = _var(m, "p", (s, a, y)), _var(m, "q", (s, a, y))
        _row(m, "area_anchor", (s, a, y),
             [*((z, 1.0) for z in zs), (t[(s, y)], -n), (p, -1.0), (q, 1.0)], "==", 0.0)


def _set_row_bounds(con: pulp.LpConstraint, lo: float, hi: float) -> None:
    """Give a one-sided or equality PuLP row the bounds [lo, hi] (one of them infinite or equal)."""
    if lo == hi:
        con.sense, con.constant = pulp.LpConstraintEQ, -lo
    elif np.isinf(lo):
        con.sense, con.constant = pulp.LpConstraintLE, -hi
    elif np.isinf(hi):
        con.sense, con.constant = pulp.LpConstraintGE, -lo
    else:  # pragma: no cover - the model never asks for a ranged row
        raise ValueError("ranged rows are not representable in PuLP")


def set_objective(m: LpModel) -> None:
    costs = stage1_costs(m, m.inputs)
    m.prob.setObjective(pulp.LpAffineExpression(
        list(zip(m.cols["z"].items, costs.tolist(), strict=True))))


FAMILIES = (
    add_allocations,
    add_service_bounds,
    add_funding,
    add_scheme_bounds,
    add_stability,
    add_fairness,
    add_anchors,
)


def build_model(inputs: ModelInputs) -> LpModel:
    """Build the PuLP problem for a scenario: every family in order, then the objective."""
    m = LpModel(inputs, pulp.LpProblem(f"budgetopt_{inputs.scenario.name}", pulp.LpMaximize))
    for family in FAMILIES:
        family(m)
    set_objective(m)
    return m


# --------------------------------------------------------------------------------------------
# Stage-2 and stage-3 costs (uniqueness)
# --------------------------------------------------------------------------------------------
def tie_break(index: np.ndarray | int) -> np.ndarray:
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
    """Stage 2: relative distance from last year's service totals and from need-share splits."""
    ds = m.inputs.dataset
    base = ds.services["last_year_gbp"]
    order = {s: i for i, s in enumerate(ds.services.index)}
    area = {a: j for j, a in enumerate(ds.areas.index)}

    def scale(keys: list[tuple]) -> np.ndarray:
        return np.array([ANCHOR_COST_SCALE / max(base[k[0]], ANCHOR_BASE_FLOOR) for k in keys])

    keys = m.cols["up"].keys
    per_service = scale(keys) * (1 + TIE_SPREAD * tie_break([order[k[0]] for k in keys]))
    costs = {"up": per_service, "dn": per_service}
    if "p" in m.cols:
        keys = m.cols["p"].keys
        cell = [order[k[0]] * len(area) + area[k[1]] for k in keys]
        costs["p"] = costs["q"] = scale(keys) * (1 + AREA_TIE_SPREAD * tie_break(cell))
    return costs


def flow_costs(m: LpModel) -> dict[str, np.ndarray]:
    """Stage 3: pay each service from ring-fenced money first, unrestricted money last, with a
    fixed pseudo-random order between (stream, service) cells so the split is unique."""
    ds = m.inputs.dataset
    streams = ds.streams
    order = {s: i for i, s in enumerate(ds.services.index)}
    stream_no = {f: i for i, f in enumerate(streams.index)}
    n = len(order)
    keys = m.cols["g"].keys
    rank = np.array([0.0 if streams.at[f, "ring_fenced"] else 1.0 for f, _, _ in keys])
    cell = [stream_no[f] * n + order[s] for f, s, _ in keys]
    return {"g": (1 + rank) * (1 + TIE_SPREAD * tie_break(cell))}
