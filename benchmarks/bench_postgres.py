"""Measure the PostgreSQL store against ``eventsourcing``'s PostgreSQL recorder, on one server.

The same work as ``bench_store.py`` (its synthetic events, its eventsourcing domain event and
replay), against PostgreSQL instead of SQLite:

* **Append**: N events in batches of 1,000, one transaction each, the two libraries taking
  turns batch by batch so both see the same load. repatevents takes its writers' lock, checks
  the batch's ids against the stored ones, chains the hashes and writes with ``COPY``;
  eventsourcing's ``PostgresApplicationRecorder.insert_events`` takes its table lock and
  inserts the stored events.
* **Read**: the whole log back as event objects, in order: ``PostgresStore.read()`` against
  eventsourcing's ``select_notifications`` (1,000 at a time) mapped back to its domain events;
  the two take turns, ``--repeat`` times, and the best of each is kept.

Each rate is also given per CPU second of the client process (``time.process_time``), which
other work on a shared machine disturbs less than the wall clock (the server's work is left
out of that figure, for both).
* **Eight writers**: eight processes, each with its own connection, append their own events
  (batches of 1,000, then of 10) to one ledger at once; the figure is events stored per second
  of wall time, all writers together, and the log must verify afterwards.

Both libraries use the same server, database and settings. Without ``--url`` the script starts
a private server (``tests/_postgres_server.py``, as the tests do; PostgreSQL from Debian's
packages), which runs with ``fsync=off``: the figures compare the libraries' own work, not the
disk. Run ``python benchmarks/bench_postgres.py`` (100,000 events) or ``--events 20000`` for a
quicker look. Goal: append and read at least 2 times eventsourcing's rate.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import bench_store

from repatevents.store import PostgresStore

BATCH = 1000


def _eventsourcing_kit(url: str, scratch: Path) -> Any:
    """eventsourcing's PostgreSQL recorder in the schema ``eventsourcing_bench``, with the
    domain event and mapper of ``bench_store`` (taken from a throwaway SQLite kit)."""
    import psycopg

    try:
        from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
    except ImportError:
        sys.exit("this benchmark compares with eventsourcing: pip install 'repatevents[bench]'")
    params = psycopg.conninfo.conninfo_to_dict(url)
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("DROP SCHEMA IF EXISTS eventsourcing_bench CASCADE")
        db.execute("CREATE SCHEMA eventsourcing_bench")
    sqlite_kit = bench_store._eventsourcing()(scratch / "mapper.db")
    datastore = PostgresDatastore(
        dbname=str(params.get("dbname", "postgres")),
        host=str(params.get("host", "127.0.0.1")),
        port=str(params.get("port", 5432)),
        user=str(params.get("user", "")),
        password=str(params.get("password", "")),
        schema="eventsourcing_bench",
    )
    recorder = PostgresApplicationRecorder(datastore)
    recorder.create_table()
    return SimpleNamespace(
        event_class=sqlite_kit.event_class,
        mapper=sqlite_kit.mapper,
        recorder=recorder,
        datastore=datastore,
    )


def _fresh_schema(url: str, schema: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as db:
        db.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


def _writer(url: str, schema: str, number: int, count: int, batch: int, queue: Any) -> None:
    """Append ``count`` events of its own (seeded by ``number``) in batches of ``batch``."""
    batches = list(bench_store.synthetic_batches(count, batch, seed=100 + number))
    with PostgresStore(url, schema=schema) as store:
        queue.put("ready")
        start = time.perf_counter()
        for events in batches:
            store.append(events)
        queue.put(time.perf_counter() - start)


def eight_writers(url: str, count: int, batch: int) -> tuple[float, int]:
    """Return (events per second, records verified) for eight concurrent writers."""
    schema = f"bench_writers_{batch}"
    _fresh_schema(url, schema)
    PostgresStore(url, schema=schema).close()
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    share = count // 8
    workers = [
        context.Process(target=_writer, args=(url, schema, n, share, batch, queue))
        for n in range(8)
    ]
    for worker in workers:
        worker.start()
    # Every writer has built its events and connected before the clock starts.
    ready = [queue.get(timeout=600) for _ in workers]
    assert ready == ["ready"] * 8
    start = time.perf_counter()
    for _ in workers:
        queue.get(timeout=600)
    wall = time.perf_counter() - start
    for worker in workers:
        worker.join()
    with PostgresStore(url, schema=schema) as store:
        verified = store.verify()
    assert verified == share * 8, verified
    return share * 8 / wall, verified


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to store")
    parser.add_argument("--repeat", type=int, default=3, help="reads of each log (best kept)")
    parser.add_argument("--url", default=None, help="a server to use (default: a private one)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args()
    server = None
    url = args.url
    if url is None:
        sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
        from _postgres_server import PostgresServer

        server = PostgresServer()
        server.start()
        url = server.url()
    try:
        figures = _measure(url, args.events, args.repeat)
    finally:
        if server is not None:
            server.stop()
    for key, what in (
        ("append", "append"),
        ("read", "read  "),
        ("append_cpu", "append per client CPU s"),
        ("read_cpu", "read   per client CPU s"),
    ):
        ours, theirs = figures[f"repatevents_{key}_per_s"], figures[f"eventsourcing_{key}_per_s"]
        print(
            f"{what} events/s   repatevents {ours:9,.0f}   eventsourcing {theirs:9,.0f}"
            f"   ratio {ours / theirs:5.2f}"
        )
    for batch in (BATCH, 10):
        print(
            f"8 writers, batches of {batch:>5,}: "
            f"{figures[f'eight_writers_{batch}_per_s']:9,.0f} events/s, the log verifies"
        )
    if args.json:
        print(json.dumps(figures, indent=2))


def _measure(url: str, count: int, repeat: int) -> dict[str, float]:
    scratch = Path(tempfile.mkdtemp(prefix="bench-postgres-"))
    kit = _eventsourcing_kit(url, scratch)
    _fresh_schema(url, "repatevents_bench")
    store = PostgresStore(url, schema="repatevents_bench")
    moment = dt.datetime.now(dt.UTC)
    ours = theirs = ours_cpu = theirs_cpu = 0.0
    print(f"{count:,} events in batches of {BATCH:,}")
    for batch in bench_store.synthetic_batches(count):
        theirs_batch = bench_store._es_events(kit, batch, moment)
        gc.collect()
        start, start_cpu = time.perf_counter(), time.process_time()
        store.append(batch)
        middle, middle_cpu = time.perf_counter(), time.process_time()
        kit.recorder.insert_events([kit.mapper.to_stored_event(e) for e in theirs_batch])
        ours += middle - start
        theirs += time.perf_counter() - middle
        ours_cpu += middle_cpu - start_cpu
        theirs_cpu += time.process_time() - middle_cpu
    # Reads are timed in turns, best of ``repeat``: on a shared machine one read can be slowed
    # by other work, and the best is the nearest to what each library costs.
    reads = {"repatevents": float("inf"), "eventsourcing": float("inf")}
    reads_cpu = dict(reads)
    readers: dict[str, Callable[[], int]] = {
        "repatevents": lambda: sum(1 for _ in store.read()),
        "eventsourcing": lambda: int(bench_store._es_read(kit)),
    }
    for _ in range(repeat):
        for name, reader in readers.items():
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            assert count == reader(), name
            reads[name] = min(reads[name], time.perf_counter() - start)
            reads_cpu[name] = min(reads_cpu[name], time.process_time() - start_cpu)
    store.close()
    kit.datastore.close()
    figures = {
        "events": float(count),
        "repatevents_append_per_s": count / ours,
        "eventsourcing_append_per_s": count / theirs,
        "repatevents_read_per_s": count / reads["repatevents"],
        "eventsourcing_read_per_s": count / reads["eventsourcing"],
        "repatevents_append_cpu_per_s": count / ours_cpu,
        "eventsourcing_append_cpu_per_s": count / theirs_cpu,
        "repatevents_read_cpu_per_s": count / reads_cpu["repatevents"],
        "eventsourcing_read_cpu_per_s": count / reads_cpu["eventsourcing"],
    }
    for size in (BATCH, 10):
        # Batches of 10: many more transactions, so the writers' turns are what is measured.
        writers_count = count if size == BATCH else min(count, 8 * 500)
        figures[f"eight_writers_{size}_per_s"], _ = eight_writers(url, writers_count, size)
    return figures


if __name__ == "__main__":
    main()
