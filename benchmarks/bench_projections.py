"""Measure the projections on large SQLite ledgers, side by side with pandas.

For each size (100,000 and 1,000,000 events by default) the script builds a synthetic ledger
that looks like the real one at scale: operations reported by one to three sources under a
shared key (handover, arrival a few days later sometimes one woman fewer, a media report of the
month), a few unkeyed reports linked by analysts (and some links taken back), corrections,
retractions, adjudications, cumulative claims, camp and nationals counts, and other outflows
and inflows, in roughly chronological order from 2019 on. The same events are written to a
SQLite ledger and to a JSON Lines file. Then, in one run:

* **rebuild**: a ledger that has never been folded (no checkpoint): fold the whole log from
  zero and answer totals and remaining estimates (this also saves the checkpoint);
* **cold**: a new ``Ledger`` on the same file, as a fresh process opening it would, answers
  totals and remaining estimates: from the summary saved with the checkpoint beside the log
  (its hash checked against the log), without loading the reports;
* **cold, full state**: a new ``Ledger`` loads the whole knowledge state from the checkpoint
  (what any other question, or recording, needs first), then totals and remaining estimates;
* **warm**: append one operation report, then totals and remaining estimates again (median of
  several); this must not grow with the log;
* **pandas**: ``pandas.read_json(lines=True)`` on the JSON Lines file, then ``groupby`` to a
  conservative total per operation and a sum per country (less work than the ledger does: no
  corrections, links, retractions or remaining estimates).

Then, side by side in CPU time (the machine is shared; CPU time is what the ratios compare):

* **fold from zero**: a ledger with no checkpoint answers totals and remaining estimates (it
  reads the stored JSON straight into the fold, building no event, and saves its checkpoint
  on close), against pandas as above;
* the **limits** beside it: the store's checked raw read alone, and that read plus msgspec
  parsing each record into its checked form (no fold at all); the fold alone of the stored
  JSON, and of fully built events (as a store without a raw reader is folded);
* the **column-wise floor**: the least any fold of the checked log can do in Python, kept in
  columns as a column-wise state would: the checked raw read, msgspec parsing only the fields
  pandas reads (type, id, country, key, total) with nothing checked, those appended to
  columns, then pandas' own sums (least total per operation key, summed per country) over the
  columns. It applies none of the ledger's rules, so a real fold can only be slower: when it is
  not 3 times as fast as pandas, no fold of the checked log written in Python is;
* the **state's memory**: traced allocations of the state folded from zero, per event.

Run ``python benchmarks/bench_projections.py`` (needs pandas), or ``--sizes 20000`` for a
quick look; ``--ledgers DIR`` takes ``ledger-<size>.db`` and ``.jsonl`` from ``DIR`` (copied
first: opening a ledger writes its checkpoint) instead of building them. The targets: the cold
build, and the fold from zero, at least 3 times as fast as pandas.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
import tracemalloc
import uuid
from array import array
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgspec

from repatevents import (
    CumulativeTotalReported,
    DateRole,
    Event,
    FigureAdjudicated,
    FuzzyDate,
    InflowKind,
    InflowReported,
    OperationReported,
    Origin,
    OutflowKind,
    OutflowReported,
    People,
    PopulationScope,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    Source,
    SpeakerKind,
    StockObserved,
)
from repatevents._ledger import Ledger
from repatevents.events import decode_event_json, decode_stored_form, dumps_event
from repatevents.projections import fold, fold_stored
from repatevents.store import Envelope, SQLiteStore

BATCH = 10_000
START = dt.date(2019, 1, 1)
DAYS = 8 * 365
COUNTRIES = (
    "KAZ", "KGZ", "UZB", "TJK", "RUS", "FRA", "DEU", "NLD", "BEL", "SWE", "XKX", "ALB",
    "BIH", "MKD", "TUR", "AZE", "GEO", "UKR", "IRQ", "USA", "CAN", "AUS", "AUT", "DNK",
    "FIN", "NOR", "ITA", "ESP", "GBR", "IRL", "SDN", "MAR", "TUN", "EGY", "IDN", "MYS",
    "PAK", "IND", "LKA", "TTO",
)  # fmt: skip
ORIGINS = ("al-hol", "al-hol", "al-hol", "roj", "nes", "syria", "syria-or-iraq", "al-jadaa")
CAMPS = ("al-hol", "roj", "ain-issa", "nes-prisons")
# The populations counted: everyone in each camp, and some countries' nationals in a camp (a
# ledger follows a fixed set of populations; it does not gain new ones as it grows).
NATIONALS = tuple((camp, country) for camp in CAMPS[:2] for country in COUNTRIES[:8])


def _sources(
    rng: random.Random, start: dt.date = START, days: int = DAYS
) -> dict[str, list[Source]]:
    kinds = {
        "camp": SpeakerKind.CAMP_ADMINISTRATION,
        "government": SpeakerKind.RECEIVING_GOVERNMENT,
        "media": SpeakerKind.MEDIA,
        "analyst": SpeakerKind.ANALYST,
    }
    pools: dict[str, list[Source]] = {}
    for name, kind in kinds.items():
        pools[name] = [
            Source(
                publisher=f"{name.title()} outlet {i}",
                via=("AFP",) if rng.random() < 0.3 else (),
                speaker_kind=kind,
                url=f"https://{name}.example/{i}",
                published=FuzzyDate.day(start + dt.timedelta(days=rng.randrange(days + 30))),
            )
            for i in range(40)
        ]
    return pools


class Generator:
    """Draws a synthetic, consistent, roughly chronological ledger."""

    def __init__(self, seed: int = 11, days: int = DAYS) -> None:
        self.rng = random.Random(seed)
        # A longer calendar ends where the default one does and starts further back.
        self.days = days
        self.start = START + dt.timedelta(days=DAYS - days)
        self.sources = _sources(self.rng, self.start, days)
        self.recent: list[OperationReported] = []
        self.reports: list[OperationReported] = []
        self.keys = 0

    def _id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _source(self, kind: str) -> Source:
        return self.rng.choice(self.sources[kind])

    def _day(self, progress: float) -> dt.date:
        jitter = self.rng.randrange(-20, 21)
        offset = min(max(int(progress * self.days) + jitter, 0), self.days)
        return self.start + dt.timedelta(days=offset)

    def _operation(self, progress: float) -> list[Event]:
        rng = self.rng
        country = rng.choice(COUNTRIES)
        handover = self._day(progress)
        children = rng.randrange(1, 120)
        women = rng.randrange(0, children)
        group = People(total=women + children, women=women, children=children)
        self.keys += 1
        size = rng.choice((1, 2, 2, 3))
        key = f"{country}-{self.keys}" if size > 1 or rng.random() < 0.7 else None
        first = OperationReported(
            source=self._source("camp"),
            country=country,
            people=group,
            date=FuzzyDate.day(handover),
            origin=rng.choice(ORIGINS),
            date_role=DateRole.HANDOVER,
            operation_key=key,
            id=self._id(),
        )
        batch: list[Event] = [first]
        if size >= 2:
            fewer = women > 0 and rng.random() < 0.3
            arrived = (
                People(total=women + children - 1, women=women - 1, children=children)
                if fewer
                else group
            )
            batch.append(
                OperationReported(
                    source=self._source("government"),
                    country=country,
                    people=arrived,
                    date=FuzzyDate.day(handover + dt.timedelta(days=rng.randrange(0, 5))),
                    origin=first.origin,
                    date_role=DateRole.ARRIVAL,
                    operation_key=key,
                    id=self._id(),
                )
            )
        if size >= 3:
            batch.append(
                OperationReported(
                    source=self._source("media"),
                    country=country,
                    people=People(total=group.total),
                    date=FuzzyDate.month(handover.year, handover.month),
                    origin=first.origin,
                    date_role=DateRole.OPERATION,
                    operation_key=key,
                    id=self._id(),
                )
            )
        for report in batch:
            assert isinstance(report, OperationReported)
            self.reports.append(report)
            self.recent.append(report)
        del self.recent[:-200]
        return batch

    def _other(self, progress: float) -> Event | None:
        rng = self.rng
        roll = rng.random()
        day = self._day(progress)
        if roll < 0.30:
            return CumulativeTotalReported(
                source=self._source("government"),
                country=rng.choice(COUNTRIES),
                people=People(total=rng.randrange(50, 900)),
                until=FuzzyDate.month(day.year, day.month),
                origin=rng.choice((Origin.SYRIA, Origin.SYRIA_OR_IRAQ)),
                counter=rng.choice(("AANES", "Ministry")),
                id=self._id(),
            )
        if roll < 0.33:
            if rng.random() < 0.5:
                camp, country = rng.choice(NATIONALS)
                size, scope = rng.randrange(100, 3_000), PopulationScope.NATIONALS
            else:
                camp, country = rng.choice(CAMPS), None
                size, scope = rng.randrange(20_000, 70_000), PopulationScope.ALL
            return StockObserved(
                source=self._source("camp"),
                place=camp,
                date=FuzzyDate.month(day.year, day.month),
                people=People(total=size),
                scope=scope,
                country=country,
                id=self._id(),
            )
        if roll < 0.65:
            return OutflowReported(
                source=self._source("camp"),
                place=rng.choice(CAMPS),
                date=FuzzyDate.day(day),
                people=People(total=rng.randrange(1, 60)),
                kind=rng.choice(tuple(OutflowKind)),
                id=self._id(),
            )
        if roll < 0.80:
            return InflowReported(
                source=self._source("camp"),
                place=rng.choice(CAMPS),
                date=FuzzyDate.day(day),
                people=People(total=rng.randrange(1, 30)),
                kind=rng.choice(tuple(InflowKind)),
                id=self._id(),
            )
        if not self.recent:
            return None
        target = rng.choice(self.recent)
        if roll < 0.88:
            other = rng.choice(self.recent)
            if other.id == target.id:
                return None
            return ReportsLinked(
                source=self._source("analyst"),
                reports=(target.id, other.id),
                linked=rng.random() < 0.9,
                id=self._id(),
            )
        if roll < 0.94:
            total = target.people.total
            assert total is not None
            return ReportCorrected(
                source=target.source,
                supersedes=target.id,
                replacement=OperationReported(
                    source=target.source,
                    country=target.country,
                    people=People(total=total.best + 1),
                    date=target.date,
                    origin=target.origin,
                    operation_key=target.operation_key,
                    id=self._id(),
                ),
                id=self._id(),
            )
        if roll < 0.97:
            return ReportRetracted(source=target.source, retracts=target.id, id=self._id())
        return FigureAdjudicated(
            source=self._source("analyst"), report=target.id, people=target.people, id=self._id()
        )

    def batches(self, count: int, batch: int = BATCH) -> Iterator[list[Event]]:
        """Yield ``count`` events in batches, in roughly chronological order."""
        made = 0
        while made < count:
            events: list[Event] = []
            while len(events) < batch and made + len(events) < count:
                progress = (made + len(events)) / count
                if self.rng.random() < 0.9:
                    events.extend(self._operation(progress))
                else:
                    other = self._other(progress)
                    if other is not None:
                        events.append(other)
            events = events[: count - made]
            made += len(events)
            yield events

    def one_more(self) -> OperationReported:
        """Return one more operation report, as the warm call appends."""
        return OperationReported(
            source=self._source("government"),
            country=self.rng.choice(COUNTRIES),
            people=People(total=self.rng.randrange(1, 200)),
            date=FuzzyDate.day(self.start + dt.timedelta(days=self.days)),
            origin="al-hol",
            id=self._id(),
        )


def build(directory: Path, count: int, days: int = DAYS) -> tuple[Path, Path, Generator, float]:
    """Write ``count`` events to a SQLite ledger and a JSON Lines file; return both paths.

    ``days``: how many days the operations spread over (eight years by default, whatever the
    count: a larger ledger is a denser one).
    """
    generator = Generator(days=days)
    db, jsonl = directory / f"ledger-{count}.db", directory / f"ledger-{count}.jsonl"
    started = time.perf_counter()
    with Ledger.open(db) as ledger, open(jsonl, "wb") as out:
        for events in generator.batches(count):
            ledger.record_many(events)
            out.writelines(dumps_event(e) + b"\n" for e in events)
        # Close without ever folding: no checkpoint is saved, the first build starts at zero.
        assert count == ledger.head
    return db, jsonl, generator, time.perf_counter() - started


def _answer(ledger: Ledger) -> tuple[int, int]:
    totals = ledger.totals()
    remaining = ledger.remaining()
    return len(totals), len(remaining)


def timed_rebuild(db: Path) -> float:
    """Fold the whole log from zero and answer totals and remaining estimates."""
    gc.collect()
    started = time.perf_counter()
    with Ledger.open(db) as ledger:
        _answer(ledger)
        return time.perf_counter() - started


def timed_cold(db: Path) -> float:
    """Open the ledger from its checkpoint and answer totals and remaining estimates."""
    gc.collect()
    started = time.perf_counter()
    ledger = Ledger.open(db)
    _answer(ledger)
    elapsed = time.perf_counter() - started
    ledger.close()
    return elapsed


def timed_cold_full(db: Path) -> float:
    """Open the ledger, load the whole state from its checkpoint, answer the same questions."""
    gc.collect()
    started = time.perf_counter()
    ledger = Ledger.open(db)
    ledger.state()
    _answer(ledger)
    elapsed = time.perf_counter() - started
    ledger.close()
    return elapsed


def timed_warm(db: Path, generator: Generator, repeats: int = 25) -> float:
    """Median time of totals and remaining estimates right after appending one event.

    The state is loaded from the checkpoint first, outside the timings: warm means in memory.
    """
    times = []
    with Ledger.open(db) as ledger:
        ledger.state()
        _answer(ledger)
        for _ in range(repeats):
            ledger.record(generator.one_more())
            started = time.perf_counter()
            _answer(ledger)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


class _Total(msgspec.Struct):
    total: int | dict[str, Any] | None = None


class _Least(msgspec.Struct):
    """The fields of a stored record that pandas' sum reads, and nothing else."""

    type: str
    id: str
    country: str | None = None
    operation_key: str | None = None
    people: _Total | None = None


def column_floor(store: SQLiteStore) -> dict[str, int]:
    """Sum as pandas does (least total per operation key, summed per country) from the
    checked log, the fields kept in columns: the floor of a column-wise fold."""
    decode = msgspec.json.Decoder(_Least).decode
    countries: list[str] = []
    keys: list[str] = []
    totals = array("q")
    for record in store.read_raw_checked():
        form = decode(record[4])
        if form.type == "operation-reported" and form.people is not None:
            total = form.people.total
            if isinstance(total, int) and form.country is not None:
                countries.append(form.country)
                keys.append(form.operation_key or form.id)
                totals.append(total)
    least: dict[tuple[str, str], int] = {}
    for key, total in zip(zip(countries, keys, strict=True), totals, strict=True):
        kept = least.get(key)
        if kept is None or total < kept:
            least[key] = total
    per_country: dict[str, int] = {}
    for (country, _), total in least.items():
        per_country[country] = per_country.get(country, 0) + total
    return per_country


def timed_pandas(jsonl: Path) -> float:
    """Load the JSON Lines file with pandas and sum a conservative total per country."""
    import pandas as pd

    gc.collect()
    started = time.perf_counter()
    frame = pd.read_json(jsonl, lines=True)
    operations = frame[frame["type"] == "operation-reported"]
    people = operations["people"]
    totals = people.map(lambda p: p.get("total") if isinstance(p, dict) else p)
    table = pd.DataFrame(
        {
            "country": operations["country"],
            "key": operations["operation_key"].fillna(operations["id"]),
            "total": pd.to_numeric(totals, errors="coerce"),
        }
    )
    per_operation = table.groupby(["country", "key"])["total"].min()
    per_country = per_operation.groupby(level="country").sum()
    assert len(per_country) > 0
    return time.perf_counter() - started


def _cpu(work: Callable[[], object]) -> float:
    """Return the CPU time ``work`` takes, the collector paused as the ledger pauses it."""
    gc.collect()
    gc.disable()
    try:
        started = time.process_time()
        work()
        return time.process_time() - started
    finally:
        gc.enable()


def _fresh(db: Path, folder: Path) -> Path:
    """Copy a ledger without its checkpoints, so that a run on the copy folds from zero."""
    copy = folder / f"fresh-{db.name}"
    shutil.copyfile(db, copy)
    with contextlib.closing(sqlite3.connect(copy)) as connection, connection:
        connection.execute("DELETE FROM checkpoints")
    return copy


def fold_side_by_side(db: Path, jsonl: Path, count: int, folder: Path, runs: int = 3) -> bool:
    """Print the fold from zero beside pandas and the read path's limits; return whether the
    fold is at least 3 times as fast as pandas. Best of ``runs``, taking turns."""

    def from_zero() -> None:
        with Ledger.open(copy) as ledger:
            _answer(ledger)

    def read_raw() -> None:
        with SQLiteStore(copy) as store:
            for _ in store.read_raw_checked():
                pass

    def read_forms() -> None:
        with SQLiteStore(copy) as store:
            for record in store.read_raw_checked():
                decode_stored_form(record[4])

    def fold_forms() -> None:
        with SQLiteStore(copy) as store:
            fold_stored(store.read_raw_checked(), store.raw_event)

    def columns() -> None:
        with SQLiteStore(copy) as store:
            column_floor(store)

    def fold_events() -> None:
        with SQLiteStore(copy) as store:
            fold(
                Envelope(p, m, v, h, decode_event_json(b))
                for p, m, v, h, b in store.read_raw_checked()
            )

    times: dict[str, list[float]] = {}
    for _ in range(runs):
        copy = _fresh(db, folder)
        times.setdefault("fold from zero", []).append(_cpu(from_zero))
        times.setdefault("pandas", []).append(_cpu(lambda: timed_pandas(jsonl)))
        times.setdefault("checked raw read", []).append(_cpu(read_raw))
        times.setdefault("read + msgspec forms", []).append(_cpu(read_forms))
        times.setdefault("fold of stored JSON", []).append(_cpu(fold_forms))
        times.setdefault("fold of built events", []).append(_cpu(fold_events))
        times.setdefault("column-wise floor", []).append(_cpu(columns))
        copy.unlink()
    best = {name: min(seconds) for name, seconds in times.items()}
    pandas = best["pandas"]
    for name, seconds in best.items():
        print(
            f"{count:>9,} events: {name:<22} {seconds:7.2f} s CPU "
            f"{seconds / count * 1e6:6.1f} us/event | pandas / this {pandas / seconds:5.2f}x",
            flush=True,
        )
    copy = _fresh(db, folder)
    with SQLiteStore(copy) as store:
        gc.collect()
        tracemalloc.start()
        state = fold_stored(store.read_raw_checked(), store.raw_event)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del state
    copy.unlink()
    print(f"{count:>9,} events: state folded from zero {held / count:6.0f} B/event (traced)")
    return pandas / best["fold from zero"] >= 3


def main(argv: list[str] | None = None) -> int:
    """Build the ledgers and print the figures; return 1 when the cold target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[100_000, 1_000_000], help="events per ledger"
    )
    parser.add_argument(
        "--ledgers", type=Path, help="take ledger-<size>.db and .jsonl from this folder"
    )
    parser.add_argument("--runs", type=int, default=3, help="best of this many (default 3)")
    parser.add_argument(
        "--fold-only", action="store_true", help="only the fold from zero, beside pandas"
    )
    args = parser.parse_args(argv)
    missed = False
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for count in args.sizes:
            if args.ledgers is None:
                db, jsonl, generator, build_seconds = build(Path(folder), count)
                print(f"{count:>9,} events written in {build_seconds:.1f} s", flush=True)
            else:
                db = _fresh(args.ledgers / f"ledger-{count}.db", Path(folder))
                jsonl = args.ledgers / f"ledger-{count}.jsonl"
                # Another seed: the warm appends draw ids the ledger does not hold.
                generator = Generator(seed=count)
            missed = not fold_side_by_side(db, jsonl, count, Path(folder), args.runs) or missed
            if args.fold_only:
                db.unlink()
                continue
            rebuild = timed_rebuild(db)
            warm = timed_warm(db, generator)
            # Side by side: the ledger's cold builds and pandas take turns, best of three,
            # so that both see the same machine.
            cold_runs, full_runs, pandas_runs = [], [], []
            for _ in range(args.runs):
                cold_runs.append(timed_cold(db))
                full_runs.append(timed_cold_full(db))
                pandas_runs.append(timed_pandas(jsonl))
            cold, full, pandas = min(cold_runs), min(full_runs), min(pandas_runs)
            rows.append((count, rebuild, cold, warm, pandas))
            missed = missed or pandas / full < 3
            print(
                f"{count:>9,} events: rebuild from zero {rebuild:7.2f} s | cold {cold * 1000:7.1f}"
                f" ms | cold, full state {full:6.2f} s | warm after one event "
                f"{warm * 1000:6.2f} ms | pandas {pandas:6.2f} s",
                flush=True,
            )
            print(
                f"{count:>9,} events: pandas / cold {pandas / cold:7.0f}x | pandas / cold with "
                f"the full state {pandas / full:5.1f}x | pandas / rebuild "
                f"{pandas / rebuild:4.2f}x",
                flush=True,
            )
            db.unlink()
            if args.ledgers is None:
                jsonl.unlink()
    if len(rows) > 1:
        (small, *_), (large, *_) = rows[0], rows[-1]
        growth = rows[-1][3] / rows[0][3]
        print(f"warm call at {large:,} events / at {small:,} events: {growth:.2f}x")
    print(
        "target met: a cold build, even with the full state, and a fold from zero at least 3x "
        "as fast as pandas"
        if not missed
        else "target MISSED"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
