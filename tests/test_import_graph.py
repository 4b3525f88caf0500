"""The import graph of the package: no cycles, and no reaching into another package's privates."""

from __future__ import annotations

import ast
import itertools
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = "repatevents"

# Imports of another package's private module that exist today. Each is a module reaching past a
# package's `__init__` for a name that package does not (yet) export; the list may only shrink.
# A new entry needs a reason: export the name from the package's `__init__` instead.
# None today: every package is reached through its __init__ (internals a package shares are
# imported there ``as`` themselves, not in ``__all__``).
ALLOWED_PRIVATE_IMPORTS: frozenset[tuple[str, str]] = frozenset()


# Cycles tolerated for now, each with the reason it is not yet broken; matched by their modules.
# None is left: the last (plugin host -> exporters -> export_tables -> plugin host) went when the
# exporter contract (``Exporter``, its options) moved below both to ``_exporter.py`` and
# ``_exporter_options.py``. A new entry needs a reason, and the list may only shrink.
KNOWN_CYCLES: list[list[str]] = []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _imports(tree: ast.Module, module: str, is_package: bool) -> list[str]:
    """Return the modules `module` imports at run time, anywhere in it (not under TYPE_CHECKING)."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for statement in node.orelse:
                visit(statement)
            return
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = module if is_package else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            found.append(base)
            # `from pkg import sub` imports the submodule `pkg.sub` when one exists.
            found.extend(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _graph() -> dict[str, set[str]]:
    """Map each module of the package to the modules of the package it imports at run time."""
    files = {_module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges: set[str] = set()
        for target in _imports(tree, module, path.name == "__init__.py"):
            if target not in files:
                continue
            # Importing a.b._c runs a/__init__ and a/b/__init__ first.
            parts = target.split(".")
            for end in range(1, len(parts) + 1):
                edges.add(".".join(parts[:end]))
        # A package's own __init__ runs before its modules; that edge is not a dependency.
        edges.discard(module)
        graph[module] = {
            edge for edge in edges if edge in files and not module.startswith(edge + ".")
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return one cycle per strongly connected component of more than one module."""
    return [_one_cycle(graph, set(component)) for component in _components(graph)]


def _components(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def _one_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """Return a path start -> ... -> start inside a strongly connected component."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for nxt in sorted(graph[node] & component):
            if nxt == start:
                return [*paths[node], start]
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(component)


def _private_imports(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    """Return (importer, imported): a module importing a private module of another package."""
    found = set()
    for module, targets in graph.items():
        for target in targets:
            package, _, leaf = target.rpartition(".")
            if not leaf.startswith("_") or leaf == "__init__":
                continue
            importer_package = module if module in _packages(graph) else module.rpartition(".")[0]
            # Inside its own package (or a subpackage of it) a private module is fair game.
            if importer_package == package or importer_package.startswith(package + "."):
                continue
            found.add((module, target))
    return found


def _packages(graph: dict[str, set[str]]) -> set[str]:
    return {p.rpartition(".")[0] for p in graph} | {PACKAGE}


def test_the_graph_sees_function_level_and_relative_imports() -> None:
    """The graph resolves relative imports, sees imports in functions, skips TYPE_CHECKING."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "from . import _b\n"
        "from ..c import d\n"
        "if TYPE_CHECKING:\n"
        "    from .e import F\n"
        "def f() -> None:\n"
        "    from ._g import h\n"
    )
    found = _imports(tree, "pkg.sub.a", is_package=False)
    assert {"pkg.sub", "pkg.sub._b", "pkg.c", "pkg.c.d", "pkg.sub._g", "pkg.sub._g.h"} <= set(found)
    assert not any(name.startswith("pkg.sub.e") for name in found)


def test_cycles_are_found() -> None:
    """A loop of imports, however long, is reported as a cycle."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert [["a", "b", "c", "a"]] == _cycles(graph)


def test_no_import_cycle() -> None:
    """No module of the package imports itself back, directly or through others."""
    # A known cycle is matched by its modules, so that another route through them still passes
    # and a module joining them does not.
    graph = _graph()
    known = [set(cycle) for cycle in KNOWN_CYCLES]
    cycles = [_one_cycle(graph, set(c)) for c in _components(graph) if set(c) not in known]
    assert [] == cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_known_cycles_still_exist() -> None:
    """Each known cycle is still there, so the list empties as they are broken."""
    graph = _graph()
    gone = [c for c in KNOWN_CYCLES if any(b not in graph[a] for a, b in itertools.pairwise(c))]
    assert [] == gone


def test_no_new_import_of_another_packages_private_module() -> None:
    """A module imports another package's private module only through that package's __init__."""
    found = _private_imports(_graph())
    new = sorted(found - ALLOWED_PRIVATE_IMPORTS)
    assert [] == new, "imports past a package's __init__:\n" + "\n".join(
        f"{a} -> {b}" for a, b in new
    )


def test_the_allow_list_has_no_stale_entry() -> None:
    """Each allowed private import still exists, so the list shrinks as they are fixed."""
    stale = sorted(ALLOWED_PRIVATE_IMPORTS - _private_imports(_graph()))
    assert [] == stale


def test_loading_projections_leaves_the_store_backends_unloaded() -> None:
    """`import repatevents.projections` loads no SQLite, JSON Lines or PostgreSQL store."""
    code = (
        "import sys, repatevents.projections\n"
        "print(sorted(m for m in sys.modules if m.startswith('repatevents.store.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = ast.literal_eval(out)
    backends = {"_sqlite", "_jsonlines", "_postgres"}
    assert [] == [m for m in loaded if m.rpartition(".")[2] in backends]
