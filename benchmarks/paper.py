"""Benchmark: rendering a paper, against a trivial paper through the same pipeline.

Usage::

    .venv/bin/python benchmarks/paper.py [--reps N] [--batch N] [--out FILE.json]

Every compared figure is a ratio of timings taken in the same run (the machines are shared and
noisy):

(a) the baseline paper — papermill in a fresh kernel, the HTML through the project's template,
    the PDF through WeasyPrint (``budgetopt.reporting.batch.run_one``) — against a one-table
    notebook through the same three steps (``execute``, ``render_html``, ``render_pdf``) with
    the same template. The reps alternate. Target ≤ 2.5×.
(b) a batch of ``--batch`` scenarios (8: the baseline and variants of its budget change) with
    ``jobs=2`` against ``jobs=1`` (``budgetopt.reporting.batch.run``). Target ≤ 0.6×.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from common import machine, med

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
pc = time.perf_counter
TRIVIAL = """\
import pandas as pd
from IPython.display import HTML
HTML(pd.DataFrame({"Scheme": ["A", "B", "Total"], "Amount (£)": [1, 2, 3]}).to_html(index=False))
"""


def trivial_paper(folder: Path) -> float:
    """Seconds for the one-table notebook: papermill, HTML, PDF."""
    from budgetopt.reporting.execute import execute
    from budgetopt.reporting.render import render_html, render_pdf

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(TRIVIAL)],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}})
    source = folder / "trivial.ipynb"
    nbformat.write(nb, source)
    t = pc()
    execute(source, folder / "trivial-out.ipynb", {"x": 2}, cwd=folder)
    html = render_html(folder / "trivial-out.ipynb", folder / "trivial.html", title="Trivial")
    render_pdf(html, folder / "trivial.pdf", title="Trivial")
    return pc() - t


def baseline_paper(folder: Path) -> float:
    from budgetopt.reporting.batch import run_one

    t = pc()
    outcome = run_one(ROOT / "parameters" / "baseline.yaml", folder, ROOT)
    assert outcome.state == "paper", outcome.message
    return pc() - t


def render_ratio(reps: int) -> dict:
    papers, trivials = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(reps):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            papers.append(baseline_paper(folder))
            trivials.append(trivial_paper(folder))
    return {"reps": reps, "baseline_s": papers, "trivial_s": trivials,
            "baseline_median_s": med(papers), "trivial_median_s": med(trivials),
            "ratio": med(papers) / med(trivials)}


def batch_ratio(n: int) -> dict:
    from budgetopt.reporting.batch import run

    with tempfile.TemporaryDirectory() as tmp:
        paths = [ROOT / "parameters" / "baseline.yaml"]
        for i in range(1, n):
            p = Path(tmp) / f"variant-{i}.yaml"
            p.write_text(f"name: variant-{i}\ntitle: Variant {i}\n"
                         f"dataset: {ROOT / 'data' / 'devon-cornwall'}\n"
                         f"budget_change_pct: {i - 4:.1f}\n", encoding="utf-8")
            paths.append(p)
        seconds = {}
        for jobs in (1, 2):
            t = pc()
            code = run(paths, Path(tmp) / f"out-{jobs}", jobs=jobs, echo=lambda _: None,
                       progress=False)
            seconds[jobs] = pc() - t
            assert code in (0, 1), code
    return {"scenarios": n, "one_job_s": seconds[1], "two_jobs_s": seconds[2],
            "ratio": seconds[2] / seconds[1]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = {"machine": machine(), "render": render_ratio(args.reps),
           "batch": batch_ratio(args.batch)}
    text = json.dumps(out, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
