"""The PostgreSQL store, against a real server: the contract, the roles, many writers, kills."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import errors, sql

from _postgres_server import ADMIN_PASSWORD, PostgresServer, unavailable
from repatevents import Ledger, OperationReported
from repatevents.errors import ConcurrencyError, IntegrityError, StoreError, ValidationError
from repatevents.projections._checkpoint import CHECKPOINT_NAME
from repatevents.store import EventStore, PostgresStore
from repatevents.testing import StoreContract, sample_events


def _schema(tmp_path: Path) -> str:
    """One schema per test directory: every test gets a ledger of its own on the one server."""
    return "t_" + hashlib.sha256(str(tmp_path).encode()).hexdigest()[:20]


class TestPostgresStore(StoreContract):
    """The PostgreSQL store passes the store contract."""

    @pytest.fixture(autouse=True)
    def _server(self, postgres_server: PostgresServer) -> None:
        self.server = postgres_server

    def make_store(self, tmp_path: Path) -> EventStore:
        """Open the ledger in the schema named after the directory."""
        return PostgresStore(self.server.url(), schema=_schema(tmp_path))

    def open_read_only(self, tmp_path: Path) -> EventStore:
        """Open the same ledger with ``read_only=True``."""
        return PostgresStore(self.server.url(), schema=_schema(tmp_path), read_only=True)


@pytest.fixture
def server(postgres_server: PostgresServer) -> PostgresServer:
    """The session's server."""
    return postgres_server


@pytest.fixture
def team(server: PostgresServer, tmp_path: Path) -> dict[str, str]:
    """A ledger set up with its roles, a writer ``w_…`` and a reader ``r_…`` who log in."""
    schema = _schema(tmp_path)
    writer, reader = f"w_{schema[2:12]}", f"r_{schema[2:12]}"
    PostgresStore.setup(
        server.url(), schema=schema, writer_role=f"{schema}_w", reader_role=f"{schema}_r"
    ).close()
    with server.admin() as db:
        for login, group in ((writer, f"{schema}_w"), (reader, f"{schema}_r")):
            db.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                    sql.Identifier(login), sql.Literal("pw-" + login), sql.Identifier(group)
                )
            )
    return {
        "schema": schema,
        "writer": server.url(writer, "pw-" + writer),
        "reader": server.url(reader, "pw-" + reader),
    }


def test_url_chooses_the_schema(server: PostgresServer, tmp_path: Path) -> None:
    """A schema= parameter in the URL chooses the ledger; the argument overrides it."""
    schema = _schema(tmp_path)
    with PostgresStore(server.url() + f"?schema={schema}") as store:
        store.append(sample_events(2))
    with PostgresStore(server.url(), schema=schema) as store:
        assert (schema, 2) == (store.schema, store.head())


def test_password_is_never_shown(server: PostgresServer, tmp_path: Path) -> None:
    """Neither the repr nor an error names the password, wherever it came from."""
    with PostgresStore(server.url(), schema=_schema(tmp_path)) as store:
        assert ADMIN_PASSWORD not in repr(store) + store.url
        assert f"postgresql://admin@127.0.0.1:{server.port}/postgres" == store.url
    wrong = server.url(password="not-" + ADMIN_PASSWORD)
    with pytest.raises(StoreError) as info:
        PostgresStore(wrong, schema=_schema(tmp_path))
    assert "password authentication failed" in str(info.value)
    assert "not-" + ADMIN_PASSWORD not in str(info.value)


@pytest.mark.parametrize(
    "address",
    [
        "postgresql://u:s3cr3t-pw@h/db?sslmode=bad s3cr3t-pw",
        "host=h password=s3cr3t-pw sslmode=bad s3cr3t-pw",
    ],
)
def test_an_address_libpq_cannot_read_is_refused_without_its_password(address: str) -> None:
    """A malformed address is a StoreError that says so and masks the password in it."""
    with pytest.raises(StoreError, match="cannot read the PostgreSQL address") as info:
        PostgresStore(address)
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize("where", ["PGPASSWORD", "PGPASSFILE"])
def test_password_from_the_environment_or_a_password_file(
    server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Without a password in the URL, libpq's PGPASSWORD or password file (~/.pgpass, or the
    file PGPASSFILE names) gives it."""
    if where == "PGPASSWORD":
        monkeypatch.setenv("PGPASSWORD", ADMIN_PASSWORD)
    else:
        password_file = tmp_path / "pgpass"
        password_file.write_text(f"127.0.0.1:{server.port}:postgres:admin:{ADMIN_PASSWORD}\n")
        password_file.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(password_file))
    with PostgresStore(server.url(password=None), schema=_schema(tmp_path)) as store:
        assert 0 == store.head()


def test_a_bad_schema_name_is_refused(server: PostgresServer) -> None:
    """A schema name that would need quoting is a ValidationError naming it and the rule."""
    with pytest.raises(ValidationError, match=r"schema: 'Bad-Name'.*lower-case"):
        PostgresStore(server.url(), schema="Bad-Name")


def test_the_server_refuses_changes_even_from_the_owner(
    server: PostgresServer, tmp_path: Path
) -> None:
    """Triggers refuse UPDATE, DELETE and TRUNCATE of the log, whoever asks."""
    schema = _schema(tmp_path)
    with PostgresStore(server.url(), schema=schema) as store:
        store.append(sample_events(2))
    with server.admin() as db:
        for statement in (
            "UPDATE {}.events SET hash = 'x' WHERE position = 1",
            "DELETE FROM {}.events WHERE position = 2",
            "TRUNCATE {}.events",
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="append-only"):
                db.execute(sql.SQL(statement).format(sql.Identifier(schema)))
    with PostgresStore(server.url(), schema=schema) as store:
        assert 2 == store.verify()


def test_the_writer_role_may_only_read_and_append(team: dict[str, str]) -> None:
    """The writers' role appends and checkpoints; the server denies it UPDATE and DELETE."""
    with PostgresStore(team["writer"], schema=team["schema"]) as store:
        assert not store.read_only
        assert 3 == store.append(sample_events(3))
        store.put_checkpoint("totals", 3, b"state")
    with psycopg.connect(team["writer"], autocommit=True) as db:
        for statement in (
            "UPDATE {}.events SET hash = 'x'",
            "DELETE FROM {}.events",
            "TRUNCATE {}.events",
        ):
            with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
                db.execute(sql.SQL(statement).format(sql.Identifier(team["schema"])))


def test_the_reader_role_only_reads(team: dict[str, str]) -> None:
    """The readers' role opens the ledger read-only: it reads and verifies; writes are
    refused by the store and, underneath, by the server."""
    with PostgresStore(team["writer"], schema=team["schema"]) as store:
        store.append(sample_events(3))
        store.put_checkpoint("totals", 3, b"state")
    with PostgresStore(team["reader"], schema=team["schema"]) as store:
        assert store.read_only
        assert (3, 3, (3, b"state")) == (
            store.head(),
            store.verify(),
            store.get_checkpoint("totals"),
        )
        with pytest.raises(StoreError, match="read-only"):
            store.append(sample_events(1, 3))
    with PostgresStore(team["reader"], schema=team["schema"], read_only=False) as store:
        with pytest.raises(StoreError, match="refused"):
            store.append(sample_events(1, 3))
        with pytest.raises(StoreError, match="refused"):
            store.put_checkpoint("totals", 1, b"other")
    with (
        psycopg.connect(team["reader"], autocommit=True) as db,
        pytest.raises(errors.InsufficientPrivilege),
    ):
        db.execute(
            sql.SQL("INSERT INTO {}.checkpoints VALUES ('x', 0, '')").format(
                sql.Identifier(team["schema"])
            )
        )


def test_a_role_that_may_not_create_is_told_to_run_setup(
    team: dict[str, str], server: PostgresServer
) -> None:
    """Opening a schema without a ledger as a role that cannot create one names the setup."""
    with pytest.raises(StoreError, match="setup-postgres") as info:
        PostgresStore(team["writer"], schema="nothing_here")
    assert "pw-" not in str(info.value)


def test_a_changed_record_is_found(server: PostgresServer, tmp_path: Path) -> None:
    """A record changed behind the triggers' back (by a superuser) fails verify and is not
    built upon."""
    schema = _schema(tmp_path)
    with PostgresStore(server.url(), schema=schema) as store:
        store.append(sample_events(4))
    with server.admin() as db:
        db.execute("SET session_replication_role = replica")  # triggers off: a superuser can
        db.execute(
            sql.SQL(
                "UPDATE {}.events SET event = replace(event, 'sample 1', 'sample 9') "
                "WHERE position = 2"
            ).format(sql.Identifier(schema))
        )
    with PostgresStore(server.url(), schema=schema) as store:
        with pytest.raises(IntegrityError) as info:
            store.verify()
        assert 2 == info.value.position


def test_a_reader_catches_up(server: PostgresServer, tmp_path: Path) -> None:
    """A reader sees what another connection appended, by reading after what it saw, and is
    woken by wait() when a batch commits."""
    schema = _schema(tmp_path)
    with PostgresStore(server.url(), schema=schema) as reader:
        assert 0 == reader.wait(0, timeout=0.05)

        def write() -> None:
            time.sleep(0.3)
            with PostgresStore(server.url(), schema=schema) as writer:
                writer.append(sample_events(3))

        thread = threading.Thread(target=write)
        thread.start()
        started = time.monotonic()
        assert 3 == reader.wait(0, timeout=20)
        assert time.monotonic() - started < 10
        thread.join()
        assert [1, 2, 3] == [e.position for e in reader.read(0)]


def test_a_ledger_answers_with_what_others_recorded(server: PostgresServer, tmp_path: Path) -> None:
    """A Ledger on the server includes in its next answer what another writer recorded, and
    its checkpoints, kept in the database, serve a ledger opened later."""
    url = server.url() + f"?schema={_schema(tmp_path)}"
    events = [e for e in sample_events(40) if isinstance(e, OperationReported)]
    with Ledger.open(url) as reader, Ledger.open(url) as writer:
        writer.record_many(events[:2])
        first = reader.operations()
        writer.record_many(events[2:])
        assert (2, len(events)) == (len(first), len(reader.operations()))
    with PostgresStore(url) as store:
        saved = store.get_checkpoint(CHECKPOINT_NAME)
    assert saved is not None
    assert len(events) == saved[0]
    with Ledger.open(url) as later:
        assert len(events) == len(later.operations())


# -- many writers ------------------------------------------------------------------------------
_POOL = 240


def _writer(url: str, schema: str, number: int, queue: Any) -> None:
    """Append overlapping batches through two connections, some with an expected head."""
    stores = [PostgresStore(url, schema=schema) for _ in range(2)]
    pool = sample_events(_POOL)
    outcomes: list[tuple[str, int, int, list[str]]] = []
    for step in range(12):
        store = stores[step % 2]
        start = (number * 17 + step * 23) % (_POOL - 20)
        batch = pool[start : start + 20]
        if step % 3 == 0:
            expected = store.head()
            try:
                head = store.append(batch, expected_position=expected)
                outcomes.append(("expected", expected, head, [str(e.id) for e in batch]))
            except ConcurrencyError as exc:
                outcomes.append(("stale", exc.expected, exc.actual, []))
        else:
            head = store.append(batch)
            outcomes.append(("plain", 0, head, [str(e.id) for e in batch]))
    for store in stores:
        store.close()
    queue.put(outcomes)


def test_many_writers_lose_and_double_nothing(server: PostgresServer, tmp_path: Path) -> None:
    """Eight processes on two connections each append overlapping batches at once: every
    event is stored once, positions have no gaps, the chain verifies, and an append with an
    expected head either lands right after it or is refused."""
    schema = _schema(tmp_path)
    PostgresStore(server.url(), schema=schema).close()
    context = multiprocessing.get_context("forkserver")
    queue = context.Queue()
    workers = [
        context.Process(target=_writer, args=(server.url(), schema, n, queue)) for n in range(8)
    ]
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert 0 == worker.exitcode
    with PostgresStore(server.url(), schema=schema) as store:
        envelopes = list(store.read())
        assert len(envelopes) == store.verify()
    ids = [str(e.event.id) for e in envelopes]
    results = [outcome for worker in outcomes for outcome in worker]
    written = {event_id for kind, _, _, batch in results if kind != "stale" for event_id in batch}
    assert written == set(ids)
    assert len(ids) == len(set(ids))
    assert list(range(1, len(ids) + 1)) == [e.position for e in envelopes]
    position = {event_id: i + 1 for i, event_id in enumerate(ids)}
    for kind, expected, head, batch in results:
        if kind == "expected":
            # Whatever this batch added was stored right after the head it expected.
            new = sorted(position[i] for i in batch if position[i] > expected)
            assert list(range(expected + 1, head + 1)) == new
        elif kind == "stale":
            assert head > expected
    assert any(kind == "expected" for kind, *_ in results)


# -- writers that die ----------------------------------------------------------------------------
_KILLED_WRITER = """
import sys
from repatevents.store import PostgresStore
from repatevents.testing import sample_events
store = PostgresStore(sys.argv[1], schema=sys.argv[2])
store.append(sample_events(int(sys.argv[3]), 10))
"""


def _blocked_writer(db: psycopg.Connection[Any]) -> int | None:
    """The server process of a writer that holds the ledger's lock and, halfway through
    sending its rows, waits for another transaction's row (see the test)."""
    row = db.execute(
        "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND a.query LIKE 'COPY%%' "
        "AND a.wait_event_type = 'Lock' AND a.pid <> pg_backend_pid()"
    ).fetchone()
    return None if row is None else int(row[0])


def _start_big_batch(server: PostgresServer, schema: str, size: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _KILLED_WRITER, server.url(), schema, str(size)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_until_blocked(db: psycopg.Connection[Any], writer: subprocess.Popen[bytes]) -> int:
    """Wait until the writer is stopped in the middle of its batch; return its server pid."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        backend = _blocked_writer(db)
        if backend is not None:
            return backend
        assert writer.poll() is None, "the writer ended before it was seen mid-batch"
        time.sleep(0.01)
    raise AssertionError("the writer was never seen mid-batch")


@pytest.mark.parametrize("how", ["kill -9 the writer", "drop its connection"])
def test_a_writer_that_dies_mid_batch_leaves_nothing(
    server: PostgresServer, tmp_path: Path, how: str
) -> None:
    """A writer killed with SIGKILL, or whose connection the server drops, in the middle of a
    batch (2,000 of its 3,000 rows sent) leaves the log as it was; the next writer appends."""
    schema = _schema(tmp_path)
    with PostgresStore(server.url(), schema=schema) as store:
        store.append(sample_events(10))
    batch = sample_events(3000, 10)
    with server.admin() as blocker, server.admin() as watcher:
        # An uncommitted row holding the id of the batch's 2,001st event: the writer's COPY
        # stops there, 2,000 rows into its transaction, until this transaction ends. So the
        # writer dies mid-batch every time, not only when a poll happens to catch it.
        blocker.execute("BEGIN")
        blocker.execute(
            sql.SQL("INSERT INTO {}.events VALUES (%s, %s, %s, %s, %s, %s)").format(
                sql.Identifier(schema)
            ),
            (1_000_000, batch[2000].id, "x", 2, "x", "{}"),
        )
        writer = _start_big_batch(server, schema, 3000)
        backend = _wait_until_blocked(watcher, writer)
        if how == "kill -9 the writer":
            os.kill(writer.pid, signal.SIGKILL)
        else:
            watcher.execute("SELECT pg_terminate_backend(%s)", (backend,))
        blocker.execute("ROLLBACK")
        _, stderr = writer.communicate(timeout=60)
    assert writer.returncode != 0
    if how == "drop its connection":
        assert b"StoreError" in stderr
    with PostgresStore(server.url(), schema=schema, timeout=20) as store:
        assert (10, 10) == (store.head(), store.verify())
        assert 11 == store.append(sample_events(1, 30_000))


@pytest.mark.parametrize(("ci", "outcome"), [("true", "fail"), ("", "skip"), ("false", "skip")])
def test_a_server_that_cannot_start_fails_ci_and_skips_elsewhere(ci: str, outcome: str) -> None:
    """Without a server the PostgreSQL tests skip with the reason, but under CI=true they fail."""
    expected = pytest.fail.Exception if outcome == "fail" else pytest.skip.Exception
    with pytest.raises(expected, match="cannot start: no initdb"):
        unavailable("no initdb", {"CI": ci})
