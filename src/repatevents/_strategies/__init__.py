"""The implementation of :mod:`repatevents.strategies`; import that module instead.

This ``__init__`` gathers what that module needs, so that it imports this package and not its
private modules.
"""

from __future__ import annotations

from ._events import (
    camp_status_changed,
    cumulative_total_reported,
    events,
    figure_adjudicated,
    inflow_reported,
    operation_reported,
    outflow_reported,
    report_corrected,
    report_retracted,
    reports,
    reports_linked,
    stock_observed,
)
from ._invalid import (
    invalid_event_dicts,
)
from ._ledgers import (
    event_logs,
)
from ._values import (
    DEFAULT_MAX_DATE,
    DEFAULT_MIN_DATE,
    PEOPLE_FIELDS,
    countries,
    estimates,
    fuzzy_dates,
    people,
    places,
    sources,
)

__all__ = [
    "DEFAULT_MAX_DATE",
    "DEFAULT_MIN_DATE",
    "PEOPLE_FIELDS",
    "camp_status_changed",
    "countries",
    "cumulative_total_reported",
    "estimates",
    "event_logs",
    "events",
    "figure_adjudicated",
    "fuzzy_dates",
    "inflow_reported",
    "invalid_event_dicts",
    "operation_reported",
    "outflow_reported",
    "people",
    "places",
    "report_corrected",
    "report_retracted",
    "reports",
    "reports_linked",
    "sources",
    "stock_observed",
]
