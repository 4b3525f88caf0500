"""The example ledger: it loads, holds what the articles say, and keeps every source."""

from __future__ import annotations

import collections
from pathlib import Path

import attrs
import pytest

from repatevents.events import (
    CumulativeTotalReported,
    Event,
    FuzzyDate,
    OperationReported,
    StockObserved,
    dumps_event,
    loads_event,
    read_jsonl,
)

LEDGER = Path(__file__).parents[1] / "examples" / "ledger.jsonl"


@pytest.fixture(scope="module")
def events() -> list[Event]:
    """The example ledger, read once."""
    return read_jsonl(LEDGER)


def test_the_example_ledger_loads_with_28_events(events: list[Event]) -> None:
    """examples/ledger.jsonl is valid and holds the 28 events of the five articles."""
    assert 28 == len(events)
    expected = {"cumulative-total-reported": 11, "stock-observed": 9, "operation-reported": 8}
    assert expected == dict(collections.Counter(e.TYPE for e in events))


def test_every_event_has_a_source_with_a_publisher(events: list[Event]) -> None:
    """No figure is without its source: each names the outlet that published it."""
    assert all(e.source.publisher.strip() for e in events)


def test_event_ids_are_unique(events: list[Event]) -> None:
    """No two events of the example are the same claim."""
    assert len(events) == len({e.id for e in events})


def test_every_line_is_written_back_as_it_reads(events: list[Event]) -> None:
    """Each event written out and read again is the same event."""
    assert events == [loads_event(dumps_event(e)) for e in events]


def test_qualified_figures_keep_their_words(events: list[Event]) -> None:
    """ "over 600", "around 60" and "more than 43,000" are kept as the articles put them."""
    words = {
        str(total)
        for e in events
        if isinstance(e, (CumulativeTotalReported, StockObserved))
        and (total := e.people.total) is not None
    }
    assert {"over 600", "around 60", "more than 43,000"} <= words


def test_operations_keep_their_breakdown(events: list[Event]) -> None:
    """Kyrgyzstan's August 2023 operation is 95 people: 31 women and 64 children."""
    (operation,) = [
        e for e in events if isinstance(e, OperationReported) and e.operation_key == "KGZ-2023-08"
    ]
    expected = {"total": 95, "women": 31, "children": 64}
    assert expected == {k: v.best for k, v in operation.people.reported().items()}


@pytest.mark.parametrize(
    "words",
    [
        "Wednesday",
        "In March 2021",
        "February this year",
        "Thursday, 7 December",
        "since March 2019",
        "recently",
        "between May 7 and May 9",
        "in January",
        "earlier this week",
    ],
)
def test_relative_dates_resolve_against_the_publication_date(
    events: list[Event], words: str
) -> None:
    """The words of each relative date, read against the article's date, give the date kept."""
    dated = [
        (date, e.source.published)
        for e in events
        for date in (getattr(e, "date", None), getattr(e, "until", None))
        if isinstance(date, FuzzyDate) and date.raw == words
    ]
    assert dated
    for date, published in dated:
        assert published is not None
        assert published.latest is not None
        assert date == attrs.evolve(FuzzyDate.parse(words, published.latest), raw=words)
