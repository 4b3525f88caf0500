"""Events and the values they are made of: what a source claimed, as it claimed it.

This is the first stage of the data flow (events → store → projections → exporters). Nothing
here reads or writes a ledger; it defines what a ledger holds and how it is written down.
"""

from . import _date_words  # noqa: F401  (it hands FuzzyDate.parse its word reader)
from ._codec import SCHEMA_VERSION, event_from_dict, event_to_dict, make_converter
from ._countries import Country, all_countries, lookup_country, to_country_code
from ._dates import FuzzyDate, Precision
from ._estimate import (
    TENS as TENS,
    Estimate,
    Qualifier,
    Unit,
    several_figures_rule as several_figures_rule,
)
from ._events import (
    EVENT_TYPES,
    CampStatus,
    CampStatusChanged,
    CumulativeTotalReported,
    DateRole,
    Event,
    FigureAdjudicated,
    InflowKind,
    InflowReported,
    OperationReported,
    OrdinalScope,
    OutflowKind,
    OutflowReported,
    PopulationScope,
    Report,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    StockObserved,
)
from ._jsonl import dumps_event, iter_jsonl, loads_event, read_jsonl, write_jsonl
from ._people import CATEGORIES, People
from ._places import Origin, Place, PlaceKind, all_places, lookup_place
from ._source import Source, SpeakerKind
from ._stored import (
    decode_event_json as decode_event_json,
    decode_stored_form as decode_stored_form,
    encode_event as encode_event,
    event_payload as event_payload,
    stored_by_nationality as stored_by_nationality,
    stored_date as stored_date,
    stored_form_type as stored_form_type,
    stored_people as stored_people,
    stored_source as stored_source,
    uuid_text as uuid_text,
)

__all__ = [
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
    "InflowKind",
    "InflowReported",
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
    "Report",
    "ReportCorrected",
    "ReportRetracted",
    "ReportsLinked",
    "Source",
    "SpeakerKind",
    "StockObserved",
    "Unit",
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
