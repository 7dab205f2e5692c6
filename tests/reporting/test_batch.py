"""`budgetopt run` end to end: real papermill runs in a real kernel, real HTML and PDF."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from pypdf import PdfReader

from budgetopt.reporting import batch as runner

from tiny_dataset import write_floors_too_high

pytestmark = pytest.mark.slow  # papermill runs in a real kernel and real PDF rendering

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("batch")
    data = write_floors_too_high(tmp / "data")
    impossible = tmp / "impossible.yaml"
    impossible.write_text(f"name: impossible\ntitle: Floors above the budget\ndataset: {data}\n"
                          "plan_years: 2\n")
    invalid = tmp / "invalid.yaml"
    invalid.write_text("name: invalid\ntitle: Invalid\ndataset: data/devon-cornwall\n"
                       "stability_limit: 7\n")
    out = tmp / "reports"
    messages: list[str] = []
    code = runner.run([REPO / "parameters" / "baseline.yaml", impossible, invalid], out,
                      jobs=2, echo=messages.append, progress=False)
    return code, out, messages


def test_exit_code_2_when_any_file_is_invalid_and_the_rest_still_run(batch):
    code, out, messages = batch
    assert code == 2
    assert any("stability_limit" in m and "invalid.yaml" in m for m in messages)
    assert not (out / "invalid").exists()
    assert (out / "baseline" / "paper.pdf").is_file()


def test_paper_folder_holds_every_output(batch):
    _, out, _ = batch
    folder = out / "baseline"
    for name in ("paper.ipynb", "paper.html", "paper.pdf", "allocation.csv", "flows.csv",
                 "result.json", "allocation.xlsx", "manifest.json"):
        assert (folder / name).is_file(), name
    assert not (folder / "error.txt").exists()
    assert not list(folder.glob(".*partial*"))
    manifest = json.loads((folder / "manifest.json").read_text())
    for key in ("dataset_hash", "parameters", "versions", "solver", "python", "git_commit",
                "started", "finished", "status", "draft"):
        assert key in manifest
    assert manifest["status"] == "optimal"


def test_html_paper_is_offline_and_shows_no_code(batch):
    _, out, _ = batch
    html = (out / "baseline" / "paper.html").read_text()
    assert "<script" not in html.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", html, re.I)
    assert "url(http" not in html
    assert 'lang="en-GB"' in html
    assert "Paper.from_parameters" not in html and "paper.summary()" not in html
    assert "injected-parameters" not in html and "meeting_date" not in html
    for heading in ("Purpose of the report", "Recommendations", "Summary", "Funding available",
                    "Proposed allocation", "Areas and fairness", "Risks and limits",
                    "Appendix D. Glossary", "Appendix E. Run manifest"):
        assert heading in html
    assert "<svg" in html and "<thead>" in html


def test_pdf_is_a4_tagged_with_page_numbers(batch):
    _, out, _ = batch
    reader = PdfReader(out / "baseline" / "paper.pdf")
    assert len(reader.pages) > 3
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 2 and abs(float(box.height) - 841.9) < 2
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert "Commissioning Intentions Plan" in reader.metadata.title
    first = reader.pages[0].extract_text()
    assert "OFFICIAL" in first and f"Page 1 of {len(reader.pages)}" in first


def test_scenario_that_cannot_be_met_gets_a_marked_paper_without_an_allocation(batch):
    _, out, messages = batch
    folder = out / "impossible"
    assert any("Floors above the budget: not met" in m for m in messages)
    html = (folder / "paper.html").read_text()
    assert "SCENARIO CANNOT BE MET" in html
    assert "Why this scenario cannot be met" in html
    assert "Lower the floor of Local" in html
    assert "Funding allocation matrix" not in html and "Proposed allocation" not in html
    reader = PdfReader(folder / "paper.pdf")
    for page in reader.pages:  # marked on every page
        assert "CANNOT BE MET" in page.extract_text()
    assert "cannot be met" in reader.metadata.title
    assert not (folder / "allocation.csv").exists()


def test_index_and_comparison(batch):
    _, out, _ = batch
    index = (out / "index.html").read_text()
    assert "Baseline" in index and "Floors above the budget" in index
    assert 'href="baseline/paper.pdf"' in index and 'href="impossible/paper.pdf"' in index
    assert "<script" not in index.lower()
    assert "<td>optimal</td>" in index and "<td>cannot be met</td>" in index  # status in words
    # the invalid file counts; the impossible scenario plans another (the tiny) dataset
    assert ("1 alternative scenario against the baseline, Baseline; 1 of another dataset, not "
            "compared with it.") in index
    assert (out / "comparison" / "paper.pdf").is_file()


def test_a_failing_notebook_is_reported_in_a_sentence(tmp_path, monkeypatch):
    broken = tmp_path / "broken.ipynb"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("name = 'x'", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise ValueError('the data ran out')")],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    nbformat.write(nb, broken)
    monkeypatch.setattr(runner, "notebook_path", lambda root, name="paper.ipynb": broken)
    outcome = runner.run_one(REPO / "parameters" / "baseline.yaml", tmp_path / "out", REPO)
    assert outcome.state == "failed"
    error = (tmp_path / "out" / "baseline" / "error.txt").read_text()
    assert "ValueError: the data ran out" in error
    # the notebook that failed is kept: it shows the failing cell (not a finished paper)
    left = sorted(f.name for f in (tmp_path / "out" / "baseline").iterdir())
    assert left == ["error.txt", "paper.ipynb"], left


def test_cli_run_reports_bad_input_without_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: Bad\ndataset: data/nowhere\n")
    p = subprocess.run([sys.executable, "-m", "budgetopt.cli", "run", str(bad), "--out",
                        str(tmp_path / "r")], capture_output=True, text=True, timeout=120)
    assert p.returncode == 2
    assert "dataset folder does not exist" in p.stdout + p.stderr
    assert "Traceback" not in p.stdout + p.stderr
