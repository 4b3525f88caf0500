"""The rules every backend shares: planning a batch, and checking a stored hash chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given, strategies as st

from repatevents import strategies as rst
from repatevents.errors import ConcurrencyError, DuplicateEventError, IntegrityError
from repatevents.events import Event
from repatevents.store._hashing import GENESIS_HASH
from repatevents.store._records import (
    ChainChecker,
    IdIndex,
    Known,
    StoredRecord,
    check_after_upto,
    check_expected,
    plan_batch,
    plan_rows,
)
from repatevents.testing import sample_events

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
#: plan_rows' arguments for a batch at the start of an empty log.
_AT_START: dict[str, Any] = {
    "head": 0,
    "last_hash": GENESIS_HASH,
    "last_recorded_at": None,
    "now": NOW,
    "index": IdIndex(),
    "fetch": lambda position: pytest.fail(f"nothing is stored, yet {position} was fetched"),
}


def _plan(
    events: list[Event],
    stored: Sequence[StoredRecord] = (),
    *,
    now: dt.datetime = NOW,
    last_recorded_at: str | None = None,
) -> list[StoredRecord]:
    """Plan ``events`` after the records ``stored``, as a backend holding them would."""
    index = IdIndex()
    for record in stored:
        index.add(record.event_id, record.position)
    by_position = {r.position: Known(r.position, r.schema_version, r.event_json) for r in stored}
    planned = plan_batch(
        events,
        head=len(stored),
        last_hash=stored[-1].hash if stored else GENESIS_HASH,
        last_recorded_at=last_recorded_at,
        now=now,
        index=index,
        fetch=by_position.__getitem__,
    )
    return [record for record, _ in planned]


def _check_all(records: list[StoredRecord]) -> ChainChecker:
    checker = ChainChecker()
    for record in records:
        checker.check(record, record.event_id)
    return checker


def test_planned_batches_continue_one_chain_a_checker_accepts() -> None:
    """Two batches planned one after the other number on from the head and chain their hashes."""
    first = _plan(sample_events(3))
    second = _plan(sample_events(2, 3), first)
    records = first + second
    assert [1, 2, 3, 4, 5] == [record.position for record in records]
    assert 5 == _check_all(records).checked


def test_an_event_stored_or_repeated_with_the_same_content_is_left_out() -> None:
    """Appending is idempotent: a stored event, and a second copy in the batch, plan nothing."""
    events = sample_events(3)
    stored = _plan(events)
    again = _plan([events[1], *sample_events(1, 3), events[1]], stored)
    assert [(4, str(sample_events(1, 3)[0].id))] == [(r.position, r.event_id) for r in again]


@pytest.mark.parametrize("where", ["stored", "in the batch"])
def test_an_id_given_again_with_other_content_is_refused_naming_where_it_is(where: str) -> None:
    """The same id with other content raises DuplicateEventError at the first copy's position."""
    events = sample_events(3)
    changed = attrs.evolve(events[1], notes=f"{events[1].notes} (changed)")
    if where == "stored":
        stored, batch, position = _plan(events), [changed], 2
    else:
        stored, batch, position = [], [*events, changed], 2
    with pytest.raises(DuplicateEventError) as raised:
        _plan(batch, stored)
    assert position == raised.value.position


def test_planned_rows_are_the_records_of_plan_batch_and_fill_the_index() -> None:
    """plan_rows gives plan_batch's records as plain tuples; add_rows indexes them."""
    events = sample_events(4)
    stored = _plan(events[:1])
    index = IdIndex()
    index.add(stored[0].event_id, 1)
    batch = [events[0], *events[1:], events[2]]  # a stored event and a repeat are left out
    planned = plan_rows(
        batch,
        head=1,
        last_hash=stored[0].hash,
        last_recorded_at=None,
        now=NOW,
        index=index,
        fetch=lambda position: Known(position, stored[0].schema_version, stored[0].event_json),
    )
    assert [tuple(record) for record in _plan(batch, stored)] == planned.rows
    assert all(type(row) is tuple for row in planned.rows)
    assert events[1:] == planned.events
    assert [str(event.id) for event in events[1:]] == [row[4] for row in planned.rows]
    index.add_rows(planned)
    assert ([1, 2, 3, 4], 4) == ([index.get(event.id) for event in events], index.upto)


def test_recording_times_never_go_backwards() -> None:
    """A writer whose clock is behind the last record's time records at that time instead."""
    stored = _plan(sample_events(1), now=NOW)
    behind = _plan(
        sample_events(1, 1),
        stored,
        now=NOW - dt.timedelta(hours=1),
        last_recorded_at=stored[-1].recorded_at,
    )
    assert stored[-1].recorded_at == behind[0].recorded_at


def test_the_checker_names_the_first_record_that_breaks_the_chain() -> None:
    """A changed event, a reordered log, an id not its content's: each named by position."""
    records = _plan(sample_events(4))
    changed = [*records[:2], records[2]._replace(event_json=records[2].event_json + b" ")]
    with pytest.raises(IntegrityError) as raised:
        _check_all(changed)
    assert 3 == raised.value.position
    with pytest.raises(IntegrityError, match="says position 3") as raised:
        _check_all([records[0], records[2]])
    assert 2 == raised.value.position
    checker = _check_all(records[:1])
    with pytest.raises(IntegrityError, match="the id in its content"):
        checker.check(records[1], records[0].event_id)


def test_read_and_write_positions_are_checked() -> None:
    """Bad read bounds are ValueErrors naming the value; a stale writer is a ConcurrencyError."""
    assert 3 == check_after_upto(0, None, 3)
    assert 2 == check_after_upto(1, 2, 3)
    assert 3 == check_after_upto(1, 9, 3)
    with pytest.raises(ValueError, match="got -1"):
        check_after_upto(-1, None, 3)
    with pytest.raises(ValueError, match="got True"):
        check_after_upto(0, True, 3)
    check_expected(None, 3)
    check_expected(3, 3)
    with pytest.raises(ConcurrencyError):
        check_expected(2, 3)


@given(st.lists(rst.events(), min_size=1, max_size=8, unique_by=lambda event: event.id))
def test_a_batch_of_new_ids_plans_what_the_event_by_event_path_plans(events: list[Event]) -> None:
    """A batch whose ids are all new (planned over the whole batch at once) gives the rows,
    events and keys that the event-by-event path gives it when a repeat sends it there."""
    fast = plan_rows(events, **_AT_START)
    one_by_one = plan_rows([*events, events[0]], **_AT_START)  # the repeat is left out
    assert one_by_one == fast
    assert all(type(row) is tuple for row in fast.rows)
    assert [(i + 1, str(event.id)) for i, event in enumerate(events)] == [
        (row[0], row[4]) for row in fast.rows
    ]
    assert len(events) == _check_all([StoredRecord(*row) for row in fast.rows]).checked
