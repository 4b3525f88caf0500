"""repatevents: an auditable ledger of repatriations from the camps of north-east Syria and Iraq.

Every figure is an immutable event with its source; corrections and retractions are events too.
Projections turn the ledger into totals, time series and remaining-in-camp estimates with
low / best / high ranges, and exporter plugins publish them.

Data flows one way: ``events`` → ``store`` → ``projections`` → ``exporters``.
"""

from typing import TYPE_CHECKING, Any

from .errors import RepateventsError, ValidationError

if TYPE_CHECKING:
    from ._ledger import ImportResult, ImportWarning, Ledger
    from .events import (
        CATEGORIES,
        EVENT_TYPES,
        SCHEMA_VERSION,
        Country,
        CumulativeTotalReported,
        DateRole,
        Estimate,
        Event,
        FigureAdjudicated,
        FuzzyDate,
        InflowKind,
        InflowReported,
        OperationReported,
        Origin,
        OutflowKind,
        OutflowReported,
        People,
        Place,
        PlaceKind,
        PopulationScope,
        Precision,
        Qualifier,
        Report,
        ReportCorrected,
        ReportRetracted,
        ReportsLinked,
        Source,
        SpeakerKind,
        StockObserved,
        Unit,
        all_countries,
        all_places,
        dumps_event,
        event_from_dict,
        event_to_dict,
        iter_jsonl,
        loads_event,
        lookup_country,
        lookup_place,
        make_converter,
        read_jsonl,
        to_country_code,
        write_jsonl,
    )

__all__ = [
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

# Names are imported on first access (PEP 562) so that `import repatevents` stays light; the
# imports above tell type checkers and readers where each name comes from.
_LAZY = {name: "events" for name in __all__ if name not in ("RepateventsError", "ValidationError")}
_LAZY.update(Ledger="_ledger", ImportResult="_ledger", ImportWarning="_ledger")


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'repatevents' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"repatevents.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
