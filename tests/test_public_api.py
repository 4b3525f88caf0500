"""The public API: the names repatevents exports are pinned, sorted and documented."""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import repatevents

PUBLIC_NAMES = [
    "CATEGORIES",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
    "CampStatus",
    "CampStatusChanged",
    "Country",
    "CumulativeTotalReported",
    "DateRole",
    "Estimate",
    "Event",
    "FigureAdjudicated",
    "FuzzyDate",
    "ImportResult",
    "ImportWarning",
    "InflowKind",
    "InflowReported",
    "Ledger",
    "OperationReported",
    "OrdinalScope",
    "Origin",
    "OutflowKind",
    "OutflowReported",
    "People",
    "Place",
    "PlaceKind",
    "PopulationScope",
    "Precision",
    "Qualifier",
    "RepateventsError",
    "Report",
    "ReportCorrected",
    "ReportRetracted",
    "ReportsLinked",
    "Source",
    "SpeakerKind",
    "StockObserved",
    "Unit",
    "ValidationError",
    "all_countries",
    "all_places",
    "dumps_event",
    "event_from_dict",
    "event_to_dict",
    "iter_jsonl",
    "loads_event",
    "lookup_country",
    "lookup_place",
    "make_converter",
    "read_jsonl",
    "to_country_code",
    "write_jsonl",
]


def _ruff_order(name: str) -> tuple[int, str]:
    """Constants first, then classes, then functions, each alphabetical (ruff's RUF022)."""
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_the_public_names_are_pinned() -> None:
    """repatevents.__all__ is exactly this list; a change to it is a change users see."""
    assert PUBLIC_NAMES == repatevents.__all__


@pytest.mark.parametrize(
    "module_name",
    [
        "repatevents",
        "repatevents.events",
        "repatevents.errors",
        "repatevents.store",
        "repatevents.strategies",
        "repatevents.invariants",
        "repatevents.testing",
    ],
)
def test_every_public_module_exports_a_sorted_all_that_exists(module_name: str) -> None:
    """Each public namespace has a sorted __all__ whose names all exist."""
    module: ModuleType = importlib.import_module(module_name)
    assert sorted(module.__all__, key=_ruff_order) == module.__all__
    assert [] == [name for name in module.__all__ if not hasattr(module, name)]


def test_top_level_names_are_the_same_objects_as_in_their_modules() -> None:
    """Every top-level name is the object its own module defines: the façade, events, errors."""
    import repatevents._ledger
    import repatevents.errors
    import repatevents.events

    for name in repatevents.__all__:
        if name in repatevents.events.__all__:
            source: ModuleType = repatevents.events
        elif name in ("Ledger", "ImportResult", "ImportWarning"):
            source = repatevents._ledger
        else:
            source = repatevents.errors
        assert getattr(source, name) is getattr(repatevents, name)


def test_every_public_strategy_is_documented_with_its_arguments() -> None:
    """Each strategy has a docstring with an imperative summary and an Args section."""
    from repatevents import strategies

    for name in strategies.__all__:
        obj = getattr(strategies, name)
        if not callable(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        assert doc, name
        assert not doc.startswith(("Returns", "This")), name
        if inspect.signature(obj).parameters:
            assert "Args:" in doc, name


TESTING_NAMES = [
    "FORMULA_TEXTS",
    "LARGEST_NUMBERS",
    "UNICODE_TEXTS",
    "ExporterContract",
    "FailingStream",
    "StoreContract",
    "assert_installed_plugin_loads",
    "assert_ledger_consistent",
    "describe_violations",
    "empty_tables",
    "formula_tables",
    "largest_number_tables",
    "plugin_manager_fixture",
    "registered_plugin",
    "sample_events",
    "sample_metadata",
    "sample_tables",
    "unicode_tables",
]

API_REFERENCE = Path(__file__).parent.parent / "docs" / "reference" / "api.md"
DOCUMENTED_MODULES = [
    "repatevents",
    "repatevents.strategies",
    "repatevents.invariants",
    "repatevents.testing",
]


def test_the_test_kit_names_are_pinned() -> None:
    """repatevents.testing.__all__ is exactly this list: the plugin manager's one public home is
    repatevents.plugins, neither the test kit nor the top level."""
    import repatevents.testing

    assert TESTING_NAMES == repatevents.testing.__all__
    manager_names = {"RepateventsPluginManager", "get_plugin_manager", "registered_exporters"}
    assert not manager_names & set(repatevents.__all__)
    assert not manager_names & set(repatevents.testing.__all__)


def _documented() -> set[str]:
    """The dotted names the API reference documents: an autodoc or ``py:`` directive each, or
    one of the names an ``automodule`` lists in ``:members:``."""
    text = API_REFERENCE.read_text(encoding="utf-8")
    directives = r"^\.\. (?:auto\w+|py:\w+):: ([\w.]+)"
    names = set(re.findall(directives, text, flags=re.MULTILINE))
    for module, members in re.findall(
        r"^\.\. automodule:: ([\w.]+)\n(?:   :.*\n)*?   :members: (.+)$", text, flags=re.MULTILINE
    ):
        names |= {f"{module}.{member.strip()}" for member in members.split(",")}
    return names


@pytest.mark.parametrize("module_name", DOCUMENTED_MODULES)
def test_every_public_name_is_in_the_api_reference(module_name: str) -> None:
    """Each name in the __all__ of repatevents, strategies, invariants and testing has an entry
    of its own in docs/reference/api.md."""
    module: ModuleType = importlib.import_module(module_name)
    documented = _documented()
    assert [] == [n for n in module.__all__ if f"{module_name}.{n}" not in documented]


def test_the_store_names_are_pinned() -> None:
    """repatevents.store exports the backends, open_store and copy_store, and nothing else."""
    import repatevents.store

    assert [
        "Envelope",
        "EventStore",
        "JsonLinesStore",
        "MemoryStore",
        "PostgresStore",
        "SQLiteStore",
        "copy_store",
        "open_store",
    ] == repatevents.store.__all__


# Every public namespace: a plain-named module users import on purpose. Everything else under
# src/repatevents is private (its name, or its package's, starts with an underscore).
PUBLIC_NAMESPACES = [
    "repatevents",
    "repatevents.cli",
    "repatevents.errors",
    "repatevents.events",
    "repatevents.exporters",
    "repatevents.hookspecs",
    "repatevents.importing",
    "repatevents.invariants",
    "repatevents.plugins",
    "repatevents.projections",
    "repatevents.store",
    "repatevents.strategies",
    "repatevents.testing",
]
PUBLIC_SURFACE = Path(__file__).parent.parent / "docs" / "reference" / "public-api.md"


def _surface() -> dict[str, set[str]]:
    """The names docs/reference/public-api.md lists, by namespace (a `## ` heading each)."""
    listed: dict[str, set[str]] = {}
    namespace = None
    for line in PUBLIC_SURFACE.read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"## `([\w.]+)`.*", line):
            namespace = heading.group(1)
            listed[namespace] = set()
        elif (item := re.match(r"- `(\w+)`", line)) and namespace is not None:
            listed[namespace].add(item.group(1))
    return listed


def _exports() -> dict[str, set[str]]:
    return {n: set(importlib.import_module(n).__all__) for n in PUBLIC_NAMESPACES}


def test_the_public_surface_page_lists_exactly_each_namespaces_all() -> None:
    """docs/reference/public-api.md lists every public namespace and exactly its __all__."""
    assert _exports() == _surface()


def test_every_public_module_is_a_listed_namespace() -> None:
    """Each module of the package whose dotted path has no private part is a listed namespace."""
    src = Path(__file__).parent.parent / "src"
    modules = {
        ".".join(p.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        for p in (src / "repatevents").rglob("*.py")
    }
    public = {
        m
        for m in modules
        if not any(part.startswith("_") for part in m.split("."))
        # Entry-point modules (`python -m repatevents.cli`, pytest's plugin) and the package of
        # data files (countries, the example ledger) export no names.
        and m not in ("repatevents.cli.__main__", "repatevents.data", "repatevents.pytest_plugin")
    }
    assert sorted(PUBLIC_NAMESPACES) == sorted(public)


def _documented_anywhere() -> set[str]:
    """The dotted names the API reference documents, with a bare ``:members:`` expanded."""
    names = _documented()
    text = API_REFERENCE.read_text(encoding="utf-8")
    for module in re.findall(
        r"^\.\. automodule:: ([\w.]+)\n(?:   :(?!members).*\n)*   :members:\n",
        text,
        flags=re.MULTILINE,
    ):
        names |= {f"{module}.{n}" for n in importlib.import_module(module).__all__}
    return names


@pytest.mark.parametrize("module_name", PUBLIC_NAMESPACES)
def test_every_name_of_every_namespace_is_in_the_api_reference(module_name: str) -> None:
    """Each name a public namespace exports has an entry in docs/reference/api.md, under its
    own namespace or, for a re-export, under another one by the same name."""
    documented = _documented_anywhere()
    module = importlib.import_module(module_name)
    missing = []
    for name in module.__all__:
        homes = [n for n in documented if n.rpartition(".")[2] == name]
        same = [
            h
            for h in homes
            if getattr(importlib.import_module(h.rpartition(".")[0]), name, None)
            is getattr(module, name)
        ]
        if not same:
            missing.append(name)
    assert [] == missing


def test_everything_the_api_reference_documents_is_public() -> None:
    """Each name docs/reference/api.md documents is in the __all__ of its namespace."""
    exports = _exports()
    stray = sorted(
        name
        for name in _documented_anywhere() - set(PUBLIC_NAMESPACES)
        if name.rpartition(".")[2] not in exports.get(name.rpartition(".")[0], set())
    )
    assert [] == stray


def _classes_in(annotation: object) -> list[type]:
    found = [annotation] if isinstance(annotation, type) else []
    origin = typing.get_origin(annotation)
    if isinstance(origin, type):
        found.append(origin)
    for argument in typing.get_args(annotation):
        found.extend(_classes_in(argument))
    return found


def _public_callables() -> list[tuple[str, Callable[..., object]]]:
    """Every public function, and every public method and property of every public class."""
    found: list[tuple[str, Callable[..., object]]] = []
    for namespace in PUBLIC_NAMESPACES:
        module = importlib.import_module(namespace)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                found.append((f"{namespace}.{name}", obj))
            elif inspect.isclass(obj) and obj.__module__.startswith("repatevents"):
                for attribute, value in vars(obj).items():
                    if attribute.startswith("_"):
                        continue
                    function = value.fget if isinstance(value, property) else value
                    function = getattr(function, "__func__", function)
                    if inspect.isfunction(function):
                        found.append((f"{namespace}.{name}.{attribute}", function))
    return found


# The fold's own lookup, which the projections call; it is to become private (``_view``) once the
# fold's rework (issue 13) is merged, as renaming it now would collide with that work.
PRIVATE_RETURN_ALLOWED = {"repatevents.projections.KnowledgeState.view"}


def test_no_public_call_returns_a_private_type() -> None:
    """What a public function or method returns is a public type (or a builtin one)."""
    public_objects = {
        id(getattr(importlib.import_module(n), name))
        for n in PUBLIC_NAMESPACES
        for name in importlib.import_module(n).__all__
    }
    private: list[str] = []
    for where, function in _public_callables():
        if where in PRIVATE_RETURN_ALLOWED:
            continue
        returned = function.__annotations__.get("return")
        if returned is None:
            continue
        module = importlib.import_module(function.__module__)
        # Names imported for type checkers only are found among the public names and modules.
        scope = {
            name: getattr(importlib.import_module(n), name)
            for n in PUBLIC_NAMESPACES
            for name in importlib.import_module(n).__all__
        }
        scope.update(vars(module))
        scope.update(
            cattrs=importlib.import_module("cattrs"), pluggy=importlib.import_module("pluggy")
        )
        value = eval(returned, scope) if isinstance(returned, str) else returned
        private.extend(
            f"{where} -> {cls.__module__}.{cls.__qualname__}"
            for cls in _classes_in(value)
            if cls.__module__.startswith("repatevents") and id(cls) not in public_objects
        )
    assert [] == sorted(set(private))


def test_the_plugin_manager_has_a_public_home_outside_the_test_kit() -> None:
    """repatevents.plugins gives the plugin manager without loading pytest."""
    import subprocess
    import sys

    code = "import sys, repatevents.plugins; print('pytest' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()
    assert "False" == loaded


def test_ledger_state_returns_the_public_knowledge_state() -> None:
    """Ledger.state() returns repatevents.projections.KnowledgeState, a documented public type."""
    from repatevents import Ledger
    from repatevents.projections import KnowledgeState

    with Ledger.open(None) as ledger:
        state = ledger.state()
    assert isinstance(state, KnowledgeState)
    assert 0 == state.position
