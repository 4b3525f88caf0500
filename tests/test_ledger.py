"""The Ledger façade: opening, recording, importing, checkpoints, the two clocks, tables."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace, TracebackType

import pytest

from _projection_events import ledger_of, op
from repatevents import Event, ValidationError, read_jsonl
from repatevents._ledger import ImportResult, Ledger, Progress
from repatevents.errors import ConcurrencyError
from repatevents.projections._checkpoint import CHECKPOINT_NAME, SUMMARY_NAME
from repatevents.store import (
    Envelope,
    EventStore,
    JsonLinesStore,
    MemoryStore,
    SQLiteStore,
    _memory as store_memory,
)

EXAMPLE = Path("examples/ledger.jsonl")
MOMENT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


class CountingStore:
    """An event store that records where each ``read`` started (to see what was replayed)."""

    def __init__(self, inner: EventStore) -> None:
        self.inner = inner
        self.reads: list[int] = []

    def append(self, events: Sequence[Event], *, expected_position: int | None = None) -> int:
        return self.inner.append(events, expected_position=expected_position)

    def read(self, after: int = 0, *, upto: int | None = None) -> Iterator[Envelope]:
        self.reads.append(after)
        return self.inner.read(after, upto=upto)

    def head(self) -> int:
        return self.inner.head()

    def verify(self, *, progress: Progress | None = None) -> int:
        return self.inner.verify(progress=progress)

    def get_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        return self.inner.get_checkpoint(name)

    def put_checkpoint(self, name: str, position: int, state: bytes) -> None:
        self.inner.put_checkpoint(name, position, state)

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> CountingStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@pytest.fixture
def example_db(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        ledger.import_jsonl(EXAMPLE)
        ledger.totals()
    return path


def _kgz(ledger: Ledger) -> int:
    return next(t.total.best for t in ledger.totals() if t.country == "KGZ")


def test_open_chooses_the_backend_by_suffix(tmp_path: Path) -> None:
    """.db is SQLite, .jsonl is JSON Lines, no path is memory."""
    with Ledger.open(tmp_path / "a.db") as a, Ledger.open(tmp_path / "b.jsonl") as b:
        assert isinstance(a.store, SQLiteStore)
        assert isinstance(b.store, JsonLinesStore)
    with Ledger.open() as c, Ledger.in_memory() as d:
        assert isinstance(c.store, MemoryStore)
        assert isinstance(d.store, MemoryStore)


def test_record_returns_the_head_and_is_idempotent() -> None:
    """Recording the same report twice records it once."""
    report = op("KGZ", 95, "2023-08-30")
    with Ledger.in_memory() as ledger:
        assert 1 == ledger.record(report)
        assert 1 == ledger.record(report)
        assert 1 == ledger.head


def test_record_many_refuses_a_stale_position() -> None:
    """A writer that saw head 0 cannot append once the log has moved on; nothing is written."""
    with Ledger.in_memory() as ledger:
        ledger.record(op("KGZ", 95, "2023-08-30"))
        with pytest.raises(ConcurrencyError):
            ledger.record_many([op("KGZ", 96, "2023-12-07")], expected_position=0)
        assert 1 == ledger.head


def test_import_records_a_file_once(tmp_path: Path) -> None:
    """Importing the example records 28 events; importing it again records none."""
    with Ledger.open(tmp_path / "l.db") as ledger:
        assert ImportResult(28, 0, 28) == ledger.import_jsonl(EXAMPLE)
        assert ImportResult(0, 28, 28) == ledger.import_jsonl(EXAMPLE)


def test_import_is_all_or_nothing(tmp_path: Path) -> None:
    """A file with one bad line among good ones records nothing and names the line."""
    bad = tmp_path / "bad.jsonl"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"place": "al-hol"', '"place": "atlantis"')
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Ledger.in_memory() as ledger:
        with pytest.raises(ValidationError) as caught:
            ledger.import_jsonl(bad)
        assert ([4], 0) == ([p.line for p in caught.value.problems], ledger.head)


def test_closing_saves_a_checkpoint_beside_the_log(example_db: Path) -> None:
    """After close the SQLite file holds the state at position 28."""
    with SQLiteStore(example_db) as store:
        saved = store.get_checkpoint(CHECKPOINT_NAME)
    assert saved is not None
    assert 28 == saved[0]


def test_a_cold_start_answers_totals_from_the_summary(example_db: Path) -> None:
    """A reopened ledger answers the default totals from the summary saved with the
    checkpoint: it reads only the record the summary is at, to check its hash."""
    store = CountingStore(SQLiteStore(example_db))
    with Ledger(store) as ledger:
        assert 329 == _kgz(ledger)
        assert [27] == store.reads


def test_reopening_starts_from_the_checkpoint(example_db: Path) -> None:
    """Any other question loads the checkpoint: the ledger reads its record (to check the
    hash) and what came after it, never the log from the start."""
    store = CountingStore(SQLiteStore(example_db))
    with Ledger(store) as ledger:
        assert 8 == len(ledger.operations())
        assert [27, 28] == store.reads


def test_the_warm_call_folds_only_the_new_event(example_db: Path) -> None:
    """After one more event, the next question reads from position 28 on, and the kept
    totals move by that event alone."""
    store = CountingStore(SQLiteStore(example_db))
    with Ledger(store) as ledger:
        ledger.state()
        store.reads.clear()
        ledger.record(op("KGZ", 83, "2023-10-12", origin="nes"))
        assert 329 + 83 == _kgz(ledger)
        assert [28] == store.reads


def test_an_unreadable_checkpoint_is_rebuilt(example_db: Path) -> None:
    """Garbage in the checkpoint and its summary is ignored: the state is folded from zero,
    with the same figures."""
    with SQLiteStore(example_db) as store:
        store.put_checkpoint(CHECKPOINT_NAME, 28, b"not a checkpoint")
        store.put_checkpoint(SUMMARY_NAME, 28, b"not a summary")
    counting = CountingStore(SQLiteStore(example_db))
    with Ledger(counting) as ledger:
        assert 329 == _kgz(ledger)
        assert 0 in counting.reads


def test_a_summary_behind_the_head_is_not_used(example_db: Path) -> None:
    """After one more event the summary is out of date: the state is loaded and folded."""
    with Ledger.open(example_db) as ledger:
        ledger.record(op("KGZ", 83, "2023-10-12", origin="nes"))
    # Closing saved nothing new (nothing was folded): the summary is at 28, the head at 29.
    with Ledger.open(example_db) as ledger:
        assert 329 + 83 == _kgz(ledger)


def test_rebuild_equals_the_incremental_state(example_db: Path) -> None:
    """Rebuilding from zero gives the state kept incrementally and checkpointed."""
    with Ledger.open(example_db) as ledger:
        kept = ledger.state()
        assert 28 == ledger.rebuild()
        assert kept == ledger.state()


def test_verify_counts_the_records(example_db: Path) -> None:
    """verify() walks the hash chain."""
    with Ledger.open(example_db) as ledger:
        assert 28 == ledger.verify()


def test_known_at_a_time_is_the_longest_prefix_recorded_by_then() -> None:
    """known_at = the time position 3 was recorded gives every position recorded by then."""
    ledger = ledger_of(op("UZB", 1, "2019-05-01"), op("UZB", 2, "2019-05-02"))
    ledger.record(op("UZB", 3, "2019-05-03"))
    ledger.record(op("UZB", 4, "2019-05-04"))
    envelopes = list(ledger.store.read(0))
    moment = envelopes[2].recorded_at
    expected = max(e.position for e in envelopes if e.recorded_at <= moment)
    assert expected == ledger.state(known_at=moment).position
    naive = moment.astimezone(dt.UTC).replace(tzinfo=None)
    assert expected == ledger.state(known_at=naive).position
    assert 0 == ledger.state(known_at=envelopes[0].recorded_at - dt.timedelta(days=1)).position


class _Clock(dt.datetime):
    """A datetime whose now() is whatever the test says."""

    moment = dt.datetime(2024, 2, 29, 12, 0, tzinfo=dt.UTC)

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _Clock:
        return cls.fromtimestamp(cls.moment.timestamp(), tz)


def test_known_at_a_day_is_the_end_of_that_day_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """A datetime.date as known_at means what the CLI's --known-at 2024-03-01 means: the end
    of that day, UTC, so a record of 23:30 on 1 March counts and one of 00:30 on 2 March not;
    the metadata names that moment."""
    monkeypatch.setattr(store_memory, "dt", SimpleNamespace(datetime=_Clock, UTC=dt.UTC))
    ledger = Ledger.in_memory()
    for moment, total in (
        (dt.datetime(2024, 2, 29, 12, 0), 1),
        (dt.datetime(2024, 3, 1, 23, 30), 2),
        (dt.datetime(2024, 3, 2, 0, 30), 4),
    ):
        _Clock.moment = moment.replace(tzinfo=dt.UTC)
        ledger.record(op("UZB", total, "2019-05-01"))
    end_of_day = dt.datetime(2024, 3, 1, 23, 59, 59, 999999, tzinfo=dt.UTC)
    assert 2 == ledger.state(known_at=dt.date(2024, 3, 1)).position
    assert 0 == ledger.state(known_at=dt.date(2024, 2, 28)).position
    assert ledger.totals(known_at=end_of_day) == ledger.totals(known_at=dt.date(2024, 3, 1))
    assert 3 == ledger.totals(known_at=dt.date(2024, 3, 1))[0].total.best
    metadata = ledger.metadata(known_at=dt.date(2024, 3, 1))
    assert "2024-03-01T23:59:59.999999+00:00 (position 2)" == metadata.known_at


def test_bad_query_parameters_are_named() -> None:
    """A position past the head, an unknown policy and a datetime as_of are rejected."""
    ledger = ledger_of(op("UZB", 1, "2019-05-01"))
    with pytest.raises(ValidationError, match="known_at"):
        ledger.totals(known_at=2)
    with pytest.raises(ValidationError, match="policy"):
        ledger.totals(policy="generous")
    with pytest.raises(ValidationError, match="as_of"):
        ledger.totals(as_of=dt.datetime(2020, 1, 1))


def test_tables_carry_hxl_tags_for_every_breakdown() -> None:
    """The totals table tags women, men, girls and boys as HXL does."""
    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        tables = ledger.tables()
    tags = {c.name: c.hxl for c in tables["totals"].columns}
    assert {
        "country": "#country+code",
        "country_name": "#country+name",
        "total_best": "#affected+total+best",
        "total_low": "#affected+total+low",
        "total_high": "#affected+total+high",
        "women_best": "#affected+f+adults+best",
        "men_best": "#affected+m+adults+best",
        "children_best": "#affected+children+best",
        "girls_best": "#affected+children+f+best",
        "boys_best": "#affected+children+m+best",
        "first_date": "#date+start",
        "last_date": "#date+end",
        "lat": "#geo+lat",
        "lon": "#geo+lon",
    }.items() <= tags.items()
    kgz = next(r for r in tables["totals"].records() if r["country"] == "KGZ")
    assert (329, 58, None) == (kgz["total_best"], kgz["women_best"], kgz["men_best"])


def test_metadata_says_what_the_tables_were_made_from() -> None:
    """Position, as_of, known_at and policy are recorded."""
    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        moment = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
        metadata = ledger.metadata(dt.date(2023, 12, 31), 7, "latest", generated_at=moment)
    assert (7, dt.date(2023, 12, 31), "position 7", "latest", moment) == (
        metadata.ledger_position,
        metadata.as_of,
        metadata.known_at,
        metadata.policy,
        metadata.generated_at,
    )
    assert {"The New Arab", "Shafaq News"} <= {s["publisher"] for s in metadata.sources}


def test_metadata_sources_tell_every_source_apart() -> None:
    """Sources carry via and speaker kind: no two look alike once their counts are left out."""
    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        metadata = ledger.metadata()
        sources = ledger.tables()["sources"].records()
    described = [tuple((k, v) for k, v in s.items() if k != "reports") for s in metadata.sources]
    assert len(set(described)) == len(described) == len(sources)
    anf = [s for s in metadata.sources if s["publisher"] == "ANF News"]
    assert [("ANHA", "camp-administration", 1), ("ANHA", "media", 13)] == [
        (s["via"], s["speaker_kind"], s["reports"]) for s in anf
    ]
    assert [dict(s) for s in metadata.sources] == sources


def test_ages_count_to_the_generation_day_unless_as_of_is_given() -> None:
    """baseline_age_days counts to generated_at's UTC day, or to as_of when one is given."""
    moment = dt.datetime(2024, 7, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        generated = ledger.tables(generated_at=moment)["remaining"].records()
        as_of = ledger.tables(dt.date(2024, 6, 30), generated_at=moment)["remaining"].records()
    al_hol = next(r for r in generated if r["place"] == "al-hol")
    assert (dt.date(2024, 5, 10), 53) == (al_hol["baseline_date"], al_hol["baseline_age_days"])
    assert 51 == next(r for r in as_of if r["place"] == "al-hol")["baseline_age_days"]


def test_an_export_with_a_fixed_generation_time_is_the_same_every_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ledger.export(generated_at=fixed) writes the same bytes whatever the date today."""
    moment = dt.datetime(2024, 7, 1, 12, tzinfo=dt.UTC)
    exports = []
    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        for today in (dt.date(2025, 1, 1), dt.date(2026, 3, 2)):
            monkeypatch.setattr("repatevents._ledger._today", lambda today=today: today)
            written = ledger.export("csv", tmp_path / str(today), generated_at=moment)
            exports.append([p.read_bytes() for p in written])
    assert exports[0] == exports[1]


def test_export_writes_through_an_exporter(tmp_path: Path) -> None:
    """The ledger builds the tables; the CSV exporter writes one file per table."""
    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        written = ledger.export("csv", tmp_path / "out", tables=["totals"])
    assert [tmp_path / "out" / "totals.csv"] == [p for p in written if p.stem == "totals"]
    assert "KGZ" in (tmp_path / "out" / "totals.csv").read_text(encoding="utf-8")


def test_close_is_idempotent(tmp_path: Path) -> None:
    """Closing twice is harmless."""
    ledger = Ledger.open(tmp_path / "x.db")
    ledger.close()
    ledger.close()


def test_a_json_lines_ledger_answers_alike(tmp_path: Path) -> None:
    """The JSON Lines backend gives the same figures, before and after reopening."""
    path = tmp_path / "ledger.jsonl"
    with Ledger.open(path) as ledger:
        ledger.record_many(read_jsonl(EXAMPLE))
        assert 329 == _kgz(ledger)
    with Ledger.open(path) as ledger:
        assert 329 == _kgz(ledger)


def test_a_copied_ledger_file_keeps_its_checkpoint(example_db: Path, tmp_path: Path) -> None:
    """A copy of a ledger file opens from its checkpoint too."""
    copy = tmp_path / "copy.db"
    shutil.copy(example_db, copy)
    store = CountingStore(SQLiteStore(copy))
    with Ledger(store) as ledger:
        assert 329 == _kgz(ledger)
        assert 0 not in store.reads


def test_a_long_fold_saves_a_checkpoint_before_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Folding many new events saves the state at once, without waiting for close()."""
    monkeypatch.setattr("repatevents._ledger.CHECKPOINT_EVERY", 20)
    with Ledger.open(tmp_path / "l.db") as ledger:
        ledger.import_jsonl(EXAMPLE)
        ledger.totals()
        with SQLiteStore(tmp_path / "l.db") as other:
            saved = other.get_checkpoint(CHECKPOINT_NAME)
        assert saved is not None
        assert 28 == saved[0]


def test_tables_computes_only_the_tables_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """tables(names=...) returns those tables, in that order, and runs no other projection."""
    from repatevents import _ledger

    def refuse(*args: object) -> None:
        raise AssertionError("a projection that was not asked for ran")

    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        everything = ledger.tables(generated_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC))
        for name in ("_operations", "_timeseries", "_reconcile", "_quality"):
            monkeypatch.setattr(_ledger, name, refuse)
        chosen = ledger.tables(
            generated_at=dt.datetime(2024, 7, 1, tzinfo=dt.UTC),
            names=["sources", "totals", "remaining", "totals"],
        )
    assert ["sources", "totals", "remaining"] == list(chosen)
    assert {name: everything[name] for name in chosen} == chosen


def test_tables_refuses_a_name_that_is_no_table() -> None:
    """An unknown table name is refused with the names there are; an empty choice too."""
    with Ledger.in_memory() as ledger:
        with pytest.raises(ValidationError, match=r"'total'.*the tables are operations, totals"):
            ledger.tables(names=["total"])
        with pytest.raises(ValidationError, match="choose at least one table"):
            ledger.tables(names=[])


def test_exporting_the_default_totals_on_a_cold_start_loads_no_report(
    example_db: Path, tmp_path: Path
) -> None:
    """An export of the default totals and sources from a reopened ledger reads only the
    record the summary is at: its metadata's sources come from the summary, the same as from
    the full state, and it says the figures come from the checkpoint."""
    with Ledger.open(example_db) as ledger:
        expected = ledger.metadata(generated_at=MOMENT)
        sources = ledger.tables(names=["sources"])["sources"]
    store = CountingStore(SQLiteStore(example_db))
    with Ledger(store) as ledger:
        ledger.export("csv", tmp_path / "totals.csv", tables=["totals", "sources"])
        assert expected == ledger.metadata(generated_at=MOMENT)
        assert sources == ledger.tables(names=["sources"])["sources"]
        assert [27] == store.reads
    assert "checkpoint" == expected.computed_from


def test_default_totals_table_on_a_cold_start_reads_the_summary(example_db: Path) -> None:
    """The default totals and remaining tables of a reopened ledger come from the summary:
    the ledger reads only the record the summary is at, to check its hash."""
    with Ledger.open(example_db) as ledger:
        expected = ledger.tables(names=["totals"])["totals"]
    store = CountingStore(SQLiteStore(example_db))
    with Ledger(store) as ledger:
        tables = ledger.tables(names=["totals", "remaining"])
        assert [27] == store.reads
    assert expected == tables["totals"]


def test_default_timeseries_on_a_cold_start_reads_the_summary(example_db: Path) -> None:
    """The default time series of a reopened ledger adds up the monthly sums the summary
    holds: the ledger reads only the record the summary is at, and the series equals the one
    summed from every operation (a query with ``as_of`` far ahead)."""
    with Ledger.open(example_db) as ledger:
        expected = ledger.timeseries()
        table = ledger.tables(names=["timeseries"])["timeseries"]
    assert expected
    store = CountingStore(SQLiteStore(example_db))
    with Ledger(store) as ledger:
        assert expected == ledger.timeseries()
        assert table == ledger.tables(names=["timeseries"])["timeseries"]
        assert [27] == store.reads
    with Ledger.open(example_db) as ledger:
        last = max(point.end for point in expected)
        summed = {(p.country, p.granularity, p.period): p for p in ledger.timeseries(as_of=last)}
    assert [summed[p.country, p.granularity, p.period] for p in expected] == list(expected)


def test_export_computes_only_the_tables_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exporting the totals table runs neither the operations nor the reconciliation."""
    from repatevents import _ledger

    def refuse(*args: object) -> None:
        raise AssertionError("a projection that was not asked for ran")

    monkeypatch.setattr(_ledger, "_operations", refuse)
    monkeypatch.setattr(_ledger, "_reconcile", refuse)
    with Ledger.in_memory() as ledger:
        ledger.import_jsonl(EXAMPLE)
        written = ledger.export("csv", tmp_path / "totals.csv", tables=["totals"])
    assert [tmp_path / "totals.csv", tmp_path / "totals-metadata.csv"] == written
    with pytest.raises(ValidationError, match=r"tables.*'nope'"):
        Ledger.in_memory().export("csv", tmp_path / "x.csv", tables=["nope"])


def test_verify_tells_its_progress_and_reads_the_log_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify walks the hash chain, then folds, telling both stages as it goes; with an
    expected hash it finds that record in the same pass, so position_of_hash after it does
    not read the whole log a third time."""
    from repatevents import _ledger
    from repatevents.store import _records

    monkeypatch.setattr(_ledger, "PROGRESS_EVERY", 10)
    monkeypatch.setattr(_records, "PROGRESS_EVERY", 10)
    path = tmp_path / "l.db"
    with Ledger.open(path) as ledger:
        ledger.import_jsonl(EXAMPLE)
        middle = next(iter(ledger.store.read(13, upto=14))).hash
    told: list[tuple[str, int, int]] = []
    with Ledger.open(path, progress=lambda *args: told.append(args)) as ledger:
        assert 28 == ledger.verify(expect=middle[:16])
        verifying = [args for args in told if args[0] == "verifying"]
        assert [("verifying", n, 28) for n in (0, 10, 20, 28)] == verifying
        assert told.index(verifying[-1]) < told.index(("folding", 0, 28))

        def no_second_read(*args: object, **kwargs: object) -> None:
            raise AssertionError("the log was read again")

        monkeypatch.setattr(ledger.store, "read", no_second_read)
        assert 14 == ledger.position_of_hash(middle[:16])


def test_a_fold_tells_its_progress(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fold from zero reports how far it got as it goes, up to the head; a fold from the
    checkpoint at the head reports nothing."""
    from repatevents import _ledger

    monkeypatch.setattr(_ledger, "PROGRESS_EVERY", 10)
    told: list[tuple[str, int, int]] = []
    path = tmp_path / "l.db"
    with Ledger.open(path) as ledger:
        ledger.import_jsonl(EXAMPLE)
    with Ledger.open(path, progress=lambda *args: told.append(args)) as ledger:
        ledger.operations()
    assert [("folding", n, 28) for n in (0, 10, 20, 28)] == told
    told.clear()
    with Ledger.open(path, progress=lambda *args: told.append(args)) as ledger:
        ledger.operations()
    assert [] == told


@pytest.mark.parametrize("enabled", [True, False])
@pytest.mark.parametrize(
    "projection", ["operations", "timeseries", "reconciliation", "quality", "tables"]
)
def test_a_projection_leaves_the_collector_as_it_found_it(
    projection: str, enabled: bool, example_db: Path
) -> None:
    """A projection pauses the cyclic collector while it builds its rows, and leaves it on
    when it was on, off when it was off."""
    import gc

    with Ledger.open(example_db) as ledger:
        ledger.state()
        was = gc.isenabled()
        (gc.enable if enabled else gc.disable)()
        try:
            getattr(ledger, projection)()
            assert enabled == gc.isenabled()
        finally:
            (gc.enable if was else gc.disable)()


@pytest.mark.parametrize(
    ("projection", "function"),
    [
        ("operations", "_operations"),
        ("timeseries", "_timeseries"),
        ("reconciliation", "_reconcile"),
        ("quality", "_quality"),
    ],
)
def test_a_projection_builds_its_rows_with_the_collector_paused(
    projection: str, function: str, example_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of a large ledger stay alive until returned: the collector, which would walk
    the whole state again and again for nothing, is paused while they are built."""
    import gc

    import repatevents._ledger as module

    seen: list[bool] = []
    original = getattr(module, function)

    def watched(*args: object) -> object:
        seen.append(gc.isenabled())
        return original(*args)

    monkeypatch.setattr(module, function, watched)
    with Ledger.open(example_db) as ledger:
        assert gc.isenabled()
        getattr(ledger, projection)()
    assert [False] == seen
