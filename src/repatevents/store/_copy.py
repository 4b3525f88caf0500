"""Copy a ledger between stores, record for record: positions, recording times and hashes kept.

Every built-in backend stores the same canonical bytes under the same hash chain (see
:mod:`._hashing`), so a copy is the source's stored records written as they are: the copy
verifies with the same head hash, and nothing is re-encoded or re-timed. Checkpoints are not
copied: they are caches, rebuilt from the log by the first reader of the copy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Protocol, runtime_checkable

from ..errors import StoreError
from ._base import EventStore
from ._records import StoredRecord

__all__ = ["copy_store"]

_BATCH = 5000


@runtime_checkable
class _Copyable(Protocol):
    """What every built-in backend offers a copy: its records as stored, and a way to write
    records as they are (each checked to follow the log)."""

    def _stored(self, after: int = 0) -> Iterator[StoredRecord]: ...

    def _append_stored(self, records: Sequence[StoredRecord]) -> int: ...


def copy_store(
    source: EventStore,
    target: EventStore,
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Copy every record of ``source`` that ``target`` lacks; return the target's new head.

    The target must be empty or hold a beginning of the source (a copy that stopped midway is
    resumed): its last record must be the source's record at that position, hash for hash.
    Records are written as they are stored, in batches of a few thousand, each batch atomic
    and each record checked to follow the one before it, so the copy's hash chain is the
    source's and ``verify`` gives the same head hash on both.

    Args:
        source: the store to copy from.
        target: the store to copy into (any backend, another server or file).
        progress: called with the target's head after each batch.

    Returns:
        The target's head: the source's, when the copy is complete.

    Raises:
        StoreError: the target holds records that are not the source's beginning, or a store
            is not one of the built-in backends.
        IntegrityError: a source record does not follow the one before it (the source was
            changed); what was copied before it stays, and is the source's.
    """
    reader, writer = _copyable("source", source), _copyable("target", target)
    head = target.head()
    if head:
        _check_same_beginning(reader, writer, head)
    batch: list[StoredRecord] = []
    for record in reader._stored(head):
        batch.append(record)
        if len(batch) == _BATCH:
            head = writer._append_stored(batch)
            batch = []
            if progress is not None:
                progress(head)
    if batch:
        head = writer._append_stored(batch)
        if progress is not None:
            progress(head)
    return head


def _copyable(role: str, store: EventStore) -> _Copyable:
    if not isinstance(store, _Copyable):
        raise StoreError(
            f"the {role} {store!r} cannot be copied record for record; copy between the "
            "built-in backends (SQLite, JSON Lines, PostgreSQL, memory)"
        )
    return store


def _check_same_beginning(source: _Copyable, target: _Copyable, head: int) -> None:
    mine = next(target._stored(head - 1), None)
    theirs = next(source._stored(head - 1), None)
    if mine is None or theirs is None or mine.hash != theirs.hash:
        where = (
            f"the source has no record {head}"
            if theirs is None
            else f"its record {head} is not the source's"
        )
        raise StoreError(
            f"the target {target!r} already holds {head} records and {where}: it is another "
            "ledger; copy into an empty one"
        )
