"""Draws of the uncertain figures: seeded multipliers, and the inputs of one draw.

The spreads are data (``uncertainty.csv``, :data:`~budgetopt.data.schemas.UNCERTAINTY`). Every
multiplier is lognormal with median 1, ``exp(log_sd · Z)`` with Z standard normal, and the
groups are drawn as docs/model.md ("Uncertainty") states:

* **effect**: one multiplier per service on its whole curve, with its evidence rating's spread;
  services are independent;
* **outcome value**: one multiplier per outcome, shared by every service with that outcome;
* **need**: one multiplier per area-split scheme and area on the area's need share, the shares
  then rescaled to sum to 1; schemes and areas are independent;
* **funding**: one multiplier per stream on every year from its first unconfirmed one
  (perfectly correlated over those years); streams are independent.

All draws are made at once from one seed, in a fixed order (effect, outcome, need, funding), so
draw *i* is the same however the draws are later split between workers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from budgetopt.data.dataset import Dataset
from budgetopt.data.inputs import ModelInputs


@dataclass(frozen=True)
class Draws:
    """``n`` draws of every uncertain figure of a dataset, as multipliers."""

    seed: int
    effect: pd.DataFrame  # draw × service
    outcome_value: pd.DataFrame  # draw × outcome
    need_shares: dict[str, pd.DataFrame]  # scheme → draw × area: drawn need shares
    funding: pd.DataFrame  # draw × stream
    from_year: dict[str, int]  # stream → first unconfirmed plan year

    def __len__(self) -> int:
        return len(self.effect)

    @property
    def uncertain(self) -> bool:
        """Whether any figure varies between draws."""
        frames = [self.effect, self.outcome_value, self.funding,
                  *(f for f in self.need_shares.values())]
        return any(f.nunique().gt(1).any() for f in frames if not f.empty)

    def dataset(self, base: Dataset, i: int) -> Dataset:
        """The dataset of draw ``i``: its curves, outcome values and need shares."""
        shares = base.need_shares.to_numpy().copy()
        for r, scheme in enumerate(base.need_shares.index):
            if scheme in self.need_shares:
                shares[r] = self.need_shares[scheme].loc[i].to_numpy()
        return base.with_figures(
            f"draw {self.seed}/{i}", effect=self.effect.loc[i],
            outcome_value=self.outcome_value.loc[i],
            need_shares=pd.DataFrame(shares, index=base.need_shares.index,
                                     columns=base.need_shares.columns))

    def valuation_dataset(self, base: Dataset, i: int, drawn: Dataset | None = None) -> Dataset:
        """How draw ``i`` values a plan that meets the scenario's own limits: its curves and
        outcome values, and the need intensity (how far a £ goes in each area) its need shares
        give, while the shares themselves — which size each area's curve and centre the
        fairness band — stay the point ones. So every draw values the same feasible plans,
        and a fixed plan's regret is never below zero."""
        drawn = drawn or self.dataset(base, i)
        out = base.with_figures(f"value {self.seed}/{i}", effect=self.effect.loc[i],
                                outcome_value=self.outcome_value.loc[i])
        out.__dict__["need_intensity"] = drawn.need_intensity  # the cached property, given
        return out

    @property
    def every_effect_varies(self) -> bool:
        """Whether every service's effect is drawn with a spread above 0: then no two services'
        segments are worth the same in a draw (with probability one), and the optimum of a
        draw's value is unique without the tie-breaks."""
        return bool(self.effect.nunique().gt(1).all()) if len(self) > 1 else False

    @property
    def limits_vary(self) -> bool:
        """Whether a draw moves the model's limits (funding, or need shares that size areas'
        curves and centre the fairness band), not only the values of plans."""
        frames = [self.funding, *self.need_shares.values()]
        return any(f.nunique().gt(1).any() for f in frames if not f.empty)

    def valuation_inputs(self, base: ModelInputs, i: int,
                         drawn: ModelInputs | None = None) -> ModelInputs:
        """The scenario's own limits with draw ``i``'s values (:meth:`valuation_dataset`;
        ``drawn``: the draw's inputs when already made)."""
        dataset = self.valuation_dataset(base.dataset, i, drawn.dataset if drawn else None)
        return replace(base, dataset=dataset)

    def inputs(self, base: ModelInputs, i: int) -> ModelInputs:
        """The model inputs of draw ``i``, every figure drawn."""
        amounts = base.stream_amounts
        if not self.funding.empty:
            values = amounts.to_numpy(dtype=float).copy()
            later = {first: np.array([y >= first for y in amounts.columns])
                     for first in set(self.from_year.values())}
            for stream, first in self.from_year.items():
                r = amounts.index.get_loc(stream)
                values[r, later[first]] *= float(self.funding.at[i, stream])
            amounts = pd.DataFrame(values, index=amounts.index, columns=amounts.columns)
        return replace(base, dataset=self.dataset(base.dataset, i), stream_amounts=amounts)

    def take(self, rows: list[int] | range) -> Draws:
        """Some of the draws, keeping their numbers (for a worker's share, or a sample)."""
        rows = list(rows)
        return Draws(self.seed, self.effect.loc[rows], self.outcome_value.loc[rows],
                     {k: f.loc[rows] for k, f in self.need_shares.items()},
                     self.funding.loc[rows], dict(self.from_year))


def sample(ds: Dataset, n: int, seed: int) -> Draws:
    """``n`` seeded draws of ``ds``'s uncertain figures (none vary without uncertainty.csv)."""
    rng = np.random.default_rng(seed)
    spread = ds.uncertainty["log_sd"]
    index = pd.RangeIndex(n, name="draw")

    def lognormal(sigma: np.ndarray, columns: pd.Index) -> pd.DataFrame:
        z = rng.standard_normal((n, len(sigma)))
        return pd.DataFrame(np.exp(z * sigma), index=index, columns=columns)

    def sd(kind: str, keys: pd.Index | list[str]) -> np.ndarray:
        return np.array([float(spread.get((kind, k), 0.0)) for k in keys])

    services = ds.services
    effect = lognormal(sd("effect", services["evidence"]), services.index)
    outcome_value = lognormal(sd("outcome_value", ds.outcomes.index), ds.outcomes.index)
    need = {}
    for scheme in ds.need_shares.index:
        sigma = float(spread.get(("need", scheme), 0.0))
        point = ds.need_shares.loc[scheme]
        drawn = lognormal(np.full(len(point), sigma), point.index) * point.to_numpy()
        need[scheme] = drawn.div(drawn.sum(axis=1), axis=0)
    funded = [k for (kind, k) in ds.uncertainty.index if kind == "funding"]
    funding = lognormal(sd("funding", funded), pd.Index(funded, name="stream_id"))
    first = {k: int(ds.uncertainty.at[("funding", k), "from_year"]) for k in funded}
    return Draws(seed, effect, outcome_value, need, funding, first)
