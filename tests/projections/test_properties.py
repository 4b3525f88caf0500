"""Properties of the projections over any consistent ledger drawn by repatevents.strategies."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given, strategies as st

from repatevents import Estimate, Event, strategies as rst
from repatevents._ledger import Ledger
from repatevents.projections import POLICIES
from repatevents.projections._checkpoint import dumps_state, loads_state
from repatevents.projections._policy import resolve_policy
from repatevents.projections._remaining import remaining
from repatevents.projections._state import fold
from repatevents.projections._totals import country_aggregates

LOGS = rst.event_logs(max_size=30)
AS_OF = st.none() | st.dates(dt.date(2014, 1, 1), dt.date(2027, 1, 1))
POLICY_NAMES = st.sampled_from(sorted(POLICIES))
TODAY = dt.date(2025, 1, 1)


def _ledger(events: list[Event]) -> Ledger:
    ledger = Ledger.in_memory()
    ledger.record_many(events)
    return ledger


def _every_projection(ledger: Ledger, **query: object) -> tuple[object, ...]:
    return (
        ledger.operations(**query),  # type: ignore[arg-type]
        ledger.totals(**query),  # type: ignore[arg-type]
        ledger.timeseries(**query),  # type: ignore[arg-type]
        ledger.reconciliation(**query),  # type: ignore[arg-type]
        ledger.quality(**query),  # type: ignore[arg-type]
        ledger.sources(**query),  # type: ignore[arg-type]
        remaining(ledger.state(query.get("known_at")), None, resolve_policy("conservative"), TODAY),  # type: ignore[arg-type]
    )


@given(LOGS, st.data())
def test_folding_in_two_parts_equals_folding_the_whole(
    events: list[Event], data: st.DataObject
) -> None:
    """A projection of a log equals that of its first part continued with the rest."""
    cut = data.draw(st.integers(0, len(events)), label="cut")
    continued = _ledger(events[:cut])
    continued.totals()  # fold the first part now, the rest on the next question
    continued.record_many(events[cut:])
    whole = _ledger(events)
    assert whole.state().same_knowledge(continued.state())
    assert _every_projection(whole) == _every_projection(continued)


@given(LOGS, st.data())
def test_known_at_a_position_equals_a_ledger_holding_only_that_much(
    events: list[Event], data: st.DataObject
) -> None:
    """``known_at`` = p projects exactly what a ledger of the events up to p projects."""
    ledger = _ledger(events)
    position = data.draw(st.integers(0, ledger.head), label="position")
    prefix = _ledger([e.event for e in ledger.store.read(0, upto=position)])
    assert prefix.state().same_knowledge(ledger.state(known_at=position))
    assert _every_projection(prefix) == _every_projection(ledger, known_at=position)


@given(LOGS, AS_OF, POLICY_NAMES)
def test_totals_equal_the_sum_of_the_operations(
    events: list[Event], as_of: dt.date | None, policy: str
) -> None:
    """Each country's total (and number of operations) is the sum over its operations."""
    ledger = _ledger(events)
    sums: dict[str, tuple[int, int, int, int | None]] = {}
    for operation in ledger.operations(as_of=as_of, policy=policy):
        count, low, best, high = sums.get(operation.country, (0, 0, 0, 0))
        total = operation.total
        high = None if high is None or total.high is None else high + total.high
        sums[operation.country] = (count + 1, low + total.low, best + total.best, high)
    totals = {
        t.country: (t.operations, t.total.low, t.total.best, t.total.high)
        for t in ledger.totals(as_of=as_of, policy=policy)
    }
    assert sums == totals


@given(LOGS, AS_OF, POLICY_NAMES)
def test_cumulative_series_never_decrease(
    events: list[Event], as_of: dt.date | None, policy: str
) -> None:
    """Every bound of a cumulative series is at least the one before (no bound is infinite)."""
    series: dict[tuple[str, str], list[Estimate]] = {}
    for point in _ledger(events).timeseries(as_of=as_of, policy=policy):
        series.setdefault((point.country, point.granularity), []).append(point.cumulative)
    for values in series.values():
        for before, after in itertools.pairwise(values):
            assert before.low <= after.low
            assert before.best <= after.best
            assert after.high is None or (before.high is not None and before.high <= after.high)


def _plain_series(ledger: Ledger, as_of: dt.date | None, policy: str) -> list[tuple[object, ...]]:
    """The time series as the definition says it, from the operations one by one: for every
    month (year) from the first operation's latest possible day to the last one's (or
    ``as_of``), the operations whose latest possible day falls on or before its end."""
    by_country: dict[str, list[tuple[dt.date, Estimate]]] = {}
    for operation in ledger.operations(as_of=as_of, policy=policy):
        total = operation.people.total
        if operation.date.latest is not None and total is not None:
            by_country.setdefault(operation.country, []).append((operation.date.latest, total))
    rows: list[tuple[object, ...]] = []
    for country in sorted(by_country):
        ops = by_country[country]
        first = min(day for day, _ in ops)
        last = max(day for day, _ in ops)
        if as_of is not None:
            last = max(last, as_of)
        months = [(y, m) for y in range(first.year, last.year + 1) for m in range(1, 13)]
        months = [ym for ym in months if (first.year, first.month) <= ym <= (last.year, last.month)]
        for granularity, periods in (
            ("month", [(f"{y:04d}-{m:02d}", (y, m)) for y, m in months]),
            ("year", [(str(y), (y, 12)) for y in range(first.year, last.year + 1)]),
        ):
            for period, (year, month) in periods:
                done = [e for day, e in ops if (day.year, day.month) <= (year, month)]
                inside = [
                    e
                    for day, e in ops
                    if (day.year, day.month) <= (year, month)
                    and (
                        day.year == year
                        if granularity == "year"
                        else day.month == month and day.year == year
                    )
                ]
                rows.append(
                    (
                        country,
                        granularity,
                        period,
                        len(done),
                        sum(e.low for e in done),
                        sum(e.best for e in done),
                        None if any(e.high is None for e in done) else sum(e.high for e in done),  # type: ignore[misc]
                        sum(e.best for e in inside),
                    )
                )
    return rows


@given(LOGS, AS_OF, POLICY_NAMES)
def test_the_time_series_adds_up_the_operations(
    events: list[Event], as_of: dt.date | None, policy: str
) -> None:
    """Each point (kept month sums for the default query, sums of the operations otherwise)
    counts exactly the operations whose latest possible day is on or before its period's end."""
    ledger = _ledger(events)
    points = ledger.timeseries(as_of=as_of, policy=policy)
    assert _plain_series(ledger, as_of, policy) == [
        (
            p.country,
            p.granularity,
            p.period,
            p.operations,
            p.cumulative.low,
            p.cumulative.best,
            p.cumulative.high,
            p.in_period.best,
        )
        for p in points
    ]


@given(LOGS, AS_OF, POLICY_NAMES)
def test_remaining_estimates_are_never_negative_and_ordered(
    events: list[Event], as_of: dt.date | None, policy: str
) -> None:
    """Every remaining estimate has 0 <= low <= best <= high (or no high)."""
    for row in _ledger(events).remaining(as_of=as_of, policy=policy):
        for estimate in (row.remaining, row.baseline, row.repatriated, row.inflows):
            if estimate is not None:
                assert 0 <= estimate.low <= estimate.best
                assert estimate.high is None or estimate.best <= estimate.high


@given(LOGS)
def test_kept_aggregates_equal_aggregates_computed_again(events: list[Event]) -> None:
    """The sums the state keeps up to date equal sums computed from every operation."""
    ledger = _ledger(events)
    state = ledger.state()
    policy = resolve_policy("conservative")
    assert country_aggregates(state, None, policy) == country_aggregates(
        state, None, policy, maintained=False
    )
    kept = remaining(state, None, policy, TODAY)
    again = remaining(state, None, policy, TODAY, maintained=False)
    assert kept == again
    fresh = fold(ledger.store.read(0))
    assert fresh == state


@given(LOGS, AS_OF, POLICY_NAMES)
def test_tables_are_well_formed(events: list[Event], as_of: dt.date | None, policy: str) -> None:
    """Every table builds (typed cells), and its HXL tags are unique and well formed."""
    tables = _ledger(events).tables(as_of=as_of, policy=policy)
    assert [
        "operations",
        "totals",
        "nationality_totals",
        "timeseries",
        "remaining",
        "reconciliation",
        "quality",
        "sources",
    ] == list(tables)
    for table in tables.values():
        tags = [c.hxl for c in table.columns]
        assert len(tags) == len(set(tags))
        assert all(t.startswith("#") and " " not in t for t in tags)


@given(LOGS, st.lists(st.integers(0, 30), max_size=4))
def test_rebuilding_from_zero_equals_the_state_kept_incrementally(
    events: list[Event], cuts: list[int]
) -> None:
    """Folding batch by batch (with questions between) and rebuilding from zero agree."""
    ledger = Ledger.in_memory()
    start = 0
    for cut in [*sorted(min(c, len(events)) for c in cuts), len(events)]:
        ledger.record_many(events[start:cut])
        ledger.totals()
        start = max(start, cut)
    kept = ledger.state()
    ledger.rebuild()
    assert kept == ledger.state()


@given(LOGS)
def test_a_checkpoint_restores_the_state_it_saved(events: list[Event]) -> None:
    """Saving a state as a checkpoint and loading it back gives an equal state."""
    state = _ledger(events).state()
    assert state == loads_state(dumps_state(state), state.position)
