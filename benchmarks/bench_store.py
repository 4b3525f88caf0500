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

Beside them, in the same run, the physical limits of the same work:

* **Raw append**: the rows repatevents stored (the same bytes, read back from its file outside
  the clock) inserted with one ``executemany`` per batch into a third file with the store's
  table layout and settings (WAL, ``synchronous=FULL``, its page size), taking turns with the
  other two. No encoding, no hashing, no id check: what SQLite alone costs.
* **Encoding**: each event of the batch turned into its stored JSON alone (the event codec's
  part of an append), so that an append's CPU splits into the codec, SQLite and the store.
* **Raw read**: that file paged through with the store's own page query, each event's bytes
  parsed by msgspec into ``Struct`` values of the events' shape (a tagged union, UUIDs built,
  every field typed) and nothing more. The run also times SQLite's paging alone, and a read by the
  store with its decoder switched off (each event left as its bytes), so that a read's CPU
  splits into SQLite's paging, the store's own loop and the decoder.

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
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import msgspec
import orjson

from repatevents.events import Event
from repatevents.events._stored import decode_event, encode_event, event_payload
from repatevents.store import SQLiteStore
from repatevents.store._sqlite import _FILE_PAGE_SIZE, _INSERT, _PAGE, _SCHEMA
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


def _es_insert(kit_and_events: tuple[Any, list[Any]]) -> None:
    """Map each of eventsourcing's domain events to a stored event (its transcoder: the
    counterpart of repatevents' encoding) and insert the batch."""
    kit, events = kit_and_events
    kit.recorder.insert_events([kit.mapper.to_stored_event(e) for e in events])


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


# -- the physical limits -----------------------------------------------------------------------
_ROWS = (
    "SELECT position, recorded_at, schema_version, hash, event_id, CAST(event AS BLOB) "
    "FROM events WHERE position > ? ORDER BY position"
)


def _raw_open(path: Path) -> sqlite3.Connection:
    """Open a new file with the store's table layout and settings, and nothing else."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute(f"PRAGMA page_size = {_FILE_PAGE_SIZE}")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    for statement in _SCHEMA:
        db.execute(statement)
    return db


def _timed(clock: list[float], work: Callable[..., object], *arguments: object) -> None:
    """Run ``work`` after a collection, adding its wall and CPU seconds to ``clock``."""
    gc.collect()
    start, start_cpu = time.perf_counter(), time.process_time()
    work(*arguments)
    clock[0] += time.perf_counter() - start
    clock[1] += time.process_time() - start_cpu


def _encode_all(events: list[Event]) -> None:
    """Encode each event as an append does before the store's own work: its stored form, as
    canonical JSON."""
    for event in events:
        encode_event(event)


def _raw_append(db: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> None:
    db.execute("BEGIN IMMEDIATE")
    db.executemany(_INSERT, rows)
    db.execute("COMMIT")


class _Estimate(msgspec.Struct, forbid_unknown_fields=True):
    best: int
    low: int | None = None
    high: int | None = None
    qualifier: str | None = None
    unit: str | None = None
    raw: str | None = None


_Count = int | _Estimate | None
_Date = str | dict[str, Any]


class _People(msgspec.Struct, forbid_unknown_fields=True):
    total: _Count = None
    families: _Count = None
    adults: _Count = None
    women: _Count = None
    men: _Count = None
    children: _Count = None
    girls: _Count = None
    boys: _Count = None
    orphans: _Count = None
    unknown: _Count = None


class _Source(msgspec.Struct, forbid_unknown_fields=True):
    publisher: str
    speaker_kind: str | None = None
    via: list[str] = []
    speaker: str | None = None
    url: str | None = None
    published: _Date | None = None


class _Event(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, kw_only=True):
    id: uuid.UUID
    source: _Source
    notes: str | None = None


class _Operation(_Event, tag="operation-reported", kw_only=True):
    country: str = ""
    people: _People
    date: _Date = ""
    origin: str = ""
    date_role: str = ""
    nationality: str | None = None
    facilitators: list[str] = []
    operation_name: str | None = None
    ordinal: int | None = None
    ordinal_scope: str | None = None
    operation_key: str | None = None


class _Cumulative(_Event, tag="cumulative-total-reported", kw_only=True):
    people: _People
    until: _Date = ""
    country: str | None = None
    since: _Date | None = None
    origin: str | None = None
    counter: str | None = None
    nationality: str | None = None
    all_countries: bool = False


class _Stock(_Event, tag="stock-observed", kw_only=True):
    place: str = ""
    date: _Date = ""
    people: _People
    scope: str | None = None
    country: str | None = None
    by_nationality: dict[str, int | _Estimate] = {}


class _Outflow(_Event, tag="outflow-reported", kw_only=True):
    place: str = ""
    date: _Date = ""
    people: _People
    kind: str | None = None
    nationality: str | None = None
    destination: str | None = None


class _Inflow(_Event, tag="inflow-reported", kw_only=True):
    place: str = ""
    date: _Date = ""
    people: _People
    kind: str | None = None
    nationality: str | None = None


class _Linked(_Event, tag="reports-linked", kw_only=True):
    reports: list[uuid.UUID] = []
    linked: bool = True
    reason: str | None = None


class _Adjudicated(_Event, tag="figure-adjudicated", kw_only=True):
    report: uuid.UUID | None = None
    people: _People
    rationale: str | None = None


_Report = _Operation | _Cumulative | _Stock | _Outflow | _Inflow


class _Corrected(_Event, tag="report-corrected", kw_only=True):
    supersedes: uuid.UUID | None = None
    replacement: _Report | None = None
    reason: str | None = None


class _Retracted(_Event, tag="report-retracted", kw_only=True):
    retracts: uuid.UUID | None = None
    reason: str | None = None


class _CampStatus(_Event, tag="camp-status-changed", kw_only=True):
    place: str = ""
    date: _Date = ""
    status: str = ""
    authority: str | None = None


_STRUCTS: Final = msgspec.json.Decoder(
    _Report | _Linked | _Adjudicated | _Corrected | _Retracted | _CampStatus
)


def _pages(db: sqlite3.Connection, page: int = BATCH) -> Iterator[list[Any]]:
    """Page through a store file with the store's own page query."""
    position = 0
    while True:
        rows = db.execute(_PAGE, (position, 1 << 62, page)).fetchall()
        if not rows:
            return
        yield rows
        position = rows[-1][0]


def _raw_read(db: sqlite3.Connection, *, into_structs: bool = True) -> int:
    """Page through the file; with ``into_structs``, parse each event into msgspec Structs."""
    count, decode = 0, _STRUCTS.decode
    for rows in _pages(db):
        if into_structs:
            for row in rows:
                decode(row[4])
        count += len(rows)
    return count


def _read_without_decoder(store: SQLiteStore) -> float | None:
    """Return the CPU seconds of reading the whole log with the store's decoder switched off
    (each event left as its stored bytes): SQLite's paging and the store's own loop. ``None``
    when the store's replay no longer decodes through ``_records.decode_event_json``."""
    from repatevents.store import _records

    name = "decode_event_json"
    decoder = getattr(_records, name, None)
    if decoder is None:
        return None
    setattr(_records, name, lambda data: data)
    try:
        start = time.process_time()
        count = sum(1 for _ in store.read())
        cpu = time.process_time() - start
    finally:
        setattr(_records, name, decoder)
    assert count == store.head()
    return cpu


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


def _print_table(figures: dict[str, Any]) -> None:
    """Print repatevents, eventsourcing and the raw limit side by side, with the ratios."""
    print(
        f"{'events/s':<22}{'repatevents':>12}{'eventsourcing':>15}{'raw limit':>12}"
        f"{'vs eventsourcing':>18}{'of the limit':>14}"
    )
    for what, key in (("append", "append"), ("read", "read")):
        for label, per in ((what, ""), ("  per CPU second", "_cpu")):
            ours = figures[f"repatevents_{key}{per}_per_s"]
            print(
                f"{label:<22}{ours:>12,.0f}{figures[f'eventsourcing_{key}{per}_per_s']:>15,.0f}"
                f"{figures[f'raw_{key}{per}_per_s']:>12,.0f}"
                f"{figures[f'{key}{per}_ratio']:>17.2f}x{figures[f'{key}{per}_of_raw']:>14.2f}"
            )
    print(
        "raw limit: append = executemany of the same rows into the same table layout; read = "
        "the store's page query, each event parsed by msgspec into Structs"
    )
    # Where an append's CPU goes, per event: the event codec, SQLite, the store's own work.
    total = 1e6 / figures["repatevents_append_cpu_per_s"]
    encoding = 1e6 / figures["encoding_append_cpu_per_s"]
    inserts = 1e6 / figures["raw_append_cpu_per_s"]
    print(
        f"append CPU per event: {total:.2f} us = encoding (the event codec) {encoding:.2f}"
        f" ({encoding / total:.0%}) + SQLite's insert and commit {inserts:.2f} + the store's own"
        f" (id check, hash chain, rows) {total - encoding - inserts:.2f}"
    )
    # Where a read's CPU goes, per event: SQLite's paging, the store's own loop, the decoder.
    if figures["repatevents_undecoded_read_cpu_per_s"] is None:
        return
    total = 1e6 / figures["repatevents_read_cpu_per_s"]
    paging = 1e6 / figures["raw_rows_read_cpu_per_s"]
    undecoded = 1e6 / figures["repatevents_undecoded_read_cpu_per_s"]
    print(
        f"read CPU per event: {total:.2f} us = SQLite paging {paging:.2f} + the store's own "
        f"loop {undecoded - paging:.2f} + the decoder into attrs events {total - undecoded:.2f}"
        f" ({(total - undecoded) / total:.0%})"
    )


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
    raw_path = directory / "raw.db"
    store = SQLiteStore(ours_path)
    kit = open_kit(theirs_path)
    raw, ours_rows = _raw_open(raw_path), sqlite3.connect(ours_path)
    moment = dt.datetime.now(dt.UTC)
    head = 0
    print(f"{args.events:,} events in batches of {BATCH:,}; files in {directory}")
    clocks = {name: [0.0, 0.0] for name in ("repatevents", "eventsourcing", "raw", "encoding")}
    for number, batch in enumerate(synthetic_batches(args.events)):
        theirs_batch = _es_events(kit, batch, moment)
        # The two libraries take turns at going first, each after a collection (which leaves
        # the caches cold), so that neither always meets the machine in the other's wake.
        turns: list[tuple[str, Callable[..., object], object]] = [
            ("repatevents", store.append, batch),  # encoding, checks and insert: all timed
            ("eventsourcing", _es_insert, (kit, theirs_batch)),
        ]
        for name, work, argument in turns if number % 2 else reversed(turns):
            _timed(clocks[name], work, argument)
        # The same rows, as stored, read off the clock; then the encoding alone (the event
        # codec's share of an append: each event's stored form and its JSON).
        rows = ours_rows.execute(_ROWS, (head,)).fetchall()
        head = rows[-1][0]
        _timed(clocks["raw"], _raw_append, raw, rows)
        _timed(clocks["encoding"], _encode_all, batch)
        del rows
    del batch, theirs_batch
    ours_rows.close()
    gc.collect()

    reads: dict[str, tuple[float, float]] = {}
    readers: dict[str, Callable[[], int]] = {
        "repatevents": lambda: sum(1 for _ in store.read()),
        "eventsourcing": lambda: _es_read(kit),
        "eventsourcing_into_events": lambda: _es_read(kit, into_events=True),
        "raw": lambda: _raw_read(raw),
        "raw_rows": lambda: _raw_read(raw, into_structs=False),
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
    undecoded_cpu = min(
        (cpu for cpu in (_read_without_decoder(store) for _ in range(2)) if cpu), default=None
    )
    store.close()
    kit.datastore.close()
    raw.close()

    n = args.events
    figures: dict[str, Any] = {
        "events": n,
        **{f"{name}_append_per_s": n / wall for name, (wall, _) in clocks.items()},
        **{f"{name}_append_cpu_per_s": n / cpu for name, (_, cpu) in clocks.items()},
        "repatevents_undecoded_read_cpu_per_s": n / undecoded_cpu if undecoded_cpu else None,
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
    for key in ("append", "read"):
        for per in ("", "_cpu"):
            figures[f"{key}{per}_of_raw"] = (
                figures[f"repatevents_{key}{per}_per_s"] / figures[f"raw_{key}{per}_per_s"]
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
    _print_table(figures)
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
