"""The SQLite store: the contract, the file's layout, and what SQLite itself guards."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import attrs
import orjson
import pytest

from repatevents.errors import (
    CorruptLogError,
    DuplicateEventError,
    IntegrityError,
    LostRecordsError,
    StoreError,
)
from repatevents.events import SCHEMA_VERSION
from repatevents.events._stored import encode_event
from repatevents.store import EventStore, SQLiteStore
from repatevents.store._hashing import canonical_record, chain_hash, format_recorded_at
from repatevents.testing import StoreContract, sample_events


class TestSQLiteStore(StoreContract):
    """The SQLite store passes the store contract."""

    def make_store(self, tmp_path: Path) -> EventStore:
        """Open the SQLite file in the directory."""
        return SQLiteStore(tmp_path / "ledger.db")

    def open_read_only(self, tmp_path: Path) -> EventStore:
        """Open the file in the directory with ``read_only=True``."""
        return SQLiteStore(tmp_path / "ledger.db", read_only=True)


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


# -- what a store checks before it reads into a fold or writes --------------------------------
def _edit(path: Path, sql: str, *parameters: object) -> None:
    """Change the log behind the store's back (the triggers that forbid it dropped first)."""
    with _raw(path) as db:
        db.execute("DROP TRIGGER IF EXISTS events_are_never_changed")
        db.execute("DROP TRIGGER IF EXISTS events_are_never_deleted")
        db.execute(sql, parameters)


def _bump_first_total(path: Path, position: int) -> None:
    """Change the first people total in a record's JSON, leaving its hash as it was."""
    with _raw(path) as db:
        (event,) = db.execute("SELECT event FROM events WHERE position = ?", (position,)).fetchone()
    data = orjson.loads(event)
    data["people"]["total"] = 930
    _edit(
        path,
        "UPDATE events SET event = ? WHERE position = ?",
        orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode(),
        position,
    )


def test_a_checked_read_names_a_changed_row(tmp_path: Path) -> None:
    """A row whose event was edited (its hash left alone) reads as it is with read(), but a
    checked read, as a fold makes, stops at it with an IntegrityError naming it."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(12))
    _bump_first_total(path, 10)
    with SQLiteStore(path) as store:
        assert 12 == len(list(store.read()))
        with pytest.raises(IntegrityError, match="changed after it was written") as info:
            list(store.read_checked())
        assert 10 == info.value.position
        assert 2 == len(list(store.read_checked(10)))


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("recorded_at", "2020-01-01T00:00:00.000000Z"),
        ("recorded_at", "2020-01-01T00:00:00.00000%Z"),
        ("recorded_at", 20200101),
        ("schema_version", 1),
        ("schema_version", "two"),
    ],
)
def test_a_checked_read_names_a_row_whose_time_or_version_changed(
    tmp_path: Path, column: str, value: object
) -> None:
    """A row in the middle of a batch whose recording time or schema version was changed (in
    value or in type) stops a checked read with an IntegrityError naming that row."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(12))
    _edit(path, f"UPDATE events SET {column} = ? WHERE position = 7", value)
    with SQLiteStore(path) as store:
        assert 6 == len(list(store.read_checked(upto=6)))
        with pytest.raises(IntegrityError) as info:
            list(store.read_checked())
        assert 7 == info.value.position


def test_a_changed_table_layout_is_reported_as_a_corrupt_file(tmp_path: Path) -> None:
    """A column of the log renamed behind the store's back (as a damaged byte in the schema
    does) makes read, verify and append raise CorruptLogError naming the file, not a bare
    StoreError about a missing column."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(3))
    _edit(path, "ALTER TABLE events RENAME COLUMN position TO positio")
    with SQLiteStore(path) as store:
        for action in (lambda: list(store.read()), store.verify):
            with pytest.raises(CorruptLogError, match="not as repatevents made them") as info:
                action()
            assert str(path) == info.value.path
        with pytest.raises(CorruptLogError):
            store.append(sample_events(1, 3))


def test_append_refuses_to_chain_onto_a_changed_record(tmp_path: Path) -> None:
    """An append whose last record was edited writes nothing and names that record."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(10))
    _bump_first_total(path, 10)
    with SQLiteStore(path) as store:
        with pytest.raises(IntegrityError) as info:
            store.append(sample_events(2, 10))
        assert 10 == info.value.position
        assert 10 == store.head()


def test_the_first_append_refuses_a_log_with_a_changed_row(tmp_path: Path) -> None:
    """A row edited anywhere in the log: the first append of a store object (which reads
    every row to index ids) names it and writes nothing; a store object that had indexed
    the log before the edit goes on checking the record it chains onto only."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(12))
    _bump_first_total(path, 1)
    with SQLiteStore(path) as store:
        with pytest.raises(IntegrityError) as info:
            store.append(sample_events(1, 12))
        assert 1 == info.value.position
        assert 12 == store.head()


def test_append_refuses_to_write_behind_a_checkpoint_past_the_head(tmp_path: Path) -> None:
    """Rows deleted from the end while a checkpoint was saved after them: append and verify
    raise LostRecordsError naming both positions and how to drop the checkpoint, and the
    checkpoint is left as it was."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(28))
        store.append(sample_events(2, 28))
        store.put_checkpoint("projections", 30, b"state")
    _edit(path, "DELETE FROM events WHERE position > 28")
    with SQLiteStore(path) as store:
        attempts: list[Callable[[], int]] = [
            lambda: store.append(sample_events(1, 40)),
            store.verify,
        ]
        for attempt in attempts:
            with pytest.raises(LostRecordsError) as info:
                attempt()
            assert (28, 30, 29) == (info.value.head, info.value.checkpoint, info.value.position)
            assert "records 29 to 30 were lost" in str(info.value)
            assert "DELETE FROM checkpoints" in str(info.value)
        assert (28, (30, b"state")) == (store.head(), store.get_checkpoint("projections"))


def _damage_page(path: Path, page: str) -> None:
    """Overwrite the start of a page with garbage: the checkpoints table's root page, or the
    file's last page (the end of the checkpoint's state, which overflows its page)."""
    with _raw(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        roots = dict(db.execute("SELECT name, rootpage FROM sqlite_master"))
        (size,) = db.execute("PRAGMA page_size").fetchone()
        (count,) = db.execute("PRAGMA page_count").fetchone()
    with path.open("r+b") as stream:
        stream.seek(((count if page == "last" else roots[page]) - 1) * size)
        stream.write(b"\xff" * 64)


@pytest.mark.parametrize("page", ["checkpoints", "last"])
def test_the_first_append_refuses_a_damaged_file(tmp_path: Path, page: str) -> None:
    """A file with a garbled page outside the log (in the checkpoints): the log still reads,
    but an append writes nothing into the damaged file."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(5))
        store.put_checkpoint("projections", 5, b"x" * 20_000)
    _damage_page(path, page)
    with SQLiteStore(path) as store:
        assert 5 == len(list(store.read_checked()))
        with pytest.raises(CorruptLogError, match=r"malformed|damaged, so nothing is written"):
            store.append(sample_events(1, 5))
        assert 5 == store.head()


def test_a_file_that_cannot_be_written_opens_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store file (or folder) the process may not write is opened read-only, not refused."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(3))
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
    with SQLiteStore(path) as store:
        assert (True, 3) == (store.read_only, store.verify())


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_folder_is_read(tmp_path: Path) -> None:
    """A store in a folder and file without write permission reads and verifies."""
    folder = tmp_path / "copy"
    folder.mkdir()
    with SQLiteStore(folder / "ledger.db") as store:
        store.append(sample_events(3))
    (folder / "ledger.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        with SQLiteStore(folder / "ledger.db") as store:
            assert 3 == store.verify()
    finally:
        folder.chmod(0o755)


def test_a_read_only_open_of_no_file_is_a_store_error(tmp_path: Path) -> None:
    """Asking to read a store that is not there says so, and creates nothing."""
    with pytest.raises(StoreError, match="no store to open read-only"):
        SQLiteStore(tmp_path / "missing.db", read_only=True)
    assert [] == list(tmp_path.iterdir())


def test_a_store_used_from_another_thread_says_so(tmp_path: Path) -> None:
    """A store used from a thread other than its own raises a StoreError naming the thread
    rule, not a CorruptLogError; the store still works in its own thread."""
    import threading

    from repatevents._ledger import Ledger

    ledger = Ledger.open(tmp_path / "ledger.db")
    ledger.record_many(sample_events(3))
    caught: list[BaseException] = []

    def use() -> None:
        for call in (ledger.totals, ledger.store.head, ledger.store.close):
            try:
                call()
            except BaseException as exc:
                caught.append(exc)

    worker = threading.Thread(target=use)
    worker.start()
    worker.join()
    assert 3 == len(caught)
    for exc in caught:
        assert isinstance(exc, StoreError)
        assert not isinstance(exc, CorruptLogError)
        assert "opened in another thread" in str(exc)
    assert 3 == ledger.head
    ledger.close()


def test_a_raw_read_names_a_changed_row(tmp_path: Path) -> None:
    """A raw read checks the hash chain as a checked read does: it stops at an edited row."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(12))
    _bump_first_total(path, 10)
    with SQLiteStore(path) as store:
        with pytest.raises(IntegrityError, match="changed after it was written") as info:
            list(store.read_raw_checked())
        assert 10 == info.value.position


def test_a_raw_record_that_is_no_event_is_a_corrupt_log(tmp_path: Path) -> None:
    """The full reader of a raw record names a record that holds no event, and its position."""
    with SQLiteStore(tmp_path / "ledger.db") as store:
        moment = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        with pytest.raises(CorruptLogError, match="cannot be read") as info:
            store.raw_event((7, moment, SCHEMA_VERSION, "0" * 64, b'{"type": "nothing"}'))
        assert 7 == info.value.position
