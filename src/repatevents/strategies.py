"""Hypothesis strategies for repatevents: values, events, whole ledgers and invalid input.

Import this module on purpose (``from repatevents import strategies``); it needs the
``testing`` extra (hypothesis), and ``import repatevents`` never imports it. Importing it
registers a strategy for every public value and event type, so ``st.from_type(Estimate)`` and
``st.from_type(OperationReported)`` work, and ``st.builds`` fills attributes of these types.

Every strategy keeps examples small and draws without filtering, so it is fast enough for
property tests run hundreds of times. A typical use::

    from hypothesis import given
    from repatevents import strategies as rst

    @given(rst.event_logs(countries=["KGZ", "KAZ"], max_size=20))
    def test_my_exporter_never_fails(events):
        ...

The strategies follow the model: values (:func:`countries`, :func:`places`, :func:`estimates`,
:func:`fuzzy_dates`, :func:`people`, :func:`sources`); one strategy per event type;
:func:`reports` and :func:`events` for any of them; :func:`event_logs` for a whole ledger whose
references resolve; and :func:`invalid_event_dicts` for payloads the validator must reject.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from ._strategies import (
    DEFAULT_MAX_DATE,
    DEFAULT_MIN_DATE,
    PEOPLE_FIELDS,
    camp_status_changed,
    countries,
    cumulative_total_reported,
    estimates,
    event_logs,
    events,
    figure_adjudicated,
    fuzzy_dates,
    inflow_reported,
    invalid_event_dicts,
    operation_reported,
    outflow_reported,
    people,
    places,
    report_corrected,
    report_retracted,
    reports,
    reports_linked,
    sources,
    stock_observed,
)
from .events import (
    CampStatusChanged,
    Country,
    CumulativeTotalReported,
    Estimate,
    FigureAdjudicated,
    FuzzyDate,
    InflowReported,
    OperationReported,
    OutflowReported,
    People,
    Place,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    Source,
    StockObserved,
    all_countries,
    all_places,
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
    "register_type_strategies",
    "report_corrected",
    "report_retracted",
    "reports",
    "reports_linked",
    "sources",
    "stock_observed",
]


def register_type_strategies() -> None:
    """Register these strategies with hypothesis for the public value and event types.

    Called when this module is imported; afterwards ``st.from_type(Estimate)`` and
    ``st.from_type(OperationReported)`` draw from the strategies above. Calling it again is
    harmless.
    """
    table: dict[type[Any], SearchStrategy[Any]] = {
        Estimate: estimates(unit=None),
        FuzzyDate: fuzzy_dates(),
        People: people(),
        Source: sources(),
        Country: st.sampled_from(all_countries()),
        Place: st.sampled_from(all_places()),
        OperationReported: operation_reported(),
        CumulativeTotalReported: cumulative_total_reported(),
        StockObserved: stock_observed(),
        OutflowReported: outflow_reported(),
        InflowReported: inflow_reported(),
        ReportsLinked: reports_linked(),
        FigureAdjudicated: figure_adjudicated(),
        ReportCorrected: report_corrected(),
        ReportRetracted: report_retracted(),
        CampStatusChanged: camp_status_changed(),
    }
    for cls, strategy in table.items():
        st.register_type_strategy(cls, strategy)


register_type_strategies()
