"""The paper a Panel can use (issue 12): honest status, page 1, sentences right for every sign,
the allocation matrix, placeholders marked where shown, amounts that never wrap."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pandas as pd
import pytest

from budgetopt.core.marking import is_final, paper_title, status_words
from budgetopt.core.text import money
from budgetopt.data.synthetic import make_dataset
from budgetopt.paper.document import Paper
from budgetopt.paper.html import WORD_JOINER, paragraph
from budgetopt.paper.marks import MARK
from budgetopt.paper.messages import direction, key_messages, moved
from budgetopt.paper.sections.allocation import matrix
from budgetopt.pipeline import run_scenario

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "parameters").glob("*.yaml"))


# ---------------------------------------------------------------- the marking rule
def test_final_only_when_committed_and_no_placeholder():
    assert status_words(draft=False, placeholders=0) == ["FINAL"]
    assert is_final(draft=False, placeholders=0)
    assert status_words(draft=False, placeholders=1) == ["ILLUSTRATIVE"]
    assert status_words(draft=True, placeholders=0) == ["DRAFT"]
    assert status_words(draft=True, placeholders=5) == ["DRAFT", "ILLUSTRATIVE"]
    assert "FINAL" not in status_words(draft=False, placeholders=0, cannot_be_met=True)
    assert not is_final(draft=False, placeholders=1) and not is_final(draft=True, placeholders=0)


def test_the_default_dataset_paper_is_never_final():
    p = Paper(run_scenario(REPO / "parameters" / "baseline.yaml"),
              manifest={"draft": False, "git_commit": "abc"})
    assert p.placeholders.count > 400  # the default dataset's placeholders
    assert p.status_words == ["ILLUSTRATIVE"]
    block = p.section("title_block").html
    assert "ILLUSTRATIVE" in block and "FINAL" not in block
    assert "<code>" not in block  # the scenario's name in the text font
    assert p.title in block and p.title == paper_title("Baseline", 2025)


# ---------------------------------------------------------------- signs in every sentence
def test_direction_words():
    assert direction(10) == "rises" and direction(-10) == "falls"
    assert direction(0.2) == "is unchanged"
    assert moved(-31530) == "falls by £31,530" and moved(5) == "rises by £5"
    assert direction(0.01, tolerance=0.001) == "rises"


def _check_signs(p: Paper) -> list[str]:
    """Every message's verbs match the signs of the figures it states; no sentence of the
    paper calls a fall a rise."""
    bad = []
    for m in key_messages(p):
        for verb, amount in m.changes:
            if (verb.startswith("rise") and amount <= 0) or (verb.startswith("fall")
                                                             and amount >= 0):
                bad.append(f"{m.topic}: {verb} with {amount}: {m.text}")
            # and the sentence says it: the verb with the figure it states, read from the text
            if abs(amount) >= 1 and verb in ("rises", "falls") and \
                    f"{verb} by {money(abs(amount))}" not in m.text:
                bad.append(f"{m.topic}: '{verb} by {money(abs(amount))}' not in: {m.text}")
        for verb, figure in re.findall(r"\b(rises|falls) by (£[\d,]+)", m.text):
            value = int(figure[1:].replace(",", ""))
            if not any(v == verb and abs(round(a)) == value for v, a in m.changes):
                bad.append(f"{m.topic}: '{verb} by {figure}' has no signed figure behind it")
    text = " ".join(s.html for s in p.sections())
    for pattern in (r"rises? by −", r"rises? by \(−", r"falls? by \+", r"largest rise[^.]*\(−",
                    r"largest fall[^.]*\(\+"):
        bad += [f"pattern {pattern}: {m.group()}" for m in re.finditer(pattern, text)]
    return bad


@pytest.mark.slow  # every section of every shipped paper, the robustness draws included
@pytest.mark.parametrize("params", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenarios_sentences_match_their_signs(params):
    p = Paper(run_scenario(params))
    if not p.result.is_optimal:
        pytest.skip("a scenario that cannot be met has no key messages")  # none ship so
    assert _check_signs(p) == []


@pytest.mark.parametrize("change", [-4.0, 0.0, 6.0])
@pytest.mark.parametrize("seed", [0, 3])
def test_generated_scenarios_sentences_match_their_signs(tmp_path, seed, change):
    folder = make_dataset(tmp_path / "ds", services=16, areas=3, plan_years=3, seed=seed)
    p = Paper(run_scenario({"name": "gen", "title": "Generated", "dataset": str(folder),
                            "plan_years": 3, "budget_change_pct": change,
                            "stability_limit": 0.2}))
    if not p.result.is_optimal:
        pytest.skip("this generated scenario cannot be met")
    assert _check_signs(p) == []
    # every scheme that moves has its reason, and every sentence names a direction
    moves = [m for m in key_messages(p) if m.topic == "move"]
    assert moves  # a generated scenario moves some scheme
    for m in moves:
        _, reason = m.text.split(": ", 1)
        assert len(reason) > 20  # a reason, not an empty clause


# ---------------------------------------------------------------- page 1
@pytest.fixture(scope="module")
def baseline() -> Paper:
    return Paper(run_scenario(REPO / "parameters" / "baseline.yaml"))


def test_page_one_carries_the_decision(baseline):
    p = baseline
    topics = [m.topic for m in key_messages(p)]
    assert topics[0] == "total"
    assert {"move", "funding", "edge", "areas", "contracts"} <= set(topics)
    html = p.section("summary").html
    assert "Table 1. Proposed allocation by scheme" in html
    for year in ("2024/25", "2025/26", "2026/27", "2027/28"):
        assert f"{year} (£)" in html
    # the largest fall is named as a fall, with its reason (the stability limit here)
    falls = [m.text for m in key_messages(p) if m.topic == "move" and " falls by " in m.text]
    assert falls and any("stability limit" in t for t in falls)
    # the feasibility edge agrees with the frontier: feasible at the edge, not 1% below it
    edge = p.explainer.edge
    fr = p.explainer.frontier(low=edge - 0.01, high=edge, points=2, diagnose_infeasible=False)
    assert list(fr.points["status"]) == ["infeasible", "optimal"]
    assert f"{100 * (1 - edge):.1f}%" in next(m.text for m in key_messages(p)
                                              if m.topic == "edge")


def test_social_value_is_given_with_its_basis(baseline):
    total = key_messages(baseline)[0].text
    assert "social value" in total and "assumed returns" in total
    assert "placeholder benefit curves" in total


# ---------------------------------------------------------------- the matrix
def test_matrix_groups_by_scheme_and_every_row_and_column_sums(baseline):
    t, kinds = matrix(baseline)
    ds = baseline.ds
    assert kinds[-1] == "" and t.iloc[-1, 0] == "Total"
    areas = [a for a in ds.areas.index if a in t.columns]
    cells = t[[*areas, "force"]].fillna(0)
    assert (cells.sum(axis=1) == t["total"]).all()  # every row, subtotals and total included
    members = [i for i, k in enumerate(kinds) if k == "member"]
    subtotals = [i for i, k in enumerate(kinds) if k == "subtotal"]
    assert len(members) == len(ds.services) and len(subtotals) == len(ds.schemes)
    for i, j in zip(subtotals, [*subtotals[1:], len(kinds) - 1], strict=True):
        block = t.iloc[i + 1:j]
        for col in [*areas, "force", "total", "change", t.columns[1]]:
            assert block[col].fillna(0).sum() == (t.iloc[i][col] if pd.notna(t.iloc[i][col])
                                                  else 0)
    for col in [*areas, "force", "total"]:
        assert t.iloc[-1][col] == t.iloc[members][col].fillna(0).sum()
    # the matrix's total is the result's, and the schemes come in the plan's order
    assert t.iloc[-1]["total"] == baseline.result.totals()[baseline.year]
    assert [t.iloc[i, 0] for i in subtotals] == list(ds.schemes["name"])
    # force-wide services have no area cells; area-split ones no force-wide cell
    for i in members:
        name = t.iloc[i, 0].removesuffix(f" {MARK}")
        sid = ds.services.index[ds.services["name"] == name][0]
        split = bool(ds.services.at[sid, "area_split"])
        assert t.iloc[i][areas].isna().all() != split
        assert pd.isna(t.iloc[i]["force"]) == split


def test_placeholders_are_marked_where_shown(baseline):
    html = baseline.section("summary").html
    assert f"Victim and Witness Services {MARK}" in html
    assert "Proposed amounts rest on placeholders" in html
    funding = baseline.section("funding").html
    assert f"{MARK} Placeholder amounts" in funding
    matrix_html = baseline.section("allocation").html
    assert "The 2024/25 amount is a placeholder" in matrix_html


def test_one_order_of_schemes_everywhere(baseline):
    order = list(baseline.ds.schemes["name"])
    for name in ("summary", "status_quo", "change"):
        html = unescape(baseline.section(name).html)
        seen = [n for n in order if n in html]
        positions = [html.index(f">{n}") for n in seen]
        assert positions == sorted(positions), name


def test_glossary_explains_the_terms_the_paper_uses(baseline):
    glossary = baseline.section("glossary").html
    for term in ("Optimiser", "Pin", "Smallest fix", "Benefit curve", "Area-split scheme",
                 "Placeholder", "Feasibility edge", "Social value"):
        assert term in glossary
    # and the allocation's basis explains them at first use
    basis = baseline.section("allocation").html
    assert "diminishing returns" in basis and "estimated value to society" in basis


def test_no_json_in_the_manifest_appendix(baseline):
    html = baseline.with_manifest({"parameters": {"name": "baseline", "pins": []}}).section(
        "appendix_manifest").html
    assert "<pre" not in html and "{" not in html and "Parameters" in html


# ---------------------------------------------------------------- signed amounts never wrap
def test_signed_amounts_carry_a_word_joiner():
    html = paragraph("falls by (−£31,530) and rises +£5")
    assert f"−{WORD_JOINER}£31,530" in html and f"+{WORD_JOINER}£5" in html


@pytest.mark.slow
def test_a_signed_amount_never_wraps_in_the_pdf(tmp_path):
    """Rendered at every width from 20 to 40 em, no line ends in a minus sign."""
    pypdf = pytest.importorskip("pypdf")
    from weasyprint import HTML

    text = paragraph("aaaa bbbbbb cccccc ddddddd eeeeeee ffffff ggg (−£31,530) hhh")
    for width in range(20, 41):
        pdf = tmp_path / f"w{width}.pdf"
        HTML(string=f'<html><body style="width:{width}em">{text}</body></html>').write_pdf(pdf)
        lines = pypdf.PdfReader(pdf).pages[0].extract_text().splitlines()
        assert not any(line.rstrip().endswith(("−", "(−", "+")) for line in lines), lines


# ---------------------------------------------------------------- the comparison paper
def test_comparison_counts_and_shows_each_alternative_by_year_and_area(tmp_path):
    from budgetopt.paper.comparison import Comparison
    from budgetopt.reporting.outputs import write_outputs

    runs = {}
    for name in ("baseline", "cut-5pct"):
        runs[name] = run_scenario(REPO / "parameters" / f"{name}.yaml")
        write_outputs(runs[name], tmp_path / name, workbook=False)
    c = Comparison.from_reports(["baseline", "cut-5pct"], reports_dir=str(tmp_path),
                                repo_root=str(REPO))
    assert [o.name for o in c.alternatives] == ["cut-5pct"]
    assert "1 alternative scenario against the baseline, Baseline" in c.section(
        "title_block").html
    cut = c.alternatives[0]
    by_year = c.by_year(cut)
    base, alt = runs["baseline"].result.totals(), runs["cut-5pct"].result.totals()
    for y in base:
        assert by_year.at["total", y] == alt[y] - base[y]
    by_area = c.by_year(cut, "area_id")
    assert (by_area.loc["total"] == by_year.loc["total"]).all()
    html = c.section("alternatives").html
    assert "against the baseline by area and year" in html and "Devon" in html
    assert "a budget change of −5.0% (baseline 0.0%)" in html
    assert "less than the baseline" in html
    # the plan's order of schemes, as in the scenario papers
    order = list(runs["baseline"].dataset.schemes["name"])
    table = c.scheme_changes()
    assert list(table["Scheme"])[:-1] == order


def test_areas_table_adds_up_with_last_year_shared_by_need(baseline):
    html = baseline.section("areas").html
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    rows = [re.findall(r">(−?£[\d,]+)<", row) for row in body.split("</tr>") if "£" in row]
    values = [[int(v.replace("£", "").replace(",", "").replace("−", "-")) for v in r]
              for r in rows]
    *areas, total = values
    for j in range(len(total)):
        assert sum(r[j] for r in areas) == total[j]
    assert total[0] == int(baseline.ds.services["last_year_gbp"].sum())
    assert "Force-wide services" in body.split("</tr>")[-3]  # after the areas, before the total


def test_a_paper_that_cannot_be_met_is_never_final(tmp_path):
    p = Paper(run_scenario({**_baseline_settings(), "budget_change_pct": -40}),
              manifest={"draft": False, "git_commit": "abc"})
    assert not p.result.is_optimal
    assert "SCENARIO CANNOT BE MET" in p.status_words and "FINAL" not in p.status_words
    assert "FINAL" not in p.section("title_block").html


def _baseline_settings() -> dict:
    from budgetopt.data.scenario import load_scenario

    return load_scenario(REPO / "parameters" / "baseline.yaml").model_dump(mode="json") | {
        "dataset": str(REPO / "data" / "devon-cornwall")}


def test_base_year_figures_agree_everywhere_when_amounts_have_pence(tmp_path):
    folder = make_dataset(tmp_path / "ds", services=12, areas=3, plan_years=2, seed=2)
    services = pd.read_csv(folder / "services.csv", dtype=str, keep_default_na=False)
    services["last_year_gbp"] = [f"{float(v) + 0.4:.2f}" for v in services["last_year_gbp"]]
    services.to_csv(folder / "services.csv", index=False)  # part pounds are allowed
    p = Paper(run_scenario({"name": "pence", "title": "Pence", "dataset": str(folder),
                            "plan_years": 2, "stability_limit": 0.3}))
    assert p.result.is_optimal
    head_total = int(p.result.by_scheme().at["total", p.base])
    assert head_total == round(services["last_year_gbp"].astype(float).sum())
    t, kinds = matrix(p)
    assert t.iloc[-1][t.columns[1]] == head_total  # the matrix's base column: Table 1's total
    subtotals = t[[k == "subtotal" for k in kinds]]
    assert list(subtotals[t.columns[1]]) == list(p.result.by_scheme()[p.base].iloc[:-1])
    areas = p.result.base_by_area()
    assert areas["total"] == head_total and areas.drop("total").sum() == head_total
    assert int(p.result.change()["last_year_gbp"].sum()) == head_total


def test_one_plan_year_reads_in_the_singular(tmp_path):
    p = Paper(run_scenario({**_baseline_settings(), "plan_years": 1}))
    text = " ".join(m.text for m in key_messages(p))
    assert "over 1 year," in text and "1 years" not in text
