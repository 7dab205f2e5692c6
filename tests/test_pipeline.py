"""pipeline.run_scenario: one way from parameters to a solved scenario, whatever the front end."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from budgetopt.core.errors import InputError
from budgetopt.data.scenario import Scenario
from budgetopt.pipeline import run_scenario
from budgetopt.reporting.outputs import write_outputs

from tiny_dataset import write_floors_too_high, write_tiny

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "parameters" / "baseline.yaml"


def allocation(run) -> pd.Series:
    return run.result.allocation().set_index(["year", "service_id", "area_id"])["amount_gbp"]


@pytest.fixture(scope="module")
def baseline_run():
    return run_scenario(BASELINE)


def test_a_file_a_scenario_and_a_mapping_give_the_same_run(baseline_run):
    raw = yaml.safe_load(BASELINE.read_text())
    from_model = run_scenario(Scenario.model_validate(raw), repo_root=REPO)
    from_mapping = run_scenario(raw, params_file="parameters/baseline.yaml", repo_root=REPO)
    for run in (from_model, from_mapping):
        assert allocation(run).equals(allocation(baseline_run))
    assert baseline_run.params_file == BASELINE
    assert from_mapping.params_file == REPO / "parameters" / "baseline.yaml"
    assert from_model.params_file is None and from_model.repo_root == REPO


def test_a_run_holds_everything_the_front_ends_show(baseline_run):
    run = baseline_run
    assert run.is_met and run.diagnosis is None and run.solver == "highs"
    assert run.dataset is run.inputs.dataset and run.scenario is run.inputs.scenario
    assert set(run.timings) == {"load", "resolve", "build", "solve", "tables"}
    assert all(t >= 0 for t in run.timings.values())
    alloc = run.result.allocation()
    assert run.result.totals() == alloc.groupby("year")["amount_gbp"].sum().to_dict()
    assert run.explainer.binding_limits(), "the kept model explains itself"


def test_handing_over_the_allocator_re_solves_warm_to_the_cold_answer(tmp_path):
    first = run_scenario(BASELINE)
    cut = Scenario.model_validate(yaml.safe_load(BASELINE.read_text())).with_changes(
        name="cut", budget_change_pct=-3)
    warm = run_scenario(cut, dataset=first.dataset, allocator=first.allocator, repo_root=REPO)
    cold = run_scenario(cut, repo_root=REPO)
    assert warm.solution.warm and not cold.solution.warm
    assert warm.allocator is first.allocator and "build" not in warm.timings
    assert allocation(warm).equals(allocation(cold))
    longer = run_scenario(cut.with_changes(plan_years=2), dataset=first.dataset,
                          allocator=first.allocator, repo_root=REPO)
    assert longer.allocator is not first.allocator  # another structure: a new model


def test_a_scenario_that_cannot_be_met_is_a_result_with_its_diagnosis(tmp_path):
    data = write_floors_too_high(tmp_path / "data")
    run = run_scenario({"name": "floors", "title": "Floors", "dataset": str(data),
                        "plan_years": 2}, repo_root=REPO)
    assert not run.is_met and run.status.is_infeasible
    assert run.diagnosis is not None and run.diagnosis.found and "diagnose" in run.timings
    out = tmp_path / "out"
    out.mkdir()
    (out / "allocation.csv").write_text("stale")
    write_outputs(run, out, workbook=False, manifest=False)
    assert not (out / "allocation.csv").exists(), "a stale table must not survive"
    summary = json.loads((out / "result.json").read_text())
    assert summary["status"] == "infeasible"
    assert "scheme floor" in {c["family"] for c in summary["diagnosis"]["changes"]}


def test_bad_parameters_name_the_file_and_key():
    with pytest.raises(InputError) as info:
        run_scenario({"name": "x", "title": "X", "dataset": "data/devon-cornwall",
                      "fairness_tolerance": 3}, params_file="parameters/x.yaml",
                     repo_root=REPO)
    text = info.value.report()
    assert "parameters/x.yaml" in text and "fairness_tolerance" in text


def test_the_solver_can_be_named_by_the_caller(tmp_path):
    run = run_scenario({"name": "tiny", "title": "Tiny", "dataset": str(write_tiny(tmp_path)),
                        "plan_years": 2}, solver="cbc", repo_root=REPO)
    assert run.solver == "cbc" and run.status.solver == "cbc" and run.is_met


def test_write_outputs_writes_every_file_of_a_run(tmp_path, baseline_run):
    write_outputs(baseline_run, tmp_path)
    for name in ("allocation.csv", "flows.csv", "result.json", "allocation.xlsx",
                 "manifest.json"):
        assert (tmp_path / name).is_file(), name
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["scenario"] == "baseline"
    assert manifest["dataset_hash"] == baseline_run.dataset.content_hash
