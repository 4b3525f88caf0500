"""The store contract: the behaviour every event store backend, built in or third-party, must show.

Subclass :class:`StoreContract` in a test module and say how to open your store; pytest runs the
whole contract::

    from repatevents.testing import StoreContract

    class TestMyStore(StoreContract):
        persistent = True

        def make_store(self, tmp_path):
            return MyStore(tmp_path / "ledger.mystore")

:func:`sample_events` gives deterministic events of every type for tests of your own.
"""

# The contract asserts `expected == actual`, as the project's tests do; ruff's SIM300 reads a
# literal on the left as a Yoda condition (tests/ is exempt in pyproject.toml; this file ships
# inside the package).
# ruff: noqa: SIM300

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import settings, strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ..errors import ConcurrencyError, DuplicateEventError, IntegrityError, StoreError
from ..events import (
    SCHEMA_VERSION,
    CumulativeTotalReported,
    DateRole,
    Estimate,
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
    Qualifier,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    Source,
    SpeakerKind,
    StockObserved,
    Unit,
    encode_event,
)
from ..store import (
    GENESIS_HASH,
    Envelope,
    EventStore,
    RawReader,
    canonical_record,
    chain_hash,
    format_recorded_at,
    read_checked,
)

__all__ = ["StoreContract", "sample_events"]

_COUNTRIES = ("KGZ", "KAZ", "UZB", "TJK", "RUS", "FRA", "DEU", "NLD", "BEL", "SWE", "ALB", "XKX")
_PUBLISHERS = ("Rudaw", "Kurdistan24", "AKIpress", "The New Arab", "Kun.uz", "Hawar News")
_NOTES = (
    None,
    "Handed over at Semalka; «arrived» the next day.",
    "Şêx Maqsûd — ÜBERSETZT ✓ 🇰🇬",
    'Quote: "about 60", and a backslash \\ too.',
)
_NAMESPACE = uuid.UUID("2f0e7bde-3b4e-4a57-8d7e-6c9a1f5e0b11")


def _source(i: int) -> Source:
    # Sources repeat, as they do in real ledgers: one article gives several events.
    k = i // 3
    return Source(
        publisher=_PUBLISHERS[k % len(_PUBLISHERS)],
        via=("AFP",) if k % 4 == 0 else (),
        speaker="Ministry of Foreign Affairs" if k % 2 == 0 else None,
        speaker_kind=list(SpeakerKind)[k % len(SpeakerKind)],
        url=f"https://news.example/{k}" if k % 5 else None,
        published=FuzzyDate.day(dt.date(2019, 5, 1) + dt.timedelta(days=k % 1800)),
    )


def _report_id(i: int) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"report {i}")


def _operation(i: int, day: dt.date, country: str, notes: str | None) -> OperationReported:
    return OperationReported(
        source=_source(i),
        country=country,
        people=People(total=20 + i % 300, women=5 + i % 40, children=f"around {10 + i % 200}"),
        date=FuzzyDate.day(day),
        origin="roj" if i % 2 else "al-hol",
        date_role=list(DateRole)[i % len(DateRole)],
        nationality="KAZ" if i % 11 == 0 else None,
        facilitators=("United States", "UNICEF") if i % 3 == 0 else (),
        operation_name=f"Jusan-{i % 7}" if i % 5 == 0 else None,
        ordinal=1 + i % 9 if i % 4 == 0 else None,
        operation_key=f"op-{i // 2}",
        notes=notes,
    )


def _sample_event(i: int) -> Event:
    """Return the ``i``-th sample event: the types take turns, the content is unique to ``i``."""
    day = dt.date(2019, 4, 1) + dt.timedelta(days=(i * 7) % 2000)
    country = _COUNTRIES[i % len(_COUNTRIES)]
    # The index in the notes makes every sample distinct, so no two share a derived id.
    notes = f"sample {i}" + (f"; {_NOTES[i % len(_NOTES)]}" if _NOTES[i % len(_NOTES)] else "")
    kind = i % 9
    if kind == 0:
        return _operation(i, day, country, notes)
    if kind == 1:
        return CumulativeTotalReported(
            source=_source(i),
            country=country,
            people=People(total=f"over {100 + i % 900}"),
            until=FuzzyDate.month(day.year, day.month),
            since=FuzzyDate.year(2019) if i % 2 else None,
            origin=list(Origin)[i % len(Origin)],
            counter="AANES" if i % 3 == 0 else None,
            notes=notes,
        )
    if kind == 2:
        nationals = i % 4 == 0
        counts: dict[str, int | str] = {"KGZ": 10 + i % 50, "UZB": "about 120"}
        return StockObserved(
            source=_source(i),
            place="al-hol" if i % 2 else "roj",
            date=FuzzyDate.between(day, day + dt.timedelta(days=2)),
            people=People(
                total=Estimate(40_000 + i, 39_000 + i, 41_000 + i, qualifier=Qualifier.ABOUT),
                families=Estimate.exact(9_000 + i % 100, Unit.FAMILIES),
            ),
            scope=PopulationScope.NATIONALS if nationals else PopulationScope.FOREIGNERS,
            country=country if nationals else None,
            by_nationality={} if nationals else counts,
            notes=notes,
        )
    if kind == 3:
        return OutflowReported(
            source=_source(i),
            place="al-hol",
            date=FuzzyDate.month(day.year, day.month),
            people=People(total=f"up to {50 + i % 70}"),
            kind=list(OutflowKind)[i % len(OutflowKind)],
            destination="Raqqa" if i % 2 else None,
            notes=notes,
        )
    if kind == 4:
        return InflowReported(
            source=_source(i),
            place="roj",
            date=FuzzyDate.year(day.year),
            people=People(total=i % 30, girls=i % 7),
            kind=list(InflowKind)[i % len(InflowKind)],
            nationality=country if i % 2 else None,
            notes=notes,
        )
    analyst = Source(publisher="repatevents sample analyst", speaker_kind=SpeakerKind.ANALYST)
    if kind == 5:
        return ReportsLinked(
            source=analyst,
            reports=(_report_id(i), _report_id(i + 1), _report_id(i + 2))[: 2 + i % 2],
            linked=i % 4 != 0,
            reason="same day, same numbers" if i % 2 else None,
            notes=notes,
        )
    if kind == 6:
        return FigureAdjudicated(
            source=analyst,
            report=_report_id(i),
            people=People(total=100 + i % 50, adults=30, unknown=1),
            rationale="the receiving government counts on arrival",
            notes=notes,
        )
    if kind == 7:
        return ReportCorrected(
            source=_source(i),
            supersedes=_report_id(i),
            replacement=_operation(i + 1, day, country, None),
            reason="the ministry updated its figure",
            notes=notes,
        )
    return ReportRetracted(
        source=_source(i),
        retracts=_report_id(i),
        reason="the article was withdrawn" if i % 2 else None,
        notes=notes,
    )


def sample_events(count: int, start: int = 0) -> list[Event]:
    """Return ``count`` deterministic, distinct events of every type, in a fixed order.

    The same ``start`` and ``count`` always give equal events (with equal ids), so separate
    processes can build the same batches. Sources repeat every few events; notes include
    non-ASCII text and characters JSON escapes.

    Args:
        count: how many events.
        start: the index of the first one (``sample_events(5, 5)`` continues
            ``sample_events(5)``).
    """
    return [_sample_event(i) for i in range(start, start + count)]


def _conflicting(event: Event) -> Event:
    """Return an event with the same id as ``event`` and other content."""
    return attrs.evolve(event, notes=f"{event.notes} (changed)")


class StoreContract:
    """Tests every event store passes; subclass it as ``Test…`` and define :meth:`make_store`.

    Class attributes to set:
        persistent: whether the store keeps its log across ``close()`` (then ``make_store``
            with the same directory must open the same log, and the reopening tests run).
    """

    persistent: ClassVar[bool] = True

    def make_store(self, tmp_path: Path) -> EventStore:
        """Open the store kept in the directory ``tmp_path`` (creating it when empty).

        Called again with the same directory, it must open the same log (for a persistent
        store) or a fresh one (for a store in memory).
        """
        raise NotImplementedError("a StoreContract subclass defines make_store(tmp_path)")

    def open_read_only(self, tmp_path: Path) -> EventStore:
        """Open the store kept in ``tmp_path`` read-only. A store without a read-only mode
        leaves this as it is, and the read-only test is skipped."""
        pytest.skip("the store has no read-only mode")

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[EventStore]:
        """Give an empty store, closed after the test."""
        store = self.make_store(tmp_path)
        yield store
        store.close()

    # -- basics -------------------------------------------------------------------------------
    def test_is_an_event_store(self, store: EventStore) -> None:
        """The store implements the EventStore protocol."""
        assert isinstance(store, EventStore)

    def test_empty_store(self, store: EventStore) -> None:
        """An empty store has head 0, reads nothing and verifies zero records."""
        assert (0, [], 0) == (store.head(), list(store.read()), store.verify())

    def test_append_then_read_in_order(self, store: EventStore) -> None:
        """Events come back in the order they were appended, equal to what was appended."""
        events = sample_events(12)
        assert 5 == store.append(events[:5])
        assert 12 == store.append(events[5:])
        assert events == [envelope.event for envelope in store.read()]

    def test_every_event_type_round_trips(self, store: EventStore) -> None:
        """Every event type, with unicode and escaped text, comes back equal."""
        events = sample_events(27)
        store.append(events)
        assert 9 == len({type(event) for event in events})
        assert events == [envelope.event for envelope in store.read()]

    def test_positions_have_no_gaps(self, store: EventStore) -> None:
        """Positions run 1, 2, 3 … across batches, and the head is the last one."""
        for start in (0, 3, 4, 9):
            store.append(sample_events(3 if start != 3 else 1, start))
        positions = [envelope.position for envelope in store.read()]
        assert list(range(1, 11)) == positions
        assert 10 == store.head()

    def test_envelopes_carry_their_metadata(self, store: EventStore) -> None:
        """Envelopes say the current schema, a UTC time that never goes back, and a hex hash."""
        before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        store.append(sample_events(3))
        store.append(sample_events(3, 3))
        envelopes = list(store.read())
        assert all(isinstance(envelope, Envelope) for envelope in envelopes)
        assert {SCHEMA_VERSION} == {envelope.schema_version for envelope in envelopes}
        times = [envelope.recorded_at for envelope in envelopes]
        assert all(moment.utcoffset() == dt.timedelta(0) for moment in times)
        assert sorted(times) == times
        assert before <= times[0] <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
        assert all(len(e.hash) == 64 and int(e.hash, 16) >= 0 for e in envelopes)

    def test_hashes_follow_the_documented_chain(self, store: EventStore) -> None:
        """Each hash is SHA-256 over the previous hash and the record's canonical bytes."""
        store.append(sample_events(9))
        previous = GENESIS_HASH
        for envelope in store.read():
            record = canonical_record(
                envelope.position,
                format_recorded_at(envelope.recorded_at),
                envelope.schema_version,
                encode_event(envelope.event),
            )
            previous = chain_hash(previous, record)
            assert previous == envelope.hash

    # -- batches, concurrency, idempotence ----------------------------------------------------
    def test_expected_position_conflict_writes_nothing(self, store: EventStore) -> None:
        """A stale expected position raises ConcurrencyError naming both heads; nothing is
        written. The right one appends."""
        assert 3 == store.append(sample_events(3), expected_position=0)
        for stale in (0, 2, 4):
            with pytest.raises(ConcurrencyError) as info:
                store.append(sample_events(2, 3), expected_position=stale)
            assert (stale, 3) == (info.value.expected, info.value.actual)
        assert (3, 3) == (store.head(), len(list(store.read())))
        assert 5 == store.append(sample_events(2, 3), expected_position=3)

    def test_empty_batch_writes_nothing(self, store: EventStore) -> None:
        """An empty batch returns the head, and still checks the expected position."""
        store.append(sample_events(2))
        assert 2 == store.append([])
        with pytest.raises(ConcurrencyError):
            store.append([], expected_position=1)
        assert 2 == store.head()

    def test_reappending_the_same_events_is_a_no_op(self, store: EventStore) -> None:
        """Events already stored with the same content are skipped, alone or among new ones."""
        events = sample_events(6)
        store.append(events[:4])
        hashes = [envelope.hash for envelope in store.read()]
        assert 4 == store.append(events[:4])
        assert 4 == store.append(events[2:3] + events[2:3])
        assert 6 == store.append(events)
        assert events == [envelope.event for envelope in store.read()]
        assert hashes == [envelope.hash for envelope in store.read()][:4]

    def test_a_batch_repeating_an_event_stores_it_once(self, store: EventStore) -> None:
        """The same event twice in one batch is stored once."""
        events = sample_events(2)
        assert 2 == store.append([events[0], events[1], events[0]])
        assert events == [envelope.event for envelope in store.read()]

    def test_same_id_other_content_raises_and_writes_nothing(self, store: EventStore) -> None:
        """An id already stored with other content raises DuplicateEventError naming the id and
        where it is; nothing of the batch is written."""
        events = sample_events(4)
        store.append(events[:3])
        changed = _conflicting(events[1])
        with pytest.raises(DuplicateEventError) as info:
            store.append([events[3], changed])
        assert (events[1].id, 2) == (info.value.event_id, info.value.position)
        assert events[:3] == [envelope.event for envelope in store.read()]

    def test_same_id_other_content_within_a_batch_raises(self, store: EventStore) -> None:
        """Two events with one id and different content in one batch: nothing is written."""
        event = sample_events(1)[0]
        with pytest.raises(DuplicateEventError) as info:
            store.append([event, _conflicting(event)])
        assert (event.id, 1) == (info.value.event_id, info.value.position)
        assert 0 == store.head()

    def test_a_batch_with_a_non_event_writes_nothing(self, store: EventStore) -> None:
        """A batch holding something that is not an event raises TypeError before writing."""
        batch: Any = [*sample_events(2), {"type": "operation-reported"}]
        with pytest.raises(TypeError):
            store.append(batch)
        assert 0 == store.head()

    # -- reading --------------------------------------------------------------------------------
    def test_read_ranges(self, store: EventStore) -> None:
        """read(after, upto) yields positions after+1 … upto, clipped to the log."""
        events = sample_events(10)
        store.append(events)
        cases = {(0, None): (1, 10), (3, None): (4, 10), (3, 7): (4, 7), (0, 0): (1, 0)}
        cases.update({(7, 3): (8, 7), (10, None): (11, 10), (12, None): (13, 10)})
        cases.update({(9, 100): (10, 10), (0, 1): (1, 1)})
        for (after, upto), (first, last) in cases.items():
            envelopes = list(store.read(after, upto=upto))
            assert list(range(first, last + 1)) == [e.position for e in envelopes]
            assert events[first - 1 : last] == [e.event for e in envelopes]

    def test_read_rejects_negative_positions(self, store: EventStore) -> None:
        """A negative after or upto is a ValueError."""
        with pytest.raises(ValueError, match="after"):
            store.read(-1)
        with pytest.raises(ValueError, match="upto"):
            store.read(0, upto=-1)

    def test_read_streams_and_ends_where_the_log_ended(self, store: EventStore) -> None:
        """read returns a lazy iterator whose end is fixed when it is called."""
        store.append(sample_events(5))
        reader = store.read(1)
        assert reader is iter(reader)
        first = next(reader)
        store.append(sample_events(3, 5))
        assert [2, 3, 4, 5] == [first.position] + [e.position for e in reader]
        assert 8 == len(list(store.read()))

    def test_reads_interleave(self, store: EventStore) -> None:
        """Two readers consumed in turns each see the whole log in order."""
        store.append(sample_events(1500))
        one, two = store.read(), store.read(upto=1200)
        # zip stops at the shorter reader without taking a record from the longer one.
        pairs = list(zip(two, one, strict=False))
        assert [(p, p) for p in range(1, 1201)] == [(a.position, b.position) for a, b in pairs]
        assert [1201, 1500] == [next(one).position, [e.position for e in one][-1]]

    # -- verification and checkpoints ---------------------------------------------------------
    def test_verify_passes_on_a_clean_log(self, store: EventStore) -> None:
        """verify() walks the whole log and returns how many records it checked."""
        store.append(sample_events(20))
        store.append(sample_events(7, 20))
        assert 27 == store.verify()

    def test_verify_tells_its_progress(self, store: EventStore) -> None:
        """verify(progress=...) says it starts at 0 of the head and ends at the head, never
        going back nor past the head, all under the stage name "verifying"."""
        store.append(sample_events(20))
        store.append(sample_events(7, 20))
        told: list[tuple[str, int, int]] = []
        assert 27 == store.verify(progress=lambda *args: told.append(args))
        assert ("verifying", 0, 27) == told[0]
        assert ("verifying", 27, 27) == told[-1]
        assert {"verifying"} == {stage for stage, _, _ in told}
        done = [count for _, count, _ in told]
        assert sorted(done) == done
        assert all(count <= total == 27 for _, count, total in told)

    def test_a_checked_read_reads_what_read_reads(self, store: EventStore) -> None:
        """Reading with the chain checked (as a fold does) gives what read gives, the hash
        before the first record taken from the log or given; a wrong one given is an
        IntegrityError naming the first record read."""
        store.append(sample_events(6))
        store.append(sample_events(4, 6))
        envelopes = list(store.read())
        for after, upto in ((0, None), (3, None), (3, 7), (9, None), (10, None), (12, None)):
            expected = list(store.read(after, upto=upto))
            assert expected == list(read_checked(store, after, upto=upto))
            given = envelopes[after - 1].hash if 0 < after <= 10 else GENESIS_HASH
            assert expected == list(read_checked(store, after, upto=upto, previous_hash=given))
        with pytest.raises(IntegrityError) as info:
            list(read_checked(store, 3, previous_hash=envelopes[0].hash))
        assert 4 == info.value.position

    def test_a_raw_read_reads_what_a_checked_read_reads(self, store: EventStore) -> None:
        """A store that reads its records undecoded (``read_raw_checked``, as a fold reads
        them) gives each record's position, time, schema version and hash as a checked read
        does, and stored JSON that decodes to its event; the chain is checked as it reads."""
        if not isinstance(store, RawReader):
            pytest.skip("the store has no raw reader: a fold reads its envelopes")
        store.append(sample_events(6))
        store.append(sample_events(4, 6))
        envelopes = list(store.read())
        for after, upto in ((0, None), (3, None), (3, 7), (10, None)):
            expected = [
                (e.position, e.recorded_at, e.schema_version, e.hash, e.event)
                for e in store.read(after, upto=upto)
            ]
            raw = list(store.read_raw_checked(after, upto=upto))
            decoded = [(p, m, v, h, store.raw_event((p, m, v, h, b))) for p, m, v, h, b in raw]
            assert expected == decoded
        with pytest.raises(IntegrityError) as info:
            list(store.read_raw_checked(3, previous_hash=envelopes[0].hash))
        assert 4 == info.value.position

    def test_checkpoints_round_trip(self, store: EventStore) -> None:
        """A checkpoint comes back as saved; a new one replaces it; others are separate."""
        assert store.get_checkpoint("totals") is None
        store.append(sample_events(4))
        store.put_checkpoint("totals", 2, b"\x00state\xff")
        store.put_checkpoint("quality", 4, b"")
        assert (2, b"\x00state\xff") == store.get_checkpoint("totals")
        store.put_checkpoint("totals", 4, b"newer")
        assert [(4, b"newer"), (4, b"")] == [
            store.get_checkpoint("totals"),
            store.get_checkpoint("quality"),
        ]
        assert 4 == store.head()

    def test_checkpoints_reject_positions_outside_the_log(self, store: EventStore) -> None:
        """A checkpoint beyond the head, a negative one or an empty name is a ValueError."""
        store.append(sample_events(2))
        cases = (("totals", 3, "position"), ("totals", -1, "position"), ("", 1, "name"))
        for name, position, problem in cases:
            with pytest.raises(ValueError, match=problem):
                store.put_checkpoint(name, position, b"x")
        assert store.get_checkpoint("totals") is None

    # -- lifecycle ----------------------------------------------------------------------------
    def test_close_is_idempotent_and_refuses_later_use(self, tmp_path: Path) -> None:
        """close() twice is fine; a closed store raises StoreError; with closes the store."""
        with self.make_store(tmp_path) as store:
            store.append(sample_events(1))
        store.close()
        with pytest.raises(StoreError):
            store.head()
        with pytest.raises(StoreError):
            store.append(sample_events(1, 1))

    def test_reopen_preserves_everything(self, tmp_path: Path) -> None:
        """A reopened store has the same envelopes and checkpoints, and its chain goes on."""
        if not self.persistent:
            pytest.skip("the store does not keep its log across close()")
        with self.make_store(tmp_path) as store:
            store.append(sample_events(10))
            store.append(sample_events(5, 10))
            store.put_checkpoint("totals", 12, b"state")
            before = list(store.read())
        with self.make_store(tmp_path) as store:
            assert before == list(store.read())
            assert (12, b"state") == store.get_checkpoint("totals")
            assert 15 == store.append(sample_events(10))
            assert 18 == store.append(sample_events(3, 15), expected_position=15)
            assert 18 == store.verify()

    def test_a_store_opened_read_only_reads_and_refuses_writes(self, tmp_path: Path) -> None:
        """Read-only, a store reads, verifies and gives checkpoints; an append or a checkpoint
        is a StoreError that says it is read-only, and no file of the store changes."""
        if not self.persistent:
            pytest.skip("the store does not keep its log across close()")
        with self.make_store(tmp_path) as store:
            store.append(sample_events(4))
            store.put_checkpoint("totals", 4, b"state")
        before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
        with self.open_read_only(tmp_path) as store:
            assert (4, 4) == (store.head(), store.verify())
            assert sample_events(4) == [e.event for e in store.read()]
            assert (4, b"state") == store.get_checkpoint("totals")
            with pytest.raises(StoreError, match="read-only"):
                store.append(sample_events(1, 4))
            with pytest.raises(StoreError, match="read-only"):
                store.put_checkpoint("totals", 4, b"other")
            assert 4 == store.head()
        assert before == {path: path.read_bytes() for path in before}

    def test_two_store_objects_share_one_log(self, tmp_path: Path) -> None:
        """Two open stores on one log see each other's appends and conflict on stale heads."""
        if not self.persistent:
            pytest.skip("the store does not keep its log across close()")
        with self.make_store(tmp_path) as one, self.make_store(tmp_path) as two:
            one.append(sample_events(3))
            assert 3 == two.head()
            assert 3 == two.append(sample_events(3))
            assert 5 == two.append(sample_events(2, 3), expected_position=3)
            with pytest.raises(ConcurrencyError):
                one.append(sample_events(1, 5), expected_position=3)
            with pytest.raises(DuplicateEventError):
                one.append([_conflicting(sample_events(1, 4)[0])])
            assert sample_events(5) == [e.event for e in one.read()]
            assert 5 == one.verify()

    def test_behaves_like_a_list(self, tmp_path: Path) -> None:
        """Under any sequence of appends, reads, checkpoints and reopenings, the store behaves
        like a list of events with the store's rules applied by hand."""
        run_state_machine_as_test(
            _machine(self, tmp_path), settings=settings(stateful_step_count=15)
        )


def _machine(contract: StoreContract, tmp_path: Path) -> type[RuleBasedStateMachine]:
    examples = itertools.count()
    originals = sample_events(10)
    pool = [*originals, *(_conflicting(event) for event in originals[:3])]

    class StoreMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.directory = tmp_path / f"example-{next(examples)}"
            self.directory.mkdir()
            self.store = contract.make_store(self.directory)
            self.model: list[Event] = []
            self.checkpoints: dict[str, tuple[int, bytes]] = {}

        def expected_outcome(self, batch: Sequence[Event]) -> list[Event] | int:
            """The log after the batch, or the position of the conflicting event."""
            log = list(self.model)
            for event in batch:
                stored = next((i for i, e in enumerate(log) if e.id == event.id), None)
                if stored is None:
                    log.append(event)
                elif log[stored] != event:
                    return stored + 1
            return log

        @rule(
            picks=st.lists(st.integers(0, len(pool) - 1), max_size=4),
            expect=st.sampled_from(["none", "head", "stale"]),
        )
        def append(self, picks: list[int], expect: str) -> None:
            batch = [pool[i] for i in picks]
            head = len(self.model)
            expected = {"none": None, "head": head, "stale": head + 1}[expect]
            outcome = self.expected_outcome(batch)
            if expect == "stale":
                with pytest.raises(ConcurrencyError):
                    self.store.append(batch, expected_position=expected)
            elif isinstance(outcome, int):
                with pytest.raises(DuplicateEventError) as info:
                    self.store.append(batch, expected_position=expected)
                assert outcome == info.value.position
            else:
                assert len(outcome) == self.store.append(batch, expected_position=expected)
                self.model = outcome

        @rule(after=st.integers(0, 12), upto=st.none() | st.integers(0, 12))
        def read(self, after: int, upto: int | None) -> None:
            end = len(self.model) if upto is None else min(upto, len(self.model))
            envelopes = list(self.store.read(after, upto=upto))
            assert self.model[after:end] == [e.event for e in envelopes]
            assert list(range(after + 1, end + 1)) == [e.position for e in envelopes]

        @rule(name=st.sampled_from(["a", "b"]), state=st.binary(max_size=6), data=st.data())
        def put_checkpoint(self, name: str, state: bytes, data: st.DataObject) -> None:
            position = data.draw(st.integers(0, len(self.model)))
            self.store.put_checkpoint(name, position, state)
            self.checkpoints[name] = (position, state)

        @rule(name=st.sampled_from(["a", "b"]))
        def get_checkpoint(self, name: str) -> None:
            assert self.checkpoints.get(name) == self.store.get_checkpoint(name)

        @precondition(lambda self: contract.persistent)
        @rule()
        def reopen(self) -> None:
            self.store.close()
            self.store = contract.make_store(self.directory)

        @invariant()
        def head_is_the_length(self) -> None:
            assert len(self.model) == self.store.head()

        def teardown(self) -> None:
            try:
                assert len(self.model) == self.store.verify()
            finally:
                self.store.close()

    return StoreMachine
