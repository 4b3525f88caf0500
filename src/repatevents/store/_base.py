"""The store interface: an append-only log of events, each wrapped in an envelope.

Every backend (in memory, SQLite, JSON Lines, or a third party's) implements
:class:`EventStore` and passes the contract suite in :mod:`repatevents.testing`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Final, Protocol, runtime_checkable

import attrs

from ..events import Event

__all__ = [
    "PROGRESS_EVERY",
    "VERIFYING",
    "CheckedReader",
    "Envelope",
    "EventStore",
    "Progress",
    "RawReader",
    "RawRecord",
]

#: Told how far long work got: ``progress(stage, done, total)``, e.g.
#: ``progress("verifying", 20000, 1000000)``. A person waiting on a terminal sees it.
Progress = Callable[[str, int, int], None]

#: Long work tells its progress callback how far it got every this many records.
PROGRESS_EVERY: Final = 10_000

#: The stage a store's :meth:`EventStore.verify` reports.
VERIFYING: Final = "verifying"

#: A record as it is stored, its hash checked, its event not decoded: position, recording time,
#: schema version, hash and the event's stored JSON (what a fold reads without building events).
RawRecord = tuple[int, dt.datetime, int, str, bytes | str]


@attrs.frozen
class Envelope:
    """A stored event with the store's metadata around it (the event itself never holds these).

    Attributes:
        position: 1-based place of the record in the log; positions have no gaps.
        recorded_at: when the store recorded it (UTC, timezone-aware).
        schema_version: the schema version the event was written in.
        hash: hex SHA-256 over the previous record's hash and this record's canonical bytes.
        event: the event, upcast to the current schema.
    """

    position: int
    recorded_at: dt.datetime
    schema_version: int
    hash: str
    event: Event


@runtime_checkable
class EventStore(Protocol):
    """An append-only, verifiable log of events.

    Positions start at 1; ``head()`` is 0 for an empty log. Nothing is ever updated or deleted.
    """

    def append(self, events: Sequence[Event], *, expected_position: int | None = None) -> int:
        """Append a batch atomically (all or none) and return the new head position.

        An event whose id is already stored with the same content is skipped (a no-op).

        Args:
            events: the batch, in order.
            expected_position: when given, the head the writer last saw; if the log has moved
                on, nothing is written.

        Raises:
            ConcurrencyError: ``expected_position`` is not the current head.
            DuplicateEventError: an id is already stored with different content.
        """
        ...

    def read(self, after: int = 0, *, upto: int | None = None) -> Iterator[Envelope]:
        """Yield envelopes in order from position ``after + 1`` to ``upto`` (inclusive).

        Streams: the whole log is never loaded into memory at once.
        """
        ...

    def head(self) -> int:
        """Return the position of the last record (0 when empty)."""
        ...

    def verify(self, *, progress: Progress | None = None) -> int:
        """Walk the whole log checking every hash; return the number of records checked.

        Args:
            progress: told how far the walk got, as ``progress(VERIFYING, checked, total)``
                at the start, every :data:`PROGRESS_EVERY` records and at the end.

        Raises:
            IntegrityError: naming the first position whose record does not match its hash.
        """
        ...

    def get_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        """Return a saved projection checkpoint (position, state) or ``None``.

        Checkpoints are caches kept beside the log, never part of it.
        """
        ...

    def put_checkpoint(self, name: str, position: int, state: bytes) -> None:
        """Save a projection checkpoint, replacing an older one of the same name."""
        ...

    def close(self) -> None:
        """Release files and connections. Idempotent."""
        ...

    def __enter__(self) -> EventStore: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


@runtime_checkable
class CheckedReader(Protocol):
    """A store that can check the hash chain as it reads (every built-in backend can).

    Optional for third-party stores: :func:`repatevents.store._records.read_checked` falls back
    to re-encoding each event read with :meth:`EventStore.read`.
    """

    def read_checked(
        self, after: int = 0, *, upto: int | None = None, previous_hash: str | None = None
    ) -> Iterator[Envelope]:
        """Yield what :meth:`EventStore.read` yields, checking each record's hash on the way.

        Each record's hash must be the SHA-256 of the hash before it and the record's stored
        bytes, so a record changed after it was written is found by the reader that folds it,
        at the cost of one hash per record (the bytes are read anyway).

        Args:
            after: the position to read after.
            upto: the last position to read (``None``: the head).
            previous_hash: the hash the record at ``after`` is known to have (a checkpoint's);
                ``None`` takes the one stored with it (the genesis hash when ``after`` is 0),
                so that the first record read is checked too.

        Raises:
            IntegrityError: naming the first record whose hash does not match (while
                iterating).
        """
        ...


@runtime_checkable
class RawReader(Protocol):
    """A store that can yield its records undecoded, checking the hash chain as it reads.

    The fold reads the stored JSON straight into its records (the SQLite and PostgreSQL
    backends can); other stores are folded from their envelopes.
    """

    def read_raw_checked(
        self, after: int = 0, *, upto: int | None = None, previous_hash: str | None = None
    ) -> Iterator[RawRecord]:
        """Yield the records :meth:`CheckedReader.read_checked` would yield, undecoded.

        Raises:
            IntegrityError: as :meth:`CheckedReader.read_checked` raises it.
        """
        ...

    def raw_event(self, record: RawRecord) -> Event:
        """Return the event of a record read raw, upcast to the current schema.

        Raises:
            CorruptLogError: the stored record cannot be decoded.
        """
        ...
