"""The SQLite store, the default backend: one file, WAL, one transaction per batch.

Several processes may append to one file at once: each batch is one ``BEGIN IMMEDIATE``
transaction, so writers queue for SQLite's write lock (waiting up to ``timeout`` seconds), and
each sees the head the one before it left. Readers never block writers (WAL).

The file holds two tables::

    events(position INTEGER PRIMARY KEY, event_id TEXT, recorded_at TEXT,
           schema_version INTEGER, event TEXT, hash TEXT)        -- the log; triggers refuse
                                                                   -- UPDATE and DELETE
    checkpoints(name TEXT PRIMARY KEY, position INTEGER, state BLOB)   -- caches beside it

``event`` is the event JSON the hash covers (see :mod:`repatevents.store._hashing`), readable
with ``sqlite3 ledger.db "select event from events"``. ``event_id`` has no index on purpose: a
b-tree of random ids makes every batch write pages all over the file (it cut appends to a
quarter). A writer keeps the ids in memory instead (:class:`~._records.IdIndex`), built by one
sequential scan on its first append and caught up inside each write transaction, so writers in
other processes are seen; :meth:`SQLiteStore.verify` checks that no id is stored twice.

Before it writes, a store checks what it builds on: each append recomputes the hash of the
record it chains onto and refuses to write behind a checkpoint saved past the end of the log
(:class:`~repatevents.errors.LostRecordsError`: records were lost); the first append of a store
object, which reads every row to index the ids, checks every row's hash on the way and runs
SQLite's ``quick_check``, so that nothing is written onto a changed record or into a damaged
file.

A file that cannot be written (or whose folder cannot) is opened read-only, so that a copy on
a read-only medium can still be read and verified; ``append`` and ``put_checkpoint`` then raise
:class:`~repatevents.errors.StoreError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from ..errors import (
    CorruptLogError,
    IntegrityError,
    LostRecordsError,
    StoreError,
    ValidationError,
)
from ..events import Event
from ._base import Progress
from ._hashing import GENESIS_HASH
from ._paged import PagedLog
from ._records import (
    MISSING,
    ChainChecker,
    IdIndex,
    Known,
    StoredRecord,
    check_checkpoint,
    check_checkpoint_name,
    check_expected,
    check_following,
    check_link,
    event_id_of,
    hash_bytes,
    plan_rows,
)

__all__ = ["SQLiteStore"]

#: ``PRAGMA application_id`` of a repatevents store ("repv"), so that other files are refused.
APPLICATION_ID: Final = 0x72657076
#: ``PRAGMA user_version``: the layout of the tables.
FORMAT_VERSION: Final = 1

_SCHEMA = (
    """CREATE TABLE events (
        position INTEGER PRIMARY KEY,
        event_id TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        event TEXT NOT NULL,
        hash TEXT NOT NULL
    )""",
    """CREATE TRIGGER events_are_never_changed BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: a record is never changed'); END""",
    """CREATE TRIGGER events_are_never_deleted BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'the event log is append-only: a record is never deleted'); END""",
    """CREATE TABLE checkpoints (
        name TEXT PRIMARY KEY,
        position INTEGER NOT NULL,
        state BLOB NOT NULL
    )""",
    f"PRAGMA application_id = {APPLICATION_ID}",
    f"PRAGMA user_version = {FORMAT_VERSION}",
)

# The columns in the order of StoredRecord's fields, so that records are the parameters as
# they are; the event's UTF-8 bytes become text inside SQLite.
_INSERT = (
    "INSERT INTO events (position, recorded_at, schema_version, hash, event_id, event) "
    "VALUES (?, ?, ?, ?, ?, CAST(? AS TEXT))"
)
_PAGE = "SELECT position, recorded_at, schema_version, hash, CAST(event AS BLOB) FROM events "
_PAGE += "WHERE position > ? AND position <= ? ORDER BY position LIMIT ?"
_VERIFY_PAGE = (
    "SELECT position, CAST(recorded_at AS BLOB), schema_version, CAST(hash AS BLOB), "
    "CAST(event_id AS BLOB), CAST(event AS BLOB), typeof(recorded_at), "
    "typeof(schema_version), typeof(hash), typeof(event_id), typeof(event) "
    "FROM events WHERE position > ? ORDER BY position LIMIT ?"
)
_CATCH_UP = (
    "SELECT position, event_id, recorded_at, schema_version, hash, CAST(event AS BLOB) "
    "FROM events WHERE position >= ? ORDER BY position"
)
_LAST_TWO = (
    "SELECT position, hash, recorded_at, schema_version, CAST(event AS BLOB) FROM events "
    "ORDER BY position DESC LIMIT 2"
)
_PAGE_SIZE: Final = 1000
#: SQLite's page size for a new file, in bytes.
_FILE_PAGE_SIZE: Final = 32768
_FIND_CHUNK: Final = 500


class SQLiteStore(PagedLog):
    """An event store in one SQLite file (created when missing).

    A store object belongs to the thread that opened it (it holds one SQLite connection);
    other threads and processes open their own, on the same file. Used from another thread,
    it raises :class:`~repatevents.errors.StoreError` saying so.

    Args:
        path: the database file.
        timeout: how long a writer waits for another process's transaction, in seconds.
        durable: ``True`` (the default) syncs every batch to disk before ``append`` returns
            (``synchronous=FULL``); ``False`` keeps batches safe when the process dies but may
            lose the last ones if the machine loses power.
        read_only: ``True`` opens an existing store for reading only; ``None`` (the default)
            does so when the file or its folder cannot be written.

    Raises:
        CorruptLogError: the file is not a SQLite database, or not a repatevents store.
        StoreError: the file cannot be opened.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        durable: bool = True,
        read_only: bool | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self._timeout = timeout
        self._connection: sqlite3.Connection | None = None
        # SQLite refuses a connection used from another thread with an error that would read
        # as a damaged file; the store says what happened instead.
        self._thread = threading.get_ident()
        self._index = IdIndex()
        if read_only is None:
            read_only = os.path.exists(self.path) and not _writable(self.path)
        #: Whether the store was opened for reading only.
        self.read_only = read_only
        if read_only:
            self._connection = self._open_read_only()
            return
        with self._errors():
            connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        try:
            with self._errors():
                self._set_up(connection, durable)
        except BaseException:
            connection.close()
            raise
        self._connection = connection

    def _open_read_only(self) -> sqlite3.Connection:
        """Open the file read-only: ``mode=ro``, or ``immutable=1`` where that cannot work.

        A WAL database read-only needs its ``-shm`` file, which SQLite cannot create in a
        folder it may not write; ``immutable=1`` reads such a file without it, but would ignore
        a ``-wal`` file (records not yet copied into the database), so it is used only when
        there is none.
        """
        if not os.path.isfile(self.path):
            raise StoreError(f"{self.path}: there is no store to open read-only")
        uri = Path(self.path).absolute().as_uri()
        last_error: sqlite3.Error | None = None
        for query in ("?mode=ro", "?mode=ro&immutable=1"):
            if query.endswith("immutable=1") and _has_content(self.path + "-wal"):
                break
            try:
                connection = sqlite3.connect(
                    uri + query, uri=True, timeout=self._timeout, isolation_level=None
                )
            except sqlite3.Error as exc:
                last_error = exc
                continue
            try:
                with self._errors():
                    self._check_layout(connection)
            except StoreError as exc:
                connection.close()
                if isinstance(exc, CorruptLogError) or not isinstance(
                    exc.__cause__, sqlite3.OperationalError
                ):
                    raise
                last_error = exc.__cause__
                continue
            return connection
        raise StoreError(
            f"{self.path}: cannot open the store read-only ({last_error}); its -wal file holds "
            "records SQLite reads only with a -shm file beside it, which this folder does not "
            f"let it create: copy {self.path} and {self.path}-wal to a folder that can be "
            "written"
            if _has_content(self.path + "-wal")
            else f"{self.path}: cannot open the store read-only ({last_error})"
        )

    def _check_layout(self, connection: sqlite3.Connection) -> None:
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        (user_version,) = connection.execute("PRAGMA user_version").fetchone()
        if application_id != APPLICATION_ID:
            raise CorruptLogError(
                self.path, "the file is not a repatevents event store (opened read-only)"
            )
        if user_version != FORMAT_VERSION:
            raise CorruptLogError(
                self.path,
                f"the store's table layout is version {user_version}; this version of "
                f"repatevents reads version {FORMAT_VERSION}",
            )
        connection.execute("SELECT count(*) FROM checkpoints").fetchone()

    def __repr__(self) -> str:
        return f"SQLiteStore({self.path!r})"

    # -- plumbing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self, position: int | None = None) -> Iterator[None]:
        """Turn SQLite's errors into the store's."""
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "decode" in str(exc):
                # "Could not decode to UTF-8 column …": a stored text was changed.
                raise CorruptLogError(self.path, str(exc), position) from exc
            if str(exc).startswith(("no such column", "no such table")):
                # The store's own queries name only its own tables and columns: the layout
                # SQLite holds was changed (a damaged byte in the schema, say).
                raise CorruptLogError(
                    self.path,
                    f"the store's tables are not as repatevents made them ({exc})",
                    position,
                ) from exc
            if "locked" in str(exc) or "busy" in str(exc):
                raise StoreError(
                    f"{self.path}: another process held the database for more than "
                    f"{self._timeout} s ({exc})"
                ) from exc
            raise StoreError(f"{self.path}: {exc}") from exc
        except sqlite3.DatabaseError as exc:
            # "file is not a database", "database disk image is malformed"
            raise CorruptLogError(self.path, str(exc), position) from exc

    def _set_up(self, connection: sqlite3.Connection, durable: bool) -> None:
        # Switching to WAL needs a moment without other transactions, and SQLite does not
        # always wait for it with the busy handler, so wait here.
        deadline = time.monotonic() + self._timeout
        # Large pages: a batch writes fewer WAL frames, and the log's b-tree splits less often
        # (32 KiB: about 14% less CPU per insert than 8 KiB, 0.5 us an event; a new file only,
        # as WAL fixes the size; files made with smaller pages keep them).
        connection.execute(f"PRAGMA page_size = {_FILE_PAGE_SIZE}")
        while True:
            try:
                connection.execute("PRAGMA journal_mode=WAL")
                break
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)
        connection.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        connection.execute("BEGIN IMMEDIATE")
        try:
            (application_id,) = connection.execute("PRAGMA application_id").fetchone()
            (user_version,) = connection.execute("PRAGMA user_version").fetchone()
            tables = {
                name
                for (name,) in connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            if application_id == 0 and not tables:
                # One statement at a time: executescript would commit the open transaction.
                for statement in _SCHEMA:
                    connection.execute(statement)
            elif application_id != APPLICATION_ID:
                raise CorruptLogError(
                    self.path, "the file is a SQLite database but not a repatevents event store"
                )
            elif user_version != FORMAT_VERSION:
                raise CorruptLogError(
                    self.path,
                    f"the store's table layout is version {user_version}; this version of "
                    f"repatevents reads version {FORMAT_VERSION}",
                )
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise

    @property
    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            raise StoreError(f"the store {self.path} is closed")
        self._check_thread()
        return self._connection

    def _check_thread(self) -> None:
        if threading.get_ident() != self._thread:
            raise StoreError(
                f"{self.path}: this store (and a Ledger on it) was opened in another thread, and "
                "a SQLite store belongs to the thread that opened it; open the ledger again in "
                "this thread, on the same file (Ledger.open(path)): the two see one log"
            )

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.path} is open read-only (the file or its folder cannot be written, or "
                "read_only=True was asked for): it records nothing and saves no checkpoint"
            )

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[sqlite3.Connection]:
        self._check_writable()
        db = self._db
        with self._errors():
            db.execute("BEGIN IMMEDIATE")
        try:
            with self._errors():
                yield db
                db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _fetch(self, position: int) -> Known:
        row = self._db.execute(
            "SELECT schema_version, CAST(event AS BLOB) FROM events WHERE position = ?",
            (position,),
        ).fetchone()
        return Known(position, row[0], row[1])

    def _catch_up(self, db: sqlite3.Connection, head: int) -> IdIndex:
        """Bring the id index up to ``head`` (inside the write transaction).

        The rows are read anyway, so each one's hash is checked on the way: nothing is
        appended to a log with a changed record, however far back (about a quarter of the
        time of a full read, once per store object).
        """
        index = self._index
        if index.upto == 0 < head:
            # The first write of this object: nothing goes into a file SQLite finds damaged
            # anywhere (a damaged page elsewhere, say in the free list, would spread).
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise CorruptLogError(
                    self.path,
                    "SQLite finds the file damaged, so nothing is written to it: "
                    + "; ".join(problems),
                )
        if index.upto < head:
            previous = bytes(32)
            # From the last indexed row (already checked), for the hash to chain from.
            rows = db.execute(_CATCH_UP, (index.upto,))
            for position, event_id, recorded_at, schema_version, record_hash, event in rows:
                if position == index.upto:
                    previous = hash_bytes(record_hash, position)
                    continue
                if position != index.upto + 1:
                    raise IntegrityError(index.upto + 1, MISSING)
                previous = check_link(
                    previous, position, recorded_at, schema_version, event, record_hash
                )
                try:
                    index.add(event_id, position)
                except (ValueError, TypeError, AttributeError):
                    raise CorruptLogError(
                        self.path, f"the stored event id {event_id!r} is not a UUID", position
                    ) from None
        return index

    # -- the store interface -------------------------------------------------------------------
    def append(self, events: Sequence[Event], *, expected_position: int | None = None) -> int:
        """Append a batch in one transaction (all or none) and return the new head position.

        An event already stored with the same content is skipped.

        Args:
            events: the batch, in order.
            expected_position: the head the writer last saw; when given and the log has moved
                on, nothing is written.

        Returns:
            The head after the append.

        Raises:
            ConcurrencyError: ``expected_position`` is not the current head.
            DuplicateEventError: an id is already stored with different content.
            TypeError: the batch holds something that is not an event.
            IntegrityError: the last record does not match its hash (nothing is chained onto
                it); ``LostRecordsError`` when a checkpoint was saved past the last record.
            CorruptLogError: SQLite finds the file damaged (checked on the first append).
            StoreError: another process held the database for longer than the timeout, or
                the store is read-only.
        """
        with self._write_transaction() as db:
            last = self._check_last(db)
            head = last[0] if last else 0
            check_expected(expected_position, head)
            self._check_checkpoints(db, head)
            planned = plan_rows(
                events,
                head=head,
                last_hash=last[1] if last else GENESIS_HASH,
                last_recorded_at=last[2] if last else None,
                now=dt.datetime.now(dt.UTC),
                index=self._catch_up(db, head),
                fetch=self._fetch,
            )
            if planned.rows:
                db.executemany(_INSERT, planned.rows)
                head = planned.rows[-1][0]
        # Only once the batch is committed: a rolled-back batch must leave no ids behind.
        self._index.add_rows(planned)
        return head

    def _last_two(self, db: sqlite3.Connection) -> list[Any]:
        return db.execute(_LAST_TWO).fetchall()

    def _check_checkpoints(self, db: sqlite3.Connection, head: int) -> None:
        """Raise when a checkpoint was saved past ``head``: records were lost."""
        (furthest,) = db.execute("SELECT max(position) FROM checkpoints").fetchone()
        if furthest is not None and furthest > head:
            raise LostRecordsError(
                head,
                int(furthest),
                f'delete the checkpoints: sqlite3 {self.path} "DELETE FROM checkpoints"',
            )

    @property
    def _where(self) -> str:
        return self.path

    def _page(self, position: int, last: int) -> list[Any]:
        with self._errors(position + 1):
            rows: list[Any] = self._db.execute(_PAGE, (position, last, _PAGE_SIZE)).fetchall()
        return rows

    def _stored_hash(self, position: int) -> str | None:
        with self._errors(position):
            row = self._db.execute("SELECT hash FROM events WHERE position = ?", (position,))
            found = row.fetchone()
        return None if found is None else str(found[0])

    def _stored(self, after: int = 0) -> Iterator[StoredRecord]:
        """Yield the stored records after ``after`` as they are stored (what
        :func:`~._copy.copy_store` copies: the event's bytes as the hash covers them)."""
        position = after
        while True:
            with self._errors(position + 1):
                rows = self._db.execute(_VERIFY_PAGE, (position, _PAGE_SIZE)).fetchall()
            if not rows:
                return
            for row in rows:
                position += 1
                yield self._stored_record(row, position)

    def _append_stored(self, records: Sequence[StoredRecord]) -> int:
        """Write records copied from another ledger as they are, in one transaction; return
        the new head.

        Raises:
            IntegrityError: a record does not follow the log (see ``check_following``).
        """
        with self._write_transaction() as db:
            last = self._check_last(db)
            head = last[0] if last else 0
            check_following(records, head, last[1] if last else GENESIS_HASH)
            if records:
                db.executemany(_INSERT, records)
                head = records[-1].position
        return head

    def head(self) -> int:
        """Return the position of the last record (0 when empty)."""
        with self._errors():
            (head,) = self._db.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()
        return int(head)

    def verify(self, *, progress: Progress | None = None) -> int:
        """Check every record's hash and id, then SQLite's own structure of the file.

        Returns:
            The number of records checked.

        Raises:
            IntegrityError: naming the first position whose record does not match its hash,
                or whose id column does not match its content; ``LostRecordsError`` when a
                checkpoint was saved past the last record.
            CorruptLogError: a record cannot be decoded, or SQLite finds the file damaged.
        """
        checker = ChainChecker(progress, self.head())
        position = 0
        while True:
            with self._errors(position + 1):
                rows = self._db.execute(_VERIFY_PAGE, (position, _PAGE_SIZE)).fetchall()
            if not rows:
                break
            for row in rows:
                record = self._stored_record(row, checker.checked + 1)
                try:
                    content_id = event_id_of(record.event_json, record.schema_version)
                except (ValueError, TypeError, ValidationError) as exc:
                    # Hash first: a changed record is named as changed, even if it also no
                    # longer decodes.
                    checker.check(record)
                    raise CorruptLogError(
                        self.path, f"the stored event cannot be read: {exc}", record.position
                    ) from None
                checker.check(record, content_id)
            position = rows[-1][0]
        with self._errors():
            problems = [row[0] for row in self._db.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise CorruptLogError(
                self.path, "SQLite finds the file damaged: " + "; ".join(problems)
            )
        with self._errors():
            self._check_checkpoints(self._db, checker.checked)
        return checker.finish()

    @staticmethod
    def _stored_record(row: tuple[Any, ...], expected: int) -> StoredRecord:
        """Build a record from a verification row, checking the types SQLite holds.

        A changed byte in a row's header can turn text into a number or a blob; the bytes
        are read as stored (CAST AS BLOB), so a byte that is not UTF-8 is reported too.
        """
        position, recorded_at, schema_version, record_hash, event_id, event, *kinds = row
        if kinds != ["text", "integer", "text", "text", "text"]:
            raise IntegrityError(
                expected,
                "a column holds the wrong type (recorded_at, schema_version, hash, event_id, "
                f"event are {', '.join(kinds)})",
            )
        try:
            texts = [value.decode("utf-8") for value in (recorded_at, record_hash, event_id)]
        except UnicodeDecodeError as exc:
            raise IntegrityError(expected, f"a column is not UTF-8 text ({exc})") from None
        return StoredRecord(position, texts[0], schema_version, texts[1], texts[2], event)

    def get_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        """Return the checkpoint saved under ``name`` as (position, state), or ``None``."""
        check_checkpoint_name(name)
        with self._errors():
            row = self._db.execute(
                "SELECT position, state FROM checkpoints WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def put_checkpoint(self, name: str, position: int, state: bytes) -> None:
        """Save a checkpoint, replacing an older one of the same name.

        Raises:
            ValueError: the name is empty, the position is not in the log, or the state is not
                bytes.
            StoreError: the store is read-only.
        """
        with self._write_transaction() as db:
            (head,) = db.execute("SELECT coalesce(max(position), 0) FROM events").fetchone()
            check_checkpoint(name, position, state, head)
            db.execute(
                "INSERT INTO checkpoints (name, position, state) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
                "state = excluded.state",
                (name, position, bytes(state)),
            )

    def close(self) -> None:
        """Close the database connection. Idempotent.

        Raises:
            StoreError: called from a thread other than the one that opened the store.
        """
        if self._connection is not None:
            self._check_thread()
            self._connection.close()
            self._connection = None

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _writable(path: str) -> bool:
    """Whether the file and its folder can be written (SQLite writes -wal and -shm beside it)."""
    folder = os.path.dirname(os.path.abspath(path))
    return os.access(path, os.W_OK) and os.access(folder, os.W_OK)


def _has_content(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False
