"""Benchmark: reading and checking a dataset from one workbook against from its CSV files.

Usage::

    .venv/bin/python benchmarks/dataset.py [--dataset data/devon-cornwall] [--reps N]
        [--out FILE]

The dataset folder is written once as a workbook (``budgetopt dataset export``) in a temporary
folder; then, in the same process and alternating so that the machine's noise falls on both,
``load_dataset`` reads and checks the folder (the reference) and the workbook (every check,
the two openpyxl passes, the sheets written as a temporary folder and checked as one). The
ratio is workbook ÷ folder, medians; target (issue 15): at most 2×. Both loads must give the
same tables, or the run fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from common import fmt_s, machine, med

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
TARGET = 2.0
pc = time.perf_counter


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", type=Path, default=ROOT / "data" / "devon-cornwall")
    p.add_argument("--reps", type=int, default=15)
    p.add_argument("--out", type=Path, default=None)
    a = p.parse_args(argv)

    import pandas as pd

    from budgetopt.data.dataset import load_dataset, load_folder
    from budgetopt.data.workbook_writer import export_dataset

    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / f"{a.dataset.name}.xlsx"
        export_dataset(a.dataset, book, load_folder)
        folder_ds, book_ds = load_dataset(a.dataset), load_dataset(book)  # warm imports
        for name, table in folder_ds.tables.items():
            pd.testing.assert_frame_equal(table, book_ds.tables[name])
        times: dict[str, list[float]] = {"folder": [], "workbook": []}
        for _ in range(a.reps):
            for kind, path in (("folder", a.dataset), ("workbook", book)):
                t0 = pc()
                load_dataset(path)
                times[kind].append(pc() - t0)
        size = book.stat().st_size
    folder_s, book_s = med(times["folder"]), med(times["workbook"])
    ratio = book_s / folder_s
    results = {"machine": machine(), "dataset": str(a.dataset), "reps": a.reps,
               "workbook_bytes": size, "folder_s": folder_s, "workbook_s": book_s,
               "ratio": ratio, "target": TARGET, "met": ratio <= TARGET, "times": times}
    print(f"machine: {results['machine']['cpu']}, {results['machine']['cores']} cores; "
          f"commit {results['machine']['git_commit']}; {a.reps} reps, medians")
    print(f"dataset {a.dataset.name}: folder {fmt_s(folder_s)}, workbook {fmt_s(book_s)} "
          f"({size / 1024:.0f} KiB); workbook ÷ folder = {ratio:.2f}× "
          f"(target ≤ {TARGET:g}×: {'met' if ratio <= TARGET else 'NOT met'})")
    if a.out:
        a.out.write_text(json.dumps(results, indent=1, default=str) + "\n")


if __name__ == "__main__":
    main()
