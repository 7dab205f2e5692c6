"""The plan best on average: the point model with each segment's mean value over draws.

With ``objective: expected`` the model keeps every limit of the point model — its funding, its
fairness band around the need shares, every cell's segments — and values one allocation as the
mean over a sample of draws of the uncertain figures (a sample-average LP; the draws come from
:func:`budgetopt.data.uncertainty.sample`). A draw values a plan on its own curves: its effects,
its outcome values and the need intensity its need shares give each area
(:meth:`~budgetopt.data.uncertainty.Draws.valuation_dataset`). Those change the slopes of the
segments, not their widths, so each draw's value of a cell is a concave curve on the same
segments, filled in the same order; their mean is the curve with the mean slopes. The
sample-average LP is therefore the point LP with mean costs: exact, and no larger whatever the
number of draws.
"""

from __future__ import annotations

import numpy as np

from budgetopt.data.inputs import ModelInputs
from budgetopt.data.scenario import Robustness
from budgetopt.data.uncertainty import sample
from budgetopt.model.lp import LpModel
from budgetopt.model.structure import segment_numbers

WIDTH_TOLERANCE = 1e-9  # relative: a valuation draw never changes a segment's width


def expected_values(m: LpModel, inputs: ModelInputs) -> np.ndarray:
    """The mean value per £ of every z column over ``robustness.plan_draws`` valuation draws
    (default 100) from ``robustness.seed``."""
    settings = inputs.scenario.robustness or Robustness.model_validate({})
    draws = sample(inputs.dataset, settings.plan_draws, settings.seed)
    total = np.zeros(len(m.z_value))
    for i in range(len(draws)):
        value, width = segment_numbers(m, draws.valuation_dataset(inputs.dataset, i))
        assert np.allclose(width, m.z_width, rtol=WIDTH_TOLERANCE, atol=0.0)
        total += value
    return total / len(draws)
