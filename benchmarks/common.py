"""Helpers the benchmark scripts share: machine details, medians, memory, fresh-process cells.

Benchmarks run as scripts (``python benchmarks/solve.py``), so this module is imported from the
script's own folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    """Peak resident memory of this process so far (Linux: ru_maxrss is in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def med(xs: list[float]) -> float:
    return float(statistics.median(xs)) if xs else float("nan")


def fmt_s(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def machine() -> dict:
    """What the figures were measured on: CPU, cores, RAM, versions, commit, load."""
    def first(path: str, prefix: str) -> str | None:
        with Path(path).open(encoding="utf-8") as f:
            return next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith(prefix)), None)

    mem_kib = first("/proc/meminfo", "MemTotal")
    versions = {}
    for pkg in ("pulp", "highspy", "numpy", "pandas", "ipywidgets"):
        try:
            versions[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            versions[pkg] = None

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                                  text=True, check=False).stdout
        except OSError:
            return ""

    dirty = [ln[3:] for ln in git("status", "--porcelain", "--", "src").splitlines() if ln]
    return {"cpu": first("/proc/cpuinfo", "model name") or "unknown", "cores": os.cpu_count(),
            "ram": f"{int(mem_kib.split()[0]) / 1024**2:.1f} GiB" if mem_kib else "unknown",
            "python": platform.python_version(), "platform": platform.platform(), **versions,
            "git_commit": git("rev-parse", "--short", "HEAD").strip(),
            "uncommitted_src_changes": dirty, "loadavg_at_start": os.getloadavg(),
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def run_cell(script: str | Path, args: list[str]) -> dict:
    """Run ``script args`` in a fresh Python process; its last stdout line is a JSON result."""
    cmd = [sys.executable, str(Path(script).resolve()), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"benchmark cell failed: {' '.join(args)}")
    return json.loads(proc.stdout.strip().splitlines()[-1])
