"""What the database stores (SQLite, PostgreSQL) share: reading the log a page at a time.

Both keep the log in a table whose rows are read in pages by position, and both read it the
same way: plain, with the hash chain checked, or raw for a fold (see
:func:`~._records.replay_pages`). A store gives three things, the rest is here: its page query
(``_page``), the stored hash of one record (``_stored_hash``) and the last two records
(``_last_two``).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from typing import Any

from ..errors import IntegrityError
from ..events import Event
from ._base import Envelope, RawRecord
from ._hashing import GENESIS_HASH
from ._records import (
    MISSING,
    check_after_upto,
    check_link,
    hash_bytes,
    raw_event,
    replay_pages,
)

__all__ = ["PagedLog"]


class PagedLog(abc.ABC):
    """The reading half of a database store; the store supplies the queries."""

    #: Turns a page's event column into the bytes its hash covers (``None``: they are bytes).
    _event_bytes: Callable[[Any], bytes] | None = None

    @abc.abstractmethod
    def head(self) -> int:
        """Return the position of the last record (0 for an empty log)."""

    @property
    @abc.abstractmethod
    def _where(self) -> str:
        """How errors name the log: a file's path, or a server's address without its
        password."""

    @abc.abstractmethod
    def _page(self, position: int, last: int) -> list[Any]:
        """Return the rows (position, recorded_at, schema_version, hash, event) after
        ``position``, up to at most ``last``, in order: at least one when there are any."""

    @abc.abstractmethod
    def _stored_hash(self, position: int) -> str | None:
        """Return the hash stored with the record at ``position`` (``None``: no such row)."""

    @abc.abstractmethod
    def _last_two(self, db: Any) -> list[Any]:
        """Return the last two rows (position, hash, recorded_at, schema_version, the event's
        stored bytes), the last first, through ``db`` (the connection of the write under
        way)."""

    def read(self, after: int = 0, *, upto: int | None = None) -> Iterator[Envelope]:
        """Yield envelopes in order from position ``after + 1`` to ``upto`` (inclusive).

        Reads a page of records at a time, so memory stays flat however long the log. The end
        is fixed when ``read`` is called: records appended meanwhile are not included.

        Raises:
            ValueError: ``after`` or ``upto`` is not a position.
            CorruptLogError: a stored record cannot be decoded (while iterating).
            IntegrityError: a position is missing from the log (while iterating).
        """
        last = check_after_upto(after, upto, self.head())
        return self._iterate(after, last, None)

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
                iterating), or the record at ``after`` when it is missing.
        """
        last, previous = self._checked_start(after, upto, previous_hash)
        return self._iterate(after, last, previous)

    def read_raw_checked(
        self, after: int = 0, *, upto: int | None = None, previous_hash: str | None = None
    ) -> Iterator[RawRecord]:
        """Yield the records :meth:`read_checked` yields, undecoded (see
        :class:`~._base.RawReader`): what a fold reads without building events."""
        last, previous = self._checked_start(after, upto, previous_hash)
        return self._iterate(after, last, previous, raw=True)

    def raw_event(self, record: RawRecord) -> Event:
        """Return the event of a record read raw (see :class:`~._base.RawReader`)."""
        return raw_event(record, self._where)

    def _checked_start(
        self, after: int, upto: int | None, previous_hash: str | None
    ) -> tuple[int, bytes]:
        """Return the last position a checked read goes to, and the raw hash before it."""
        last = check_after_upto(after, upto, self.head())
        if previous_hash is None and after > 0 and after < last:
            previous_hash = self._stored_hash(after)
            if previous_hash is None:
                raise IntegrityError(after, MISSING)
        return last, hash_bytes(previous_hash or GENESIS_HASH, after)

    def _iterate(
        self, after: int, last: int, previous: bytes | None, *, raw: bool = False
    ) -> Iterator[Any]:
        return replay_pages(
            self._page, after, last, previous, self._where, event_bytes=self._event_bytes, raw=raw
        )

    def _check_last(self, db: Any) -> tuple[Any, ...] | None:
        """Return the last record, once its hash recomputes from the one before it."""
        rows = self._last_two(db)
        if not rows:
            return None
        last = rows[0]
        position = last[0]
        before = rows[1][0] if len(rows) > 1 else 0
        if before != position - 1:
            raise IntegrityError(before + 1, MISSING)
        previous = hash_bytes(rows[1][1], before) if len(rows) > 1 else bytes(32)
        check_link(previous, position, last[2], last[3], last[4], last[1])
        return tuple(last)
