"""Strategies for single events: one per event type, and any report or event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn, SearchStrategy

from ..events import (
    CampStatus,
    CampStatusChanged,
    CumulativeTotalReported,
    DateRole,
    Event,
    FigureAdjudicated,
    FuzzyDate,
    InflowKind,
    InflowReported,
    OperationReported,
    OrdinalScope,
    Origin,
    OutflowKind,
    OutflowReported,
    PopulationScope,
    Report,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    Source,
    SpeakerKind,
    StockObserved,
)
from ._values import (
    COUNTERS,
    DEFAULT_MAX_DATE,
    DEFAULT_MIN_DATE,
    FACILITATORS,
    NAME_TEXT,
    OPERATION_NAMES,
    REASONS,
    SMALL_TEXT,
    check_dates,
    countries as country_strategy,
    estimates,
    fuzzy_dates,
    optional,
    people,
    places as place_strategy,
    sampled,
    sources,
)

__all__ = [
    "analyst_sources",
    "camp_status_changed",
    "cumulative_total_reported",
    "events",
    "figure_adjudicated",
    "inflow_reported",
    "operation_reported",
    "outflow_reported",
    "report_corrected",
    "report_retracted",
    "reports",
    "reports_linked",
    "stock_observed",
]

T = TypeVar("T")


def _ids() -> SearchStrategy[uuid.UUID | None]:
    # Mostly content-derived ids, as imports make them; sometimes an id given by the writer.
    return st.none() | st.none() | st.uuids()


def _with_id(cls: Callable[..., T], fields: dict[str, SearchStrategy[Any]]) -> SearchStrategy[T]:
    def build(values: dict[str, Any]) -> T:
        if values.get("id") is None:
            values = {k: v for k, v in values.items() if k != "id"}
        return cls(**values)

    return st.fixed_dictionaries({**fields, "id": _ids()}).map(build)


def _source_or(source: SearchStrategy[Source] | None) -> SearchStrategy[Source]:
    return sources() if source is None else source


def _operation(**values: Any) -> OperationReported:
    scope = values.get("ordinal_scope")
    if values.get("ordinal") is None or (
        scope is OrdinalScope.CAMPAIGN and values.get("operation_name") is None
    ):
        values["ordinal_scope"] = None
    return OperationReported(**values)


def operation_reported(
    *,
    countries: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    max_value: int = 1000,
    consistent_people: bool = False,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[OperationReported]:
    """Draw reports of repatriation operations.

    Args:
        countries: receiving countries (and nationalities) to draw from; ``None`` for all.
        places: origin places to draw from; ``None`` for all.
        min_date: the earliest day the operation's date may mention.
        max_date: the latest day the operation's date may mention.
        max_value: the largest count of people.
        consistent_people: whether each group of people is internally consistent.
        source: the strategy for the report's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.OperationReported`; an ordinal's scope only where
        there is an ordinal (and, for ``campaign``, an operation name).
    """
    country = country_strategy(countries)
    return _with_id(
        _operation,
        {
            "source": _source_or(source),
            "country": country,
            "people": people(max_value=max_value, consistent=consistent_people),
            "date": fuzzy_dates(min_date=min_date, max_date=max_date),
            "origin": place_strategy(places),
            "date_role": st.sampled_from(DateRole),
            "nationality": optional(country),
            "facilitators": st.lists(st.sampled_from(FACILITATORS), max_size=3, unique=True).map(
                tuple
            ),
            "operation_name": optional(st.sampled_from(OPERATION_NAMES)),
            "ordinal": optional(st.integers(1, 20)),
            "ordinal_scope": optional(st.sampled_from(OrdinalScope)),
            "operation_key": optional(NAME_TEXT),
            "notes": optional(SMALL_TEXT),
        },
    )


def cumulative_total_reported(
    *,
    countries: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    max_value: int = 5000,
    consistent_people: bool = False,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[CumulativeTotalReported]:
    """Draw claims about cumulative totals ("over 600 since 2019").

    Args:
        countries: receiving countries to draw from; ``None`` for all.
        min_date: the earliest day a window may mention.
        max_date: the latest day a window may mention.
        max_value: the largest total.
        consistent_people: whether each group of people is internally consistent.
        source: the strategy for the claim's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.CumulativeTotalReported`; ``since`` (when drawn)
        never ends after ``until`` begins; about one claim in ten is about every receiving
        country together (``country`` None, ``all_countries``).
    """
    check_dates(min_date, max_date)
    country = country_strategy(countries)
    return _cumulative(
        {
            "source": _source_or(source),
            "country": country,
            "people": people(
                required=("total",), max_value=max_value, consistent=consistent_people
            ),
            "origin": st.sampled_from(Origin),
            "counter": optional(st.sampled_from(COUNTERS)),
            "nationality": optional(country),
            "notes": optional(SMALL_TEXT),
            "id": _ids(),
        },
        fuzzy_dates(min_date=min_date, max_date=max_date),
        min_date,
    )


@st.composite
def _cumulative(
    draw: DrawFn,
    fields: dict[str, SearchStrategy[Any]],
    untils: SearchStrategy[FuzzyDate],
    min_date: dt.date,
) -> CumulativeTotalReported:
    values = {name: draw(strategy) for name, strategy in fields.items()}
    if values["id"] is None:
        del values["id"]
    if draw(st.integers(0, 9)) == 0:
        # Now and then a claim about every receiving country together.
        values["country"] = None
        values["all_countries"] = True
    until = draw(untils)
    since = None
    start = until.earliest
    if start is not None and draw(st.booleans()):
        # The window opens on a day, or in a month, no later than the day it can first end.
        day = min_date + dt.timedelta(days=draw(st.integers(0, (start - min_date).days)))
        month = FuzzyDate.month(day.year, day.month)
        fits = month.earliest is not None and month.earliest >= min_date
        fits = fits and month.latest is not None and month.latest <= start
        since = month if fits and draw(st.booleans()) else FuzzyDate.day(day)
    return CumulativeTotalReported(until=until, since=since, **values)


@st.composite
def _stock(
    draw: DrawFn, fields: dict[str, SearchStrategy[Any]], country_codes: SearchStrategy[str]
) -> StockObserved:
    values = {name: draw(strategy) for name, strategy in fields.items()}
    if values["id"] is None:
        del values["id"]
    # Only a count of one country's nationals names the country.
    if values["scope"] is PopulationScope.NATIONALS:
        values["country"] = draw(country_codes)
    return StockObserved(**values)


def stock_observed(
    *,
    countries: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    max_value: int = 80_000,
    consistent_people: bool = False,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[StockObserved]:
    """Draw observations of a population: a camp's residents or a country's nationals held.

    Args:
        countries: countries for the ``nationals`` scope and for counts per nationality.
        places: places observed; ``None`` for all.
        min_date: the earliest day of an observation.
        max_date: the latest day of an observation.
        max_value: the largest population.
        consistent_people: whether each group of people is internally consistent.
        source: the strategy for the observation's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.StockObserved`; the scope ``nationals`` always
        comes with its country, and other scopes never do.
    """
    check_dates(min_date, max_date)
    country_codes = country_strategy(countries)
    return _stock(
        {
            "source": _source_or(source),
            "place": place_strategy(places),
            "date": fuzzy_dates(min_date=min_date, max_date=max_date),
            "people": people(max_value=max_value, consistent=consistent_people),
            "scope": st.sampled_from(PopulationScope),
            "by_nationality": st.dictionaries(
                country_codes, estimates(max_value=max(max_value // 10, 1)), max_size=3
            ),
            "notes": optional(SMALL_TEXT),
            "id": _ids(),
        },
        country_codes,
    )


def _flow(
    cls: type[OutflowReported] | type[InflowReported],
    kinds: SearchStrategy[Any],
    countries: Sequence[str] | None,
    places: Sequence[str] | None,
    min_date: dt.date,
    max_date: dt.date,
    max_value: int,
    consistent_people: bool,
    source: SearchStrategy[Source] | None,
    extra: dict[str, SearchStrategy[Any]],
) -> SearchStrategy[Any]:
    return _with_id(
        cls,
        {
            "source": _source_or(source),
            "place": place_strategy(places),
            "date": fuzzy_dates(min_date=min_date, max_date=max_date),
            "people": people(max_value=max_value, consistent=consistent_people),
            "kind": kinds,
            "nationality": optional(country_strategy(countries)),
            "notes": optional(SMALL_TEXT),
            **extra,
        },
    )


def outflow_reported(
    *,
    countries: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    max_value: int = 1000,
    consistent_people: bool = False,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[OutflowReported]:
    """Draw reports of people leaving a camp other than by repatriation (release, escape …).

    Args:
        countries: nationalities to draw from; ``None`` for all.
        places: the places left; ``None`` for all.
        min_date: the earliest day of the outflow.
        max_date: the latest day of the outflow.
        max_value: the largest count of people.
        consistent_people: whether each group of people is internally consistent.
        source: the strategy for the report's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.OutflowReported`.
    """
    check_dates(min_date, max_date)
    strategy: SearchStrategy[OutflowReported] = _flow(
        OutflowReported,
        st.sampled_from(OutflowKind),
        countries,
        places,
        min_date,
        max_date,
        max_value,
        consistent_people,
        source,
        {"destination": optional(st.sampled_from(("Iraq", "al-Jadaa", "Raqqa", "home area")))},
    )
    return strategy


def inflow_reported(
    *,
    countries: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    max_value: int = 1000,
    consistent_people: bool = False,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[InflowReported]:
    """Draw reports of people arriving in a camp: births, arrivals, transfers in.

    Args:
        countries: nationalities to draw from; ``None`` for all.
        places: the places arrived at; ``None`` for all.
        min_date: the earliest day of the inflow.
        max_date: the latest day of the inflow.
        max_value: the largest count of people.
        consistent_people: whether each group of people is internally consistent.
        source: the strategy for the report's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.InflowReported`.
    """
    check_dates(min_date, max_date)
    strategy: SearchStrategy[InflowReported] = _flow(
        InflowReported,
        st.sampled_from(InflowKind),
        countries,
        places,
        min_date,
        max_date,
        max_value,
        consistent_people,
        source,
        {},
    )
    return strategy


def _report_id_strategy(report_ids: Sequence[uuid.UUID] | None) -> SearchStrategy[uuid.UUID]:
    return st.uuids() if report_ids is None else sampled(report_ids, "report_ids")


def analyst_sources() -> SearchStrategy[Source]:
    """Draw the sources of statements about reports: analysts, media and the UN."""
    return sources(speaker_kinds=(SpeakerKind.ANALYST, SpeakerKind.MEDIA, SpeakerKind.UN))


def reports_linked(
    *,
    report_ids: Sequence[uuid.UUID] | None = None,
    max_reports: int = 4,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[ReportsLinked]:
    """Draw assertions that reports describe the same operation (or no longer do).

    Args:
        report_ids: the report ids to link, two or more; ``None`` for arbitrary UUIDs.
        max_reports: the most reports one link names (at least 2).
        source: the strategy for the analyst's source; ``None`` for analyst-like sources.

    Returns:
        A strategy of :class:`~repatevents.ReportsLinked` naming two or more different reports.

    Raises:
        ValueError: fewer than two distinct ``report_ids``, or ``max_reports`` below 2.
    """
    if max_reports < 2:
        raise ValueError(f"max_reports ({max_reports}) must be at least 2: a link joins two")
    if report_ids is not None and len(set(report_ids)) < 2:
        raise ValueError("report_ids must hold at least two different ids")
    ids = st.lists(
        _report_id_strategy(None if report_ids is None else list(dict.fromkeys(report_ids))),
        min_size=2,
        max_size=max_reports,
        unique=True,
    ).map(tuple)
    return _with_id(
        ReportsLinked,
        {
            "source": analyst_sources() if source is None else source,
            "reports": ids,
            "linked": st.booleans(),
            "reason": optional(st.sampled_from(REASONS)),
            "notes": optional(SMALL_TEXT),
        },
    )


def figure_adjudicated(
    *,
    report_ids: Sequence[uuid.UUID] | None = None,
    max_value: int = 1000,
    consistent_people: bool = False,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[FigureAdjudicated]:
    """Draw an analyst's choices of the recommended figure for a report's operation.

    Args:
        report_ids: the reports that may be adjudicated; ``None`` for arbitrary UUIDs.
        max_value: the largest count of people.
        consistent_people: whether each chosen group of people is internally consistent.
        source: the strategy for the analyst's source; ``None`` for analyst-like sources.

    Returns:
        A strategy of :class:`~repatevents.FigureAdjudicated`.
    """
    return _with_id(
        FigureAdjudicated,
        {
            "source": analyst_sources() if source is None else source,
            "report": _report_id_strategy(report_ids),
            "people": people(max_value=max_value, consistent=consistent_people),
            "rationale": optional(st.sampled_from(REASONS)),
            "notes": optional(SMALL_TEXT),
        },
    )


def report_corrected(
    *,
    report_ids: Sequence[uuid.UUID] | None = None,
    replacements: SearchStrategy[Report] | None = None,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[ReportCorrected]:
    """Draw corrections: a replacement report that supersedes an earlier one.

    Args:
        report_ids: the reports that may be superseded; ``None`` for arbitrary UUIDs.
        replacements: the strategy for the replacement; ``None`` for :func:`reports`.
        source: the strategy for the correction's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.ReportCorrected`.
    """
    return _with_id(
        ReportCorrected,
        {
            "source": _source_or(source),
            "supersedes": _report_id_strategy(report_ids),
            "replacement": reports() if replacements is None else replacements,
            "reason": optional(st.sampled_from(REASONS)),
            "notes": optional(SMALL_TEXT),
        },
    )


def report_retracted(
    *,
    report_ids: Sequence[uuid.UUID] | None = None,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[ReportRetracted]:
    """Draw retractions of earlier reports.

    Args:
        report_ids: the reports that may be retracted; ``None`` for arbitrary UUIDs.
        source: the strategy for the retraction's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.ReportRetracted`.
    """
    return _with_id(
        ReportRetracted,
        {
            "source": _source_or(source),
            "retracts": _report_id_strategy(report_ids),
            "reason": optional(st.sampled_from(REASONS)),
            "notes": optional(SMALL_TEXT),
        },
    )


def camp_status_changed(
    *,
    places: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    source: SearchStrategy[Source] | None = None,
) -> SearchStrategy[CampStatusChanged]:
    """Draw changes of a camp's status: opened, closed, emptied, transferred.

    Args:
        places: the places whose status changes; ``None`` for all.
        min_date: the earliest day of the change.
        max_date: the latest day of the change.
        source: the strategy for the event's source; ``None`` for :func:`sources`.

    Returns:
        A strategy of :class:`~repatevents.CampStatusChanged`; only a transfer names the new
        authority.
    """
    check_dates(min_date, max_date)

    @st.composite
    def draw(draw: DrawFn) -> CampStatusChanged:
        status = draw(st.sampled_from(CampStatus))
        authority = (
            draw(optional(st.sampled_from(("Syrian government", "Iraqi authorities"))))
            if status is CampStatus.TRANSFERRED
            else None
        )
        values: dict[str, Any] = {
            "source": draw(_source_or(source)),
            "place": draw(place_strategy(places)),
            "date": draw(fuzzy_dates(min_date=min_date, max_date=max_date)),
            "status": status,
            "authority": authority,
            "notes": draw(optional(SMALL_TEXT)),
        }
        given = draw(_ids())
        return (
            CampStatusChanged(**values) if given is None else CampStatusChanged(**values, id=given)
        )

    return draw()


def reports(
    *,
    countries: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    consistent_people: bool = False,
) -> SearchStrategy[Report]:
    """Draw reports of any of the five report types (operation, cumulative, stock, flows).

    Args:
        countries: countries to draw from; ``None`` for all.
        places: places to draw from; ``None`` for all.
        min_date: the earliest day a report's date may mention.
        max_date: the latest day a report's date may mention.
        consistent_people: whether each group of people is internally consistent.

    Returns:
        A strategy of reports (the :data:`~repatevents.Report` union).
    """
    common: dict[str, Any] = {
        "countries": countries,
        "min_date": min_date,
        "max_date": max_date,
        "consistent_people": consistent_people,
    }
    return st.one_of(
        operation_reported(places=places, **common),
        cumulative_total_reported(**common),
        stock_observed(places=places, **common),
        outflow_reported(places=places, **common),
        inflow_reported(places=places, **common),
    )


def events(
    *,
    countries: Sequence[str] | None = None,
    places: Sequence[str] | None = None,
    min_date: dt.date = DEFAULT_MIN_DATE,
    max_date: dt.date = DEFAULT_MAX_DATE,
    consistent_people: bool = False,
) -> SearchStrategy[Event]:
    """Draw single events of any type, each valid on its own.

    References (links, corrections, retractions, adjudications) point at arbitrary UUIDs; use
    :func:`event_logs` for ledgers whose references resolve.

    Args:
        countries: countries to draw from; ``None`` for all.
        places: places to draw from; ``None`` for all.
        min_date: the earliest day a date may mention.
        max_date: the latest day a date may mention.
        consistent_people: whether each group of people is internally consistent.

    Returns:
        A strategy of events (the :data:`~repatevents.Event` union).
    """
    any_report = reports(
        countries=countries,
        places=places,
        min_date=min_date,
        max_date=max_date,
        consistent_people=consistent_people,
    )
    return st.one_of(
        any_report,
        reports_linked(),
        figure_adjudicated(consistent_people=consistent_people),
        report_corrected(replacements=any_report),
        report_retracted(),
        camp_status_changed(places=places, min_date=min_date, max_date=max_date),
    )
