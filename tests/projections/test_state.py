"""The fold: one knowledge state however the log is folded, and the rules of what is in force."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

import attrs
import orjson
import pytest
from hypothesis import given, strategies as st

from _projection_events import ANALYST, CAMP, GOVERNMENT, ledger_of, op
from repatevents import (
    Event,
    Ledger,
    People,
    ReportCorrected,
    ReportRetracted,
    ReportsLinked,
    strategies as rst,
)
from repatevents.errors import CorruptLogError
from repatevents.events import SCHEMA_VERSION, decode_event_json, decode_stored_form, encode_event
from repatevents.projections._compact import OpRec, When, derived, shared
from repatevents.projections._state import KnowledgeState, _group, apply, fold, fold_stored
from repatevents.store import (
    GENESIS_HASH,
    Envelope,
    RawRecord,
    SQLiteStore,
    canonical_record,
    chain_hash,
)
from repatevents.testing import sample_events


def envelopes(*events: Any) -> list[Envelope]:
    """The envelopes a ledger holding ``events`` stores, in log order."""
    with ledger_of(*events) as ledger:
        return list(ledger.store.read())


def operations(state: KnowledgeState) -> list[list[int]]:
    """The operations of a state, each as the positions of its reports in force."""
    return sorted(
        sorted(state.reports[rid].position for rid in ids) for ids in state.members.values()
    )


def test_folding_whole_in_parts_or_one_by_one_gives_equal_states() -> None:
    """A checkpoint can resume the fold: whole, split anywhere, or event by event, states equal."""
    first, second = op("KAZ", 100, "2023-02-10"), op("KGZ", 50, "2023-03-01")
    log = envelopes(
        first,
        second,
        op("KAZ", 100, "2023-02-10", source=CAMP),
        ReportRetracted(source=ANALYST, retracts=second.id),
        ReportCorrected(
            source=ANALYST, supersedes=first.id, replacement=attrs.evolve(first, people=120)
        ),
    )
    whole = fold(log)
    stepped = KnowledgeState()
    for envelope in log:
        apply(stepped, envelope)
    for cut in range(len(log) + 1):
        assert whole == fold(log[cut:], fold(log[:cut]))
    assert whole == stepped
    assert 5 == whole.position


def test_an_envelope_out_of_order_is_refused() -> None:
    """Folding skips no position: an envelope that is not the next one is a ValueError."""
    log = envelopes(op("KAZ", 100, "2023-02-10"), op("KGZ", 50, "2023-03-01"))
    with pytest.raises(ValueError, match="at position 2 into a state at position 0"):
        apply(KnowledgeState(), log[1])


def test_copies_of_one_story_and_linked_reports_are_one_operation() -> None:
    """Two outlets' copies of one claim group as one operation; a link joins two more, and
    withdrawing it splits them again."""
    first, other = op("KAZ", 100, "2023-02-10"), op("KAZ", 90, "2023-02-12")
    copy = op("KAZ", 100, "2023-02-10", source=attrs.evolve(CAMP, via=("Ministry Bulletin",)))
    grouped = fold(envelopes(first, copy, other))
    assert [[1, 2], [3]] == operations(grouped)
    link = ReportsLinked(source=ANALYST, reports=(first.id, other.id))
    assert [[1, 2, 3]] == operations(fold(envelopes(first, copy, other, link)))
    unlink = ReportsLinked(source=ANALYST, reports=(first.id, other.id), linked=False)
    assert [[1, 2], [3]] == operations(fold(envelopes(first, copy, other, link, unlink)))


def test_retractions_and_corrections_apply_whatever_order_they_were_recorded_in() -> None:
    """A retraction removes its report; a correction recorded before its report still applies."""
    report = op("KAZ", 100, "2023-02-10")
    fix = ReportCorrected(
        source=ANALYST, supersedes=report.id, replacement=attrs.evolve(report, people=120)
    )
    rid = report.id.int
    early, late = fold(envelopes(fix, report)), fold(envelopes(report, fix))
    assert early.reports[rid].people == late.reports[rid].people
    assert early.reports[rid].people != fold(envelopes(report)).reports[rid].people
    assert {"KAZ"} == set(early.countries)
    gone = fold(envelopes(report, ReportRetracted(source=ANALYST, retracts=report.id)))
    assert ({}, {}) == (gone.reports, gone.countries)


def test_a_reference_to_a_report_the_ledger_lacks_is_kept_as_dangling() -> None:
    """A retraction of an unknown report changes nothing and is kept for the quality checks."""
    ghost = op("KAZ", 100, "2023-02-10")
    retraction = ReportRetracted(source=ANALYST, retracts=ghost.id)
    state = fold(envelopes(op("KGZ", 50, "2023-03-01"), retraction))
    assert [(2, retraction.id.int, ghost.id.int, "report-retracted")] == state.dangling
    assert [[1]] == operations(state)


# -- folding the stored JSON (no events built) --------------------------------------------------
_RECORDED = dt.datetime(2024, 5, 1, tzinfo=dt.UTC)


def _raw(events: list[Event]) -> list[RawRecord]:
    """The records a store holding ``events`` reads raw: current schema, the stored JSON."""
    return [
        (i, _RECORDED + dt.timedelta(seconds=i // 3), SCHEMA_VERSION, f"h{i}", encode_event(e))
        for i, e in enumerate(events, 1)
    ]


def _envelopes_of(records: list[RawRecord]) -> list[Envelope]:
    """The same records as envelopes, their events decoded in full (the reference)."""
    return [
        Envelope(position, moment, version, hash_, decode_event_json(payload))
        for position, moment, version, hash_, payload in records
    ]


def _never(record: RawRecord) -> Event:
    raise AssertionError(f"record {record[0]} was not read from its stored JSON")


@given(log=rst.event_logs(max_size=40), data=st.data())
def test_folding_the_stored_json_equals_folding_the_events(
    log: list[Event], data: st.DataObject
) -> None:
    """The fold read straight from stored JSON gives the state the event fold gives, whatever
    the order of the log (corrections and retractions before their report included), whole or
    resumed anywhere, and builds no event on the way."""
    events = data.draw(st.one_of(st.just(log), st.permutations(log)), label="order")
    records = _raw(events)
    reference = fold(_envelopes_of(records))
    assert reference == fold_stored(records, _never)
    cut = data.draw(st.integers(0, len(records)), label="cut")
    assert reference == fold_stored(records[cut:], _never, fold_stored(records[:cut], _never))


@given(log=rst.event_logs(min_size=1, max_size=20), data=st.data())
def test_records_of_an_older_schema_are_folded_as_their_events(
    log: list[Event], data: st.DataObject
) -> None:
    """A record of another schema version is decoded by the store's full reader and folded as
    its event: the state is the same, and only those records are decoded in full."""
    records = _raw(log)
    older = data.draw(st.sets(st.integers(1, len(records))), label="older positions")
    asked: list[int] = []

    def read_event(record: RawRecord) -> Event:
        asked.append(record[0])
        return decode_event_json(record[4])

    mixed = [(p, m, v - 1 if p in older else v, h, b) for p, m, v, h, b in records]
    assert fold(_envelopes_of(records)) == fold_stored(mixed, read_event)
    assert sorted(older) == asked


_KYRGYZ = op("KGZ", 50, "2023-03-01")


@pytest.mark.parametrize(
    "change",
    [
        {"country": "Kyrgyz Republic"},  # a name, which the validating codec converts
        {"people": {"total": "about 50"}},  # report words, not what the store writes
        {"people": {"total": 50, "families": 12}},  # a bare number of families
        {"people": {}},  # no figure at all
        {"origin": "al hol"},  # a place's alias
        {"ordinal_scope": "campaign", "ordinal": 2},  # a campaign ordinal with no campaign name
        {"ordinal": 0},  # an ordinal the validator refuses
        {"surprise": 1},  # a key the event does not have
        {"date": "2023-02-30"},  # not a day
    ],
    ids=lambda change: next(iter(change)),
)
def test_a_payload_not_in_the_written_shape_is_never_read_as_a_form(change: dict[str, Any]) -> None:
    """Stored JSON the store would not have written (a converter's input, a value a validator
    or the event's own rules refuse, an unknown key) is not read as a form: the store's full
    reader gets it, which reads it or says why it cannot."""
    payload = {**orjson.loads(encode_event(_KYRGYZ)), **change}
    assert decode_stored_form(orjson.dumps(payload)) is None
    record: RawRecord = (1, _RECORDED, SCHEMA_VERSION, "h1", orjson.dumps(payload))
    asked: list[RawRecord] = []

    def read_event(record: RawRecord) -> Event:
        asked.append(record)
        return _KYRGYZ

    assert fold([Envelope(1, _RECORDED, SCHEMA_VERSION, "h1", _KYRGYZ)]) == fold_stored(
        [record], read_event
    )
    assert [record] == asked


@pytest.mark.parametrize("data", [b"", b"{", b"[]", b"null", b'{"type": "no-such-event"}'])
def test_bytes_that_are_no_event_are_never_read_as_a_form(data: bytes) -> None:
    """Bytes that are not JSON, or not an event, give no form (the full reader names them)."""
    assert decode_stored_form(data) is None


def test_a_ledger_folds_a_sqlite_log_from_its_stored_json(tmp_path: Path) -> None:
    """A ledger on SQLite folds the stored JSON without building one event, and its state is
    the one folded from the same events in memory."""
    events = sample_events(40)
    with Ledger.open(tmp_path / "ledger.db") as ledger, Ledger.in_memory() as memory:
        ledger.record_many(events)
        memory.record_many(events)
        with mock.patch.object(SQLiteStore, "raw_event", side_effect=AssertionError):
            assert memory.state().same_knowledge(ledger.state())
        assert memory.totals() == ledger.totals()


def test_a_record_the_full_reader_cannot_read_is_a_corrupt_log(tmp_path: Path) -> None:
    """A stored record that is no event, its hash matching, stops the fold with a
    CorruptLogError naming its position (nothing is folded past it)."""
    path = tmp_path / "ledger.db"
    with Ledger.open(path) as ledger:
        ledger.record_many(sample_events(3))
    _rewrite(path, 2, '{"type": "operation-reported", "country": "Atlantis"}')
    with Ledger.open(path) as ledger, pytest.raises(CorruptLogError) as info:
        ledger.state()
    assert 2 == info.value.position


def _rewrite(path: Path, position: int, event_json: str) -> None:
    """Replace a record's stored JSON and compute its hash and the ones after it again."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("DROP TRIGGER IF EXISTS events_are_never_changed")
    rows = connection.execute(
        "SELECT position, recorded_at, schema_version, hash, event FROM events ORDER BY position"
    ).fetchall()
    previous = GENESIS_HASH
    for stored, recorded_at, version, hash_, payload in rows:
        if stored >= position:
            payload = event_json if stored == position else payload
            hash_ = chain_hash(
                previous, canonical_record(stored, recorded_at, version, payload.encode())
            )
            connection.execute(
                "UPDATE events SET hash = ?, event = ? WHERE position = ?", (hash_, payload, stored)
            )
        previous = hash_
    connection.close()


@given(log=rst.event_logs(max_size=40), data=st.data())
def test_the_reports_kept_per_source_are_the_reports_in_force(
    log: list[Event], data: st.DataObject
) -> None:
    """The count of reports per source the fold keeps (what the summary answers the sources
    with) is a count of the reports in force, whatever the order of the log, corrections and
    retractions included."""
    events = data.draw(st.one_of(st.just(log), st.permutations(log)), label="order")
    state = fold_stored(_raw(events), _never)
    assert Counter(rec.source for rec in state.reports.values()) == state.source_reports


@given(rst.event_logs(max_size=30))
def test_an_operations_flow_is_kept_once_in_its_view(log: list[Event]) -> None:
    """The state keeps the reported outflows and inflows; an operation's flow out of its camp
    is read from its kept view (one copy, not two), and every flow indexed by place is found."""
    state = fold_stored(_raw(log), _never)
    assert all(flow.kind != "op" for flow in state.flows.values())
    indexed = {
        fid for days in state.flows_by_place.values() for ids in days.values() for fid in ids
    }
    assert indexed == set(state.flows) | set(state.views)


@given(rst.event_logs(max_size=30), st.data())
def test_each_report_in_force_is_found_in_its_operation(log: list[Event], data: Any) -> None:
    """Every operation report in force is found in the one operation that lists it (an
    operation's own id too, which the state does not store twice), and no other report is in
    an operation, whatever the order of the log."""
    events = data.draw(st.one_of(st.just(log), st.permutations(log)), label="order")
    state = fold_stored(_raw(events), _never)
    found = {rid: _group(state, rid) for rid in state.reports}
    expected: dict[int, int | None] = dict.fromkeys(state.reports)
    expected.update({m: gid for gid, members in state.members.items() for m in members})
    assert expected == found


def test_a_key_the_fold_derives_is_short_and_groups_copies_of_one_story() -> None:
    """A report without an operation key is keyed by a short digest of its outlet, country,
    date and figures (the state holds one for every such report, not its text), and a copy of
    the story from the same outlet has the same key."""
    people = People(total=96, women=4, children=92, boys=40, girls=52)
    story = op("KAZ", people, "2023-02-10")
    copy = op("KAZ", people, "2023-02-10", source=attrs.evolve(GOVERNMENT, url="https://b.kz"))
    other = op("KAZ", 95, "2023-02-10")
    state = fold(envelopes(story, copy, other))
    first, second, third = (state.reports[e.id.int] for e in (story, copy, other))
    keys = [r.key for r in (first, second, third) if isinstance(r, OpRec)]
    assert [True, True, True] == [k is not None and derived(k) for k in keys]
    assert [25, 25, 25] == [len(k or "") for k in keys]
    assert keys[0] == keys[1] != keys[2]


def test_shared_values_are_equal_and_of_the_class_asked_for() -> None:
    """Equal dates or figures are held once, and a plain tuple equal to a date is never handed
    back as the date (nor the other way round)."""
    day = When(738000, 738000, 738000, "day", None)
    assert shared(day) is shared(When(738000, 738000, 738000, "day", None))
    plain = (738000, 738000, 738000, "day", None)
    assert plain is shared(plain)
    assert When is type(shared(When(*plain)))
