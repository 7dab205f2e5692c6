"""Beyond one machine (issue 11, point 7): the same runs on a Dask cluster — here a LocalCluster
on loopback — give the same results as the local process pool."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from budgetopt.core.errors import InputError
from budgetopt.data.inputs import load_inputs
from budgetopt.data.scenario import Robustness
from budgetopt.robust.analysis import analyse

pytestmark = pytest.mark.slow  # a cluster of worker processes

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "parameters" / "baseline.yaml"


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as c:
        yield c.scheduler_address


def test_draws_on_dask_equal_the_local_pool(cluster):
    base = load_inputs(BASELINE)
    s = Robustness.model_validate({"draws": 60, "seed": 3, "plan_draws": 10})
    on_dask = analyse(base, s, scheduler=cluster)
    local = analyse(base, s, jobs=2)
    assert on_dask.table.equals(local.table)
    assert np.array_equal(on_dask.regret_gbp, local.regret_gbp)
    assert on_dask.evpi_gbp == local.evpi_gbp


def test_budgetopt_run_sends_its_papers_to_dask(cluster, tmp_path):
    from budgetopt.reporting import batch

    messages: list[str] = []
    code = batch.run([BASELINE], tmp_path / "reports", echo=messages.append, progress=False,
                     scheduler=cluster)
    assert code == 0, messages
    assert (tmp_path / "reports" / "baseline" / "paper.pdf").is_file()


def test_a_scheduler_that_does_not_answer_is_said_in_a_sentence():
    with pytest.raises(InputError) as e:
        analyse(load_inputs(BASELINE), Robustness.model_validate({"draws": 10}),
                scheduler="tcp://127.0.0.1:9")
    assert "no Dask scheduler answers there" in e.value.report()
