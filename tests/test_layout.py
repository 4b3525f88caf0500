"""The test tree mirrors src/: each module of the package has its test module where one looks."""

from __future__ import annotations

import ast
from pathlib import Path

from _paths import SRC, TESTS

PACKAGE = SRC / "repatevents"

# Private parts tested through the public face that uses them, each with the test module that
# covers it. The list may only shrink: a new module gets a test module at its mirrored path, and
# a module given one leaves the list.
_INVARIANTS = "tests/test_invariants.py"  # the checks behind repatevents.invariants
_STRATEGIES = "tests/test_strategies.py"  # the strategies behind repatevents.strategies
_HTML = "tests/exporters/test_html.py"  # the parts of the one HTML report
COVERED_ELSEWHERE: dict[str, str] = {
    # The front door's names, pinned and documented, and its lazy loading.
    "__init__.py": "tests/test_public_api.py",
    **{
        f"_invariants/_{name}.py": _INVARIANTS
        for name in (
            "breakdown",
            "check",
            "exports",
            "figures",
            "log",
            "rebuild",
            "reconcile",
            "snapshot",
            "violations",
        )
    },
    **{
        f"_strategies/_{name}.py": _STRATEGIES
        for name in ("events", "invalid", "ledgers", "values")
    },
    # Table and Column: what every table command and exporter is given.
    "_tables.py": "tests/cli/test_render.py",
    # Report words ("last week") are read by the fuzzy-date parser and tested through it.
    "events/_date_words.py": "tests/events/test_dates.py",
    # The Exporter protocol and its checks: what the exporter contract holds exporters to.
    "_exporter.py": "tests/testing/test_exporter_contract.py",
    # The built-in exporters as a plugin, listed and loaded by the plugin manager.
    "exporters/_builtin.py": "tests/test_plugins.py",
    # An exporter's options as its write function declares them, read for `export -O`.
    "_exporter_options.py": "tests/exporters/test_export.py",
    **{
        f"exporters/_html_{part}.py": _HTML for part in ("chart", "common", "map", "page", "tables")
    },
    # The import's stages: reading cells, checking a batch, the column table, file kinds;
    # tested as the import users run, whole.
    "importing/_cells.py": "tests/importing/test_sheets.py",
    "importing/_checks.py": "tests/importing/test_import.py",
    "importing/_columns.py": "tests/importing/test_sheets.py",
    "importing/_files.py": "tests/importing/test_import.py",
    # The projections' parts, tested through the projection that uses each.
    "projections/_aggregates.py": "tests/projections/test_totals.py",
    "projections/_clock.py": "tests/test_ledger.py",
    "projections/_figures.py": "tests/projections/test_operations.py",
    # The operations table's cells from the fold's records, checked against the public
    # operations' cells by a property; the reconciliation index against a plain scan.
    "projections/_operation_rows.py": "tests/projections/test_operations.py",
    "projections/_window_index.py": "tests/projections/test_reconcile.py",
    "projections/_policy.py": "tests/projections/test_operations.py",
    # The quality checks' sorted sweeps, held to plain pairwise versions by properties.
    "projections/_quality_sweeps.py": "tests/projections/test_quality.py",
    "projections/_compact.py": "tests/projections/test_state.py",
    "projections/_results.py": "tests/projections/test_init.py",
    "projections/_sources.py": "tests/test_ledger.py",
    "projections/_to_tables.py": "tests/test_ledger.py",
    # The store's protocol and JSON Lines line format.
    "store/_base.py": "tests/store/test_memory.py",
    "store/_jsonlines_lines.py": "tests/store/test_jsonlines.py",
    # The database stores' shared reading, run by the store contract against both.
    "store/_paged.py": "tests/store/test_sqlite.py",
    # The validation kit's parts, run by the suites that use them.
    "_invariants/_assert.py": "tests/test_pytest_plugin.py",
    "testing/_plugins.py": "tests/test_plugins.py",
    "testing/_sample_tables.py": "tests/testing/test_exporter_contract.py",
    "testing/_store_contract.py": "tests/store/test_memory.py",
}

# Modules that need no test module of their own.
EXEMPT: dict[str, str] = {
    # `python -m repatevents.cli`: hands over to repatevents.cli.run, which the CLI tests run.
    "cli/__main__.py": "two lines calling the entry point tests/cli/test_init.py runs",
}


def mirrored(module: Path) -> Path:
    """Where the tests of a module of src/repatevents live: the same folders under tests/,
    ``_name.py`` and ``name.py`` as ``test_name.py``, a package's ``__init__`` as ``test_init``."""
    relative = module.relative_to(PACKAGE)
    name = relative.stem.lstrip("_") or "init"
    if relative.name == "__init__.py":
        name = "init"
    return TESTS.joinpath(*relative.parent.parts, f"test_{name}.py")


def only_reexports(module: Path) -> bool:
    """True for a module of nothing but a docstring, imports, ``__all__`` and the deprecation
    shim of its old names (``__getattr__ = deprecated_names(...)``): the package's front door,
    whose names tests/test_public_api.py pins, whose old names tests/test_deprecated.py checks
    and whose parts have their tests."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if all(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                continue
            if _is_deprecation_shim(node):
                continue
        return False
    return True


def _is_deprecation_shim(node: ast.Assign | ast.AnnAssign) -> bool:
    """True for ``__getattr__ = deprecated_names(...)``."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    call = node.value
    return (
        [t.id for t in targets if isinstance(t, ast.Name)] == ["__getattr__"]
        and isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id == "deprecated_names"
    )


def modules() -> list[str]:
    return sorted(str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py"))


def test_every_module_has_its_test_module_at_the_mirrored_path() -> None:
    """A module of src/ without a test module where the tree says is named, with that path."""
    missing = [
        f"{module} -> {mirrored(PACKAGE / module).relative_to(TESTS.parent)}"
        for module in modules()
        if module not in EXEMPT
        and module not in COVERED_ELSEWHERE
        and not only_reexports(PACKAGE / module)
        and not mirrored(PACKAGE / module).is_file()
    ]
    assert [] == missing


def test_the_exceptions_name_modules_and_test_modules_that_exist() -> None:
    """Each exception names a module that exists and, when covered elsewhere, a test module that
    exists: the lists cannot point at nothing."""
    present = set(modules())
    for module, covering in COVERED_ELSEWHERE.items():
        assert module in present, module
        assert (TESTS.parent / covering).is_file(), covering
    for module in EXEMPT:
        assert module in present, module


def test_the_mirror_maps_private_public_and_package_modules() -> None:
    """The mapping itself: a private module, a public one and an ``__init__``."""
    assert TESTS / "events" / "test_codec.py" == mirrored(PACKAGE / "events" / "_codec.py")
    assert TESTS / "test_errors.py" == mirrored(PACKAGE / "errors.py")
    assert TESTS / "cli" / "test_init.py" == mirrored(PACKAGE / "cli" / "__init__.py")


def test_a_front_door_with_a_deprecation_shim_still_only_reexports(tmp_path: Path) -> None:
    """A door whose one assignment beside ``__all__`` is its deprecation shim needs no test module
    of its own; any other code in it does."""
    door = tmp_path / "door.py"
    door.write_text(
        '"""Door."""\nfrom ._a import b\n__all__ = ["b"]\n'
        "__getattr__ = deprecated_names(__name__, {})\n",
        encoding="utf-8",
    )
    assert only_reexports(door)
    door.write_text('"""Door."""\n__getattr__ = make_getattr(__name__)\n', encoding="utf-8")
    assert not only_reexports(door)
