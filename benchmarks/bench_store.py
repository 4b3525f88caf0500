"""Measure the SQLite event store against the ``eventsourcing`` package's SQLite recorder.

Both libraries do the same work on the same synthetic events, in one run:

* **Append**: N events in batches of 1,000 (one transaction each) to a new SQLite file in WAL
  mode with SQLite's default ``synchronous=FULL``, from event objects already in memory.
  repatevents encodes each event, checks its id against the stored ones, chains its hash and
  inserts it. eventsourcing maps each of its domain events to a stored event (its JSON
  transcoder) and inserts it with ``SQLiteApplicationRecorder.insert_events``, which keeps a
  unique index on (originator id, version) and a global order (the notification id).
* **Read**: the whole log back as event objects, in order. repatevents iterates
  ``SQLiteStore.read()``, which yields envelopes holding fully typed events (attrs classes with
  their sources, groups of people, estimates, dates, enums, UUIDs). eventsourcing pages through
  ``select_notifications`` (1,000 at a time, its own replay of an application log) and maps each
  notification back with ``Mapper.to_domain_event``.

Like with like: every synthetic event is stored by both. eventsourcing's domain event (one class,
``LedgerEventRecorded``) carries the event's type and its payload, the very dict repatevents
stores, so both store the same content at the same size (the script prints both average sizes).
Its events are shallower than repatevents' (the nested values stay dicts and strings), which
favours eventsourcing. Event objects are built before the clock starts for both. Appends are
timed batch by batch, the two libraries taking turns, so both see the same machine load; reads
are timed whole, one after the other, and ``--repeat`` reads each several times, keeping the best.
Each rate is also given per CPU second of the process (``time.process_time``), which other
work on a shared machine disturbs less than the wall clock.

A third read puts eventsourcing on the same footing as repatevents' objects: its replay, then
each payload turned into the repatevents event it holds (with repatevents' own fast decoder,
so the difference left is the storage layer's).

The peak memory of a read is measured in a fresh process that opens the store and reads the
whole log, discarding each event as a streaming consumer would: the peak resident size of that
process (``VmHWM``), and how far it rose above its peak just before the read.

Run ``python benchmarks/bench_store.py`` (1,000,000 events) or ``--events 200000`` for a
quicker look. Targets: append at least 4 times, read at least 2 times eventsourcing's rate, read
peak under 200 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from repatevents.events import Event
from repatevents.events._stored import decode_event, encode_event, event_payload
from repatevents.store import SQLiteStore
from repatevents.testing import sample_events

BATCH = 1000
_TOPIC = "repatevents_benchmark:LedgerEventRecorded"
_PUBLISHERS = ("Rudaw", "Kurdistan24", "AKIpress", "The New Arab", "Kun.uz", "Hawar News", "AFP")
_POOL = 900  # sample events to draw the types and shapes of the synthetic ones from


def synthetic_batches(count: int, batch: int = BATCH, seed: int = 7) -> Iterator[list[Event]]:
    """Yield ``count`` distinct, valid events in batches, shaped like a real ledger.

    The event types and their fields come from :func:`sample_events` (every type, with
    corrections, links and unicode notes); each event gets its own id, a numbered note and its
    own counts of people, and every three consecutive events share one source (an article), as
    an import of articles produces. Dates repeat as real dates do (a few thousand days).
    """
    rng = random.Random(seed)
    templates = [event_payload(event) for event in sample_events(_POOL)]
    made = 0
    while made < count:
        events = []
        for i in range(made, min(made + batch, count)):
            payload = orjson.loads(orjson.dumps(templates[rng.randrange(_POOL)]))
            payload["id"] = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            payload["notes"] = f"{payload.get('notes') or 'synthetic'} #{i}"
            if payload["type"] != "reports-linked" and "source" in payload:
                article = i // 3
                payload["source"] = {
                    "publisher": _PUBLISHERS[article % len(_PUBLISHERS)],
                    "published": f"20{19 + article % 6}-0{1 + article % 9}-1{article % 10}",
                    "speaker_kind": "receiving-government",
                    "url": f"https://news.example/{seed}/{article}",
                }
            people = payload.get("people")
            if isinstance(people, dict):
                for key, value in people.items():
                    if type(value) is int:
                        people[key] = rng.randrange(1, 2000)
            events.append(decode_event(payload))
        made += len(events)
        yield events


# -- eventsourcing ----------------------------------------------------------------------------
def _eventsourcing() -> Any:
    """Import eventsourcing's pieces (a benchmark-only dependency)."""
    try:
        from eventsourcing.domain import DomainEvent
        from eventsourcing.persistence import DatetimeAsISO, JSONTranscoder, Mapper, UUIDAsHex
        from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore
        from eventsourcing.utils import register_topic
    except ImportError:
        sys.exit("this benchmark compares with eventsourcing: pip install eventsourcing")

    class LedgerEventRecorded(DomainEvent):
        """One ledger event, as an eventsourcing domain event: its type and its payload."""

        type: str
        data: dict[str, Any]

    # A fixed topic, so that the class defined here resolves in the process that measures the
    # memory of a read too (eventsourcing caches resolved topics the same way).
    register_topic(_TOPIC, LedgerEventRecorded)
    LedgerEventRecorded.__module__, LedgerEventRecorded.__qualname__ = _TOPIC.split(":")

    @dataclass
    class Kit:
        event_class: type[Any]
        mapper: Any
        recorder: Any
        datastore: Any

    def open_kit(path: Path) -> Kit:
        transcoder = JSONTranscoder()
        transcoder.register(UUIDAsHex())
        transcoder.register(DatetimeAsISO())
        datastore = SQLiteDatastore(str(path))
        recorder = SQLiteApplicationRecorder(datastore)
        recorder.create_table()
        return Kit(LedgerEventRecorded, Mapper(transcoder), recorder, datastore)

    return open_kit


def _es_events(kit: Any, events: list[Event], moment: Any) -> list[Any]:
    out = []
    for event in events:
        payload = orjson.loads(encode_event(event))
        out.append(
            kit.event_class(
                originator_id=event.id,
                originator_version=1,
                timestamp=moment,
                type=payload["type"],
                data=payload,
            )
        )
    return out


def _es_read(kit: Any, page: int = BATCH, *, into_events: bool = False) -> int:
    """Replay eventsourcing's log; with ``into_events``, also turn each of its domain events
    into the repatevents event it holds (with repatevents' fast decoder)."""
    count, start = 0, 1
    to_domain_event = kit.mapper.to_domain_event
    while True:
        notifications = kit.recorder.select_notifications(start, page)
        if not notifications:
            return count
        for notification in notifications:
            domain_event = to_domain_event(notification)
            if into_events:
                decode_event(domain_event.data)
            count += 1
        start = notifications[-1].id + 1


# -- memory of a read, in a fresh process ------------------------------------------------------
# VmHWM (the peak resident size of this process image) rather than ru_maxrss, which Linux
# carries over from the parent that forked the reader.
_READER = """
import sys

def peak_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

which, path = sys.argv[1], sys.argv[2]
if which == "repatevents":
    from repatevents.store import SQLiteStore
    store = SQLiteStore(path)
    base = peak_kb()
    count = sum(1 for _ in store.read())
else:
    sys.path.insert(0, sys.argv[3])
    import bench_store
    kit = bench_store._eventsourcing()(path)
    base = peak_kb()
    count = bench_store._es_read(kit)
print(count, base, peak_kb())
"""


def read_memory(which: str, path: Path) -> tuple[int, float, float]:
    """Return (events read, peak RSS in MB, MB above the size before the read) of a process
    that reads the whole log with ``which`` library."""
    result = subprocess.run(
        [sys.executable, "-c", _READER, which, str(path), str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
    )
    count, base, peak = (int(x) for x in result.stdout.split())
    return count, peak / 1024, (peak - base) / 1024


# -- the run ----------------------------------------------------------------------------------
def _sizes(path: Path, query: str) -> float:
    import sqlite3

    with sqlite3.connect(path) as db:
        (size,) = db.execute(query).fetchone()
    return float(size)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="events to store")
    parser.add_argument("--repeat", type=int, default=1, help="reads of each log (best kept)")
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    open_kit = _eventsourcing()
    directory = Path(tempfile.mkdtemp(prefix="bench-store-", dir=args.dir))
    ours_path, theirs_path = directory / "repatevents.db", directory / "eventsourcing.db"
    store = SQLiteStore(ours_path)
    kit = open_kit(theirs_path)
    moment = dt.datetime.now(dt.UTC)
    ours_append = theirs_append = ours_cpu = theirs_cpu = 0.0
    print(f"{args.events:,} events in batches of {BATCH:,}; files in {directory}")
    for batch in synthetic_batches(args.events):
        theirs_batch = _es_events(kit, batch, moment)
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        store.append(batch)
        middle, middle_cpu = time.perf_counter(), time.process_time()
        kit.recorder.insert_events([kit.mapper.to_stored_event(e) for e in theirs_batch])
        end, end_cpu = time.perf_counter(), time.process_time()
        ours_append += middle - start
        theirs_append += end - middle
        ours_cpu += middle_cpu - start_cpu
        theirs_cpu += end_cpu - middle_cpu
    del batch, theirs_batch
    gc.collect()

    reads: dict[str, tuple[float, float]] = {}
    readers: dict[str, Callable[[], int]] = {
        "repatevents": lambda: sum(1 for _ in store.read()),
        "eventsourcing": lambda: _es_read(kit),
        "eventsourcing_into_events": lambda: _es_read(kit, into_events=True),
    }
    for _ in range(args.repeat):
        for name, reader in readers.items():
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            count = reader()
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
            assert count == args.events, (name, count)
            best = reads.get(name, (float("inf"), float("inf")))
            reads[name] = (min(best[0], wall), min(best[1], cpu))
    store.close()
    kit.datastore.close()

    n = args.events
    figures: dict[str, Any] = {
        "events": n,
        "repatevents_append_per_s": n / ours_append,
        "eventsourcing_append_per_s": n / theirs_append,
        "repatevents_append_cpu_per_s": n / ours_cpu,
        "eventsourcing_append_cpu_per_s": n / theirs_cpu,
        **{f"{name}_read_per_s": n / wall for name, (wall, _) in reads.items()},
        **{f"{name}_read_cpu_per_s": n / cpu for name, (_, cpu) in reads.items()},
        "repatevents_payload_bytes": _sizes(ours_path, "SELECT avg(length(event)) FROM events"),
        "eventsourcing_payload_bytes": _sizes(
            theirs_path, "SELECT avg(length(state)) FROM stored_events"
        ),
    }
    figures["append_ratio"] = (
        figures["repatevents_append_per_s"] / figures["eventsourcing_append_per_s"]
    )
    figures["read_ratio"] = figures["repatevents_read_per_s"] / figures["eventsourcing_read_per_s"]
    figures["append_cpu_ratio"] = (
        figures["repatevents_append_cpu_per_s"] / figures["eventsourcing_append_cpu_per_s"]
    )
    figures["read_cpu_ratio"] = (
        figures["repatevents_read_cpu_per_s"] / figures["eventsourcing_read_cpu_per_s"]
    )
    figures["read_into_events_ratio"] = (
        figures["repatevents_read_per_s"] / figures["eventsourcing_into_events_read_per_s"]
    )
    _, figures["repatevents_read_peak_mb"], figures["repatevents_read_growth_mb"] = read_memory(
        "repatevents", ours_path
    )
    _, figures["eventsourcing_read_peak_mb"], figures["eventsourcing_read_growth_mb"] = read_memory(
        "eventsourcing", theirs_path
    )
    print(
        f"payload bytes per event      repatevents {figures['repatevents_payload_bytes']:8.0f}"
        f"   eventsourcing {figures['eventsourcing_payload_bytes']:8.0f}"
    )
    for what, key in (("append", "append"), ("read  ", "read")):
        ours, theirs = figures[f"repatevents_{key}_per_s"], figures[f"eventsourcing_{key}_per_s"]
        ours_cpu = figures[f"repatevents_{key}_cpu_per_s"]
        theirs_cpu = figures[f"eventsourcing_{key}_cpu_per_s"]
        print(
            f"{what} events/s           repatevents {ours:8,.0f}   eventsourcing {theirs:8,.0f}"
            f"   ratio {figures[f'{key}_ratio']:.2f}x   (per CPU second: {ours_cpu:,.0f} vs"
            f" {theirs_cpu:,.0f}, {figures[f'{key}_cpu_ratio']:.2f}x)"
        )
    into = figures["eventsourcing_into_events_read_per_s"]
    print(
        f"read into repatevents events  eventsourcing {into:8,.0f}/s (its replay, then"
        f" repatevents' decoder on each payload)   ratio {figures['read_into_events_ratio']:.2f}x"
    )
    print(
        f"read peak RSS (fresh process) repatevents {figures['repatevents_read_peak_mb']:6.0f} MB"
        f" (+{figures['repatevents_read_growth_mb']:.0f} MB during the read)"
        f"   eventsourcing {figures['eventsourcing_read_peak_mb']:6.0f} MB"
        f" (+{figures['eventsourcing_read_growth_mb']:.0f} MB)"
    )
    verdict = {
        "append >= 4x": figures["append_ratio"] >= 4,
        "read >= 2x": figures["read_ratio"] >= 2,
        "read peak < 200 MB": figures["repatevents_read_peak_mb"] < 200,
    }
    print(
        "targets: " + ", ".join(f"{k}: {'met' if ok else 'NOT met'}" for k, ok in verdict.items())
    )
    if args.json:
        print(json.dumps(figures, indent=2))
    for path in directory.iterdir():
        path.unlink()
    directory.rmdir()


if __name__ == "__main__":
    main()
