"""The public API: the names repatevents exports are pinned, sorted and documented."""

from __future__ import annotations

import importlib
import inspect
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
    ["repatevents", "repatevents.events", "repatevents.errors", "repatevents.strategies"],
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
        elif name in ("Ledger", "ImportResult"):
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
