"""`budgetopt run` before and after the kernels (fast: no notebook runs): which files run, and what
the index says of every scenario asked for (issue 10, points 14 and 15)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from budgetopt.reporting import batch
from budgetopt.reporting.index import write_index
from budgetopt.reporting.scenario_folder import INTERRUPTED, Outcome

REPO = Path(__file__).resolve().parents[2]
BASELINE = REPO / "parameters" / "baseline.yaml"


def test_two_files_with_the_same_name_are_refused(tmp_path):
    twin = tmp_path / "copy.yaml"
    twin.write_text(BASELINE.read_text().replace("dataset: data/devon-cornwall",
                                                 f"dataset: {REPO / 'data' / 'devon-cornwall'}"))
    valid, invalid = batch.validate_all([BASELINE, twin])
    assert valid == [BASELINE]
    ((path, error),) = invalid
    assert path == twin
    assert "scenario name 'baseline' is also used by" in error.report()
    assert "key 'name'" in error.report()


def test_an_invalid_file_gets_a_row_naming_its_first_problem(tmp_path):
    bad = tmp_path / "typo.yaml"
    bad.write_text("name: typo\ntitle: Typo\ndataset: data/devon-cornwall\n"
                   "stability_limit: 7\nfairness_tolerance: -1\n")
    _, ((path, error),) = batch.validate_all([bad])
    outcome = batch.invalid_outcome(path, error, tmp_path / "reports", set())
    assert outcome.state == "invalid" and outcome.name == "typo"
    assert outcome.message.startswith("Not run: ")
    assert "and 1 more problem; budgetopt validate" in outcome.message


def test_a_scenario_refused_for_an_invalid_dataset_gets_its_row(tmp_path):
    # the case: a valid parameters file whose dataset is invalid ("1,6", a decimal
    # comma, in curves.csv) was missing from the index; only the terminal mentioned it
    data = tmp_path / "data"
    shutil.copytree(REPO / "data" / "devon-cornwall", data)
    curves = data / "curves.csv"
    lines = curves.read_text().splitlines()
    head, first = lines[0].split(","), lines[1].split(",")
    first[head.index("outcomes_per_1k_gbp")] = '"1,6"'
    curves.write_text("\n".join([lines[0], ",".join(first), *lines[2:]]) + "\n")
    params = tmp_path / "commas.yaml"
    params.write_text(f"name: commas\ntitle: Decimal commas\ndataset: {data}\n")
    _, ((path, error),) = batch.validate_all([params])
    outcome = batch.invalid_outcome(path, error, tmp_path / "reports", set())
    html = write_index(tmp_path / "reports", [outcome], None, REPO).read_text()
    (row,) = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert "Decimal commas" in row and "invalid" in row
    assert "curves.csv, line 2, column &#x27;outcomes_per_1k_gbp&#x27;" in row


def _finished(folder: Path, status: str, total: int) -> None:
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps({
        "status": status, "title": folder.name, "total_allocated_gbp": total,
        "social_value_gbp": 1_000_000, "per_year": {}}))
    (folder / "paper.pdf").write_bytes(b"%PDF")
    (folder / "paper.html").write_text("<p>paper</p>")


def test_the_index_shows_every_scenario_asked_for(tmp_path):
    # before: an invalid file was missing from the index (only the terminal named it), and a
    # scenario that cannot be met linked a "paper" without saying it is its diagnosis
    out = tmp_path / "reports"
    _finished(out / "baseline", "optimal", 9_000_000)
    _finished(out / "floors", "infeasible", 0)
    (out / "late").mkdir()
    (out / "late" / "error.txt").write_text(INTERRUPTED + "\n")
    stale = out / "typo"  # an old paper in the folder of a file that is now invalid
    _finished(stale, "optimal", 8_000_000)
    outcomes = [
        Outcome("baseline", "Baseline", out / "baseline", "paper", "Paper written", 1.0),
        Outcome("floors", "Floors too high", out / "floors", "not met", "cannot be met",
                      1.0),
        Outcome("late", "Late one", out / "late", "interrupted", INTERRUPTED, 0.0),
        Outcome("typo", "Typo", stale, "invalid",
                      "Not run: typo.yaml, key 'stability_limit' — too big", 0.0),
    ]
    html = write_index(out, outcomes, out / "baseline", REPO).read_text()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 4
    assert 'href="baseline/paper.html">paper</a>' in rows[0]
    assert 'href="floors/paper.html">diagnosis paper</a>' in rows[1]
    assert "interrupted" in rows[2] and 'href="late/error.txt"' in rows[2]
    assert "invalid" in rows[3] and "key &#x27;stability_limit&#x27; — too big" in rows[3]
    assert "8,000,000" not in rows[3] and "paper.pdf" not in rows[3]  # the stale paper is not it


def _planned(folder: Path, dataset: str, total: int) -> Outcome:
    """A finished scenario's folder whose result and manifest say it planned ``dataset``."""
    _finished(folder, "optimal", total)
    summary = json.loads((folder / "result.json").read_text())
    (folder / "result.json").write_text(json.dumps({**summary, "dataset": Path(dataset).name}))
    (folder / "manifest.json").write_text(json.dumps({"parameters": {"dataset": dataset}}))
    return Outcome(folder.name, folder.name, folder, "paper", "Paper written", 1.0)


def test_another_forces_scenarios_are_not_compared_with_the_default_baseline(tmp_path):
    # before: a run of parameters/thames-valley/baseline.yaml alone solved the Devon & Cornwall
    # parameters/baseline.yaml as its baseline, and the index and comparison set Thames Valley's
    # schemes and areas against Devon & Cornwall's (−£11.1m "against baseline")
    out = tmp_path / "reports"
    tv = _planned(out / "tv-baseline", "data/thames-valley", 17_000_000)
    assert batch.ensure_baseline(out, REPO, [tv]) is None
    assert not (out / "_baseline").exists()  # nothing solved for it
    html = write_index(out, [tv], None, REPO).read_text()
    assert "no baseline to compare with" in html


def test_a_left_over_baseline_of_another_dataset_is_not_compared_with(tmp_path):
    from budgetopt.paper.comparison import Comparison

    out = tmp_path / "reports"
    _planned(out / "baseline", "data/devon-cornwall", 28_000_000)  # an earlier run's
    _planned(out / "tv-baseline", "data/thames-valley", 17_000_000)
    comp = Comparison.from_reports(["tv-baseline"], reports_dir=str(out), repo_root=str(REPO))
    assert comp.baseline is None
    same = Comparison.from_reports(["baseline"], reports_dir=str(out), repo_root=str(REPO))
    assert same.baseline is not None and same.baseline.name == "baseline"


def test_in_a_mixed_run_another_forces_plan_is_not_set_against_the_baseline(tmp_path):
    out = tmp_path / "reports"
    base = _planned(out / "baseline", "data/devon-cornwall", 28_000_000)
    tv = _planned(out / "tv-baseline", "data/thames-valley", 17_000_000)
    cut = _planned(out / "cut", "data/devon-cornwall", 27_000_000)
    for o in (base, tv, cut):  # an allocation each, so each counts as solved
        (o.folder / "allocation.csv").write_text(
            "scheme_id,service_id,area_id,year,amount_gbp\nk,s,force,2025,1\n")
    html = write_index(out, [base, tv, cut], out / "baseline", REPO).read_text()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].split("<tr>")[1:]
    [tv_row] = [r for r in rows if "tv-baseline" in r]
    [cut_row] = [r for r in rows if ">cut<" in r or "cut/" in r]
    assert "11,000,000" not in tv_row  # before: −£11,000,000 against the Devon & Cornwall one
    assert "1,000,000" in cut_row  # the same force's alternative still is


def _interrupted_run(out: Path, baseline_state: str) -> list[Outcome]:
    """A run of the baseline and one alternative, stopped by Ctrl+C while the alternative ran."""
    base = out / "baseline"
    if baseline_state == "paper":
        _finished(base, "optimal", 9_000_000)
        summary = json.loads((base / "result.json").read_text())
        (base / "result.json").write_text(json.dumps({**summary, "title": "Baseline"}))
    else:
        base.mkdir(parents=True)
        (base / "error.txt").write_text(INTERRUPTED + "\n")
    (out / "cut").mkdir()
    (out / "cut" / "error.txt").write_text(INTERRUPTED + "\n")
    return [Outcome("baseline", "Baseline", base, baseline_state, "", 1.0),
            Outcome("cut", "Cut", out / "cut", "interrupted", INTERRUPTED, 0.0)]


def test_an_interrupted_runs_index_says_how_far_it_got_and_against_what(tmp_path):
    # before: "2 scenarios; no baseline to compare with." though the baseline's paper finished
    from budgetopt.reporting.interrupted_run import finished_baseline

    out = tmp_path / "reports"
    outcomes = _interrupted_run(out, "paper")
    baseline = finished_baseline(outcomes)
    assert baseline == out / "baseline"
    html = write_index(out, outcomes, baseline, REPO, interrupted=True).read_text()
    assert ("This run was interrupted: 1 of 2 scenarios finished (run again to finish the "
            "others); those that finished are set against the baseline, Baseline.") in html
    assert "no baseline" not in html

    out = tmp_path / "again"
    outcomes = _interrupted_run(out, "interrupted")
    assert finished_baseline(outcomes) is None
    html = write_index(out, outcomes, None, REPO, interrupted=True).read_text()
    assert ("This run was interrupted: 0 of 2 scenarios finished (run again to finish the "
            "others); the baseline did not finish, so none is set against it.") in html


def test_an_interrupted_run_withdraws_a_comparison_it_did_not_make(tmp_path):
    # before: the index linked the earlier run's comparison/paper.pdf, which compared
    # scenarios that now held only error.txt
    from budgetopt.reporting.interrupted_run import COMPARISON_WITHDRAWN, withdraw_comparison

    out = tmp_path / "reports"
    outcomes = _interrupted_run(out, "paper")
    earlier = out / "comparison"
    for name in ("paper.pdf", "paper.html", "paper.ipynb", ".partial.ipynb",
                 ".paper.html.x1.tmp"):
        (earlier / name).parent.mkdir(exist_ok=True)
        (earlier / name).write_text("the earlier run's")
    withdraw_comparison(out)
    assert sorted(p.name for p in earlier.iterdir()) == ["error.txt"]
    assert (earlier / "error.txt").read_text().strip() == COMPARISON_WITHDRAWN
    html = write_index(out, outcomes, out / "baseline", REPO, interrupted=True).read_text()
    assert "comparison/paper" not in html
    assert (f"No comparison paper: {COMPARISON_WITHDRAWN.replace(chr(39), '&#x27;')} "
            '(<a href="comparison/error.txt">error.txt</a>)') in html
    withdraw_comparison(tmp_path / "first")  # a first run: the folder is made to say so
    assert (tmp_path / "first" / "comparison" / "error.txt").is_file()


def test_a_file_in_the_way_of_a_scenarios_folder_is_named_with_the_fix(tmp_path):
    # before: "…/baseline is a file, not a folder; choose a folder (--out)", which pointed at
    # the wrong fix: the output folder is fine, the scenario's name is taken by a file
    out = tmp_path / "reports"
    out.mkdir()
    (out / "baseline").write_text("a file of the user's")
    outcome = batch.run_one(BASELINE, out, REPO)
    assert outcome.state == "failed"
    assert outcome.message == (
        f"Cannot write the paper of scenario 'baseline': its folder would be {out / 'baseline'}, "
        "but that is a file already there; rename the scenario (name: in its parameters file) "
        "or move that file.")
    assert (out / "baseline").read_text() == "a file of the user's"
