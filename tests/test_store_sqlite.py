"""The SQLite store: the contract, the file's layout, and what SQLite itself guards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
import orjson
import pytest

from repatevents.errors import CorruptLogError, DuplicateEventError, IntegrityError
from repatevents.events._fastcodec import encode_event
from repatevents.store import EventStore, SQLiteStore
from repatevents.store._hashing import canonical_record, chain_hash, format_recorded_at
from repatevents.testing import StoreContract, sample_events


class TestSQLiteStore(StoreContract):
    """The SQLite store passes the store contract."""

    def make_store(self, tmp_path: Path) -> EventStore:
        """Open the SQLite file in the directory."""
        return SQLiteStore(tmp_path / "ledger.db")


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_file_is_a_wal_database_marked_as_a_store(tmp_path: Path) -> None:
    """The file uses WAL and carries the store's application id and layout version."""
    path = tmp_path / "ledger.db"
    SQLiteStore(path).close()
    with _raw(path) as db:
        assert ("wal", 0x72657076, 1) == (
            db.execute("PRAGMA journal_mode").fetchone()[0],
            db.execute("PRAGMA application_id").fetchone()[0],
            db.execute("PRAGMA user_version").fetchone()[0],
        )


def test_rows_hold_readable_json(tmp_path: Path) -> None:
    """Each row holds the event's canonical JSON as text and its id beside it."""
    path = tmp_path / "ledger.db"
    events = sample_events(3)
    with SQLiteStore(path) as store:
        store.append(events)
    with _raw(path) as db:
        rows = db.execute("SELECT event_id, event FROM events ORDER BY position").fetchall()
    assert [(str(e.id), encode_event(e).decode()) for e in events] == rows
    assert [str(e.id) for e in events] == [orjson.loads(event)["id"] for _, event in rows]


def test_triggers_refuse_changes_and_deletions(tmp_path: Path) -> None:
    """The database itself refuses UPDATE and DELETE on the log."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(2))
    with _raw(path) as db:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("UPDATE events SET event_id = 'x' WHERE position = 1")
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute("DELETE FROM events WHERE position = 2")


def test_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    """A file that is not SQLite is a CorruptLogError naming the file."""
    path = tmp_path / "ledger.db"
    path.write_bytes(b"this is not a database, just text that is long enough " * 20)
    with pytest.raises(CorruptLogError) as info:
        SQLiteStore(path)
    assert str(path) == info.value.path


def test_refuses_another_applications_database(tmp_path: Path) -> None:
    """A SQLite database that is not an event store is refused, and left as it was."""
    path = tmp_path / "other.db"
    with _raw(path) as db:
        db.execute("CREATE TABLE things (x)")
    with pytest.raises(CorruptLogError, match="not a repatevents event store"):
        SQLiteStore(path)
    with _raw(path) as db:
        assert [("things",)] == db.execute("SELECT name FROM sqlite_master").fetchall()


def test_a_new_store_object_knows_the_stored_ids(tmp_path: Path) -> None:
    """A store opened on an existing file skips stored events and refuses changed ones."""
    path = tmp_path / "ledger.db"
    events = sample_events(5)
    with SQLiteStore(path) as store:
        store.append(events)
    with SQLiteStore(path, durable=False) as store:
        assert 5 == store.append(events[::-1])
        with pytest.raises(DuplicateEventError):
            store.append([attrs.evolve(events[2], notes="other")])
        assert 5 == store.head()


def test_a_deleted_record_is_named_by_read_and_verify(tmp_path: Path) -> None:
    """A row deleted behind the store's back: read and verify name its position."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(6))
    with _raw(path) as db:
        db.execute("DROP TRIGGER events_are_never_deleted")
        db.execute("DELETE FROM events WHERE position = 4")
    with SQLiteStore(path) as store:
        with pytest.raises(IntegrityError) as info:
            list(store.read())
        assert 4 == info.value.position
        with pytest.raises(IntegrityError) as info:
            store.verify()
        assert 4 == info.value.position


def test_verify_finds_an_id_stored_twice(tmp_path: Path) -> None:
    """Rows inserted behind the store's back with a valid chain but a repeated id fail verify."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(2))
        first = next(store.read())
    with _raw(path) as db:
        (last_hash,) = db.execute("SELECT hash FROM events WHERE position = 2").fetchone()
        moment = format_recorded_at(first.recorded_at)
        event_json = encode_event(first.event)
        record_hash = chain_hash(last_hash, canonical_record(3, moment, 2, event_json))
        db.execute(
            "INSERT INTO events VALUES (3, ?, ?, 2, ?, ?)",
            (str(first.event.id), moment, event_json.decode(), record_hash),
        )
    with SQLiteStore(path) as store, pytest.raises(IntegrityError) as info:
        store.verify()
    assert 3 == info.value.position
    assert "already stored at position 1" in info.value.reason
