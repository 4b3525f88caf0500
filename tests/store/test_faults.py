"""The faults the store must survive, done for real: killed writers, racing processes, changed
bytes and torn files."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from repatevents.errors import CorruptLogError, IntegrityError, StoreError
from repatevents.store import EventStore, JsonLinesStore, SQLiteStore
from repatevents.testing import sample_events

BACKENDS: dict[str, Callable[[Path], EventStore]] = {
    "sqlite": SQLiteStore,
    "jsonl": JsonLinesStore,
}
SUFFIX = {"sqlite": "db", "jsonl": "jsonl"}

# A writer process: appends batches of sample events (batch i holds events i*size …) and prints
# each head the store acknowledged, flushing, so the parent knows what was promised durable.
WRITER = """
import sys
from repatevents.store import JsonLinesStore, SQLiteStore
from repatevents.testing import sample_events

backend, path, first, batches, size = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
store = (SQLiteStore if backend == "sqlite" else JsonLinesStore)(path)
print("ready", flush=True)
for batch in range(first, first + batches):
    print(store.append(sample_events(size, batch * size)), flush=True)
"""

# A racing writer: appends its own events (and some shared with the other writer) in small
# batches; with "expect" it passes the head it read and retries after a ConcurrencyError.
# It prints "ok <first index> <count>" per success and "conflict" per refusal.
RACER = """
import sys, time
from repatevents.errors import ConcurrencyError
from repatevents.store import JsonLinesStore, SQLiteStore
from repatevents.testing import sample_events

backend, path, mode, offset, batches, size = sys.argv[1], sys.argv[2], sys.argv[3], *map(
    int, sys.argv[4:7]
)
store = (SQLiteStore if backend == "sqlite" else JsonLinesStore)(path)
shared = sample_events(batches, 90_000)
print("ready", flush=True)
sys.stdin.readline()  # both writers start when both are ready
for batch in range(batches):
    start = offset + batch * size
    events = sample_events(size, start) + shared[batch : batch + 1]
    while True:
        expected = store.head() if mode == "expect" else None
        if expected is not None:
            time.sleep(0.01)  # widen the window between reading the head and appending
        try:
            store.append(events, expected_position=expected)
        except ConcurrencyError:
            print("conflict", flush=True)
            continue
        print("ok", start, size, flush=True)
        break
"""


def _path(tmp_path: Path, backend: str) -> Path:
    return tmp_path / f"ledger.{SUFFIX[backend]}"


def _open_after_crash(backend: str, path: Path) -> EventStore:
    """Open a log a killed writer left; a JSON Lines log with a torn tail is repaired."""
    try:
        return BACKENDS[backend](path)
    except CorruptLogError:
        assert backend == "jsonl"
        JsonLinesStore.repair(path)
        return JsonLinesStore(path)


# -- a writer killed mid-way ------------------------------------------------------------------
@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("delay", [0.0, 0.023])
def test_sigkill_mid_write_keeps_whole_acknowledged_batches(
    tmp_path: Path, backend: str, delay: float
) -> None:
    """A writer killed with SIGKILL while appending leaves only whole batches, every batch it
    acknowledged, and a log that verifies."""
    path, size = _path(tmp_path, backend), 60
    with subprocess.Popen(
        [sys.executable, "-c", WRITER, backend, str(path), "0", "400", str(size)],
        stdout=subprocess.PIPE,
        text=True,
    ) as child:
        assert child.stdout is not None
        assert "ready" == child.stdout.readline().strip()
        acknowledged = [int(child.stdout.readline()) for _ in range(3)]
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        acknowledged += [int(line) for line in child.stdout.read().split()]
    assert -signal.SIGKILL == child.returncode
    with _open_after_crash(backend, path) as store:
        head = store.head()
        assert 0 == head % size
        assert max(acknowledged) <= head
        assert sample_events(head) == [envelope.event for envelope in store.read()]
        assert head == store.verify()


# -- two processes at once --------------------------------------------------------------------
def _race(tmp_path: Path, backend: str, mode: str) -> tuple[list[str], EventStore]:
    path, batches, size = _path(tmp_path, backend), 15, 4
    BACKENDS[backend](path).close()
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                RACER,
                backend,
                str(path),
                mode,
                *map(str, (offset, batches, size)),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for offset in (0, 50_000)
    ]
    for child in children:
        assert child.stdout is not None
        assert "ready" == child.stdout.readline().strip()
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    outputs = [child.communicate(timeout=120)[0] for child in children]
    assert [0, 0] == [child.returncode for child in children]
    return outputs, BACKENDS[backend](path)


@pytest.mark.parametrize("backend", sorted(BACKENDS))
@pytest.mark.parametrize("mode", ["expect", "blind"])
def test_two_processes_append_at_once(tmp_path: Path, backend: str, mode: str) -> None:
    """Two processes appending to one log at once lose nothing and duplicate nothing (events
    both append are stored once); with expected positions, conflicts are ConcurrencyErrors and
    each writer's retried batch is stored exactly once."""
    outputs, store = _race(tmp_path, backend, mode)
    with store:
        stored = [envelope.event for envelope in store.read()]
        mine = [sample_events(60, 0), sample_events(60, 50_000)]
        shared = sample_events(15, 90_000)
        assert len(stored) == len({event.id for event in stored})
        assert sorted(e.id for e in [*mine[0], *mine[1], *shared]) == sorted(e.id for e in stored)
        for own in mine:
            # Each writer's events keep their order in the log.
            assert own == [event for event in stored if event in own]
        oks = [line for out in outputs for line in out.splitlines() if line.startswith("ok")]
        assert 30 == len(oks)
        conflicts = sum(out.count("conflict") for out in outputs)
        # Both writers sleep between reading the head and appending, for 15 batches each, at
        # the same time: with expected positions they do run into each other.
        assert (conflicts > 0) == (mode == "expect"), conflicts
        assert len(stored) == store.verify()


@pytest.mark.parametrize("backend", sorted(BACKENDS))
def test_a_stale_writer_in_another_process_gets_a_concurrency_error(
    tmp_path: Path, backend: str
) -> None:
    """A process that read the head before another process appended is refused, and writes
    nothing."""
    path = _path(tmp_path, backend)
    with BACKENDS[backend](path) as store:
        store.append(sample_events(3))
    stale = (
        "import sys\nfrom repatevents.errors import ConcurrencyError\n"
        "from repatevents.store import JsonLinesStore, SQLiteStore\n"
        "from repatevents.testing import sample_events\n"
        f"store = {BACKENDS[backend].__name__}(sys.argv[1])\n"
        "try:\n    store.append(sample_events(2, 10), expected_position=3)\n"
        "except ConcurrencyError as exc:\n    print(exc.expected, exc.actual)\n"
    )
    with BACKENDS[backend](path) as store:
        store.append(sample_events(1, 3))
        result = subprocess.run(
            [sys.executable, "-c", stale, str(path)], capture_output=True, text=True, check=True
        )
        assert "3 4" == result.stdout.strip()
        assert 4 == store.head()


# -- one byte changed -------------------------------------------------------------------------
def _flip(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def test_any_changed_byte_in_a_json_lines_log_is_found(tmp_path: Path) -> None:
    """A byte changed anywhere in a JSON Lines log: verify names the record it is in (or the
    open or decoding fails, naming it), never passes."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(2))
        store.append(sample_events(2, 2))
    data = path.read_bytes()
    line_of = [data[:offset].count(b"\n") + 1 for offset in range(len(data))]
    last_batch_start = line_of.index(3)
    for offset in range(len(data)):
        path.write_bytes(_flip(data, offset))
        try:
            store = JsonLinesStore(path)
        except CorruptLogError:
            # Only damage at the end of the file shows on open (the last line, or a missing
            # final newline that makes the last batch look torn).
            assert offset >= last_batch_start, offset
            continue
        with store, pytest.raises((IntegrityError, CorruptLogError)) as info:
            store.verify()
        error = info.value
        assert isinstance(error, (IntegrityError, CorruptLogError))
        assert line_of[offset] == error.position, (offset, error)


def _rows(path: Path) -> list[tuple[object, ...]] | None:
    """The stored rows as SQLite reads them, or None when SQLite cannot read the file."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                return None
            return db.execute("SELECT * FROM events ORDER BY position").fetchall()
    except sqlite3.DatabaseError:
        return None


def test_any_changed_byte_in_a_sqlite_log_is_found(tmp_path: Path) -> None:
    """A byte changed in a SQLite log: whenever the change alters what is stored, open or verify
    fails, and verify names the first record that changed."""
    path = tmp_path / "ledger.db"
    with SQLiteStore(path) as store:
        store.append(sample_events(2))
        store.append(sample_events(1, 2))
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    original = _rows(path)
    assert original is not None
    # Every byte of the stored records, and a sample of the rest of the file.
    starts = [data.find(str(row[4]).encode()[:40]) for row in original]
    record_bytes = {o for start in starts for o in range(start - 150, start + 700) if o >= 0}
    offsets = sorted(record_bytes | set(range(0, len(data), 61)))
    found = 0
    for offset in offsets:
        if offset >= len(data):
            continue
        changed = _flip(data, offset)
        path.write_bytes(changed)
        rows = _rows(path)
        if rows == original:
            continue  # the byte held nothing stored (free space, unused header bytes)
        found += 1
        try:
            store = SQLiteStore(path)
        except CorruptLogError:
            continue  # the file no longer opens as a store
        with store, pytest.raises((IntegrityError, CorruptLogError)) as info:
            store.verify()
        if isinstance(info.value, IntegrityError) and rows is not None:
            first_changed = next(
                (i + 1 for i, (a, b) in enumerate(zip(original, rows, strict=False)) if a != b),
                min(len(rows), len(original)) + 1,
            )
            assert first_changed == info.value.position, (offset, info.value)
    assert found > 1500


# -- torn JSON Lines tails --------------------------------------------------------------------
def test_a_truncated_json_lines_log_is_found_and_repaired(tmp_path: Path) -> None:
    """A JSON Lines log cut anywhere: open reports a torn tail (naming the first lost
    position) unless the cut falls between batches; repair() removes exactly the bytes after
    the last whole batch, and the log then verifies and takes appends."""
    path = tmp_path / "ledger.jsonl"
    sizes = (3, 1, 2)
    with JsonLinesStore(path) as store:
        for start, size in zip((0, 3, 4), sizes, strict=True):
            store.append(sample_events(size, start))
    data = path.read_bytes()
    line_ends = [i + 1 for i, byte in enumerate(data) if byte == ord("\n")]
    boundaries = {0: 0, line_ends[2]: 3, line_ends[3]: 4, line_ends[5]: 6}
    cuts = set(range(0, len(data), 11)) | {b + d for b in boundaries for d in (-1, 0, 1)}
    for cut in sorted(c for c in cuts if 0 <= c < len(data)):
        path.write_bytes(data[:cut])
        whole = max(b for b in boundaries if b <= cut)
        if cut in boundaries:
            with JsonLinesStore(path) as store:
                assert boundaries[cut] == store.head()
            continue
        with pytest.raises(CorruptLogError) as info:
            JsonLinesStore(path)
        assert boundaries[whole] + 1 == info.value.position
        assert data[whole:cut] == JsonLinesStore.repair(path)
        assert data[:whole] == path.read_bytes()
        with JsonLinesStore(path) as store:
            assert boundaries[whole] == store.verify()
            assert boundaries[whole] + 1 == store.append(sample_events(1, 100))


def test_a_writer_refuses_to_append_after_a_torn_tail(tmp_path: Path) -> None:
    """A store that finds another writer's torn batch when it appends refuses, and after the
    repair goes on from the last whole batch."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(2))
        with path.open("ab") as torn:
            torn.write(b'{"position":3,"recorded_at":"2024-')
        with pytest.raises(CorruptLogError) as info:
            store.append(sample_events(1, 2))
        assert 3 == info.value.position
        assert b'{"position":3,"recorded_at":"2024-' == JsonLinesStore.repair(path)
        assert 3 == store.append(sample_events(1, 2))
        assert 3 == store.verify()


def test_a_log_held_by_another_process_times_out(tmp_path: Path) -> None:
    """A writer waiting longer than its timeout for another process's lock gets a StoreError."""
    path = tmp_path / "ledger.jsonl"
    JsonLinesStore(path).close()
    lock = (
        "import fcntl, sys, time\n"
        "f = open(sys.argv[1], 'rb')\nfcntl.flock(f, fcntl.LOCK_EX)\n"
        "print('locked', flush=True)\ntime.sleep(30)\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", lock, str(path)], stdout=subprocess.PIPE, text=True
    ) as holder:
        try:
            assert holder.stdout is not None
            assert "locked" == holder.stdout.readline().strip()
            with pytest.raises(StoreError, match="held the log"):
                JsonLinesStore(path, timeout=0.2)
        finally:
            holder.kill()
