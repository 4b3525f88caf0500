"""The in-memory store: the reference backend, for tests, notebooks and throwaway ledgers."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from types import TracebackType

from ..errors import IntegrityError, StoreError
from ..events import Event, encode_event
from ._base import Envelope, Progress
from ._hashing import GENESIS_HASH, parse_recorded_at
from ._records import (
    ChainChecker,
    IdIndex,
    Known,
    StoredRecord,
    check_after_upto,
    check_checkpoint,
    check_checkpoint_name,
    check_expected,
    check_following,
    check_link,
    decode_stored,
    hash_bytes,
    make_envelope,
    plan_batch,
)

__all__ = ["MemoryStore"]


class MemoryStore:
    """An event store held in memory: nothing survives the process.

    It keeps the same envelopes, hashes and rules as the persistent backends (the same batch
    gives the same hashes in every backend), so code tested against it behaves alike on disk.
    Safe to share between threads.
    """

    def __init__(self) -> None:
        self._records: list[StoredRecord] = []
        self._envelopes: list[Envelope] = []
        self._index = IdIndex()
        self._checkpoints: dict[str, tuple[int, bytes]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def __repr__(self) -> str:
        return f"MemoryStore(head={len(self._records)})"

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError("the memory store is closed")

    def _fetch(self, position: int) -> Known:
        record = self._records[position - 1]
        return Known(position, record.schema_version, record.event_json)

    def append(self, events: Sequence[Event], *, expected_position: int | None = None) -> int:
        """Append a batch atomically (all or none) and return the new head position.

        An event already stored with the same content is skipped.

        Args:
            events: the batch, in order.
            expected_position: the head the writer last saw; when given and the log has moved
                on, nothing is written.

        Returns:
            The head after the append.

        Raises:
            ConcurrencyError: ``expected_position`` is not the current head.
            DuplicateEventError: an id is already stored with different content.
            TypeError: the batch holds something that is not an event.
        """
        with self._lock:
            self._check_open()
            head = len(self._records)
            check_expected(expected_position, head)
            last = self._records[-1] if self._records else None
            planned = plan_batch(
                events,
                head=head,
                last_hash=last.hash if last else GENESIS_HASH,
                last_recorded_at=last.recorded_at if last else None,
                now=dt.datetime.now(dt.UTC),
                index=self._index,
                fetch=self._fetch,
            )
            if not planned:
                return head
            moment = parse_recorded_at(planned[0][0].recorded_at)
            for record, event in planned:
                self._records.append(record)
                self._envelopes.append(
                    make_envelope(
                        record.position, moment, record.schema_version, record.hash, event
                    )
                )
                self._index.add_key(event.id.int, record.position)
            return len(self._records)

    def read(self, after: int = 0, *, upto: int | None = None) -> Iterator[Envelope]:
        """Yield envelopes in order from position ``after + 1`` to ``upto`` (inclusive).

        The end is fixed when ``read`` is called: records appended while the iterator is
        consumed are not included.

        Raises:
            ValueError: ``after`` or ``upto`` is not a position.
        """
        self._check_open()
        last = check_after_upto(after, upto, len(self._records))
        return self._iterate(after, last)

    def read_checked(
        self, after: int = 0, *, upto: int | None = None, previous_hash: str | None = None
    ) -> Iterator[Envelope]:
        """Yield what :meth:`read` yields, recomputing each record's hash on the way.

        Args:
            after: the position to read after.
            upto: the last position to read (``None``: the head).
            previous_hash: the hash the record at ``after`` is known to have; ``None`` takes
                the stored one.

        Raises:
            IntegrityError: naming the first record whose hash does not match (while
                iterating).
        """
        self._check_open()
        last = check_after_upto(after, upto, len(self._records))
        if previous_hash is None:
            previous_hash = self._records[after - 1].hash if 0 < after <= last else GENESIS_HASH
        return self._checked(after, last, hash_bytes(previous_hash, after))

    def _checked(self, after: int, last: int, previous: bytes) -> Iterator[Envelope]:
        for index in range(after, last):
            record = self._records[index]
            previous = check_link(
                previous,
                record.position,
                record.recorded_at,
                record.schema_version,
                record.event_json,
                record.hash,
            )
            yield self._envelopes[index]

    def _iterate(self, after: int, last: int) -> Iterator[Envelope]:
        # The list only grows, so indexing it while others append is safe.
        for index in range(after, last):
            yield self._envelopes[index]

    def head(self) -> int:
        """Return the position of the last record (0 when empty)."""
        self._check_open()
        return len(self._records)

    def verify(self, *, progress: Progress | None = None) -> int:
        """Check every record's hash and that each held event still has its stored content.

        Returns:
            The number of records checked.

        Raises:
            IntegrityError: naming the first position that does not match.
        """
        self._check_open()
        checker = ChainChecker(progress, len(self._records))
        for record, envelope in zip(list(self._records), list(self._envelopes), strict=True):
            checker.check(record, str(envelope.event.id))
            if encode_event(envelope.event) != record.event_json:
                raise IntegrityError(record.position, "the held event differs from its record")
        return checker.finish()

    def _stored(self, after: int = 0) -> Iterator[StoredRecord]:
        """Yield the stored records after ``after`` (what :func:`~._copy.copy_store` copies)."""
        self._check_open()
        yield from self._records[after:]

    def _append_stored(self, records: Sequence[StoredRecord]) -> int:
        """Hold records copied from another ledger as they are; return the new head.

        Raises:
            IntegrityError: a record does not follow the log (see ``check_following``).
        """
        with self._lock:
            self._check_open()
            last = self._records[-1] if self._records else None
            check_following(records, len(self._records), last.hash if last else GENESIS_HASH)
            for record in records:
                event = decode_stored(record.event_json, record.schema_version)
                self._records.append(record)
                self._envelopes.append(
                    make_envelope(
                        record.position,
                        parse_recorded_at(record.recorded_at),
                        record.schema_version,
                        record.hash,
                        event,
                    )
                )
                self._index.add_key(event.id.int, record.position)
            return len(self._records)

    def get_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        """Return the checkpoint saved under ``name`` as (position, state), or ``None``."""
        self._check_open()
        check_checkpoint_name(name)
        return self._checkpoints.get(name)

    def put_checkpoint(self, name: str, position: int, state: bytes) -> None:
        """Save a checkpoint, replacing an older one of the same name.

        Raises:
            ValueError: the name is empty, the position is not in the log, or the state is not
                bytes.
        """
        with self._lock:
            self._check_open()
            check_checkpoint(name, position, state, len(self._records))
            self._checkpoints[name] = (position, bytes(state))

    def close(self) -> None:
        """Forget nothing (the records stay until the object is dropped) but refuse further use."""
        self._closed = True

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
