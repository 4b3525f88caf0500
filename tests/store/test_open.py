"""open_store: the path's suffix chooses the backend unless one is named; mistakes are clear."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import orjson
import pytest

from repatevents.errors import ValidationError
from repatevents.store import JsonLinesStore, MemoryStore, SQLiteStore, open_store
from repatevents.store._hashing import (
    GENESIS_HASH,
    canonical_record,
    chain_hash,
    format_recorded_at,
    parse_recorded_at,
)
from repatevents.testing import sample_events


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ledger.db", SQLiteStore),
        ("ledger.sqlite", SQLiteStore),
        ("ledger.SQLITE3", SQLiteStore),
        ("ledger.jsonl", JsonLinesStore),
    ],
)
def test_the_suffix_chooses_the_backend(tmp_path: Path, name: str, kind: type) -> None:
    """.db/.sqlite/.sqlite3 (any case) open SQLite; .jsonl opens JSON Lines."""
    with open_store(tmp_path / name) as store:
        assert kind is type(store)
    assert (tmp_path / name).exists()


@pytest.mark.parametrize("name", ["x.csv", "ledger", "ledger.data", "events.json"])
def test_another_suffix_is_refused_and_nothing_is_created(tmp_path: Path, name: str) -> None:
    """A name that is not a ledger's (x.csv) is a ValidationError (a ValueError) listing the
    ledger suffixes, and no database is made under it."""
    with pytest.raises(ValidationError) as info:
        open_store(tmp_path / name)
    assert isinstance(info.value, ValueError)
    assert "path" == info.value.field
    assert "a ledger file ends in .db, .sqlite, .sqlite3 (SQLite) or .jsonl (JSON Lines)" in str(
        info.value
    )
    assert not (tmp_path / name).exists()


def test_an_existing_sqlite_store_opens_whatever_its_name(tmp_path: Path) -> None:
    """A ledger made before suffixes were checked (a SQLite file named 'ledger') still
    opens, and a named backend opens any name."""
    with open_store(tmp_path / "ledger", backend="sqlite") as store:
        store.append(sample_events(2))
    with open_store(tmp_path / "ledger") as store:
        assert SQLiteStore is type(store)
        assert 2 == store.head()


def test_no_path_is_a_memory_store() -> None:
    """None opens a store in memory."""
    assert MemoryStore is type(open_store(None))


def test_a_named_backend_overrides_the_suffix(tmp_path: Path) -> None:
    """backend= chooses regardless of the suffix, and accepts str and Path alike."""
    with open_store(str(tmp_path / "ledger.db"), backend="jsonl") as store:
        assert JsonLinesStore is type(store)
        store.append(sample_events(1))
    assert 1 == len((tmp_path / "ledger.db").read_bytes().splitlines())
    assert MemoryStore is type(open_store(None, backend="memory"))


@pytest.mark.parametrize(
    ("path", "backend", "message"),
    [
        ("ledger.db", "mysql", "'mysql' is not a store backend; choose one of"),
        ("ledger.db", "postgres", "a postgres store needs a postgresql:// URL"),
        ("ledger.db", "memory", "an in-memory store has no file"),
        (None, "sqlite", "a sqlite store needs a file path"),
    ],
)
def test_mistakes_are_clear_errors(
    tmp_path: Path, path: str | None, backend: str, message: str
) -> None:
    """An unknown backend, or one that does not fit the path, is a ValueError saying so."""
    with pytest.raises(ValueError, match=message):
        open_store(None if path is None else tmp_path / path, backend=backend)


def test_canonical_bytes_are_the_sorted_json_of_the_record() -> None:
    """canonical_record gives the compact sorted-key JSON of {event, position, recorded_at,
    schema_version}, and the chain starts from the genesis hash."""
    event = {"type": "report-retracted", "retracts": "x", "source": {"publisher": "Rudaw"}}
    event_json = orjson.dumps(event, option=orjson.OPT_SORT_KEYS)
    moment = "2024-05-01T12:00:00.000001Z"
    record = {"schema_version": 2, "recorded_at": moment, "position": 7, "event": event}
    assert orjson.dumps(record, option=orjson.OPT_SORT_KEYS) == canonical_record(
        7, moment, 2, event_json
    )
    expected = hashlib.sha256(bytes(32) + canonical_record(7, moment, 2, event_json)).hexdigest()
    assert expected == chain_hash(GENESIS_HASH, canonical_record(7, moment, 2, event_json))


def test_recording_times_are_canonical_utc_text() -> None:
    """Recording times are written in UTC with microseconds and a Z, and read back equal;
    a naive time is refused."""
    moment = dt.datetime(2024, 5, 1, 14, 0, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert "2024-05-01T12:00:00.000005Z" == format_recorded_at(moment)
    assert moment == parse_recorded_at(format_recorded_at(moment))
    with pytest.raises(ValueError, match="timezone-aware"):
        format_recorded_at(dt.datetime(2024, 5, 1))
    with pytest.raises(ValueError, match="not a recording time"):
        parse_recorded_at("2024-05-01T12:00:00+00:00")
