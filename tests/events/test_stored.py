"""The stored form of events: written by one module, read back as event_from_dict reads it."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import orjson
import pytest
from hypothesis import given, strategies as st
from hypothesis.strategies import SearchStrategy

from repatevents import strategies as rst
from repatevents.errors import ValidationError
from repatevents.events import (
    EVENT_TYPES,
    Event,
    _stored as stored,
    decode_stored_form,
    event_from_dict,
    event_to_dict,
    read_jsonl,
    stored_form_type,
    stored_people,
    stored_source,
)
from repatevents.events._stored import decode_event, decode_event_json, encode_event, event_payload
from repatevents.store import JsonLinesStore, SQLiteStore
from repatevents.testing import sample_events

_PER_TYPE: dict[str, SearchStrategy[Event]] = {
    "operation-reported": rst.operation_reported(),
    "cumulative-total-reported": rst.cumulative_total_reported(),
    "stock-observed": rst.stock_observed(),
    "outflow-reported": rst.outflow_reported(),
    "inflow-reported": rst.inflow_reported(),
    "reports-linked": rst.reports_linked(),
    "figure-adjudicated": rst.figure_adjudicated(),
    "report-corrected": rst.report_corrected(),
    "report-retracted": rst.report_retracted(),
    "camp-status-changed": rst.camp_status_changed(),
}


def _interchange_with_ids(event: Event) -> dict[str, Any]:
    """event_to_dict as JSON, with the ids it leaves out when they are derived written in."""
    data = event_to_dict(event)
    data["id"] = str(event.id)
    replacement = getattr(event, "replacement", None)
    if replacement is not None:
        data["replacement"]["id"] = str(replacement.id)
    loaded: dict[str, Any] = orjson.loads(orjson.dumps(data))
    return loaded


def _stored(event: Event) -> dict[str, Any]:
    payload: dict[str, Any] = orjson.loads(encode_event(event))
    return payload


def _from_json(payload: dict[str, Any]) -> Event:
    return decode_event_json(orjson.dumps(payload))


#: The two readers of stored events: from the parsed dict, and from the stored bytes.
READERS = pytest.mark.parametrize("read", [decode_event, _from_json], ids=["dict", "json"])


def test_every_event_type_has_a_strategy_here() -> None:
    """The per-type table below covers every event type there is."""
    assert sorted(EVENT_TYPES) == sorted(_PER_TYPE)


@pytest.mark.parametrize("type_name", sorted(_PER_TYPE))
@given(data=st.data())
def test_decoding_equals_event_from_dict(type_name: str, data: st.DataObject) -> None:
    """For every event type, both fast readers return what event_from_dict returns, which is
    the event that was encoded."""
    event = data.draw(_PER_TYPE[type_name])
    payload = _stored(event)
    assert event == event_from_dict(payload) == decode_event(payload)
    assert decode_event_json(encode_event(event)) == event


@given(rst.events())
def test_the_stored_form_is_the_interchange_form_with_ids(event: Event) -> None:
    """The stored payload is event_to_dict's, with every id written out, as sorted JSON."""
    assert _interchange_with_ids(event) == _stored(event)
    assert orjson.dumps(_interchange_with_ids(event), option=orjson.OPT_SORT_KEYS) == (
        encode_event(event)
    )
    assert orjson.dumps(event_payload(event), option=orjson.OPT_SORT_KEYS) == encode_event(event)


def _reference_bytes(event: Event) -> bytes:
    """The stored JSON as the dict encoder and orjson write it: what the store wrote before
    encode_event copied events into Structs for msgspec."""
    return orjson.dumps(event_payload(event), option=orjson.OPT_SORT_KEYS)


@pytest.mark.parametrize("type_name", sorted(_PER_TYPE))
@given(data=st.data())
def test_encode_event_writes_the_bytes_of_the_dict_encoder(
    type_name: str, data: st.DataObject
) -> None:
    """For every event type, encode_event writes exactly the bytes of the reference encoder
    (the hash chain and the golden files depend on every byte)."""
    event = data.draw(_PER_TYPE[type_name])
    assert _reference_bytes(event) == encode_event(event)


@given(st.lists(rst.events(), min_size=2, max_size=6), st.text(max_size=20))
def test_encode_event_is_right_for_shared_and_changed_values(
    events: list[Event], notes: str
) -> None:
    """Values shared between events (one source object, one date) and events changed with
    attrs.evolve (any text, control characters and non-ASCII included) are written as the
    reference encoder writes them, whatever the writer's caches hold."""
    shared = [attrs.evolve(e, source=events[0].source, notes=notes or None) for e in events]
    for event in [*events, *shared, *events]:
        assert _reference_bytes(event) == encode_event(event)


@given(rst.events())
def test_decoding_does_not_fall_back(event: Event) -> None:
    """A payload the store wrote is decoded without the validating codec, and its bytes
    without parsing them into a dict first."""
    payload = _stored(event)
    with mock.patch.object(stored, "event_from_dict", _refuse):
        assert event == decode_event(payload)
    with mock.patch.object(stored, "decode_event", _refuse):
        assert event == decode_event_json(encode_event(event))


@given(rst.events())
def test_what_the_store_writes_is_read_as_a_checked_form(event: Event) -> None:
    """The stored JSON of any event is read as a form with the event's type, ids and values
    (what the fold reads without building the event)."""
    form = decode_stored_form(encode_event(event))
    assert form is not None
    assert event.TYPE == stored_form_type(form)
    assert event.id == form.id
    assert event.source == stored_source(form.source)
    people = getattr(event, "people", None)
    if people is not None:
        assert people == stored_people(form.people)


def _refuse(data: Any, *, line: int | None = None) -> Event:
    raise AssertionError(f"the fast reader fell back to a slower one for {data!r}")


@READERS
def test_decoded_ids_are_ordinary_uuids(read: Any) -> None:
    """Ids built by the fast readers behave as uuid.UUID(text) does."""
    event = sample_events(1)[0]
    decoded = read(_stored(event))
    reference = uuid.UUID(str(event.id))
    assert (reference, hash(reference), str(reference), reference.version) == (
        decoded.id,
        hash(decoded.id),
        str(decoded.id),
        decoded.id.version,
    )
    assert reference.is_safe == decoded.id.is_safe


@READERS
def test_example_ledger_and_samples_round_trip(read: Any) -> None:
    """The example ledger's events and the sample events of every type decode to themselves."""
    events = read_jsonl("examples/ledger.jsonl") + sample_events(45)
    assert events == [read(_stored(event)) for event in events]
    assert [event_from_dict(_stored(e)) for e in events] == [read(_stored(e)) for e in events]


@pytest.mark.parametrize(
    "change",
    [
        {"people": {"total": "over 600"}},  # report words, which the store never writes
        {"country": "Kyrgyz Republic"},  # an alias, which only the validating codec converts
        {"version": 2},
        {"people": {"families": 174}},  # a bare count of families, which the store writes whole
        {"date": {"value": "2023-03", "raw": "in March"}, "id": str(uuid.UUID(int=7)).upper()},
        {"source": {"publisher": "Rudaw", "speaker_kind": "un"}, "nationality": "kazakhstan"},
    ],
)
@READERS
def test_other_shapes_go_to_event_from_dict(change: dict[str, Any], read: Any) -> None:
    """A valid payload not in the stored shape is read by event_from_dict, with its result."""
    payload = {**_stored(sample_events(1)[0]), **change}
    assert event_from_dict(payload) == read(payload)


@pytest.mark.parametrize(
    "change",
    [
        {"colour": "red"},
        {"people": {"total": -5}},
        {"date": "2023-02-30"},
        {"ordinal": True},
        {"id": "not-a-uuid"},
        {"id": "12345678--234-1234-1234-1234567890ab"},
        {"date_role": "yesterday"},
        {"date_role": None},
        {"facilitators": "UNICEF"},
        {"facilitators": ["UNICEF", 3]},
        {"ordinal": 0},
        {"people": {}},
        {"people": {"total": {"best": 5, "unit": "families"}}},
        {"source": {"publisher": " "}},
    ],
)
@READERS
def test_invalid_payloads_raise_what_event_from_dict_raises(
    change: dict[str, Any], read: Any
) -> None:
    """An invalid payload raises the validating codec's ValidationError, problems and all."""
    payload = {**_stored(sample_events(1)[0]), **change}
    with pytest.raises(ValidationError) as expected:
        event_from_dict(payload)
    with pytest.raises(ValidationError) as actual:
        read(payload)
    assert expected.value.problems == actual.value.problems


def test_repeated_values_are_shared() -> None:
    """Dates and counts that repeat across a log decode to one shared object."""
    first, second = sample_events(2, 0)[0], sample_events(1, 9)[0]
    one, two = decode_event(_stored(first)), decode_event(_stored(second))
    assert one.source.published is decode_event(_stored(first)).source.published
    assert type(one) is type(two)


def test_repeated_values_are_shared_when_read_from_bytes() -> None:
    """The bytes reader shares a source or date read twice, as the dict reader does."""
    event = sample_events(1, 3)[0]
    one, two = (decode_event_json(encode_event(event)) for _ in range(2))
    assert one == two == event
    assert one.source is two.source
    assert one.source.published is two.source.published


@pytest.mark.parametrize("data", [b"", b"{", b"[]", b'{"type": "operation-reported"', b"\xff"])
def test_bytes_that_are_not_an_event_raise(data: bytes) -> None:
    """Bytes that are not JSON, or not an event, raise as reading them as a dict would."""
    with pytest.raises((ValueError, ValidationError)):
        decode_event_json(data)


@pytest.mark.parametrize("backend", [SQLiteStore, JsonLinesStore])
def test_stores_read_their_records_from_the_bytes(tmp_path: Path, backend: Any) -> None:
    """A replay reads every record it wrote straight from its bytes, never through the slower
    dict reader (which would still be right, at a third more time per event)."""
    events = read_jsonl("examples/ledger.jsonl") + sample_events(90)
    suffix = ".db" if backend is SQLiteStore else ".jsonl"
    with backend(tmp_path / f"log{suffix}") as store:
        store.append(events)
        with mock.patch.object(stored, "decode_event", _refuse):
            assert [envelope.event for envelope in store.read()] == events
