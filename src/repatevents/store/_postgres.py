"""The PostgreSQL store: one ledger shared by a team, written from many machines at once.

A ledger is a schema (``repatevents`` unless another is named) holding three tables::

    layout(application TEXT, format_version INTEGER)                 -- what the schema is
    events(position BIGINT PRIMARY KEY, event_id UUID UNIQUE, recorded_at TEXT,
           schema_version INTEGER, hash TEXT, event TEXT)            -- the log
    checkpoints(name TEXT PRIMARY KEY, position BIGINT, state BYTEA) -- caches beside it

``event`` is the event JSON the hash covers (see :mod:`repatevents.store._hashing`), byte for
byte, so ``select event from repatevents.events`` shows what was recorded.

The server itself keeps the log append-only twice over: triggers refuse ``UPDATE``,
``DELETE`` and ``TRUNCATE`` whoever runs them (the tables' owner too), and
:meth:`PostgresStore.setup` creates a writers' role that may only ``SELECT`` and ``INSERT``
the log and a readers' role that may only ``SELECT``.

Writers take turns: each batch is one transaction that first takes a transaction-scoped
advisory lock named after the schema, then reads the head, checks the expected position, plans
the batch (ids, hashes) and writes it with ``COPY``. eventsourcing's recorder serialises its
writers with ``LOCK TABLE … IN EXCLUSIVE MODE`` for the same reason (positions without gaps,
committed in order), but PostgreSQL lets only a role with ``UPDATE``, ``DELETE`` or
``TRUNCATE`` on a table take that lock, which the writers' role must not have. The unique
``event_id`` makes the server refuse a doubled event even from a writer that skipped the lock.
A writer that dies or loses its connection mid-batch leaves nothing: the server rolls the open
transaction back and releases the lock.

Readers never wait for writers. A reader catches up by reading after the last position it
saw (a :class:`~repatevents.Ledger` does so before every answer, which is polling); a program
that wants to be woken calls :meth:`PostgresStore.wait`, which uses ``LISTEN``: every batch
sends a ``NOTIFY`` on the ledger's channel when it commits.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final

from ..errors import (
    CorruptLogError,
    FieldProblem,
    LostRecordsError,
    StoreError,
    ValidationError,
)
from ..events import Event
from ._base import Progress
from ._hashing import GENESIS_HASH
from ._paged import PagedLog
from ._records import (
    ChainChecker,
    IdIndex,
    Known,
    StoredRecord,
    check_checkpoint,
    check_checkpoint_name,
    check_expected,
    check_following,
    event_id_of,
    plan_batch,
)

if TYPE_CHECKING:
    import psycopg

__all__ = ["DEFAULT_SCHEMA", "PostgresStore", "is_postgres_url", "without_password"]

#: The schema a ledger lives in unless another is named.
DEFAULT_SCHEMA: Final = "repatevents"
#: The layout of the tables.
FORMAT_VERSION: Final = 1
#: The roles :meth:`PostgresStore.setup` creates unless told otherwise.
WRITER_ROLE: Final = "repatevents_writer"
READER_ROLE: Final = "repatevents_reader"

_URL_SCHEMES: Final = ("postgresql://", "postgres://")
# Lower case, so that the name needs no quoting in psql; PostgreSQL cuts names at 63 bytes.
_NAME: Final = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# A page is read whole into memory (a few MB at most) and costs one round trip to the server.
_PAGE_SIZE: Final = 5000
# A page is a range of positions, not "after x, LIMIT n": positions have no gaps, and a range
# keeps the server's work per page to the page even before it has statistics on a new table
# (with none, it planned "LIMIT n" as a sort of every row after x, on disk, for every page).
# The event comes as text (the decoder takes it as it is), which is cheaper for the server
# than converting it to bytes; a checked read encodes it again to hash it.
_PAGE_QUERY: Final = (
    "SELECT position, recorded_at, schema_version, hash, event "
    "FROM {events} WHERE position > %s AND position <= %s ORDER BY position"
)


def is_postgres_url(path: object) -> bool:
    """Whether ``path`` is a PostgreSQL connection URL (``postgresql://…``)."""
    return isinstance(path, str) and path.startswith(_URL_SCHEMES)


def without_password(url: str) -> str:
    """Return a PostgreSQL URL without its password (in the address or a ``password=``
    parameter), for printing; anything else is returned as it is."""
    if not is_postgres_url(url):
        return url
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hosts = netloc.rpartition("@")
        netloc = userinfo.partition(":")[0] + "@" + hosts
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    kept = [(key, value) for key, value in query if key != "password"]
    return urllib.parse.urlunsplit(
        parts._replace(netloc=netloc, query=urllib.parse.urlencode(kept))
    )


def _check_name(field: str, name: str) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValidationError(
            FieldProblem(
                field,
                name,
                "a PostgreSQL name here is 1 to 63 lower-case letters, digits or underscores, "
                "not starting with a digit",
            )
        )
    return name


def _split_schema(conninfo: str) -> tuple[str, str | None]:
    """Take a ``schema=`` query parameter out of a URL (libpq refuses parameters it does not
    know) and return the URL without it and the schema it named."""
    if not is_postgres_url(conninfo):
        return conninfo, None
    parts = urllib.parse.urlsplit(conninfo)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    schemas = [value for key, value in query if key == "schema"]
    if not schemas:
        return conninfo, None
    rest = urllib.parse.urlencode([(key, value) for key, value in query if key != "schema"])
    return urllib.parse.urlunsplit(parts._replace(query=rest)), schemas[-1]


def _lock_key(schema: str) -> int:
    """The advisory lock writers of one ledger take turns on (a signed 64-bit number)."""
    digest = hashlib.sha256(f"repatevents ledger {schema}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _require_psycopg() -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise StoreError(
            "a PostgreSQL ledger needs psycopg 3: pip install 'repatevents[postgres]'"
        ) from None


class PostgresStore(PagedLog):
    """An event store in a PostgreSQL database, shared by every writer that connects to it.

    A store object holds one connection and belongs to the thread that opened it; other
    threads, processes and machines open their own. The password is taken as libpq takes it
    (from the URL, ``PGPASSWORD`` or ``~/.pgpass``) and is never shown: the store's ``repr``
    and its errors name the server as ``postgresql://user@host:port/dbname``.

    Args:
        conninfo: a ``postgresql://user@host:port/dbname`` URL (a ``schema=NAME`` parameter
            chooses the schema) or a libpq ``key=value`` string.
        schema: the schema the ledger lives in (default ``repatevents``; overrides the URL's).
        read_only: ``True`` opens the ledger for reading only (the server refuses writes on
            the connection too); ``None`` (the default) does so when the role may not insert
            into the log, as the readers' role may not.
        create: whether to create the tables when the schema holds none (the role needs the
            right to create them; :meth:`setup` also creates the roles).
        timeout: how long a writer waits for the others, and for the server, in seconds.

    Raises:
        StoreError: the server cannot be reached or refuses the role, psycopg is not
            installed, or the schema holds no ledger and ``create`` is false.
        CorruptLogError: the schema holds tables that are not a repatevents ledger.
        ValidationError: the schema's name is not a plain PostgreSQL name.
    """

    def __init__(
        self,
        conninfo: str,
        *,
        schema: str | None = None,
        read_only: bool | None = None,
        create: bool = True,
        timeout: float = 30.0,
    ) -> None:
        _require_psycopg()
        import psycopg
        from psycopg import sql

        conninfo, url_schema = _split_schema(conninfo)
        self.schema = _check_name("schema", schema or url_schema or DEFAULT_SCHEMA)
        self._connection: psycopg.Connection[Any] | None = None
        self._timeout = timeout
        try:
            params = psycopg.conninfo.conninfo_to_dict(conninfo)
        except psycopg.Error as exc:
            reason = _scrub(exc, _password_in(conninfo))
            raise StoreError(f"cannot read the PostgreSQL address: {reason}") from None
        password = params.get("password")
        self._password = str(password) if password else None
        #: The server and database, without the password: ``postgresql://user@host:port/db``.
        self.url = _display(params)
        self._table = {
            name: sql.Identifier(self.schema, name) for name in ("layout", "events", "checkpoints")
        }
        self._page_query = _sql(_PAGE_QUERY, self._table)
        self._key = _lock_key(self.schema)
        self._listening = False
        with self._errors():
            connection = psycopg.connect(
                conninfo, autocommit=True, connect_timeout=max(1, round(timeout))
            )
        try:
            with self._errors():
                # A writer waits for the others' turns this long (the advisory lock included).
                connection.execute(
                    "SELECT set_config('lock_timeout', %s, false)", (f"{int(timeout * 1000)}ms",)
                )
                encoding = connection.execute("SHOW server_encoding").fetchone()
                if encoding is None or encoding[0] != "UTF8":
                    raise StoreError(
                        f"{self.url}: the database's encoding is "
                        f"{encoding[0] if encoding else None!r}; a ledger needs a UTF8 database "
                        "(CREATE DATABASE … ENCODING 'UTF8')"
                    )
                self._open_schema(connection, create)
                if read_only is None:
                    allowed = connection.execute(
                        "SELECT has_table_privilege(%s, 'INSERT')",
                        (f"{self.schema}.events",),
                    ).fetchone()
                    read_only = not (allowed and allowed[0])
                if read_only:
                    # The server refuses every write on this connection, not only the store.
                    connection.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        except BaseException:
            connection.close()
            raise
        #: Whether the store was opened for reading only.
        self.read_only = bool(read_only)
        self._connection = connection

    def __repr__(self) -> str:
        return f"PostgresStore({self.url!r}, schema={self.schema!r})"

    # -- plumbing -------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn psycopg's errors into the store's, without the password."""
        import psycopg
        from psycopg import errors

        try:
            yield
        except errors.LockNotAvailable as exc:
            raise StoreError(
                f"{self.url}: another writer held the ledger {self.schema!r} for more than "
                f"{self._timeout} s ({_scrub(exc, self._password)})"
            ) from None
        except errors.InsufficientPrivilege as exc:
            raise StoreError(
                f"{self.url}: the server refused: {_scrub(exc, self._password)} (the ledger "
                "is append-only, and a reader's role may not write)"
            ) from None
        except errors.ReadOnlySqlTransaction as exc:
            raise StoreError(
                f"{self.url}: the ledger is open read-only: {_scrub(exc, self._password)}"
            ) from None
        except psycopg.Error as exc:
            raise StoreError(f"{self.url}: {_scrub(exc, self._password)}") from None

    @property
    def _db(self) -> psycopg.Connection[Any]:
        if self._connection is None:
            raise StoreError(f"the store {self.url} (schema {self.schema!r}) is closed")
        return self._connection

    def _open_schema(self, connection: psycopg.Connection[Any], create: bool) -> None:
        """Check the schema holds a ledger, creating the tables when it holds none."""
        row = connection.execute(
            "SELECT to_regclass(%s) IS NOT NULL", (f"{self.schema}.layout",)
        ).fetchone()
        if not (row and row[0]):
            if not create:
                raise StoreError(self._no_ledger())
            from psycopg import errors

            try:
                with connection.transaction():
                    # Two processes opening a new ledger at once: one creates, the other waits.
                    connection.execute("SELECT pg_advisory_xact_lock(%s)", (self._key,))
                    row = connection.execute(
                        "SELECT to_regclass(%s) IS NOT NULL", (f"{self.schema}.layout",)
                    ).fetchone()
                    if not (row and row[0]):
                        for statement in self._schema_statements():
                            connection.execute(statement)
            except errors.InsufficientPrivilege as exc:
                raise StoreError(
                    f"{self._no_ledger()} (this role may not: {_scrub(exc, self._password)})"
                ) from None
        layout = connection.execute(
            _sql("SELECT application, format_version FROM {layout}", self._table)
        ).fetchall()
        if layout != [("repatevents", FORMAT_VERSION)]:
            raise CorruptLogError(
                self.url,
                f"the schema {self.schema!r} is not a repatevents ledger of layout version "
                f"{FORMAT_VERSION} (its layout table holds {layout!r})",
            )

    def _no_ledger(self) -> str:
        return (
            f"{self.url}: there is no ledger in the schema {self.schema!r} (that this role can "
            "see); the database's "
            f"owner creates one with `repatevents setup-postgres {self.url}`"
        )

    def _schema_statements(self) -> list[Any]:
        from psycopg import sql

        names = {**self._table, "schema": sql.Identifier(self.schema)}
        names["refuse"] = sql.Identifier(self.schema, "refuse_change")
        return [
            _sql(text, names)
            for text in (
                "CREATE SCHEMA IF NOT EXISTS {schema}",
                "CREATE TABLE {layout} (application TEXT NOT NULL, "
                "format_version INTEGER NOT NULL)",
                "INSERT INTO {layout} VALUES ('repatevents', " + str(FORMAT_VERSION) + ")",
                "CREATE TABLE {events} ("
                "position BIGINT PRIMARY KEY CHECK (position > 0), "
                "event_id UUID NOT NULL UNIQUE, "
                "recorded_at TEXT NOT NULL, "
                "schema_version INTEGER NOT NULL, "
                "hash TEXT NOT NULL, "
                "event TEXT NOT NULL)",
                "CREATE TABLE {checkpoints} ("
                "name TEXT PRIMARY KEY, position BIGINT NOT NULL, state BYTEA NOT NULL)",
                "CREATE FUNCTION {refuse}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'the event log is append-only: % is refused', TG_OP "
                "USING ERRCODE = 'insufficient_privilege'; END $$",
                "CREATE TRIGGER events_are_never_changed BEFORE UPDATE OR DELETE ON {events} "
                "FOR EACH ROW EXECUTE FUNCTION {refuse}()",
                "CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON {events} "
                "FOR EACH STATEMENT EXECUTE FUNCTION {refuse}()",
            )
        ]

    @classmethod
    def setup(
        cls,
        conninfo: str,
        *,
        schema: str | None = None,
        writer_role: str = WRITER_ROLE,
        reader_role: str = READER_ROLE,
    ) -> PostgresStore:
        """Create a ledger's tables and the roles that may use it; return it open.

        Run once by the database's owner. The writers' role may read the log and add to it
        (``SELECT``, ``INSERT``) and keep checkpoints; the readers' role may only read. Both
        are group roles without a login: give people their own login roles and grant them one
        (``CREATE ROLE alice LOGIN PASSWORD '…' IN ROLE repatevents_writer``). Running it
        again changes nothing that exists and grants what is missing.

        Raises:
            StoreError: the role running it may not create the schema or the roles.
            ValidationError: a role's or the schema's name is not a plain PostgreSQL name.
        """
        from psycopg import sql

        _check_name("writer_role", writer_role)
        _check_name("reader_role", reader_role)
        store = cls(conninfo, schema=schema, read_only=False)
        try:
            names = {
                **store._table,
                "schema": sql.Identifier(store.schema),
                "writer": sql.Identifier(writer_role),
                "reader": sql.Identifier(reader_role),
            }
            with store._errors(), store._db.transaction():
                for role in (writer_role, reader_role):
                    exists = store._db.execute(
                        "SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)
                    ).fetchone()
                    if exists is None:
                        store._db.execute(
                            sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role))
                        )
                for text in (
                    "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM PUBLIC",
                    "GRANT USAGE ON SCHEMA {schema} TO {writer}, {reader}",
                    "GRANT SELECT ON {layout}, {events}, {checkpoints} TO {writer}, {reader}",
                    "GRANT INSERT ON {events} TO {writer}",
                    "GRANT INSERT, UPDATE, DELETE ON {checkpoints} TO {writer}",
                    "REVOKE UPDATE, DELETE, TRUNCATE ON {events} FROM {writer}, {reader}",
                ):
                    store._db.execute(_sql(text, names))
        except BaseException:
            store.close()
            raise
        return store

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.url} (schema {self.schema!r}) is open read-only (the role may not "
                "write, or read_only=True was asked for): it records nothing and saves no "
                "checkpoint"
            )

    @contextlib.contextmanager
    def _write_transaction(self) -> Iterator[psycopg.Connection[Any]]:
        self._check_writable()
        db = self._db
        with self._errors(), db.transaction():
            # Writers take turns here until the transaction ends (see the module docstring).
            db.execute("SELECT pg_advisory_xact_lock(%s)", (self._key,))
            yield db

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
            StoreError: the connection was lost (nothing was written), another writer held
                the ledger longer than the timeout, or the store is read-only.
        """
        with self._write_transaction() as db:
            last = self._check_last(db)
            head = last[0] if last else 0
            check_expected(expected_position, head)
            self._check_checkpoints(db, head)
            index, known = self._stored_ids(db, events)
            planned = plan_batch(
                events,
                head=head,
                last_hash=last[1] if last else GENESIS_HASH,
                last_recorded_at=last[2] if last else None,
                now=dt.datetime.now(dt.UTC),
                index=index,
                fetch=known.__getitem__,
            )
            if planned:
                self._write_records(db, [record for record, _ in planned])
                head = planned[-1][0].position
        return head

    def _write_records(self, db: psycopg.Connection[Any], records: Sequence[StoredRecord]) -> None:
        copy_sql = _sql(
            "COPY {events} (position, recorded_at, schema_version, hash, event_id, event) "
            "FROM STDIN",
            self._table,
        )
        with db.cursor() as cursor, cursor.copy(copy_sql) as copy:
            for record in records:
                copy.write_row(
                    (
                        record.position,
                        record.recorded_at,
                        record.schema_version,
                        record.hash,
                        record.event_id,
                        record.event_json.decode("utf-8"),
                    )
                )
        db.execute("SELECT pg_notify(%s, %s)", (self._channel, str(records[-1].position)))

    @property
    def _channel(self) -> str:
        return f"repatevents_{self.schema}"[:63]

    def _stored_ids(
        self, db: psycopg.Connection[Any], events: Sequence[Event]
    ) -> tuple[IdIndex, dict[int, Known]]:
        """Find which of the batch's ids are stored already (one query; the id is unique)."""
        ids = [
            str(event.id) for event in events if isinstance(getattr(event, "id", None), uuid.UUID)
        ]
        index, known = IdIndex(), dict[int, Known]()
        if not ids:
            return index, known
        rows = db.execute(
            _sql(
                "SELECT event_id::text, position, schema_version, convert_to(event, 'UTF8') "
                "FROM {events} WHERE event_id = ANY(%s::uuid[])",
                self._table,
            ),
            (ids,),
        ).fetchall()
        for event_id, position, schema_version, event in rows:
            index.add(event_id, position)
            known[position] = Known(position, schema_version, bytes(event))
        return index, known

    def _last_two(self, db: psycopg.Connection[Any]) -> list[Any]:
        rows = db.execute(
            _sql(
                "SELECT position, hash, recorded_at, schema_version, convert_to(event, 'UTF8') "
                "FROM {events} ORDER BY position DESC LIMIT 2",
                self._table,
            )
        ).fetchall()
        return [(*row[:4], bytes(row[4])) for row in rows]

    def _check_checkpoints(self, db: psycopg.Connection[Any], head: int) -> None:
        """Raise when a checkpoint was saved past ``head``: records were lost."""
        row = db.execute(_sql("SELECT max(position) FROM {checkpoints}", self._table)).fetchone()
        furthest = row[0] if row else None
        if furthest is not None and furthest > head:
            raise LostRecordsError(
                head,
                int(furthest),
                f'delete the checkpoints: psql {self.url} -c "DELETE FROM '
                f'{self.schema}.checkpoints"',
            )

    # Events arrive as text; the hash covers their UTF-8 bytes.
    _event_bytes = staticmethod(str.encode)

    @property
    def _where(self) -> str:
        return self.url

    def _page(self, position: int, last: int) -> list[Any]:
        # Binary results: numbers and text arrive as they are, not printed and parsed.
        with self._errors(), self._db.cursor(binary=True) as cursor:
            rows: list[Any] = cursor.execute(
                self._page_query, (position, min(position + _PAGE_SIZE, last))
            ).fetchall()
        return rows

    def _stored_hash(self, position: int) -> str | None:
        with self._errors():
            row = self._db.execute(
                _sql("SELECT hash FROM {events} WHERE position = %s", self._table), (position,)
            ).fetchone()
        return None if row is None else str(row[0])

    def _stored(self, after: int = 0) -> Iterator[StoredRecord]:
        """Yield the stored records after ``after`` as they are stored, a page at a time (what
        :func:`~._copy.copy_store` copies: the event's bytes as the hash covers them)."""
        query = _sql(
            "SELECT position, recorded_at, schema_version, hash, event_id::text, "
            "convert_to(event, 'UTF8') FROM {events} WHERE position > %s AND position <= %s "
            "ORDER BY position",
            self._table,
        )
        position, last = after, self.head()
        while position < last:
            upper = min(position + _PAGE_SIZE, last)
            with self._errors(), self._db.cursor(binary=True) as cursor:
                rows = cursor.execute(query, (position, upper)).fetchall()
            for stored_at, recorded_at, schema_version, record_hash, event_id, event in rows:
                yield StoredRecord(
                    stored_at, recorded_at, schema_version, record_hash, event_id, bytes(event)
                )
            position = upper

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
                self._write_records(db, records)
                head = records[-1].position
        return head

    def head(self) -> int:
        """Return the position of the last record (0 when empty)."""
        with self._errors():
            row = self._db.execute(
                _sql("SELECT coalesce(max(position), 0) FROM {events}", self._table)
            ).fetchone()
        return int(row[0]) if row else 0

    def wait(self, after: int, timeout: float) -> int:
        """Wait until the log holds more than ``after`` records, or ``timeout`` seconds pass;
        return the head.

        Woken by the ``NOTIFY`` every batch sends as it commits (``LISTEN`` on this store's
        connection), so a reader need not poll the server.
        """
        import psycopg

        db = self._db
        with self._errors():
            if not self._listening:
                db.execute(
                    psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(self._channel))
                )
                self._listening = True
        head = self.head()
        if head > after:
            return head
        with self._errors():
            for _ in db.notifies(timeout=timeout, stop_after=1):
                pass
        return self.head()

    def verify(self, *, progress: Progress | None = None) -> int:
        """Check every record's hash and id, and that no checkpoint lies past the log.

        Returns:
            The number of records checked.

        Raises:
            IntegrityError: naming the first position whose record does not match its hash,
                or whose id column does not match its content; ``LostRecordsError`` when a
                checkpoint was saved past the last record.
            CorruptLogError: a record cannot be decoded.
        """
        checker = ChainChecker(progress, self.head())
        for record in self._stored():
            try:
                content_id = event_id_of(record.event_json, record.schema_version)
            except (ValueError, TypeError, ValidationError) as exc:
                checker.check(record)
                raise CorruptLogError(
                    self.url, f"the stored event cannot be read: {exc}", record.position
                ) from None
            checker.check(record, content_id)
        with self._errors():
            self._check_checkpoints(self._db, checker.checked)
        return checker.finish()

    def get_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        """Return the checkpoint saved under ``name`` as (position, state), or ``None``."""
        check_checkpoint_name(name)
        with self._errors():
            row = self._db.execute(
                _sql("SELECT position, state FROM {checkpoints} WHERE name = %s", self._table),
                (name,),
            ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def put_checkpoint(self, name: str, position: int, state: bytes) -> None:
        """Save a checkpoint, replacing an older one of the same name.

        Raises:
            ValueError: the name is empty, the position is not in the log, or the state is not
                bytes.
            StoreError: the store is read-only.
        """
        check_checkpoint_name(name)
        self._check_writable()
        with self._errors(), self._db.transaction():
            head = self.head()
            check_checkpoint(name, position, state, head)
            self._db.execute(
                _sql(
                    "INSERT INTO {checkpoints} (name, position, state) VALUES (%s, %s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET position = excluded.position, "
                    "state = excluded.state",
                    self._table,
                ),
                (name, position, bytes(state)),
            )

    def close(self) -> None:
        """Close the connection. Idempotent."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _sql(text: str, names: dict[str, Any]) -> Any:
    from psycopg import sql

    return sql.SQL(text).format(**{k: v for k, v in names.items() if "{" + k + "}" in text})


def _display(params: dict[str, Any]) -> str:
    """Name the server and database as a URL without the password."""
    user = params.get("user")
    host = params.get("host") or params.get("hostaddr") or "localhost"
    port = params.get("port")
    where = f"{host}:{port}" if port else str(host)
    dbname = params.get("dbname") or ""
    return f"postgresql://{user + '@' if user else ''}{where}/{dbname}"


def _password_in(conninfo: str) -> str | None:
    """The password written in an address libpq could not read, to keep it out of the error."""
    if is_postgres_url(conninfo):
        try:
            return urllib.parse.urlsplit(conninfo).password
        except ValueError:
            return None
    found = re.search(r"password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)", conninfo)
    return found.group(1).strip("'") if found else None


def _scrub(exc: BaseException, password: str | None) -> str:
    """The error's message on one line, the password (should a server echo it) masked."""
    text = " ".join(str(exc).split())
    if password:
        text = text.replace(password, "***")
        quoted = urllib.parse.quote(password, safe="")
        if quoted != password:
            text = text.replace(quoted, "***")
    return text
