"""The run manifest: provenance, and DRAFT unless data, parameters and code are committed."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from budgetopt.data.inputs import load_inputs
from budgetopt.reporting.manifest import build_manifest, is_draft, write_manifest

REPO_ROOT = Path(__file__).resolve().parents[2]
HEX64 = re.compile(r"^[0-9a-f]{64}$")
STARTED = datetime(2025, 1, 20, 9, 30, tzinfo=UTC)
FINISHED = STARTED + timedelta(seconds=12.5)

PARAMS = "name: x\ntitle: X\ndataset: data/devon-cornwall\nplan_years: 2\n"
PARAMS_PATH = Path("parameters") / "x.yaml"


@pytest.fixture(autouse=True)
def quiet_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git config, and no repository above tmp_path."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.resolve().parent))


def git(root: Path, *args: str) -> str:
    p = subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t",
                        "-c", "commit.gpgsign=false", *args],
                       cwd=root, capture_output=True, text=True, check=True)
    return p.stdout.strip()


def layout(root: Path) -> Path:
    """A minimal project: pyproject, parameters/x.yaml, the default dataset, src/."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    (root / "parameters").mkdir()
    (root / "parameters" / "x.yaml").write_text(PARAMS)
    shutil.copytree(REPO_ROOT / "data" / "devon-cornwall", root / "data" / "devon-cornwall")
    (root / "src").mkdir()
    (root / "src" / "placeholder.py").write_text("X = 1\n")
    (root / "README.md").write_text("readme\n")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = layout(tmp_path / "repo")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root


def manifest_of(root: Path, params: str = "parameters/x.yaml", **kw) -> dict:
    path = root / params
    return build_manifest(inputs=load_inputs(path), params_path=path, status="optimal",
                          started=STARTED, finished=FINISHED, repo_root=root, **kw)


def test_clean_repository_is_not_a_draft(repo):
    m = manifest_of(repo)
    assert m["git_commit"] == git(repo, "rev-parse", "HEAD")
    assert m["git_dirty_paths"] == []
    assert m["draft"] is False and is_draft(m) is False


def test_manifest_records_inputs_versions_and_times(repo):
    m = manifest_of(repo)
    inputs = load_inputs(repo / "parameters" / "x.yaml")
    assert m["scenario"] == "x"
    assert m["status"] == "optimal"
    assert m["params_file"] == "parameters/x.yaml"
    assert HEX64.match(m["params_sha256"])
    assert m["params_sha256"] == hashlib.sha256(PARAMS.encode()).hexdigest()
    assert m["parameters"] == inputs.scenario.model_dump(mode="json")
    assert m["parameters"]["plan_years"] == 2
    assert m["dataset"] == "devon-cornwall"
    assert m["dataset_path"] == "data/devon-cornwall"
    assert HEX64.match(m["dataset_hash"]) and m["dataset_hash"] == inputs.dataset.content_hash
    for name in ("budgetopt", "pulp", "highspy", "pandas", "numpy", "openpyxl"):
        assert m["versions"][name], name
    assert m["solver"]["name"] == "highs"
    assert re.match(r"^\d+\.\d+\.\d+", m["solver"]["version"])
    assert m["python"] and m["platform"]
    assert m["started"] == "2025-01-20T09:30:00Z"
    assert m["finished"] == "2025-01-20T09:30:12.500000Z"
    assert m["seconds"] == 12.5


def test_solver_can_be_named_by_the_run(repo):
    m = manifest_of(repo, solver="cbc")
    assert m["solver"]["name"] == "cbc"
    assert m["solver"]["version"] == m["versions"]["cbcbox"]


def test_changed_data_file_makes_a_draft_and_is_listed(repo):
    areas = repo / "data" / "devon-cornwall" / "areas.csv"
    areas.write_text(areas.read_text().replace("Devon,", "Devon county,", 1))
    m = manifest_of(repo)
    assert m["draft"] is True and is_draft(m)
    assert "data/devon-cornwall/areas.csv" in m["git_dirty_paths"]
    assert m["git_commit"] == git(repo, "rev-parse", "HEAD")


def test_untracked_params_file_makes_a_draft(repo):
    (repo / "parameters" / "y.yaml").write_text(PARAMS.replace("name: x", "name: y"))
    m = manifest_of(repo, "parameters/y.yaml")
    assert m["draft"] is True
    assert m["git_dirty_paths"] == ["parameters/y.yaml"]


def test_ignored_params_file_makes_a_draft(repo):
    (repo / ".gitignore").write_text("parameters/secret.yaml\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore")
    (repo / "parameters" / "secret.yaml").write_text(PARAMS)
    m = manifest_of(repo, "parameters/secret.yaml")
    assert m["draft"] is True
    assert "parameters/secret.yaml" in m["git_dirty_paths"]


def test_changed_code_makes_a_draft_but_other_files_do_not(repo):
    (repo / "README.md").write_text("changed\n")
    assert manifest_of(repo)["draft"] is False
    (repo / "src" / "new_module.py").write_text("Y = 2\n")
    m = manifest_of(repo)
    assert m["draft"] is True
    assert m["git_dirty_paths"] == ["src/new_module.py"]


def test_repository_without_a_commit_is_a_draft(tmp_path):
    root = layout(tmp_path / "fresh")
    git(root, "init", "-q")
    m = manifest_of(root)
    assert m["git_commit"] is None
    assert m["draft"] is True and is_draft(m)


def test_outside_a_repository_commit_is_none_and_draft(tmp_path):
    root = layout(tmp_path / "plain")
    m = manifest_of(root)
    assert m["git_commit"] is None
    assert m["draft"] is True and is_draft(m)
    assert HEX64.match(m["dataset_hash"]) and HEX64.match(m["params_sha256"])


def test_missing_git_is_recorded_not_raised(repo, monkeypatch):
    inputs = load_inputs(repo / "parameters" / "x.yaml")  # before git disappears
    monkeypatch.setenv("PATH", str(repo / "no-bin-here"))
    m = build_manifest(inputs=inputs, params_path=repo / "parameters" / "x.yaml",
                       status="optimal", started=STARTED, finished=FINISHED, repo_root=repo)
    assert m["git_commit"] is None
    assert m["draft"] is True and is_draft(m)


def test_is_draft_reads_a_manifest_conservatively():
    assert is_draft({}) is True
    assert is_draft({"draft": False, "git_commit": None}) is True
    assert is_draft({"draft": False, "git_commit": "a" * 40, "git_dirty_paths": ["x"]}) is True
    assert is_draft({"draft": False, "git_commit": "a" * 40, "git_dirty_paths": []}) is False


def test_write_manifest_is_json_in_build_order(repo, tmp_path):
    m = manifest_of(repo)
    path = write_manifest(m, tmp_path / "out" / "manifest.json")
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == m
    assert list(json.loads(text)) == list(m)
    assert text.startswith('{\n  "')
    assert [p.name for p in path.parent.iterdir()] == ["manifest.json"]


# ------------------------------------------------------------ the parameters actually used
def _run(repo: Path, fields: dict, params_file: str | None = None):
    from budgetopt.pipeline import run_scenario

    return run_scenario(fields, params_file=params_file, repo_root=repo)


def test_parameters_given_directly_record_their_file_only_when_it_holds_them(repo):
    # papermill -f parameters/x.yaml injects x's values and no file name: the manifest finds
    # parameters/x.yaml by the scenario's name, and keeps it only because its values are these
    import yaml

    from budgetopt.reporting.manifest import params_file_used, run_manifest

    fields = yaml.safe_load(PARAMS)
    same = _run(repo, fields)
    assert params_file_used(same) == repo / "parameters" / "x.yaml"
    m = run_manifest(same)
    assert m["params_file"] == "parameters/x.yaml" and not m["draft"]
    assert m["params_sha256"] == hashlib.sha256((repo / PARAMS_PATH).read_bytes()).hexdigest()
    # before issue 10 each of these named a file (always parameters/baseline.yaml in the paper
    # notebook) and its hash, and a committed one made the paper FINAL
    edited = _run(repo, {**fields, "plan_years": 3})
    named_beside_others = _run(repo, {**fields, "title": "Other"}, "parameters/x.yaml")
    for run in (edited, named_beside_others):
        assert params_file_used(run) is None
        m = run_manifest(run)
        assert m["params_file"] is None and m["params_sha256"] is None
        assert m["draft"] and "given directly" in m["params_note"]
        assert m["parameters"] == run.scenario.model_dump(mode="json")

