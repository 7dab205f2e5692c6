"""Every parameters file loads; bad scenarios are reported with the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from budgetopt.core.errors import InputError, Problem
from budgetopt.data.inputs import load_inputs
from budgetopt.data.scenario import load_scenario, scenario_dataset_path

REPO_ROOT = Path(__file__).resolve().parents[2]
PARAMETER_FILES = sorted((REPO_ROOT / "parameters").glob("*.yaml"))

BASE = {"name": "test", "title": "Test scenario", "dataset": "data/devon-cornwall"}


def test_there_are_parameter_files():
    assert PARAMETER_FILES, "parameters/*.yaml is empty"
    assert any(p.name == "baseline.yaml" for p in PARAMETER_FILES)


@pytest.mark.parametrize("path", PARAMETER_FILES, ids=[p.name for p in PARAMETER_FILES])
def test_parameter_file_loads(path):
    inputs = load_inputs(path)
    scenario = inputs.scenario
    assert inputs.years == inputs.dataset.plan_years[: scenario.plan_years]
    assert set(inputs.stream_amounts.columns) == set(inputs.years)
    assert (inputs.stream_amounts.to_numpy() >= 0).all()
    assert path.stem == scenario.name, "a scenario's name should match its file name"


# --------------------------------------------------------------------------------------------
def write(tmp_path: Path, extra: dict, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({**BASE, **extra}, sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_inputs(path)
    return info.value.problems


def expect(path: Path, key: str | None, rule: str | None = None) -> Problem:
    found = problems(path)
    hits = [p for p in found
            if Path(p.file).name == path.name and p.key == key
            and (rule is None or rule.lower() in p.rule.lower())]
    shown = "\n".join(f"  {p}  [key={p.key!r}]" for p in found)
    assert hits, f"no problem with key {key!r} and rule {rule!r} in {path.name}; got:\n{shown}"
    return hits[0]


def test_minimal_scenario_loads(tmp_path):
    inputs = load_inputs(write(tmp_path, {}))
    assert inputs.years == [2025, 2026, 2027]


@pytest.mark.parametrize(("extra", "key", "rule"), [
    ({"colour": "blue"}, "colour", "unknown key"),
    ({"pins": [{"service": "vs-core", "year": 2025, "amount_gbp": 1, "reason": "contract",
                "colour": "blue"}]}, "pins.0.colour", "unknown key"),
    ({"plan_years": "three"}, "plan_years", "must be a whole number from 1 to 5"),
    ({"fairness_tolerance": "ten percent"}, "fairness_tolerance", "must be a number"),
    ({"stream_amounts": ["core"]}, "stream_amounts", "dictionary"),
    ({"solver": "gurobi"}, "solver", "'highs' or 'cbc'"),
    ({"fairness_tolerance": 1.5}, "fairness_tolerance", "must be at most 1"),
    ({"fairness_tolerance": -0.1}, "fairness_tolerance", "must be at least 0"),
    ({"fairness_tolerance": float("inf")}, "fairness_tolerance", "finite"),
    ({"stability_limit": 2}, "stability_limit", "must be at most 1"),
    ({"stability_limit": -0.01}, "stability_limit", "must be at least 0"),
    ({"plan_years": 0}, "plan_years", "must be at least 1"),
    ({"plan_years": 6}, "plan_years", "must be at most 5"),
    ({"budget_change_pct": 80}, "budget_change_pct", "must be at most 50"),
    ({"pins": [{"service": "vs-core", "year": 2025, "amount_gbp": 1, "reason": "x"}]},
     "pins.0.reason", "at least 3 characters"),
    ({"pins": [{"service": "vs-core", "year": 2025, "amount_gbp": 1, "reason": "   "}]},
     "pins.0.reason", "at least 3 characters"),
    ({"pins": [{"service": "vs-core", "year": 2025, "amount_gbp": 1, "reason": "  x "}]},
     "pins.0.reason", "at least 3 characters"),
    ({"name": "has space"}, "name", "may hold only letters, digits"),
    ({"pins": [{"service": "vs-core", "year": "2025/zz", "amount_gbp": 1, "reason": "test"}]},
     "pins.0.year", "not a year: write it as 2025 or 2025/26"),
    ({"stream_amounts": {"core": {"2025/zz": 1}}}, "stream_amounts.core",
     "'2025/zz' is not a year"),
], ids=["unknown-key", "unknown-pin-key", "plan-years-type", "tau-type", "streams-type",
        "solver", "tau-high", "tau-negative", "tau-inf", "delta-high", "delta-negative",
        "plan-years-0", "plan-years-6", "budget-change-range", "short-reason", "blank-reason",
        "spaced-reason", "bad-name", "pin-year-not-a-year", "stream-year-not-a-year"])
def test_scenario_schema_errors(tmp_path, extra, key, rule):
    path = write(tmp_path, extra)
    expect(path, key, rule)
    # the model alone (no dataset) reports the same problem
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert any(p.key == key for p in info.value.problems)


def test_negative_stream_override_is_reported(tmp_path):
    path = write(tmp_path, {"stream_amounts": {"core": -1}})
    found = [p for p in problems(path) if "must be at least 0" in p.rule]
    assert found and Path(found[0].file).name == path.name
    assert found[0].key.startswith("stream_amounts.core")


def test_negative_stream_override_names_plain_key_once(tmp_path):
    found = problems(write(tmp_path, {"stream_amounts": {"core": -1}}))
    assert [p.key for p in found] == ["stream_amounts.core"]


def test_missing_required_key(tmp_path):
    path = tmp_path / "scenario.yaml"
    path.write_text("name: x\ndataset: data/devon-cornwall\n")
    expect(path, "title", "required key is missing")


def test_five_plan_years_load(tmp_path):
    inputs = load_inputs(write(tmp_path, {"plan_years": 5}))
    assert inputs.years == [2025, 2026, 2027, 2028, 2029]


def test_more_plan_years_than_the_dataset_has(tmp_path, csv_edit):
    csv_edit.edit_manifest(lambda m: m.update(plan_years=[2025, 2026, 2027]))
    for year in ("2028", "2029"):
        csv_edit.delete_rows("stream_amounts", {"year": year})
    path = write(tmp_path, {"dataset": str(csv_edit.folder), "plan_years": 4})
    p = expect(path, "plan_years", "the dataset has 3 plan years")
    assert p.value == 4


def test_unknown_stream(tmp_path):
    expect(write(tmp_path, {"stream_amounts": {"sv-duty": 100}}), "stream_amounts.sv-duty",
           "unknown stream")


def test_stream_override_year_outside_plan(tmp_path):
    expect(write(tmp_path, {"stream_amounts": {"core": {"2029/30": 100}}}),
           "stream_amounts.core.2029", "not a plan year")


def test_unknown_priority(tmp_path):
    expect(write(tmp_path, {"priority_weights": {"burglary": 2}}), "priority_weights.burglary",
           "unknown priority")


def test_all_priority_weights_zero(tmp_path):
    weights = dict.fromkeys(["asb", "drugs-alcohol", "serious-violence", "theft", "road-safety",
                             "victims"], 0)
    expect(write(tmp_path, {"priority_weights": weights}), "priority_weights", "above 0")


def test_unknown_pin_service(tmp_path):
    pins = [{"service": "vs-core", "year": 2025, "amount_gbp": 1_200_000, "reason": "contract"},
            {"service": "vs-cor", "year": 2025, "amount_gbp": 1, "reason": "typo"}]
    p = expect(write(tmp_path, {"pins": pins}), "pins.1.service", "unknown service")
    assert p.value == "vs-cor"


@pytest.mark.parametrize("year", [2024, 2028, "2028/29"])
def test_pin_year_outside_plan_years(tmp_path, year):
    pins = [{"service": "vs-core", "year": year, "amount_gbp": 1, "reason": "contract"}]
    p = expect(write(tmp_path, {"pins": pins}), "pins.0.year", "not a plan year")
    assert p.value in {2024, 2028}


def test_budget_change_with_core_override(tmp_path):
    path = write(tmp_path, {"budget_change_pct": -5, "stream_amounts": {"core": 4_000_000}})
    expect(path, "budget_change_pct", "not both")


def test_budget_change_with_ring_fenced_override_is_fine(tmp_path):
    load_inputs(write(tmp_path, {"budget_change_pct": -5, "stream_amounts": {"hotspot": 0}}))


def test_duplicate_pin(tmp_path):
    pins = [{"service": "vs-core", "year": 2025, "amount_gbp": 1, "reason": "contract"},
            {"service": "vs-core", "year": "2025/26", "amount_gbp": 2, "reason": "again"}]
    path = write(tmp_path, {"pins": pins})
    found = problems(path)
    assert any("pinned twice" in p.rule for p in found)
    assert any(p.key in {"pins", "pins.1"} for p in found)


def test_duplicate_pin_is_reported(tmp_path):
    # the rule fires and names the file, whatever key it carries
    pins = [{"service": "vs-core", "year": 2025, "amount_gbp": 1, "reason": "contract"},
            {"service": "vs-core", "year": 2025, "amount_gbp": 2, "reason": "again"}]
    path = write(tmp_path, {"pins": pins})
    hits = [p for p in problems(path) if "pinned twice" in p.rule]
    assert hits and Path(hits[0].file).name == path.name


@pytest.mark.parametrize("text", ["- a\n- b\n", "name: [unclosed\n", ""],
                         ids=["list", "bad-yaml", "empty"])
def test_not_a_parameters_mapping(tmp_path, text):
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    found = problems(path)
    assert found and all(Path(p.file).name == "scenario.yaml" for p in found)


def test_missing_parameters_file(tmp_path):
    found = problems(tmp_path / "nope.yaml")
    assert "does not exist" in found[0].rule


def test_several_problems_come_together(tmp_path):
    path = write(tmp_path, {"fairness_tolerance": 3, "stability_limit": -1, "colour": "x"})
    keys = {p.key for p in problems(path)}
    assert {"fairness_tolerance", "stability_limit", "colour"} <= keys


# --------------------------------------------------------------------------------------------
def test_relative_dataset_resolves_from_repo_root_whatever_the_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    inputs = load_inputs(REPO_ROOT / "parameters" / "baseline.yaml")
    assert inputs.dataset.path.resolve() == (REPO_ROOT / "data" / "devon-cornwall").resolve()


def test_relative_params_path_with_other_cwd(tmp_path, monkeypatch):
    # run from a subfolder of the repository with a relative path to the parameters file
    monkeypatch.chdir(REPO_ROOT / "data")
    inputs = load_inputs(Path("..") / "parameters" / "baseline.yaml")
    assert inputs.dataset.path.resolve() == (REPO_ROOT / "data" / "devon-cornwall").resolve()


def test_scenario_outside_repo_resolves_from_repo_root(tmp_path, monkeypatch):
    path = write(tmp_path, {})
    monkeypatch.chdir(tmp_path)
    scenario = load_scenario(path)
    assert scenario_dataset_path(scenario, path).resolve() == (
        REPO_ROOT / "data" / "devon-cornwall").resolve()


def test_absolute_dataset_path(tmp_path, default_dataset_dir):
    inputs = load_inputs(write(tmp_path, {"dataset": str(default_dataset_dir)}))
    assert inputs.dataset.path == default_dataset_dir


def test_missing_dataset_folder(tmp_path):
    found = problems(write(tmp_path, {"dataset": "data/no-such-dataset"}))
    assert any("dataset folder does not exist" in p.rule for p in found)


def test_broken_dataset_reported_through_scenario(tmp_path, dataset_copy):
    (dataset_copy / "inflation.csv").write_text("year;rate\n2025;0.03\n")
    found = problems(write(tmp_path, {"dataset": str(dataset_copy)}))
    assert any(Path(p.file).name == "inflation.csv" for p in found)


# ------------------------------------------------------------------ inputs that used to slip by
def test_a_key_written_twice_is_refused(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text("name: a\ntitle: A\ndataset: data/devon-cornwall\nbudget_change_pct: -5\n"
                    "budget_change_pct: 5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    assert p.row == 5 and "found the key 'budget_change_pct' twice (first on line 4)" in p.rule


@pytest.mark.parametrize(("name", "why"), [
    ("comparison", "reports/comparison/ is the comparison paper's folder"),
    ("index.html", "reports/index.html is the index of the run's papers"),
    ("Comparison", "reports/comparison/ is the comparison paper's folder"),
    # before: grants was accepted and its paper written among the grant rounds' folders
    ("grants", "reports/grants/ holds the grant rounds' papers"),
    ("GRANTS", "reports/grants/ holds the grant rounds' papers"),
    # before: README.md passed, and the run failed it for the reports folder's own README
    ("README.md", "reports/README.md is the reports folder's own README"),
    ("readme.md", "reports/README.md is the reports folder's own README"),
])
def test_names_of_what_the_reports_folder_holds_are_refused(tmp_path, name, why):
    p = expect(write(tmp_path, {"name": name}), "name", f"'{name}' is reserved: {why}")
    assert "choose another name" in p.rule


def test_a_name_too_long_for_a_folder_is_refused(tmp_path):
    expect(write(tmp_path, {"name": "x" * 300}), "name", "at most 64 characters")


def test_money_for_a_stream_after_its_end_year_is_refused(tmp_path):
    # the hotspot grant ends in 2025/26 in the default dataset
    p = expect(write(tmp_path, {"stream_amounts": {"hotspot": 1_000_000}}),
               "stream_amounts.hotspot", "ends in 2025/26")
    assert "2026/27" in p.rule
    p = expect(write(tmp_path, {"stream_amounts": {"hotspot": {"2027/28": 5}}}, name="y.yaml"),
               "stream_amounts.hotspot.2027", "no money in 2027/28")
    assert load_inputs(write(tmp_path, {"stream_amounts": {"hotspot": {"2025/26": 900_000}}},
                             name="ok.yaml")).stream_amounts.at["hotspot", 2025] == 900_000


def test_absurd_amounts_in_a_scenario_are_refused(tmp_path):
    pin = {"service": "isva", "year": 2025, "amount_gbp": 1e30, "reason": "Typo"}
    expect(write(tmp_path, {"pins": [pin]}), "pins.0.amount_gbp",
           "must be at most 1,000,000,000")
    expect(write(tmp_path, {"stream_amounts": {"core": 1e12}}, name="s.yaml"),
           "stream_amounts.core", "must be at most 1,000,000,000")


def test_defaults_are_stated_where_papermill_and_the_guide_show_them():
    from budgetopt.data.scenario import Scenario

    fields = Scenario.model_fields
    assert "default 3" in fields["plan_years"].description
    assert "default 0.10" in fields["fairness_tolerance"].description
    assert "default 0.10" in fields["stability_limit"].description
    guide = (REPO_ROOT / "docs" / "user-guide.md").read_text()
    assert "3 plan years" in guide and "τ = δ = 0.10" in guide


HEAD = "name: a\ntitle: A\ndataset: data/devon-cornwall\n"  # lines 1-3 of a scenario below


def refused(path: Path) -> Problem:
    """The one problem of a parameters file refused before its dataset is read."""
    with pytest.raises(InputError) as info:
        load_scenario(path)
    (p,) = info.value.problems
    return p


@pytest.mark.parametrize(("written", "first", "second"), [
    ("{2025: 4000000, 2025/26: 5000000}", "2025", "'2025/26'"),
    ('{2025: 4000000, "2025": 5000000}', "2025", "'2025'"),
    ("{2026/27: 1, 2026: 2}", "'2026/27'", "2026"),
], ids=["year-and-financial-year", "number-and-text", "financial-year-first"])
def test_a_plan_year_written_two_ways_is_refused(tmp_path, written, first, second):
    path = tmp_path / "twice.yaml"
    path.write_text(f"{HEAD}stream_amounts:\n  core: {written}\n", encoding="utf-8")
    p = refused(path)
    assert p.key == "stream_amounts.core"
    assert f"written twice, as {first} and as {second}" in p.rule, p.rule


def test_a_merge_key_is_refused_with_its_line(tmp_path):
    path = tmp_path / "merge.yaml"
    path.write_text(f"{HEAD}priority_weights: &w {{victims: 2}}\nstream_amounts:\n  <<: *w\n",
                    encoding="utf-8")
    p = refused(path)
    assert p.row == 6
    assert "merge keys (<<) are not supported: write the keys out" in p.rule
    assert "constructor" not in p.rule and "tag:" not in p.rule


@pytest.mark.parametrize(("text", "key", "line", "first"), [
    ("priority_weights:\n  victims: 2\n  theft: 1\n  victims: 3\n", "victims", 7, 5),
    ("stream_amounts:\n  core: {2025: 1, 2026: 2, 2025: 3}\n", "2025", 5, 5),
    ("pins:\n  - service: isva\n    year: 2025\n    amount_gbp: 1\n    reason: contract\n"
     "    year: 2026\n", "year", 9, 6),
], ids=["priority-weights", "stream-amounts", "pin"])
def test_a_nested_key_written_twice_is_refused_with_its_line(tmp_path, text, key, line, first):
    path = tmp_path / "nested.yaml"
    path.write_text(HEAD + text, encoding="utf-8")
    p = refused(path)
    assert p.row == line
    assert f"found the key '{key}' twice (first on line {first})" in p.rule


@pytest.mark.parametrize("written", ["1e30", "1.0e+30", "2.5"])
def test_plan_years_not_a_whole_number_says_what_would_do(tmp_path, written):
    path = tmp_path / "years.yaml"
    path.write_text(f"{HEAD}plan_years: {written}\n", encoding="utf-8")
    p = refused(path)
    assert (p.key, p.rule) == ("plan_years", "must be a whole number from 1 to 5")


def test_an_absurd_amount_for_a_year_is_named_once_at_its_year(tmp_path):
    path = tmp_path / "absurd.yaml"
    path.write_text(f"{HEAD}stream_amounts: {{core: {{2025: 1.0e+30}}}}\n", encoding="utf-8")
    p = refused(path)  # not also "stream_amounts.core — must be a number" (the other shape)
    assert (p.key, p.rule) == ("stream_amounts.core.2025", "must be at most 1,000,000,000")


def scenario_keys_table() -> dict[str, list[str]]:
    """The user guide's table of scenario keys: key -> [meaning, default, allowed]."""
    lines = (REPO_ROOT / "docs" / "user-guide.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| key | meaning | default | allowed |")
    rows = {}
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        key, *cells = [c.strip() for c in line.strip("|").split("|")]
        rows[key.strip("`")] = cells
    return rows


def test_the_guide_gives_every_scenario_key_its_default_and_range():
    """The table in docs/user-guide.md, section 3, is held to the Scenario model: every key
    (and no other), its default and the bounds of its numbers and its choices."""
    from budgetopt.data.scenario import Scenario
    from budgetopt.data.schemas import figure
    from model_keys import keys, mentions

    rows = scenario_keys_table()
    model = list(keys(Scenario))
    assert sorted(rows) == sorted(k.path for k in model)
    for key in model:
        _meaning, default, allowed = rows[key.path]
        given = key.field.get_default(call_default_factory=True)
        if key.field.is_required():
            assert default == "required", key.path
        elif isinstance(given, int | float) and not isinstance(given, bool):
            assert float(default) == given, (key.path, default, given)
        elif isinstance(given, str) and given:
            assert default == f"`{given}`", (key.path, default, given)
        else:  # None, an empty mapping or list, empty text
            assert default.startswith(("none", "empty")), (key.path, default)
        for low, high in key.bounds():
            assert mentions(allowed, figure(low)) and mentions(allowed, figure(high)), (
                key.path, allowed)
        for choice in key.choices:
            assert f"`{choice}`" in allowed, (key.path, allowed)
