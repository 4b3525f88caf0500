"""The in-memory store: the contract, and what is particular to keeping a log in memory."""

from __future__ import annotations

import threading
from pathlib import Path

from repatevents.store import EventStore, MemoryStore
from repatevents.testing import StoreContract, sample_events


class TestMemoryStore(StoreContract):
    """The in-memory store passes the store contract."""

    persistent = False

    def make_store(self, tmp_path: Path) -> EventStore:
        """Give a fresh store in memory (the directory is not used)."""
        return MemoryStore()


def test_threads_append_without_losing_events() -> None:
    """Threads appending to one memory store at once lose and duplicate nothing."""
    store = MemoryStore()
    events = sample_events(400)

    def write(part: int) -> None:
        for start in range(part * 100, part * 100 + 100, 10):
            store.append(events[start : start + 10])

    threads = [threading.Thread(target=write, args=(part,)) for part in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = [envelope.event for envelope in store.read()]
    assert sorted(e.id for e in events) == sorted(e.id for e in stored)
    assert 400 == store.verify()


def test_repr_shows_the_head() -> None:
    """The repr says what the store holds."""
    store = MemoryStore()
    store.append(sample_events(3))
    assert "MemoryStore(head=3)" == repr(store)
