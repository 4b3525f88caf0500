"""Old payloads in a store: golden logs written in schema 1 are read back upcast to schema 2.

``tests/golden/events-v1.jsonl`` holds schema-1 payloads written by hand (IDMC's quantifier
words "approximately", "more-than", "less-than", and a cumulative total's end named
``as_of``). ``tests/golden/store-v1.jsonl`` is a JSON Lines store holding them as schema-1
records; the SQLite test inserts the same records into a store's rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import attrs
import pytest

from _paths import GOLDEN
from repatevents.errors import DuplicateEventError, ValidationError
from repatevents.events import (
    CumulativeTotalReported,
    DateRole,
    Estimate,
    Event,
    FuzzyDate,
    OperationReported,
    Origin,
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
    event_from_dict,
)
from repatevents.store import JsonLinesStore, SQLiteStore
from repatevents.testing import sample_events

#: The recording time of each golden record; records 1-2 and 3-6 were two batches.
TIMES = ["2021-07-01T09:00:00.000000Z"] * 2 + ["2022-03-01T10:30:00.000000Z"] * 4
BATCH_ENDS = {2, 6}


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(f"0b8f4a8e-5d1c-4c7e-9a61-3f2e8b7d1c0{n}")


def _expected() -> list[Event]:
    """The golden events as schema 2 says them, written by hand, not through the codec."""
    akipress = Source(publisher="AKIpress", published=FuzzyDate.day(dt.date(2021, 7, 2)))
    return [
        OperationReported(
            id=_id(1),
            source=Source(
                publisher="Rudaw",
                via=("AFP",),
                speaker="Ministry of Foreign Affairs",
                speaker_kind=SpeakerKind.RECEIVING_GOVERNMENT,
                url="https://www.rudaw.net/english/example-1",
                published=FuzzyDate.day(dt.date(2019, 3, 15)),
            ),
            country="KAZ",
            people=People(
                total=Estimate(231, 231, 231, Qualifier.ABOUT, raw="about 231"),
                women=67,
                children=Estimate(156, 156, None, Qualifier.AT_LEAST, raw="more than 156"),
            ),
            date=FuzzyDate.day(dt.date(2019, 3, 14)),
            date_role=DateRole.ARRIVAL,
            origin="al-hol",
            operation_name="Jusan",
            ordinal=3,
        ),
        CumulativeTotalReported(
            id=_id(2),
            source=Source(
                publisher="AKIpress",
                speaker="Security Council",
                speaker_kind=SpeakerKind.RECEIVING_GOVERNMENT,
                published=FuzzyDate.day(dt.date(2021, 6, 30)),
            ),
            country="KGZ",
            people=People(total=Estimate(600, 600, None, Qualifier.AT_LEAST, raw="over 600")),
            until=FuzzyDate.month(2021, 6),
            origin=Origin.SYRIA_OR_IRAQ,
            counter="Kyrgyz government",
        ),
        StockObserved(
            source=Source(
                publisher="Hawar News",
                speaker="al-Hol camp administration",
                speaker_kind=SpeakerKind.CAMP_ADMINISTRATION,
            ),
            place="al-hol",
            date=FuzzyDate.month(2022, 2, raw="in February"),
            people=People(
                total=Estimate(56_000, 0, 56_000, Qualifier.AT_MOST, raw="fewer than 56,000"),
                families=Estimate(14_000, 14_000, 14_000, Qualifier.ABOUT, Unit.FAMILIES),
            ),
            scope=PopulationScope.ALL,
            notes="Schema 1: qualifiers were IDMC's words.",
        ),
        ReportCorrected(
            id=_id(4),
            source=akipress,
            supersedes=_id(2),
            replacement=CumulativeTotalReported(
                source=akipress,
                country="KGZ",
                people=People(total=Estimate(650, 650, 650, Qualifier.ABOUT, raw="some 650")),
                until=FuzzyDate.day(dt.date(2021, 6, 30)),
            ),
            reason="the council corrected its figure",
        ),
        ReportsLinked(
            id=_id(5),
            source=Source(publisher="repatevents analysts", speaker_kind=SpeakerKind.ANALYST),
            reports=(_id(1), _id(2)),
            reason="same operation",
        ),
        ReportRetracted(
            source=Source(publisher="Rudaw"), retracts=_id(1), reason="the article was withdrawn"
        ),
    ]


def _payloads() -> list[dict[str, Any]]:
    lines = (GOLDEN / "events-v1.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def _canonical(value: Any) -> bytes:
    """Sorted-key compact JSON, written with the standard library (independent of the store)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _records(payloads: list[dict[str, Any]]) -> list[tuple[int, str, str, bytes]]:
    """(position, recorded_at, hash, event JSON) of each record, by the documented chain."""
    previous, out = bytes(32), []
    for position, (payload, moment) in enumerate(zip(payloads, TIMES, strict=True), start=1):
        record = {"event": payload, "position": position, "recorded_at": moment}
        digest = hashlib.sha256(previous + _canonical({**record, "schema_version": 1})).digest()
        out.append((position, moment, digest.hex(), _canonical(payload)))
        previous = digest
    return out


def _store_file(payloads: list[dict[str, Any]]) -> bytes:
    lines = []
    for position, moment, record_hash, event_json in _records(payloads):
        commit = b'"commit":true,' if position in BATCH_ENDS else b""
        head = f'{{"position":{position},"recorded_at":"{moment}","schema_version":1,'
        lines.append(head.encode() + f'"hash":"{record_hash}",'.encode() + commit)
        lines[-1] += b'"event":' + event_json + b"}\n"
    return b"".join(lines)


def test_the_golden_payloads_are_schema_1() -> None:
    """The golden payloads are valid schema 1; the four that use schema-1 words are not valid
    schema 2 (so reading them tests the upcasting), the others mean the same in both."""
    payloads = _payloads()
    assert _expected() == [event_from_dict({**p, "version": 1}) for p in payloads]
    for payload in payloads[:4]:
        with pytest.raises(ValidationError):
            event_from_dict({**payload, "version": 2})
    assert _expected()[4:] == [event_from_dict(p) for p in payloads[4:]]


def test_the_golden_store_file_follows_the_documented_format() -> None:
    """The golden JSON Lines store is exactly what the documented format and hash chain give,
    computed here with the standard library alone."""
    assert _store_file(_payloads()) == (GOLDEN / "store-v1.jsonl").read_bytes()


def test_a_json_lines_store_in_schema_1_reads_upcast(tmp_path: Path) -> None:
    """The golden JSON Lines store reads back as schema-2 events, keeps its schema version and
    hashes in the envelopes, verifies, and takes new events after the old ones."""
    path = tmp_path / "ledger.jsonl"
    shutil.copyfile(GOLDEN / "store-v1.jsonl", path)
    with JsonLinesStore(path) as store:
        envelopes = list(store.read())
        assert _expected() == [envelope.event for envelope in envelopes]
        assert [1] * 6 == [envelope.schema_version for envelope in envelopes]
        assert [r[2] for r in _records(_payloads())] == [e.hash for e in envelopes]
        assert [dt.datetime.fromisoformat(t) for t in TIMES] == [e.recorded_at for e in envelopes]
        assert 6 == store.verify()
        assert 6 == store.append(_expected())
        assert 7 == store.append(sample_events(1))
        assert 7 == store.verify()
    assert path.read_bytes().startswith((GOLDEN / "store-v1.jsonl").read_bytes())


def test_a_sqlite_store_in_schema_1_reads_upcast(tmp_path: Path) -> None:
    """Schema-1 records inserted into a SQLite store's rows read back as schema-2 events; the
    same events appended again are recognised (no-op), other content under their ids is
    refused, and the chain goes on in schema 2."""
    path = tmp_path / "ledger.db"
    SQLiteStore(path).close()
    expected = _expected()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO events (position, event_id, recorded_at, schema_version, event, hash) "
            "VALUES (?, ?, ?, 1, ?, ?)",
            [
                (position, str(event.id), moment, event_json.decode(), record_hash)
                for (position, moment, record_hash, event_json), event in zip(
                    _records(_payloads()), expected, strict=True
                )
            ],
        )
    with SQLiteStore(path) as store:
        envelopes = list(store.read())
        assert expected == [envelope.event for envelope in envelopes]
        assert [1] * 6 == [envelope.schema_version for envelope in envelopes]
        assert 6 == store.verify()
        assert 6 == store.append(expected[::-1])
        with pytest.raises(DuplicateEventError) as info:
            store.append([attrs.evolve(expected[2], notes="changed")])
        assert 3 == info.value.position
        assert 8 == store.append(sample_events(2))
        assert [1] * 6 + [2] * 2 == [envelope.schema_version for envelope in store.read()]
        assert 8 == store.verify()
