"""The run manifest: what a paper was computed from, for its appendix.

:func:`build_manifest` records the scenario and its parameters file (with a SHA-256), the full
validated parameters, the dataset (name, path and content hash), the versions of the packages and
of the solver, Python and the platform, the git commit and which of the run's inputs differ from
it, the run times and the solve status. A paper is a **draft** unless the data, the parameters
and the code it was computed from are all committed: :func:`is_draft` says so, and the paper's
title block shows DRAFT.

Git is asked, never required: when git is missing or the folder is not a repository, the commit
is ``None`` and the run is a draft. Nothing here raises because of git.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from budgetopt.core.errors import InputError
from budgetopt.core.files import write_text
from budgetopt.core.marking import paper_title, status_words
from budgetopt.data.inputs import ModelInputs
from budgetopt.data.scenario import load_scenario
from budgetopt.pipeline import ScenarioRun
from budgetopt.solve import backends

PACKAGES = ("budgetopt", "pulp", "highspy", "cbcbox", "pandas", "numpy", "scipy", "pydantic",
            "papermill", "nbconvert", "weasyprint", "openpyxl")
CODE_PATHS = ("src", "notebooks")
GIT_TIMEOUT = 20  # seconds


# -- versions -------------------------------------------------------------------------------
def package_versions(packages: tuple[str, ...] = PACKAGES) -> dict[str, str | None]:
    """Installed version of each package (``None`` when it is not installed)."""
    out: dict[str, str | None] = {}
    for name in packages:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    if out.get("budgetopt") is None:
        import budgetopt

        out["budgetopt"] = getattr(budgetopt, "__version__", None)
    return out


def solver_info(solver: str) -> dict[str, str | None]:
    name = solver.lower()
    version = backends.solver_version(name)
    return {"name": name, "version": version}


# -- git --------------------------------------------------------------------------------------
def _git(args: list[str], cwd: Path) -> str | None:
    """Output of a git command, or None when git is missing, fails or times out."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE")}
    env["GIT_OPTIONAL_LOCKS"] = "0"  # status must not write the index of a shared checkout
    try:
        p = subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env,
                           timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if p.returncode != 0:
        return None
    return p.stdout.decode("utf-8", errors="surrogateescape")


def is_tracked(repo_root: Path, path: Path) -> bool:
    """Whether git tracks ``path`` in ``repo_root`` (False when git cannot say)."""
    return _git(["ls-files", "--error-unmatch", "--", str(path)], repo_root) is not None


def git_commit(repo_root: Path) -> str | None:
    """The commit checked out in ``repo_root`` (``None``: no git, no repository, no commit)."""
    out = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], repo_root)
    commit = out.strip() if out else ""
    return commit if len(commit) in (40, 64) else None


def _relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` in POSIX form, or absolute when it lies outside."""
    p, r = path.resolve(), root.resolve()
    try:
        return p.relative_to(r).as_posix()
    except ValueError:
        return p.as_posix()


def git_dirty_paths(repo_root: Path, paths: list[Path],
                    must_be_tracked: list[Path] | None = None) -> list[str] | None:
    """Paths (relative to ``repo_root``) under ``paths`` that differ from HEAD or are untracked,
    plus any of ``must_be_tracked`` that git does not track (ignored, or outside the repository).

    ``None`` when git cannot answer (missing, or not a repository).
    """
    root = repo_root.resolve()
    top_out = _git(["rev-parse", "--show-toplevel"], root)
    if top_out is None:
        return None
    top = Path(top_out.strip()).resolve()
    dirty: set[str] = set()
    inside: list[str] = []
    for p in paths:
        rel = _relative(p, top)
        if Path(rel).is_absolute():
            dirty.add(_relative(p, root))  # outside the repository: never committed
        else:
            inside.append(rel)
    if inside:
        out = _git(["-c", "core.quotepath=off", "status", "--porcelain=v1", "-z",
                    "--untracked-files=all", "--", *inside], top)
        if out is None:
            return None
        fields = out.split("\0")
        i = 0
        while i < len(fields):
            entry = fields[i]
            i += 1
            if len(entry) < 4:
                continue
            code, rel = entry[:2], entry[3:]
            dirty.add(_relative(top / rel, root))
            if "R" in code or "C" in code:  # a rename or copy: the next field is the source
                if i < len(fields) and fields[i]:
                    dirty.add(_relative(top / fields[i], root))
                i += 1
    wanted: dict[str, Path] = {}
    for p in must_be_tracked or []:
        rel = _relative(p, top)
        if Path(rel).is_absolute():
            dirty.add(_relative(p, root))
        elif p.exists():
            wanted[rel] = p
    if wanted:
        out = _git(["-c", "core.quotepath=off", "ls-files", "-z", "--", *wanted], top)
        if out is None:
            return None
        tracked = set(out.split("\0"))
        dirty.update(_relative(p, root) for rel, p in wanted.items() if rel not in tracked)
    return sorted(dirty)


# -- the manifest -----------------------------------------------------------------------------
def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _utc(moment: datetime) -> datetime:
    """Aware UTC time (a naive time is taken as the machine's local time)."""
    return moment.astimezone(UTC)


def _iso(moment: datetime) -> str:
    return _utc(moment).isoformat().replace("+00:00", "Z")


NO_FILE = ("none: the parameters were given directly (papermill -p/-f, the explorer, code), "
           "not read from a file; the manifest's parameters are what was used")


def build_manifest(*, inputs: ModelInputs, params_path: Path | None, status: str,
                   started: datetime, finished: datetime, repo_root: Path,
                   solver: str | None = None) -> dict[str, Any]:
    """The run manifest of one scenario run (a JSON-ready dict).

    ``params_path`` is the parameters file the run's values are exactly those of (None: no such
    file, see :func:`params_file_used`). ``solver`` defaults to the scenario's solver; pass it
    when the run overrode it. ``draft`` is True when there is no commit, no parameters file, or
    when the dataset folder, the parameters file, ``src/`` or ``notebooks/`` differ from the
    commit (``git_dirty_paths``). ``placeholders_used`` counts the dataset's placeholder
    figures and ``marking`` gives the paper's status words (:mod:`budgetopt.core.marking`):
    FINAL only when nothing is a draft and no placeholder is used.
    """
    repo_root = Path(repo_root)
    if params_path is not None and not Path(params_path).is_absolute():
        params_path = Path.cwd() / params_path
    dataset = inputs.dataset
    data_path = Path(dataset.path)
    commit = git_commit(repo_root)
    data_files = [data_path] if data_path.is_file() else [  # a workbook is its one file
        data_path / "dataset.yaml", *(data_path / rel for rel in dataset.manifest.tables.values())]
    code = [repo_root / c for c in CODE_PATHS if (repo_root / c).exists()]
    params = [] if params_path is None else [Path(params_path)]
    dirty = git_dirty_paths(repo_root, [data_path, *params, *code],
                            must_be_tracked=[*params, *data_files])
    draft = commit is None or dirty is None or bool(dirty) or params_path is None
    placeholders = len(dataset.placeholder_figures())
    met = str(status) == "optimal"
    return {
        "scenario": inputs.scenario.name,
        "title": inputs.scenario.title,
        "paper_title": paper_title(inputs.scenario.title, inputs.years[0], met=met),
        "status": str(status),
        "params_file": None if params_path is None else _relative(params_path, repo_root),
        "params_sha256": None if params_path is None else _sha256(params_path),
        **({"params_note": NO_FILE} if params_path is None else {}),
        "parameters": inputs.scenario.model_dump(mode="json"),
        "dataset": dataset.name,
        "dataset_path": _relative(data_path, repo_root),
        "dataset_hash": dataset.content_hash,
        "solver": solver_info(solver or inputs.scenario.solver),
        "versions": package_versions(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "git_commit": commit,
        "git_dirty_paths": dirty if dirty is not None else [],
        "git_available": dirty is not None,
        "draft": draft,
        "placeholders_used": placeholders,
        "marking": status_words(draft=draft, placeholders=placeholders, cannot_be_met=not met),
        "started": _iso(started),
        "finished": _iso(finished),
        "seconds": round((_utc(finished) - _utc(started)).total_seconds(), 3),
    }


def params_file_used(run: ScenarioRun) -> Path | None:
    """The parameters file whose values the run used: the file it names if that file's
    validated scenario is exactly the run's; when it names none, the project's scenario file
    that is (``parameters/<name>.yaml`` first, then any under ``parameters/``: a file need not
    be named after its scenario); otherwise None. papermill does not tell a notebook which file
    ``-f`` read, and a file named beside other values (``-p params_file ...``) is not what was
    run, so content decides."""
    if run.params_file is not None:
        candidates = [run.params_file]
    else:
        folder = run.repo_root / "parameters"
        candidates = [folder / f"{run.scenario.name}.yaml", *sorted(folder.rglob("*.yaml"))]
    for candidate in candidates:
        try:
            if candidate.is_file() and load_scenario(candidate) == run.scenario:
                return candidate
        except InputError:  # a grant round, or a file that is not a valid scenario
            continue
    return None


def run_manifest(run: ScenarioRun, finished: datetime | None = None) -> dict[str, Any]:
    """The manifest of a pipeline run: the parameters file it used (:func:`params_file_used`),
    its solver and status, from its start to ``finished`` (now)."""
    params = params_file_used(run)
    return build_manifest(inputs=run.inputs, params_path=params, status=run.status.status.value,
                          started=run.started, finished=finished or datetime.now(UTC),
                          repo_root=run.repo_root, solver=run.solver)


def is_draft(manifest: dict[str, Any]) -> bool:
    """True unless the manifest records a commit and no input that differs from it."""
    return bool(manifest.get("draft", True)) or not manifest.get("git_commit") or bool(
        manifest.get("git_dirty_paths"))


def manifest_text(manifest: dict[str, Any]) -> str:
    """The manifest as indented JSON, keys in the order built."""
    return json.dumps(manifest, indent=2, sort_keys=False, ensure_ascii=False, default=str) + "\n"


def write_manifest(manifest: dict[str, Any], path: Path) -> Path:
    """Write the manifest (:func:`manifest_text`), atomically."""
    return write_text(path, manifest_text(manifest))
