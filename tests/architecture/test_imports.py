"""The shape of the code, checked like behaviour: the import graph has no cycles, no private
name crosses a module boundary, and the clinical calculators stand on the standard library alone
(so any program can import them without Django). ``lint-imports`` (.importlinter) checks the
layers in `make lint`."""

import ast
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tracker", "demo")
# Django documents these underscored model attributes as public API (Model._meta, ._state).
DJANGO_PUBLIC = {"_meta", "_state", "_default_manager"}


def _python_files(*folders: str):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), i.e. import circles."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(module):
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in graph.modules:
                continue
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_the_import_graph_has_no_cycles_between_modules():
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    assert _cycles(graph) == []


def test_no_package_imports_a_sibling_that_imports_it_back():
    """Squashed to packages (tracker.journey, tracker.schedule, ...) the graph is acyclic too."""
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    for parent in ("tracker", "tracker.bedside", "tracker.schedule", "tracker.web", "tracker.api", "demo"):
        children = graph.find_children(parent)
        for a in children:
            for b in children:
                if a < b and graph.chain_exists(a, b, as_packages=True):
                    assert not graph.chain_exists(b, a, as_packages=True), f"{a} and {b} import each other"


def _private_imports(path: Path) -> list[str]:
    """``from x import _name`` and ``module._name`` where x or module is another module."""
    tree = ast.parse(path.read_text(), filename=str(path))
    own = _module_name(path)
    modules = {}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") and node.module != own:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{alias.name}")
                modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                modules[alias.asname or alias.name.split(".")[0]] = alias.name
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and modules[node.value.id].split(".")[0] in PACKAGES
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and node.attr not in DJANGO_PUBLIC
        ):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {modules[node.value.id]}.{node.attr}")
    return found


@pytest.mark.parametrize("folder", ["tracker", "demo", "tests", "bench"])
def test_no_private_name_is_imported_from_another_module(folder):
    found = [problem for path in _python_files(folder) for problem in _private_imports(path)]
    assert found == []


def test_the_clinical_calculators_import_only_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"tracker"}
    found = []
    for path in _python_files("tracker/clinical"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                inside = name == "tracker.clinical" or name.startswith("tracker.clinical.")
                if top not in allowed or (top == "tracker" and not inside):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert found == []
