"""The time series: cumulative totals per period, every period from the first to the last."""

from __future__ import annotations

from typing import Any

from _projection_events import ledger_of, op
from repatevents.projections import TimeseriesPoint
from repatevents.projections._policy import DEFAULT_POLICY, POLICIES
from repatevents.projections._state import fold
from repatevents.projections._timeseries import timeseries


def series(*events: Any, granularity: str = "month") -> list[TimeseriesPoint]:
    with ledger_of(*events) as ledger:
        state = fold(ledger.store.read())
    return [
        point
        for point in timeseries(state, None, POLICIES[DEFAULT_POLICY], (granularity,))
        if point.country == "KAZ"
    ]


def test_every_month_between_the_first_and_last_operation_is_a_point() -> None:
    """A month without operations moved nobody (0) and keeps the cumulative total, across a
    year's end."""
    points = series(op("KAZ", 100, "2023-11-10"), op("KAZ", 30, "2024-01-05"))
    assert [("2023-11", 100, 100), ("2023-12", 100, 0), ("2024-01", 130, 30)] == [
        (p.period, p.cumulative.best, p.in_period.best) for p in points
    ]
    assert [1, 1, 2] == [p.operations for p in points]


def test_an_operation_counts_from_the_period_of_its_latest_possible_day() -> None:
    """An operation of "November or December" counts in December, when it had surely happened."""
    points = series(op("KAZ", 100, "2023-10-01"), op("KAZ", 40, "2023-11/2023-12"))
    assert [("2023-10", 100), ("2023-11", 100), ("2023-12", 140)] == [
        (p.period, p.cumulative.best) for p in points
    ]


def test_years_sum_their_months() -> None:
    """The yearly series ends each year at the total the monthly one reaches in December."""
    events = (op("KAZ", 100, "2023-11-10"), op("KAZ", 30, "2024-01-05"))
    years = series(*events, granularity="year")
    assert [("2023", 100, 100), ("2024", 130, 30)] == [
        (p.period, p.cumulative.best, p.in_period.best) for p in years
    ]
