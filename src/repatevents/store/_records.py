"""What every backend does the same way: plan a batch, decode a stored record, check a chain.

A backend stores :class:`StoredRecord` values and knows how to find stored ids; the rules of
appending (encoding, idempotence, duplicate ids, the recording time, the hash chain) live here
once, so that every backend applies them alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import repeat
from typing import Any, Final, NamedTuple

import attrs
import orjson

from ..errors import (
    ConcurrencyError,
    CorruptLogError,
    DuplicateEventError,
    IntegrityError,
    ValidationError,
)
from ..events import (
    EVENT_TYPES,
    SCHEMA_VERSION,
    Event,
    decode_event_json,
    encode_event,
    event_from_dict,
)
from ._base import (
    PROGRESS_EVERY,
    VERIFYING,
    CheckedReader,
    Envelope,
    EventStore,
    Progress,
    RawRecord,
)
from ._hashing import (
    GENESIS_HASH,
    canonical_record,
    chain_hash,
    format_recorded_at,
    parse_recorded_at,
)

__all__ = [
    "CHANGED",
    "MISSING",
    "ChainChecker",
    "IdIndex",
    "Known",
    "Planned",
    "RecordedAtCache",
    "Row",
    "StoredRecord",
    "check_after_upto",
    "check_checkpoint",
    "check_checkpoint_name",
    "check_expected",
    "check_following",
    "check_link",
    "decode_stored",
    "event_id_of",
    "hash_bytes",
    "last_hash",
    "make_envelope",
    "plan_batch",
    "plan_rows",
    "raw_event",
    "read_checked",
    "replay_pages",
]

#: Why a record whose hash does not recompute fails.
CHANGED: Final = (
    "its hash does not match its content and the hash before it; the record was changed after "
    "it was written"
)

_EVENT_CLASSES = tuple(EVENT_TYPES.values())
_EVENT_CLASS_SET = frozenset(_EVENT_CLASSES)
_sha256 = hashlib.sha256


class StoredRecord(NamedTuple):
    """One record as a backend stores it: the envelope's fields with the event as JSON bytes.

    A named tuple, not an attrs class: a million of them are made in a large import.
    """

    position: int
    recorded_at: str
    schema_version: int
    hash: str
    event_id: str
    event_json: bytes


@attrs.frozen
class Known:
    """What a backend holds under an event id: where, in which schema, and the stored JSON."""

    position: int
    schema_version: int
    event_json: bytes


def decode_stored(event_json: bytes | str, schema_version: int) -> Event:
    """Return the event of a stored record, upcast to the current schema.

    Raises:
        orjson.JSONDecodeError: the stored JSON cannot be parsed (a ``ValueError``).
        ValidationError: the payload is not a valid event of its schema version.
    """
    if schema_version == SCHEMA_VERSION:
        return decode_event_json(event_json)
    payload = orjson.loads(event_json)
    if not isinstance(payload, dict):
        return event_from_dict(payload)
    # Older payloads go through the upcasters and the validating codec.
    return event_from_dict({**payload, "version": schema_version})


_new = object.__new__
_set = object.__setattr__


def make_envelope(
    position: int, recorded_at: dt.datetime, schema_version: int, hash: str, event: Event
) -> Envelope:
    """Return an envelope of values the store itself wrote, without re-checking them."""
    envelope: Envelope = _new(Envelope)
    _set(envelope, "position", position)
    _set(envelope, "recorded_at", recorded_at)
    _set(envelope, "schema_version", schema_version)
    _set(envelope, "hash", hash)
    _set(envelope, "event", event)
    return envelope


class RecordedAtCache:
    """Parse recording times, reusing the last one (every record of a batch shares it)."""

    __slots__ = ("_moment", "_text")

    def __init__(self) -> None:
        self._text = ""
        self._moment = dt.datetime.min

    def __call__(self, text: str) -> dt.datetime:
        """Return the datetime of a canonical recording time."""
        if text != self._text:
            self._moment = parse_recorded_at(text)
            self._text = text
        return self._moment


#: A page of stored rows: position, recording time, schema version, hash, event JSON.
StoredRow = tuple[int, str, int, str, Any]
#: Why a position the log should hold fails.
MISSING = "the record is missing from the log"


def replay_pages(
    fetch: Callable[[int, int], Sequence[StoredRow]],
    after: int,
    last: int,
    previous: bytes | None,
    where: str,
    *,
    event_bytes: Callable[[Any], bytes] | None = None,
    raw: bool = False,
) -> Iterator[Any]:
    """Yield the envelopes of positions ``after + 1`` to ``last``, a page at a time.

    The hot loop of every replay from a database (SQLite, PostgreSQL): helpers are bound to
    locals and the envelope is built in place (make_envelope's body), which is a fifth of the
    time per record.

    Args:
        fetch: returns the stored rows from position ``after + 1`` (its first argument) up
            to at most its second, in order; the store's own errors are its to translate.
        after, last: the positions before the first and of the last record to yield.
        previous: the raw hash before ``after + 1``; given, each record's hash is recomputed.
        where: the log as errors name it (a path, a server's address without its password).
        event_bytes: turns a row's event into the bytes its hash covers (``None``: they are).
        raw: yield each record as a :data:`RawRecord` (its event's bytes not decoded) instead
            of an envelope.

    Raises:
        IntegrityError: a position is missing, or (with ``previous``) a hash does not match.
        CorruptLogError: a stored record cannot be decoded.
    """
    times = RecordedAtCache()
    decode, new = decode_event_json, object.__new__
    # Through the slots' own descriptors: a quarter faster than object.__setattr__.
    set_position, set_recorded_at, set_schema_version, set_hash, set_event = (
        Envelope.__dict__[name].__set__
        for name in ("position", "recorded_at", "schema_version", "hash", "event")
    )
    link, sha256 = check_link, _sha256
    position, text, moment = after, "", dt.datetime.min
    # The canonical bytes around the event, for the time and schema version a batch shares:
    # check_link's body, without re-encoding those two for each record (about 0.1 us of the
    # 1.1 us a record's check takes).
    chained_time: Any = None
    chained_version: Any = None
    template = b""
    while position < last:
        rows = fetch(position, last)
        for stored_position, recorded_at, schema_version, record_hash, event in rows:
            position += 1
            if stored_position != position:
                raise IntegrityError(position, MISSING)
            if previous is not None:
                stored_bytes = event if event_bytes is None else event_bytes(event)
                if recorded_at != chained_time or schema_version != chained_version:
                    chained_time, chained_version = recorded_at, schema_version
                    template = (
                        _template(recorded_at, schema_version)
                        if type(schema_version) is int
                        else b""
                    )
                digest = b""
                if template and type(stored_bytes) is bytes:
                    digest = sha256(previous + template % (stored_bytes, position)).digest()
                if digest and digest.hex() == record_hash:
                    previous = digest
                else:
                    # A mismatch, or a value of the wrong type: check_link names what is wrong.
                    previous = link(
                        previous, position, recorded_at, schema_version, stored_bytes, record_hash
                    )
            if raw:
                if recorded_at != text:
                    moment, text = times(recorded_at), recorded_at
                yield (position, moment, schema_version, record_hash, event)
                continue
            try:
                if schema_version == SCHEMA_VERSION:
                    decoded = decode(event)
                else:
                    decoded = decode_stored(event, schema_version)
                if recorded_at != text:  # a batch shares one time: parse it once
                    moment, text = times(recorded_at), recorded_at
            except (ValueError, TypeError, AttributeError, ValidationError) as exc:
                raise CorruptLogError(
                    where, f"the stored record cannot be read: {exc}", position
                ) from None
            envelope = new(Envelope)
            set_position(envelope, position)
            set_recorded_at(envelope, moment)
            set_schema_version(envelope, schema_version)
            set_hash(envelope, record_hash)
            set_event(envelope, decoded)
            yield envelope
        if not rows:
            raise IntegrityError(position + 1, MISSING)


def _template(recorded_at: Any, schema_version: int) -> bytes:
    """Return the canonical bytes of a record with ``%b`` for the event and ``%d`` for the
    position (``b""`` when the time is not ASCII text: check_link then reports it)."""
    if not isinstance(recorded_at, str) or not recorded_at.isascii():
        return b""
    moment = recorded_at.encode("ascii")
    head = b'{"event":%b,"position":%d,"recorded_at":"'
    return head + moment.replace(b"%", b"%%") + b'","schema_version":%d}' % schema_version


def raw_event(record: RawRecord, where: str) -> Event:
    """Return the event of a raw record, upcast to the current schema (the full decoder).

    Raises:
        CorruptLogError: the stored record cannot be decoded.
    """
    position, _, schema_version, _, event_json = record
    try:
        return decode_stored(event_json, schema_version)
    except (ValueError, TypeError, AttributeError, ValidationError) as exc:
        raise CorruptLogError(where, f"the stored record cannot be read: {exc}", position) from None


def last_hash(store: EventStore) -> str | None:
    """Return the hash of a store's last record, or ``None`` for an empty store."""
    head = store.head()
    last = next(iter(store.read(head - 1, upto=head)), None) if head else None
    return None if last is None else last.hash


def check_after_upto(after: int, upto: int | None, head: int) -> int:
    """Check the arguments of ``read`` and return the last position to read.

    Raises:
        ValueError: ``after`` or ``upto`` is negative or not an int.
    """
    if type(after) is not int or after < 0:
        raise ValueError(f"after must be a position (an int of 0 or more), got {after!r}")
    if upto is None:
        return head
    if type(upto) is not int or upto < 0:
        raise ValueError(f"upto must be a position (an int of 0 or more) or None, got {upto!r}")
    return min(upto, head)


def _check_events(events: Sequence[Event]) -> None:
    if isinstance(events, (str, bytes)) or not isinstance(events, Sequence):
        raise TypeError(f"append takes a sequence of events, got {type(events).__name__}")
    exact = _EVENT_CLASS_SET
    for index, event in enumerate(events):
        # The exact class first: isinstance against ten classes is most of this loop's time.
        if event.__class__ not in exact and not isinstance(event, _EVENT_CLASSES):
            raise TypeError(
                f"item {index} of the batch is a {type(event).__name__}, not an event; "
                f"events are {', '.join(cls.__name__ for cls in _EVENT_CLASSES)}"
            )


def _same_event(known: Known, event: Event, event_json: bytes) -> bool:
    if known.schema_version == SCHEMA_VERSION and known.event_json == event_json:
        return True
    # The stored bytes can differ for the same event: written in an older schema, or by an
    # older version of the library. The events themselves decide.
    return decode_stored(known.event_json, known.schema_version) == event


class IdIndex:
    """Where each stored event id is: kept in memory by a writer, caught up before each batch.

    The backends keep no index of ids on disk: ids are random (content-derived), and a b-tree
    of random keys costs a batch of a thousand events a thousand scattered page writes. A writer
    builds this map once, from a sequential scan, and then adds what it and others append.
    Keys are the ids' 128-bit integers (about 110 bytes an event in all).
    """

    __slots__ = ("_positions", "upto")

    def __init__(self) -> None:
        self._positions: dict[int, int] = {}
        #: The last position whose id is in the map.
        self.upto = 0

    def __len__(self) -> int:
        return len(self._positions)

    def add(self, event_id: str, position: int) -> None:
        """Record that ``event_id`` (canonical text) is stored at ``position``.

        Raises:
            ValueError: the id is not the text of a UUID.
        """
        digits = event_id.replace("-", "")
        if len(event_id) != 36 or len(digits) != 32:
            # Not the canonical form the store writes: let uuid decide what it is.
            digits = uuid.UUID(event_id).hex
        self._positions[int(digits, 16)] = position
        if position > self.upto:
            self.upto = position

    def add_key(self, key: int, position: int) -> None:
        """Record that the id whose integer is ``key`` is stored at ``position``."""
        self._positions[key] = position
        if position > self.upto:
            self.upto = position

    def add_rows(self, planned: Planned) -> None:
        """Record where each row of a written batch (from :func:`plan_rows`) is stored."""
        if planned.rows:
            self._positions.update(zip(planned.keys, [row[0] for row in planned.rows], strict=True))
            self.upto = max(self.upto, planned.rows[-1][0])

    def finder(self) -> Callable[[int], int | None]:
        """Return a function from an id's integer to its position (``None``: not stored)."""
        return self._positions.get

    def get(self, event_id: uuid.UUID) -> int | None:
        """Return the position of ``event_id``, or ``None`` when it is not stored."""
        return self._positions.get(event_id.int)


#: A record as a backend writes it: :class:`StoredRecord`'s fields, as a plain tuple (which
#: ``sqlite3`` binds by index; a named tuple it binds through the slower sequence protocol).
Row = tuple[int, str, int, str, str, bytes]


class Planned(NamedTuple):
    """A planned batch (from :func:`plan_rows`): the rows to write, in order, and for each its
    event and the integer of its id (what :class:`IdIndex` keys on)."""

    rows: list[Row]
    events: list[Event]
    keys: list[int]


_new_record = tuple.__new__


def plan_batch(
    events: Sequence[Event],
    *,
    head: int,
    last_hash: str,
    last_recorded_at: str | None,
    now: dt.datetime,
    index: IdIndex,
    fetch: Callable[[int], Known],
) -> list[tuple[StoredRecord, Event]]:
    """Return what :func:`plan_rows` plans, as (record, event) pairs.

    Raises:
        TypeError: the batch is not a sequence of events.
        DuplicateEventError: an id is stored, or given earlier in the batch, with other
            content.
    """
    planned = plan_rows(
        events,
        head=head,
        last_hash=last_hash,
        last_recorded_at=last_recorded_at,
        now=now,
        index=index,
        fetch=fetch,
    )
    new = _new_record
    return [
        (new(StoredRecord, row), event)
        for row, event in zip(planned.rows, planned.events, strict=True)
    ]


def plan_rows(
    events: Sequence[Event],
    *,
    head: int,
    last_hash: str,
    last_recorded_at: str | None,
    now: dt.datetime,
    index: IdIndex,
    fetch: Callable[[int], Known],
) -> Planned:
    """Turn a batch into the rows to write after ``head``, or raise and write nothing.

    Events already stored with the same content are left out (appending is idempotent); so is
    the second copy of an event given twice in one batch. ``index`` is not changed: the backend
    adds the planned rows once they are written (:meth:`IdIndex.add_rows`).

    Args:
        events: the batch.
        head: the position of the last stored record.
        last_hash: its hash (:data:`GENESIS_HASH` for an empty log).
        last_recorded_at: its recording time, so that recording times never go backwards even
            when clocks of several writers disagree.
        now: the current time (timezone-aware).
        index: where each stored id is, caught up to ``head``.
        fetch: returns the stored record at a position, to compare contents.

    Raises:
        TypeError: the batch is not a sequence of events.
        DuplicateEventError: an id is stored, or given earlier in the batch, with other
            content; ``position`` is where that other content is (or would have been) stored.
    """
    _check_events(events)
    if not events:
        return Planned([], [], [])
    recorded_at = format_recorded_at(now)
    if last_recorded_at is not None and recorded_at < last_recorded_at:
        recorded_at = last_recorded_at
    previous = bytes.fromhex(last_hash)
    # The canonical bytes of a record (canonical_record) after the hash before it, as one
    # format: the chain (chain_hash) is one allocation and one hash a record.
    chained = b'%b{"event":%b,"position":%d,"recorded_at":"' + recorded_at.encode("ascii")
    chained += b'","schema_version":%d}' % SCHEMA_VERSION
    # Every id's text from one orjson call (in C), each a fixed-width slice of the array:
    # '["<36 characters>","<36 characters>",…]'.
    id_texts = orjson.dumps([event.id for event in events]).decode("ascii")
    stored, encode, sha256 = index.finder(), encode_event, _sha256
    keys = [event.id.int for event in events]
    if len(set(keys)) == len(keys) and not any(map(stored, keys)):
        # Every id is new (nearly every batch): nothing needs comparing, so each step runs
        # over the whole batch in C, but for the chain, which is sequential.
        jsons = list(map(encode, events))
        digests: list[bytes] = []
        add_digest = digests.append
        for position, event_json in enumerate(jsons, head + 1):
            previous = sha256(chained % (previous, event_json, position)).digest()
            add_digest(previous)
        count = len(jsons)
        rows: list[Row] = list(
            zip(
                range(head + 1, head + 1 + count),
                repeat(recorded_at, count),
                repeat(SCHEMA_VERSION, count),
                map(bytes.hex, digests),
                [id_texts[start : start + 36] for start in range(2, 39 * count, 39)],
                jsons,
                strict=True,
            )
        )
        return Planned(rows, list(events), keys)
    # Some id is stored already, or given twice: event by event, comparing contents.
    planned_events: list[Event] = []
    rows, keys = [], []
    add_row, add_event, add_key = rows.append, planned_events.append, keys.append
    in_batch: dict[int, int] = {}  # id → index in rows
    position, version = head, SCHEMA_VERSION
    for number, event in enumerate(events):
        event_json = encode(event)
        event_id = event.id
        key = event_id.int
        stored_at = stored(key)
        if stored_at is not None or key in in_batch:
            if stored_at is None:
                earlier = rows[in_batch[key]]
                known = Known(earlier[0], SCHEMA_VERSION, earlier[5])
            else:
                known = fetch(stored_at)
            if _same_event(known, event, event_json):
                continue
            raise DuplicateEventError(event_id, known.position)
        position += 1
        digest = sha256(chained % (previous, event_json, position)).digest()
        in_batch[key] = len(rows)
        start = 2 + 39 * number
        add_row(
            (position, recorded_at, version, digest.hex(), id_texts[start : start + 36], event_json)
        )
        add_event(event)
        add_key(key)
        previous = digest
    return Planned(rows, planned_events, keys)


class ChainChecker:
    """Walk records in order and raise at the first one that breaks the chain.

    With ``progress``, tell it how far the walk got every :data:`PROGRESS_EVERY` records, as
    ``progress("verifying", checked, total)``: a store's ``verify`` of a large log takes a while.
    """

    __slots__ = ("_ids", "_position", "_previous", "_progress", "_total")

    def __init__(self, progress: Progress | None = None, total: int = 0) -> None:
        self._position = 0
        self._previous = GENESIS_HASH
        self._ids: dict[int, int] = {}
        self._progress = progress
        self._total = total
        if progress is not None:
            progress(VERIFYING, 0, total)

    def finish(self) -> int:
        """Say the walk reached its end (to ``progress``); return the records checked."""
        if self._progress is not None:
            self._progress(VERIFYING, self._position, max(self._total, self._position))
        return self._position

    @property
    def checked(self) -> int:
        """The number of records checked so far."""
        return self._position

    def check(self, record: StoredRecord, content_id: str | None = None) -> None:
        """Check the next record: its position, its hash, and its id.

        Args:
            record: the record as stored.
            content_id: the event id the record's JSON holds, when the backend has read it; it
                must equal ``record.event_id`` (the id kept beside the JSON) and must not have
                been stored before.

        Raises:
            IntegrityError: naming the position of the record that does not match.
        """
        expected = self._position + 1
        if record.position != expected:
            raise IntegrityError(
                expected,
                f"the record stored there says position {record.position}; records were "
                "removed, added or reordered",
            )
        kinds = (record.recorded_at, record.schema_version, record.hash, record.event_json)
        if [type(value) for value in kinds] != [str, int, str, bytes]:
            raise IntegrityError(
                expected,
                "the record's time, schema version, hash or event has the wrong type "
                f"({', '.join(type(value).__name__ for value in kinds)})",
            )
        try:
            canonical = canonical_record(
                record.position, record.recorded_at, record.schema_version, record.event_json
            )
            parse_recorded_at(record.recorded_at)
        except ValueError as exc:
            raise IntegrityError(expected, f"the recording time is not canonical ({exc})") from None
        if chain_hash(self._previous, canonical) != record.hash:
            raise IntegrityError(expected, CHANGED)
        if content_id is not None:
            if content_id != record.event_id:
                raise IntegrityError(
                    expected,
                    f"the event id kept beside the record ({record.event_id!r}) is not the id "
                    f"in its content ({content_id!r})",
                )
            try:
                key = uuid.UUID(content_id).int
            except ValueError:
                raise IntegrityError(expected, f"{content_id!r} is not an event id") from None
            earlier = self._ids.setdefault(key, expected)
            if earlier != expected:
                raise IntegrityError(
                    expected, f"event id {content_id!r} is already stored at position {earlier}"
                )
        self._position = expected
        self._previous = record.hash
        if self._progress is not None and expected % PROGRESS_EVERY == 0:
            self._progress(VERIFYING, expected, max(self._total, expected))


def hash_bytes(record_hash: Any, position: int) -> bytes:
    """Return the raw bytes of a stored hash.

    Raises:
        IntegrityError: the stored hash is not 64 hex digits.
    """
    if isinstance(record_hash, str) and len(record_hash) == 64:
        try:
            return bytes.fromhex(record_hash)
        except ValueError:
            pass
    raise IntegrityError(position, f"its stored hash {record_hash!r} is not 64 hex digits")


def check_link(
    previous: bytes,
    position: int,
    recorded_at: Any,
    schema_version: Any,
    event_json: Any,
    record_hash: Any,
) -> bytes:
    """Check one record against the raw hash before it and return its own hash's raw bytes.

    The values are the record's as stored (the event as its stored JSON bytes); a value of the
    wrong type fails like a changed one.

    Raises:
        IntegrityError: the record's hash does not recompute.
    """
    try:
        digest = _sha256(
            previous
            + b'{"event":%b,"position":%d,"recorded_at":"%b","schema_version":%d}'
            % (event_json, position, recorded_at.encode("ascii"), schema_version)
        ).digest()
    except (TypeError, AttributeError, ValueError):  # UnicodeEncodeError is a ValueError
        raise IntegrityError(
            position, "the record's time, schema version or event has the wrong type"
        ) from None
    if digest.hex() != record_hash:
        raise IntegrityError(position, CHANGED)
    return digest


def check_following(records: Sequence[StoredRecord], head: int, last_hash: str) -> None:
    """Check that copied records continue a log ending at ``head`` with ``last_hash``.

    Each must take the next position and carry a hash that recomputes from the one before it,
    so a copy never writes what is not the source's chain.

    Raises:
        IntegrityError: naming the first record that does not follow.
    """
    previous = hash_bytes(last_hash, head)
    for record in records:
        if record.position != head + 1:
            raise IntegrityError(
                record.position,
                f"a copied record must follow the log, which ends at position {head}",
            )
        previous = check_link(
            previous,
            record.position,
            record.recorded_at,
            record.schema_version,
            record.event_json,
            record.hash,
        )
        head = record.position


def read_checked(
    store: EventStore, after: int = 0, *, upto: int | None = None, previous_hash: str | None = None
) -> Iterator[Envelope]:
    """Read ``store`` as :meth:`CheckedReader.read_checked` does, whatever the backend.

    A store that checks as it reads does so; for any other the events read are encoded again
    to recompute each hash (records of an older schema, whose stored bytes that cannot give
    back, are taken on trust), and with ``previous_hash`` ``None`` the first record read is
    not checked.

    Raises:
        IntegrityError: naming the first record whose hash does not match (while iterating).
    """
    if isinstance(store, CheckedReader):
        return store.read_checked(after, upto=upto, previous_hash=previous_hash)
    if previous_hash is None and after == 0:
        previous_hash = GENESIS_HASH
    return _rechecked(store.read(after, upto=upto), previous_hash)


def _rechecked(envelopes: Iterable[Envelope], previous: str | None) -> Iterator[Envelope]:
    for envelope in envelopes:
        if previous is not None and envelope.schema_version == SCHEMA_VERSION:
            record = canonical_record(
                envelope.position,
                format_recorded_at(envelope.recorded_at),
                envelope.schema_version,
                encode_event(envelope.event),
            )
            if chain_hash(previous, record) != envelope.hash:
                raise IntegrityError(envelope.position, CHANGED)
        previous = envelope.hash
        yield envelope


def event_id_of(event_json: bytes, schema_version: int) -> str:
    """Return the id a stored record's JSON holds (decoding old payloads that derive it).

    Raises:
        ValueError: the JSON cannot be parsed or holds no valid event.
    """
    payload: Any = orjson.loads(event_json)
    if isinstance(payload, dict) and isinstance(payload.get("id"), str):
        return str(payload["id"])
    return str(decode_stored(event_json, schema_version).id)


def check_expected(expected: int | None, head: int) -> None:
    """Check a writer's expected position against the head.

    Raises:
        ConcurrencyError: the log does not end where the writer expected.
        ValueError: the expected position is not a position.
    """
    if expected is None:
        return
    if type(expected) is not int or expected < 0:
        raise ValueError(
            f"expected_position must be a position (an int of 0 or more), got {expected!r}"
        )
    if expected != head:
        raise ConcurrencyError(expected, head)


def check_checkpoint_name(name: str) -> None:
    """Check a checkpoint name.

    Raises:
        ValueError: the name is not non-empty text.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"a checkpoint name is non-empty text, got {name!r}")


def check_checkpoint(name: str, position: int, state: bytes, head: int) -> None:
    """Check the arguments of ``put_checkpoint``.

    Raises:
        ValueError: the name is empty, the position is not between 0 and the head, or the state
            is not bytes.
    """
    check_checkpoint_name(name)
    if type(position) is not int or not 0 <= position <= head:
        raise ValueError(
            f"a checkpoint position is a position in the log (0 to {head}), got {position!r}"
        )
    if not isinstance(state, (bytes, bytearray, memoryview)):
        raise ValueError(f"a checkpoint state is bytes, got {type(state).__name__}")
