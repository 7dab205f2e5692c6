"""The package's shape holds: imports point down the layers, no module reaches another's private
names or grows past about 400 lines, only the solver layer touches solver arrays, and the
scenario pipeline is written once (docs/architecture.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "budgetopt"
LAYERS = {  # layer -> rank; a module may import only from its own rank or below
    "core": 0, "data": 1, "model": 2, "solve": 3, "results": 4, "explain": 5, "robust": 5,
    "pipeline": 6, "grants": 6,
    "paper": 7, "reporting": 8, "explorer": 9, "cli": 10,
}
MAX_LINES = 400


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py"))


def layer_of(module: str) -> str:
    """'budgetopt.model.limits.base' -> 'model'; 'budgetopt.pipeline' -> 'pipeline'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "core"


def module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """Every budgetopt import of a module, lazy ones inside functions included."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(
                "budgetopt"):
            out.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names
                    if a.name.startswith("budgetopt")]
    return out


def test_every_module_belongs_to_a_layer():
    unknown = {module_name(p) for p in modules()
               if module_name(p) != "budgetopt" and layer_of(module_name(p)) not in LAYERS}
    assert not unknown, f"modules outside the layers of docs/architecture.md: {unknown}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_imports_point_down_the_layers(path):
    me = module_name(path)
    rank = LAYERS.get(layer_of(me), 0)
    upward = []
    for target, names, line in imports(path):
        targets = [target] if names == [] or target.count(".") > 1 else [
            f"{target}.{n}" for n in names]
        for t in targets:
            if LAYERS.get(layer_of(t), 0) > rank:
                upward.append(f"line {line}: {t}")
    assert not upward, f"{me} imports from a layer above it: {upward}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_no_module_imports_a_private_name(path):
    private = [(target, n, line) for target, names, line in imports(path) for n in names
               if n.startswith("_")]
    assert not private, f"{module_name(path)} imports private names: {private}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_no_module_reaches_into_another_objects_private_attributes(path):
    """``x._name`` only for names the module defines itself (its own classes' attributes)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    own = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            own.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                node.value.id in ("self", "cls")):
            own.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            own.add(node.target.id)
    reached = [f"line {node.lineno}: {ast.unparse(node)}" for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and node.attr.startswith("_")
               and not node.attr.startswith("__") and node.attr not in own]
    assert not reached, f"{module_name(path)} reaches private attributes: {reached}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: module_name(p))
def test_modules_stay_small(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_LINES, f"{module_name(path)} has {n} lines (at most {MAX_LINES})"


def layer_rows() -> dict[str, tuple[int, str]]:
    """docs/architecture.md's table of layers: layer -> (rank, what it owns)."""
    rows = {}
    for m in re.finditer(r"^\| (\d+) \| `([a-z_]+)(?:/|\.py)` \| (.*?) \|", doc_text(), re.M):
        rows[m.group(2)] = (int(m.group(1)), m.group(3))
    return rows


def test_the_documented_layers_are_the_tested_ones():
    assert {k: rank for k, (rank, _) in layer_rows().items()} == LAYERS


def test_the_architecture_doc_names_every_module_in_its_layer():
    """A newcomer reads docs/architecture.md to find where things live: every module is named
    in the row of its layer (a module of a sub-folder, such as ``model/limits/``, beside its
    folder's name)."""
    rows, doc = layer_rows(), doc_text()
    missing = []
    for path in modules():
        parts = module_name(path).split(".")[1:]
        if len(parts) < 2 or path.name == "__init__.py":
            continue  # pipeline.py, cli.py and packages are rows of their own
        owns = rows[parts[0]][1]
        named = (f"`{parts[1]}`" in owns if len(parts) == 2 else f"`{parts[1]}/`" in owns and (
            f"`{parts[2]}`" in owns or re.search(rf"`[\w/]*\b{parts[2]}\.py`", doc)))
        if not named:
            missing.append(module_name(path))
    assert not missing, f"modules docs/architecture.md does not name in their layer: {missing}"


def doc_text() -> str:
    return (SRC.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_only_the_solve_layer_touches_solver_arrays_or_calls_a_solver():
    tokens = (r"import highspy", r"from highspy", r"getSolution\(", r"\.backend\b",
              r"\b(col|row)_(lo|hi)\b", r"prob\.solve\(", r"pulp\.HiGHS\(", r"COIN_CMD\(")
    found = []
    for path in modules():
        me = module_name(path)
        if layer_of(me) == "solve":
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{me}: {t}" for t in tokens if re.search(t, text)]
    assert not found, found


def calls(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            names.add(f.id if isinstance(f, ast.Name) else f.attr if isinstance(
                f, ast.Attribute) else "")
    return names


def test_the_scenario_pipeline_is_written_once():
    """Tables are made from a solve only in the pipeline; a model is built for a scenario only
    there (explanations rebuild one with HiGHS when a run used CBC; the robustness analysis
    builds its two plans, a kept model per worker and one for the swings); a diagnosis runs
    only in the pipeline and in explanations that move the budget."""
    robust = {"budgetopt.robust.analysis", "budgetopt.robust.montecarlo",
              "budgetopt.robust.sensitivity"}
    allowed = {
        "make_result": {"budgetopt.pipeline", "budgetopt.robust.analysis"},
        "Allocator": {"budgetopt.pipeline", "budgetopt.explain.explainer", *robust},
        "diagnose": {"budgetopt.pipeline", "budgetopt.explain.explainer",
                     "budgetopt.explain.frontier"},
        "run_scenario": {"budgetopt.cli", "budgetopt.reporting.batch",
                         "budgetopt.explorer.app",
                         "budgetopt.grants.inputs"},  # a fund taken from a scenario
    }
    wrong = []
    for path in modules():
        me = module_name(path)
        for name in calls(path) & set(allowed):
            if me not in allowed[name]:
                wrong.append(f"{me} calls {name}")
    assert not wrong, wrong


def test_test_modules_have_unique_names():
    """Test folders have no __init__.py, so pytest imports each test module by its file name:
    two with the same name cannot both be collected in one run (a fresh clone's CI failed on
    that once)."""
    tests = Path(__file__).resolve().parent
    names = [p.name for p in tests.rglob("*.py") if p.name != "conftest.py"]
    twice = sorted({n for n in names if names.count(n) > 1})
    assert not twice, f"test modules with the same file name: {twice}"
