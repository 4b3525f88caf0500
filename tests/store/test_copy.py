"""Copying a ledger between backends: positions, times and hashes kept, refusals, resuming."""

from __future__ import annotations

import hashlib
import itertools
import shutil
from pathlib import Path

import pytest

from _paths import GOLDEN
from _postgres_server import PostgresServer
from repatevents.errors import IntegrityError, StoreError
from repatevents.store import (
    Envelope,
    EventStore,
    JsonLinesStore,
    MemoryStore,
    PostgresStore,
    SQLiteStore,
    copy_store,
    open_store,
)
from repatevents.testing import sample_events

GOLDEN_STORE = GOLDEN / "store-v1.jsonl"


def _schema(tmp_path: Path, name: str = "") -> str:
    return "c_" + hashlib.sha256(f"{tmp_path}{name}".encode()).hexdigest()[:20]


@pytest.fixture
def server(postgres_server: PostgresServer) -> PostgresServer:
    """The session's server."""
    return postgres_server


def _envelopes(store: EventStore) -> list[Envelope]:
    return list(store.read())


def _three_batches(store: EventStore) -> None:
    store.append(sample_events(5))
    store.append(sample_events(1, 5))
    store.append(sample_events(30, 6))


def test_a_copy_keeps_positions_times_and_hashes(server: PostgresServer, tmp_path: Path) -> None:
    """SQLite to PostgreSQL to JSON Lines to SQLite: every copy reads back the same envelopes
    (positions, recording times, hashes, events) and verifies."""
    url = server.url() + f"?schema={_schema(tmp_path)}"
    with SQLiteStore(tmp_path / "first.db") as first:
        _three_batches(first)
        expected = _envelopes(first)
    chain: list[str | Path] = [
        tmp_path / "first.db",
        url,
        tmp_path / "copy.jsonl",
        tmp_path / "back.db",
    ]
    for source, target in itertools.pairwise(chain):
        with open_store(source) as reader, open_store(target) as writer:
            assert 36 == copy_store(reader, writer)
            assert (expected, 36) == (_envelopes(writer), writer.verify())


def test_old_schema_records_are_copied_as_stored(server: PostgresServer, tmp_path: Path) -> None:
    """Records written in an older schema keep their stored bytes, so their hashes verify in
    the copy, and read back upcast as in the original."""
    original = tmp_path / "store-v1.jsonl"
    shutil.copyfile(GOLDEN_STORE, original)
    url = server.url() + f"?schema={_schema(tmp_path)}"
    with JsonLinesStore(original) as reader, PostgresStore(url) as writer:
        expected = _envelopes(reader)
        assert len(expected) == copy_store(reader, writer)
        assert (expected, len(expected)) == (_envelopes(writer), writer.verify())
        with SQLiteStore(tmp_path / "back.db") as back:
            copy_store(writer, back)
            assert (expected, len(expected)) == (_envelopes(back), back.verify())
    assert {1} == {e.schema_version for e in expected}


def test_an_interrupted_copy_is_resumed(tmp_path: Path) -> None:
    """A target holding the source's beginning (a copy that stopped) receives the rest."""
    with MemoryStore() as source, SQLiteStore(tmp_path / "copy.db") as target:
        _three_batches(source)
        target._append_stored(list(source._stored())[:5])
        heads: list[int] = []
        assert 36 == copy_store(source, target, progress=heads.append)
        assert ([36], _envelopes(source)) == (heads, _envelopes(target))


def test_a_target_holding_another_ledger_is_refused(tmp_path: Path) -> None:
    """Copying into a ledger that is not the source's beginning raises and writes nothing."""
    with MemoryStore() as source, SQLiteStore(tmp_path / "other.db") as target:
        source.append(sample_events(4))
        target.append(sample_events(2))
        before = _envelopes(target)
        with pytest.raises(StoreError, match="another ledger"):
            copy_store(source, target)
        assert before == _envelopes(target)


def test_a_changed_source_record_is_not_copied(tmp_path: Path) -> None:
    """A source record whose hash does not recompute stops the copy before its batch."""
    source = MemoryStore()
    source.append(sample_events(4))
    records = source._records
    records[2] = records[2]._replace(event_json=records[2].event_json.replace(b"sample", b"SAMPLE"))
    with SQLiteStore(tmp_path / "copy.db") as target:
        with pytest.raises(IntegrityError) as info:
            copy_store(source, target)
        assert (3, 0) == (info.value.position, target.head())


def test_a_store_of_another_kind_is_refused() -> None:
    """A third-party store without the copy methods is a StoreError naming it."""

    class Plain:
        def head(self) -> int:
            return 0

    with pytest.raises(StoreError, match="cannot be copied"):
        copy_store(Plain(), MemoryStore())  # type: ignore[arg-type]
