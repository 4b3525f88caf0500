"""The public API: the names repatevents exports are pinned, sorted and documented."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path
from types import ModuleType

import pytest

import repatevents

PUBLIC_NAMES = [
    "CATEGORIES",
    "EVENT_TYPES",
    "SCHEMA_VERSION",
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
    "RepateventsPluginManager",
    "StoreContract",
    "assert_installed_plugin_loads",
    "assert_ledger_consistent",
    "describe_violations",
    "empty_tables",
    "formula_tables",
    "fresh_plugin_manager",
    "get_plugin_manager",
    "largest_number_tables",
    "plugin_manager_fixture",
    "registered_exporters",
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
    """repatevents.testing.__all__ is exactly this list: the plugin manager a plugin author
    needs is here (get_plugin_manager, registered_exporters, its type), and nowhere else."""
    import repatevents.testing

    assert TESTING_NAMES == repatevents.testing.__all__
    assert not {"get_plugin_manager", "registered_exporters"} & set(repatevents.__all__)


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
