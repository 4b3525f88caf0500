"""The hash chain: canonical bytes anyone can rebuild with a JSON library, and UTC times."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from repatevents.store._hashing import (
    GENESIS_HASH,
    canonical_record,
    chain_hash,
    format_recorded_at,
    parse_recorded_at,
)


def test_the_chain_is_what_the_format_page_says_with_any_json_library() -> None:
    """Sorted-key compact JSON of the record, SHA-256 over the previous raw hash and it."""
    events = [{"type": "operation-reported", "b": [1, 2]}, {"a": "é", "type": "stock-observed"}]
    previous, recorded_at = GENESIS_HASH, "2024-05-01T12:00:00.000000Z"
    for position, event in enumerate(events, start=1):
        event_json = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        record = {
            "event": event,
            "position": position,
            "recorded_at": recorded_at,
            "schema_version": 2,
        }
        by_hand = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        ours = canonical_record(position, recorded_at, 2, event_json.encode())
        assert by_hand.encode() == ours
        expected = hashlib.sha256(bytes.fromhex(previous) + by_hand.encode()).hexdigest()
        assert expected == chain_hash(previous, ours)
        previous = expected


def test_a_changed_record_changes_its_hash() -> None:
    """One byte of the event, the position or the time gives another hash."""
    base = chain_hash(GENESIS_HASH, canonical_record(1, "2024-05-01T12:00:00.000000Z", 2, b"{}"))
    assert base != chain_hash(
        GENESIS_HASH, canonical_record(2, "2024-05-01T12:00:00.000000Z", 2, b"{}")
    )
    assert base != chain_hash(
        GENESIS_HASH, canonical_record(1, "2024-05-01T12:00:00.000001Z", 2, b"{}")
    )
    assert base != chain_hash(
        GENESIS_HASH, canonical_record(1, "2024-05-01T12:00:00.000000Z", 2, b"{ }")
    )


def test_recording_times_are_utc_with_microseconds_and_read_back() -> None:
    """Any timezone is written as UTC; the text reads back as the same moment."""
    moment = dt.datetime(2024, 5, 1, 14, 0, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    text = format_recorded_at(moment)
    assert "2024-05-01T12:00:00.000005Z" == text
    assert moment == parse_recorded_at(text)


@pytest.mark.parametrize("text", ["2024-05-01T12:00:00Z", "2024-05-01T12:00:00.000000+00:00", ""])
def test_a_time_not_in_the_canonical_form_is_refused(text: str) -> None:
    """Only the one canonical form is a recording time, so equal times are equal bytes."""
    with pytest.raises(ValueError, match="is not a recording time"):
        parse_recorded_at(text)


def test_a_naive_time_is_refused() -> None:
    """A time without a timezone is ambiguous in an audit trail."""
    with pytest.raises(ValueError, match="timezone-aware"):
        format_recorded_at(dt.datetime(2024, 5, 1, 12, 0))
