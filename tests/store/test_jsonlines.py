"""The JSON Lines store: the contract, the file's form, its sidecar and failed writes."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import orjson
import pytest

from repatevents import Ledger
from repatevents.errors import (
    CorruptLogError,
    IntegrityError,
    LostRecordsError,
    RepateventsWarning,
    StoreError,
)
from repatevents.events._stored import encode_event
from repatevents.store import EventStore, JsonLinesStore
from repatevents.testing import StoreContract, sample_events

EXAMPLE = Path("examples/ledger.jsonl")


class TestJsonLinesStore(StoreContract):
    """The JSON Lines store passes the store contract."""

    def make_store(self, tmp_path: Path) -> EventStore:
        """Open the JSON Lines file in the directory."""
        return JsonLinesStore(tmp_path / "ledger.jsonl")

    def open_read_only(self, tmp_path: Path) -> EventStore:
        """Open the file in the directory with ``read_only=True``."""
        return JsonLinesStore(tmp_path / "ledger.jsonl", read_only=True)


def test_one_readable_envelope_per_line(tmp_path: Path) -> None:
    """Each line is one record: position, time, version, hash, and the event's sorted JSON;
    the last line of each batch says it commits the batch."""
    path = tmp_path / "ledger.jsonl"
    events = sample_events(5)
    with JsonLinesStore(path) as store:
        store.append(events[:3])
        store.append(events[3:])
        envelopes = list(store.read())
    lines = path.read_bytes().splitlines()
    records = [orjson.loads(line) for line in lines]
    keys = ["position", "recorded_at", "schema_version", "hash", "event"]
    assert [keys, keys, [*keys[:4], "commit", "event"], keys, [*keys[:4], "commit", "event"]] == [
        list(record) for record in records
    ]
    assert [encode_event(e) for e in events] == [orjson.dumps(r["event"]) for r in records]
    assert [e.hash for e in envelopes] == [r["hash"] for r in records]


def test_appending_only_adds_lines(tmp_path: Path) -> None:
    """An append leaves every byte before it as it was (diffs show only new lines)."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(4))
        before = path.read_bytes()
        store.append(sample_events(4, 4))
    after = path.read_bytes()
    assert before == after[: len(before)]
    assert 4 == after[len(before) :].count(b"\n")


def test_a_fresh_store_object_reads_from_any_position(tmp_path: Path) -> None:
    """A store opened on an existing file reads ranges without building its id index."""
    path = tmp_path / "ledger.jsonl"
    events = sample_events(30)
    with JsonLinesStore(path) as store:
        store.append(events)
    with JsonLinesStore(path) as store:
        assert events[17:25] == [e.event for e in store.read(17, upto=25)]
        assert [30] == [e.position for e in store.read(29)]


def test_a_damaged_last_line_is_reported_and_not_repaired(tmp_path: Path) -> None:
    """A complete last line that is not a record is corruption: open reports it, and repair
    refuses to cut it away."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(3))
    data = path.read_bytes()
    damaged = data[:-20] + b"#" + data[-19:]
    path.write_bytes(damaged)
    with pytest.raises(CorruptLogError, match="not a torn write"):
        JsonLinesStore(path)
    with pytest.raises(CorruptLogError):
        JsonLinesStore.repair(path)
    assert damaged == path.read_bytes()


def test_a_file_of_events_to_import_is_named_as_such(tmp_path: Path) -> None:
    """A file in the interchange format (what import reads) opened as a log is not called
    damaged: the error says it is a file of events to import, not a ledger."""
    path = tmp_path / "events.jsonl"
    shutil.copyfile(EXAMPLE, path)
    with pytest.raises(CorruptLogError) as info:
        JsonLinesStore(path)
    assert (
        "this is a file of events to import (repatevents import FILE), not a ledger"
        in info.value.reason
    )
    assert "damaged" not in info.value.reason
    assert EXAMPLE.read_bytes() == path.read_bytes()


def test_repair_of_a_sound_file_removes_nothing(tmp_path: Path) -> None:
    """repair() on a file that ends with a whole batch returns b'' and changes nothing."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(3))
    data = path.read_bytes()
    assert b"" == JsonLinesStore.repair(path)
    assert data == path.read_bytes()


def test_checkpoints_live_in_a_readable_sidecar(tmp_path: Path) -> None:
    """Checkpoints are kept in <log>.checkpoints as JSON, never in the log itself."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(2))
        log = path.read_bytes()
        store.put_checkpoint("totals", 2, b"\x00\x01")
        assert store.checkpoints_path == str(path) + ".checkpoints"
    assert log == path.read_bytes()
    assert {"totals": {"position": 2, "state": "AAE="}} == orjson.loads(
        Path(str(path) + ".checkpoints").read_bytes()
    )


def test_a_damaged_sidecar_is_reported_ignored_and_replaced(tmp_path: Path) -> None:
    """A checkpoint file that is not what the store wrote is a cache gone bad: a warning names
    it (once), it reads as no checkpoint, and the next checkpoint saved replaces it."""
    path = tmp_path / "ledger.jsonl"
    sidecar = Path(str(path) + ".checkpoints")
    sidecar.write_bytes(b'{"garbage\n')
    with JsonLinesStore(path) as store:
        with pytest.warns(RepateventsWarning, match=f"{sidecar}.*cannot be read.*ignored"):
            assert store.get_checkpoint("totals") is None
        store.append(sample_events(2))
        assert store.get_checkpoint("totals") is None
        store.put_checkpoint("totals", 2, b"state")
        assert (2, b"state") == store.get_checkpoint("totals")
    with JsonLinesStore(path) as store:
        assert (2, b"state") == store.get_checkpoint("totals")


def test_a_failed_write_leaves_the_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the disk fills up halfway through a batch, the half batch is removed again."""
    path = tmp_path / "ledger.jsonl"
    store = JsonLinesStore(path)
    store.append(sample_events(3))
    before = path.read_bytes()
    real_write = os.write
    written: list[int] = []

    def half_then_full(fd: int, data: bytes | memoryview) -> int:
        written.append(real_write(fd, bytes(data[: len(data) // 2])))
        raise OSError(errno.ENOSPC, "No space left on device")

    # The store calls os.write through the os module, so that is where the disk fills up.
    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(OSError, match="No space"):
        store.append(sample_events(3, 3))
    monkeypatch.undo()
    assert written[0] > 100
    assert before == path.read_bytes()
    assert 6 == store.append(sample_events(3, 3))
    assert 6 == store.verify()
    store.close()


# -- what a store checks before it reads into a fold or writes --------------------------------
def _bump_total(path: Path, line: int) -> None:
    """Change a record's people total by one digit, in place (the line stays canonical and its
    hash as it was)."""
    lines = path.read_bytes().splitlines(keepends=True)
    start = lines[line - 1].index(b'"total":') + len(b'"total":')
    digit = lines[line - 1][start : start + 1]
    changed = b"9" if digit != b"9" else b"8"
    lines[line - 1] = lines[line - 1][:start] + changed + lines[line - 1][start + 1 :]
    path.write_bytes(b"".join(lines))


def test_a_changed_line_is_named_by_a_checked_read_and_refused_by_append(tmp_path: Path) -> None:
    """One digit changed in a line in the middle of the log: read() returns it, but a checked
    read (as a fold makes) and the first append of a store object name it, and the append
    writes nothing."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(12))
        store.append(sample_events(3, 12))
    _bump_total(path, 10)
    before = path.read_bytes()
    with JsonLinesStore(path) as store:
        assert 15 == len(list(store.read()))
        with pytest.raises(IntegrityError, match="changed after it was written") as info:
            list(store.read_checked())
        assert 10 == info.value.position
        with pytest.raises(IntegrityError) as info:
            store.append(sample_events(1, 20))
        assert 10 == info.value.position
    assert before == path.read_bytes()


def test_a_checked_read_hashes_a_second_event_key(tmp_path: Path) -> None:
    """A line given a second "event" key (which a parser reads instead of the first) fails
    the checked read, though the first event still matches the hash."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(2))
    first, second = path.read_bytes().splitlines(keepends=True)
    other = orjson.loads(second)["event"]
    doubled = first[: first.rindex(b"}")] + b',"event":' + orjson.dumps(other) + b"}\n"
    path.write_bytes(doubled + second)
    with JsonLinesStore(path) as store, pytest.raises(IntegrityError) as info:
        list(store.read_checked())
    assert 1 == info.value.position


@pytest.mark.parametrize("keep", [28, 0])
def test_a_log_cut_behind_its_checkpoint_refuses_appends(tmp_path: Path, keep: int) -> None:
    """The last batch removed (or the file emptied) while the sidecar holds a checkpoint at
    30: append and verify raise LostRecordsError naming both positions and the sidecar to
    delete, and neither the log nor the sidecar changes."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(28))
        store.append(sample_events(2, 28))
        store.put_checkpoint("projections", 30, b"state")
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:keep]))
    log, sidecar = path.read_bytes(), Path(str(path) + ".checkpoints").read_bytes()
    with JsonLinesStore(path) as store:
        attempts: list[Callable[[], int]] = [
            lambda: store.append(sample_events(2, 28)),
            store.verify,
        ]
        for attempt in attempts:
            with pytest.raises(LostRecordsError) as info:
                attempt()
            assert (keep, 30) == (info.value.head, info.value.checkpoint)
            assert f"delete {path}.checkpoints" in str(info.value)
    assert (log, sidecar) == (path.read_bytes(), Path(str(path) + ".checkpoints").read_bytes())


def test_a_log_that_cannot_be_written_opens_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log file (or folder) the process may not write is opened read-only, not refused; a
    log that is not there cannot be opened read-only."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(3))
    monkeypatch.setattr(os, "access", lambda p, mode: mode != os.W_OK)
    with JsonLinesStore(path) as store:
        assert (True, 3) == (store.read_only, store.verify())
    with pytest.raises(StoreError, match="no log to open read-only"):
        JsonLinesStore(tmp_path / "missing.jsonl", read_only=True)
    assert not (tmp_path / "missing.jsonl").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_a_read_only_file_is_read(tmp_path: Path) -> None:
    """A log file without write permission reads and verifies."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(3))
    path.chmod(0o444)
    with JsonLinesStore(path) as store:
        assert 3 == store.verify()


def test_a_raw_read_names_a_changed_line(tmp_path: Path) -> None:
    """A raw read checks the hash chain as a checked read does: it stops at a changed line."""
    path = tmp_path / "ledger.jsonl"
    with JsonLinesStore(path) as store:
        store.append(sample_events(12))
    _bump_total(path, 10)
    with JsonLinesStore(path) as store:
        with pytest.raises(IntegrityError, match="changed after it was written") as info:
            list(store.read_raw_checked())
        assert 10 == info.value.position


def test_a_ledger_on_json_lines_folds_the_stored_json(tmp_path: Path) -> None:
    """A ledger on JSON Lines folds its lines' stored JSON without building one event, to the
    state a ledger in memory folds from the same events."""
    events = sample_events(30)
    with Ledger.open(tmp_path / "ledger.jsonl") as ledger, Ledger.in_memory() as memory:
        ledger.record_many(events)
        memory.record_many(events)
        with mock.patch.object(JsonLinesStore, "raw_event", side_effect=AssertionError):
            assert memory.state().same_knowledge(ledger.state())
