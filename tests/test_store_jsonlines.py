"""The JSON Lines store: the contract, the file's form, its sidecar and failed writes."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import orjson
import pytest

from repatevents.errors import CorruptLogError
from repatevents.events._fastcodec import encode_event
from repatevents.store import EventStore, JsonLinesStore
from repatevents.testing import StoreContract, sample_events


class TestJsonLinesStore(StoreContract):
    """The JSON Lines store passes the store contract."""

    def make_store(self, tmp_path: Path) -> EventStore:
        """Open the JSON Lines file in the directory."""
        return JsonLinesStore(tmp_path / "ledger.jsonl")


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


def test_a_damaged_sidecar_is_reported(tmp_path: Path) -> None:
    """A checkpoint file that is not what the store wrote is a CorruptLogError naming it."""
    path = tmp_path / "ledger.jsonl"
    Path(str(path) + ".checkpoints").write_bytes(b"{not json")
    with JsonLinesStore(path) as store, pytest.raises(CorruptLogError) as info:
        store.get_checkpoint("totals")
    assert str(path) + ".checkpoints" == info.value.path


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
