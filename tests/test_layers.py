"""The layers stay true: platform <- features <- jobs <- demo, and no import cycle.

Read from the code's own imports with `ast` (function-level imports count:
a late import is still a dependency), so the test needs no import of the
product and takes a few hundred milliseconds. docs/ARCHITECTURE.md draws the
layers. The tree checked is this checkout, or the one in $LAYERS_ROOT:

    LAYERS_ROOT=/path/to/another/checkout python -m pytest tests/test_layers.py
"""
from __future__ import annotations

import ast
import os
from functools import cache
from pathlib import Path

ROOT = Path(os.environ.get("LAYERS_ROOT") or Path(__file__).resolve().parents[1])
PACKAGES = ("saas", "tenants", "jobs", "demo")
# The app factory and the CLI registration wire the features, the jobs and the
# demo command into the platform.
COMPOSITION_ROOT = {"saas", "saas.cli"}
# Being removed with the bilan-scoped blueprint (issue 10): the bilan's
# questionnaire pages leave tenants/questionnaires/views.py. Delete this entry
# when that lands; test_known_cycles_still_exist fails to say so.
@cache
def modules(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the four packages (migrations included)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _imported_names(name: str, path: Path) -> list[tuple[str, int]]:
    """Every (dotted name, line) this module imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.extend((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            out.append((module, node.lineno))
            out.extend((f"{module}.{alias.name}", node.lineno) for alias in node.names)
    return out


@cache
def graph(root: Path = ROOT) -> dict[str, dict[str, int]]:
    """module -> {imported module of ours: first line}, names resolved to the module that defines them."""
    mods = modules(root)
    edges: dict[str, dict[str, int]] = {}
    for name, path in mods.items():
        targets = edges.setdefault(name, {})
        for imported, line in _imported_names(name, path):
            while imported and imported not in mods:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.setdefault(imported, line)
    return edges


def _top(name: str) -> str:
    return name.split(".")[0]


def _arrows(keep) -> list[str]:
    return [f"{source} -> {target} ({modules()[source].relative_to(ROOT)}:{line})"
            for source, targets in sorted(graph().items())
            for target, line in sorted(targets.items()) if keep(source, target)]


def cycles(root: Path = ROOT) -> list[frozenset[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    edges = graph(root)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(edges[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(frozenset(component))
    return found


def test_the_checked_tree_has_the_four_packages():
    names = modules()
    assert {"saas", "tenants", "jobs", "demo", "saas.db", "saas.tenancy", "demo.cli"} <= set(names), ROOT


def test_platform_imports_no_feature_nor_job_outside_the_composition_root():
    found = _arrows(lambda a, b: _top(a) == "saas" and _top(b) in ("tenants", "jobs")
                    and a not in COMPOSITION_ROOT)
    assert not found, "the platform (saas/) must be given the features, not import them:\n" + "\n".join(found)


def test_features_never_import_the_jobs():
    found = _arrows(lambda a, b: _top(a) == "tenants" and _top(b) == "jobs")
    assert not found, "features say what is due and what to do; jobs/ only says when:\n" + "\n".join(found)


def test_nothing_imports_the_demo_but_the_cli_registration():
    """demo/ sits above everything (it may import saas, tenants and jobs); the product never needs it,
    so only the CLI's composition root, which registers `flask demo seed`, may import it."""
    found = _arrows(lambda a, b: _top(a) != "demo" and _top(b) == "demo" and a not in COMPOSITION_ROOT)
    assert not found, "the demo seeds through the features; nothing of the product imports it:\n" + "\n".join(found)


def test_the_demo_checks_see_its_imports():
    """The test above would see a back-arrow: demo/ does import the features and the jobs."""
    targets = {_top(b) for a, imported in graph().items() if _top(a) == "demo" for b in imported}
    assert {"saas", "tenants"} <= targets, targets


def test_crypto_imports_no_feature():
    found = _arrows(lambda a, b: a.startswith("saas.crypto") and _top(b) in ("tenants", "jobs"))
    assert not found, "saas/crypto knows tables through saas.tenancy.models only:\n" + "\n".join(found)


def test_no_import_cycle():
    found = [sorted(c) for c in cycles()]
    assert not found, "import cycles:\n" + "\n".join(", ".join(c) for c in found)


def test_no_except_import_error_guard():
    """Every feature is installed: an import that fails is a bug to see, not a branch to take."""
    found = []
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                caught = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                if any(isinstance(c, ast.Name) and c.id in ("ImportError", "ModuleNotFoundError") for c in caught):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, "except ImportError in the product:\n" + "\n".join(found)
