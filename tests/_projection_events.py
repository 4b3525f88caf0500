"""Small builders of events for the projection and ledger tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from repatevents import (
    CumulativeTotalReported,
    FuzzyDate,
    InflowKind,
    InflowReported,
    OperationReported,
    Origin,
    OutflowKind,
    OutflowReported,
    People,
    Source,
    SpeakerKind,
    StockObserved,
)
from repatevents._ledger import Ledger

GOVERNMENT = Source(
    publisher="Ministry Bulletin",
    speaker_kind=SpeakerKind.RECEIVING_GOVERNMENT,
    url="https://gov.example/1",
    published=FuzzyDate.day(dt.date(2023, 12, 31)),
)
CAMP = Source(
    publisher="Camp Press",
    speaker_kind=SpeakerKind.CAMP_ADMINISTRATION,
    url="https://camp.example/1",
    published=FuzzyDate.day(dt.date(2023, 12, 20)),
)
ANALYST = Source(publisher="Analyst", speaker_kind=SpeakerKind.ANALYST)


def day(text: str) -> FuzzyDate:
    """Return the fuzzy date of ISO / EDTF text."""
    return FuzzyDate.parse(text)


def op(
    country: str,
    people: People | int | str,
    date: str,
    *,
    origin: str = "al-hol",
    source: Source = GOVERNMENT,
    **fields: Any,
) -> OperationReported:
    """Return an operation report."""
    return OperationReported(
        source=source, country=country, people=people, date=day(date), origin=origin, **fields
    )


def claim(
    country: str | None,
    people: People | int | str,
    until: str,
    *,
    origin: Origin = Origin.SYRIA,
    source: Source = CAMP,
    **fields: Any,
) -> CumulativeTotalReported:
    """Return a cumulative claim."""
    return CumulativeTotalReported(
        source=source, country=country, people=people, until=day(until), origin=origin, **fields
    )


def stock(place: str, people: People | int | str, date: str, **fields: Any) -> StockObserved:
    """Return a stock observation."""
    return StockObserved(source=CAMP, place=place, people=people, date=day(date), **fields)


def outflow(
    place: str, people: int | str, date: str, kind: OutflowKind = OutflowKind.RELEASE
) -> OutflowReported:
    """Return an outflow."""
    return OutflowReported(source=CAMP, place=place, people=people, date=day(date), kind=kind)


def inflow(
    place: str, people: int | str, date: str, kind: InflowKind = InflowKind.BIRTH
) -> InflowReported:
    """Return an inflow."""
    return InflowReported(source=CAMP, place=place, people=people, date=day(date), kind=kind)


def ledger_of(*events: Any) -> Ledger:
    """Return an in-memory ledger holding ``events``."""
    ledger = Ledger.in_memory()
    ledger.record_many(events)
    return ledger
