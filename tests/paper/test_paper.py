"""The paper's content: generated from the result, so a change in the data changes the words."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import nbformat

from budgetopt.paper.document import Paper
from budgetopt.paper.registry import SECTIONS
from budgetopt.pipeline import run_scenario

from tiny_dataset import TABLES, write_floors_too_high, write_tiny

REPO = Path(__file__).resolve().parents[2]


def tiny_paper(folder: Path, **scenario) -> Paper:
    params = {"name": "tiny", "title": "Tiny", "dataset": str(folder), "plan_years": 2,
              **scenario}
    return Paper(run_scenario(params, repo_root=REPO))


def test_parameters_cell_defaults_are_what_a_file_gets_for_a_key_it_leaves_out():
    """papermill keeps the notebook's default for every key a -f file leaves out, so the
    defaults are the Scenario model's own (before issue 10 they were the baseline's, and a file
    without pins ran with the baseline's two pins under papermill but none under budgetopt
    run); the fields a file must give hold a small example."""
    nb = nbformat.read(REPO / "notebooks" / "paper.ipynb", as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    values = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.AnnAssign), "the parameters cell holds annotated literals"
        values[node.target.id] = ast.literal_eval(node.value)  # literals only
    from budgetopt.data.scenario import Scenario

    for name, field in Scenario.model_fields.items():
        if field.is_required():
            assert values[name], name
        else:
            assert values[name] == Scenario.model_validate(
                {"name": "x", "title": "x", "dataset": "x"}).model_dump(mode="json")[name], name
    assert values["pins"] == [] and values["dataset"] == "data/devon-cornwall"


def test_every_parameter_is_documented_for_papermill():
    import papermill as pm

    params = pm.inspect_notebook(str(REPO / "notebooks" / "paper.ipynb"))
    assert all(p["help"] for p in params.values())
    assert params["fairness_tolerance"]["inferred_type_name"] == "float"


def test_sentences_follow_the_data(tmp_path):
    a = tiny_paper(write_tiny(tmp_path / "a"))
    amounts = [line.replace("core,2025,700", "core,2025,600") for line in
               TABLES["stream_amounts"]]
    b = tiny_paper(write_tiny(tmp_path / "b", stream_amounts=amounts))
    assert "£1,000" in a.section("purpose").html and "£900" in b.section("purpose").html
    assert a.section("summary").html != b.section("summary").html
    assert "£900" in b.section("summary").html


def test_status_quo_sentence_compares_social_value(tmp_path):
    p = tiny_paper(write_tiny(tmp_path))
    html = p.section("status_quo").html
    assert "status quo" in html and "more, for the same money" in html


def test_a_scenario_that_cannot_be_met_shows_no_allocation(tmp_path):
    p = tiny_paper(write_floors_too_high(tmp_path))
    assert not p.result.is_optimal
    assert all(p.section(name).html == "" for name in ("summary", "allocation", "shaping"))
    html = p.section("not_met").html
    assert "Why this scenario cannot be met" in html
    assert "Lower the floor of Local in 2025/26 from £5,000" in html


def test_a_paper_that_cannot_be_met_is_numbered_for_what_it_shows(tmp_path):
    """The cannot-be-met variant counts its own numbers: the diagnosis is section 1 with Table 1,
    funding section 2 with Table 2, and the appendices start again at A."""
    p = tiny_paper(write_floors_too_high(tmp_path))
    headings = {}
    for spec in SECTIONS:
        if spec.shown(met=False):
            html = p.section(spec.name).html
            headings[spec.name] = (re.findall(r"<h2[^>]*>(.*?)</h2>", html),
                                   sorted(set(re.findall(r"Table [A-Z]?\d+", html))))
    assert headings["not_met"] == (["1 Why this scenario cannot be met"], ["Table 1"])
    assert headings["funding"] == (["2 Funding available"], ["Table 2"])
    appendices = [h[0][0].split(".")[0] for name, h in headings.items()
                  if name in {s.name for s in SECTIONS if s.kind == "appendix"}]
    assert appendices == [f"Appendix {c}" for c in "ABCD"[:len(appendices)]]
    assert "Table D1" in headings["appendix_manifest"][1]


def test_sections_are_numbered_in_the_frame_order(tmp_path):
    p = tiny_paper(write_tiny(tmp_path))
    numbered = [s.name for s in SECTIONS if s.kind == "numbered" and s.shown(met=True)]
    risks = numbered.index("risks") + 1
    assert risks == 13  # purpose, recommendations, summary, ..., what shapes the allocation
    with_robust = [s.name for s in SECTIONS if s.kind == "numbered" and s.shown(True, True)]
    assert with_robust.index("risks") + 1 == risks + 1  # "How sure can we be?" comes before
    assert f"<h2>{risks} Risks and limits</h2>" in p.section("risks").html
    assert f"section {risks}" in p.section("recommendations").html


def test_binding_limits_are_in_words(tmp_path):
    schemes = [line.replace("victims,Victims,0,10000,false,", "victims,Victims,0,400,false,")
               for line in TABLES["schemes"]]
    p = tiny_paper(write_tiny(tmp_path, schemes=schemes), stability_limit=1.0)
    assert p.result.is_optimal
    html = p.section("shaping").html
    # one line per family, with the most that releasing one limit of it adds, and where
    assert "<th scope=\"row\">Scheme cap</th>" in html and "<td>Victims</td>" in html
    assert "Most that releasing £100k of one adds" in html


def test_charts_carry_alt_text_from_the_data(tmp_path):
    html = tiny_paper(write_tiny(tmp_path)).section("change").html
    assert 'role="img"' in html and "aria-label=" in html
    assert "<title>" in html and "Victims" in html


def test_paper_writes_result_files(tmp_path):
    out = tmp_path / "out"
    params = {"name": "tiny", "title": "Tiny", "dataset": str(write_tiny(tmp_path / "d")),
              "plan_years": 2}
    from budgetopt.reporting.manifest import run_manifest
    from budgetopt.reporting.outputs import write_manifest_file, write_outputs

    run = run_scenario(params, repo_root=REPO)
    write_outputs(run, out, manifest=False)
    p = Paper(run, manifest=run_manifest(run))
    assert not (out / "manifest.json").exists(), "the manifest is written as the paper ends"
    p = p.with_manifest(write_manifest_file(run, out))
    for name in ("allocation.csv", "flows.csv", "result.json", "allocation.xlsx",
                 "manifest.json"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "optimal"
    assert manifest["dataset_hash"] == p.ds.content_hash


def test_change_chart_shows_the_largest_changes_and_says_what_it_leaves_out():
    import pandas as pd

    from budgetopt.paper import charts

    change = pd.DataFrame({"service_id": [f"s{i}" for i in range(100)],
                           "change_gbp": [(i - 50) * 1000 for i in range(100)]})
    names = pd.Series({f"s{i}": f"Service {i}" for i in range(100)})
    svg = charts.change_by_service(change, names, "2025/26", "2024/25", most=40)
    assert "59 smaller changes are not shown" in svg  # 99 non-zero changes, 40 shown
    assert "Service 99" in svg and "Service 0" in svg and "Service 51" not in svg


def test_names_from_the_data_are_escaped_in_html():
    import pandas as pd

    from budgetopt.paper.html import bullet_list, html_table

    evil = "<script>alert(1)</script>"
    html = html_table(pd.DataFrame({"Service": [evil], "£": [1]}), evil, money_cols=["£"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>" not in bullet_list([evil])


def test_the_stability_limit_is_worded_as_the_model_applies_it(tmp_path):
    # the band is δ × the base-year amount in every year (docs/model.md), so the paper says so
    html = tiny_paper(write_tiny(tmp_path), stability_limit=0.2).section("allocation").html
    assert "moves by at most 20% of its 2024/25 amount in any one year" in html
    assert "of last year" not in html
