"""The fast codec for stored payloads: the same events as event_from_dict, without its cost."""

from __future__ import annotations

import uuid
from typing import Any
from unittest import mock

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from repatevents import strategies as rst
from repatevents.errors import ValidationError
from repatevents.events import (
    EVENT_TYPES,
    Event,
    event_from_dict,
    event_to_dict,
    read_jsonl,
)
from repatevents.events import _fastcodec as fastcodec
from repatevents.events._fastcodec import decode_event, encode_event, event_payload
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


def test_every_event_type_has_a_strategy_here() -> None:
    """The per-type table below covers every event type there is."""
    assert sorted(EVENT_TYPES) == sorted(_PER_TYPE)


@pytest.mark.parametrize("type_name", sorted(_PER_TYPE))
@given(data=st.data())
def test_decoding_equals_event_from_dict(type_name: str, data: st.DataObject) -> None:
    """For every event type, the fast decoder returns what event_from_dict returns, which is
    the event that was encoded."""
    event = data.draw(_PER_TYPE[type_name])
    payload = _stored(event)
    assert event == event_from_dict(payload) == decode_event(payload)


@given(rst.events())
def test_the_stored_form_is_the_interchange_form_with_ids(event: Event) -> None:
    """The stored payload is event_to_dict's, with every id written out, as sorted JSON."""
    assert _interchange_with_ids(event) == _stored(event)
    assert orjson.dumps(_interchange_with_ids(event), option=orjson.OPT_SORT_KEYS) == (
        encode_event(event)
    )
    assert orjson.dumps(event_payload(event), option=orjson.OPT_SORT_KEYS) == encode_event(event)


@given(rst.events())
def test_decoding_does_not_fall_back(event: Event) -> None:
    """A payload the store wrote is decoded without the validating codec."""
    payload = _stored(event)
    with mock.patch.object(fastcodec, "event_from_dict", _refuse):
        assert event == decode_event(payload)


def _refuse(data: Any, *, line: int | None = None) -> Event:
    raise AssertionError(f"the fast codec fell back to event_from_dict for {data!r}")


def test_decoded_ids_are_ordinary_uuids() -> None:
    """Ids built by the fast decoder behave as uuid.UUID(text) does."""
    event = sample_events(1)[0]
    decoded = decode_event(_stored(event))
    reference = uuid.UUID(str(event.id))
    assert (reference, hash(reference), str(reference), reference.version) == (
        decoded.id,
        hash(decoded.id),
        str(decoded.id),
        decoded.id.version,
    )
    assert reference.is_safe == decoded.id.is_safe


def test_example_ledger_and_samples_round_trip() -> None:
    """The example ledger's events and the sample events of every type decode to themselves."""
    events = read_jsonl("examples/ledger.jsonl") + sample_events(45)
    assert events == [decode_event(_stored(event)) for event in events]
    assert [event_from_dict(_stored(e)) for e in events] == [
        decode_event(_stored(e)) for e in events
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"people": {"total": "over 600"}},  # report words, which the store never writes
        {"country": "Kyrgyz Republic"},  # an alias, which only the validating codec converts
        {"version": 2},
        {"source": {"publisher": "Rudaw", "speaker_kind": "un"}, "nationality": "kazakhstan"},
    ],
)
def test_other_shapes_go_to_event_from_dict(change: dict[str, Any]) -> None:
    """A valid payload not in the stored shape is read by event_from_dict, with its result."""
    payload = {**_stored(sample_events(1)[0]), **change}
    assert event_from_dict(payload) == decode_event(payload)


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
def test_invalid_payloads_raise_what_event_from_dict_raises(change: dict[str, Any]) -> None:
    """An invalid payload raises the validating codec's ValidationError, problems and all."""
    payload = {**_stored(sample_events(1)[0]), **change}
    with pytest.raises(ValidationError) as expected:
        event_from_dict(payload)
    with pytest.raises(ValidationError) as actual:
        decode_event(payload)
    assert expected.value.problems == actual.value.problems


def test_repeated_values_are_shared() -> None:
    """Dates and counts that repeat across a log decode to one shared object."""
    first, second = sample_events(2, 0)[0], sample_events(1, 9)[0]
    one, two = decode_event(_stored(first)), decode_event(_stored(second))
    assert one.source.published is decode_event(_stored(first)).source.published
    assert type(one) is type(two)
