"""The JSON Lines store: one envelope per line, readable and diffable in git.

Each line is one record, its keys in a fixed order and the event's keys sorted::

    {"position":1,"recorded_at":"2024-05-01T12:00:00.000000Z","schema_version":2,"hash":"…","event":{…}}

The last line of every batch also holds ``"commit":true`` (just before ``"event"``): a batch
is whole when its last line is there. The whole batch is written with one ``write`` and synced
(``fsync``) before ``append`` returns. Writers in several processes take turns with an
exclusive ``flock`` on the file; readers take a shared one only to find where committed data
ends.

A file whose end is not a committed line (a writer died mid-batch, a disk filled up) is
reported on open with :class:`~repatevents.errors.CorruptLogError`;
:meth:`JsonLinesStore.repair` removes exactly that torn tail and returns it. Checkpoints live
in a sidecar file, ``<log>.checkpoints``; being caches, an unreadable sidecar is reported with a
:class:`~repatevents.errors.RepateventsWarning` and ignored (the next checkpoint replaces it),
but a readable one saved past the end of the log is proof that records were lost
(:class:`~repatevents.errors.LostRecordsError`), and nothing is appended behind it.

The first append of a store object reads the whole file to index the ids, and checks the hash
chain of every line on the way (and of every line other writers add later), so nothing is
chained onto a changed record. A file that cannot be written (or whose folder cannot) is
opened read-only; ``append`` and ``put_checkpoint`` then raise
:class:`~repatevents.errors.StoreError`. How a line is written and parsed is in
:mod:`._jsonlines_lines`.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import errno
import fcntl
import os
import threading
import time
import warnings
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from ..errors import (
    CorruptLogError,
    IntegrityError,
    LostRecordsError,
    RepateventsWarning,
    StoreError,
    ValidationError,
)
from ..events import Event, loads_event
from ._base import Envelope, Progress, RawRecord
from ._hashing import GENESIS_HASH
from ._jsonlines_lines import (
    Line,
    Tail,
    format_line,
    line_event_id,
    lines_backwards,
    parse_line,
    read_line,
    sync_directory,
    write_atomically,
)
from ._records import (
    ChainChecker,
    IdIndex,
    Known,
    RecordedAtCache,
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
    raw_event,
)

__all__ = ["JsonLinesStore"]

# The keys a record has around its event; an event of the interchange format has none of them.
_ENVELOPE_KEYS = frozenset({"position", "recorded_at", "schema_version", "hash", "commit"})
# How much of a first line is read to tell an events file from a log (one event is far less).
_FIRST_LINE_LIMIT = 1 << 20


class JsonLinesStore:
    """An event store in one JSON Lines file (created when missing).

    Args:
        path: the log file.
        timeout: how long a writer waits for another process's lock, in seconds.
        durable: ``True`` (the default) syncs every batch to disk before ``append`` returns.
        read_only: ``True`` opens an existing log for reading only; ``None`` (the default)
            does so when the file or its folder (where the sidecar goes) cannot be written.

    Raises:
        CorruptLogError: the file ends with a torn batch or a damaged line (see
            :meth:`repair`), or is not a log (a file of events in the interchange format,
            which ``import`` reads, is named as such).
        StoreError: the file cannot be opened or locked.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        durable: bool = True,
        read_only: bool | None = None,
    ) -> None:
        self.path = os.fspath(path)
        self._timeout = timeout
        self._durable = durable
        self._lock = threading.RLock()
        self._fd: int | None = None
        self._sidecar_warned = False
        created = not os.path.exists(self.path)
        if read_only is None:
            folder = os.path.dirname(os.path.abspath(self.path))
            writable = os.access(self.path, os.W_OK) and os.access(folder, os.W_OK)
            read_only = not created and not writable
        #: Whether the log was opened for reading only.
        self.read_only = read_only
        flags = os.O_RDONLY if read_only else os.O_RDWR | os.O_CREAT | os.O_APPEND
        try:
            fd = os.open(self.path, flags | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if read_only and created:
                raise StoreError(f"{self.path}: there is no log to open read-only") from exc
            raise StoreError(f"{self.path}: cannot open the log ({exc.strerror})") from exc
        self._fd = fd
        if created and durable:
            sync_directory(Path(self.path).parent)
        self._forget()
        try:
            with self._flocked(fcntl.LOCK_SH):
                self._sync()
        except BaseException:
            self.close()
            raise

    def __repr__(self) -> str:
        return f"JsonLinesStore({self.path!r})"

    # -- state --------------------------------------------------------------------------------
    def _forget(self) -> None:
        """Drop everything known about the file; the next sync reads its tail again."""
        self._size = 0  # bytes of committed data known
        self._head = 0
        self._last_hash = GENESIS_HASH
        self._last_recorded_at: str | None = None
        self._index: IdIndex | None = None
        self._offsets = array("q")  # start of each line, by position - 1, when indexed

    @property
    def _file(self) -> int:
        if self._fd is None:
            raise StoreError(f"the store {self.path} is closed")
        return self._fd

    @contextlib.contextmanager
    def _flocked(self, kind: int) -> Iterator[None]:
        """Hold the file lock (shared or exclusive), waiting up to the timeout."""
        fd = self._file
        with self._lock:
            deadline = time.monotonic() + self._timeout
            pause = 0.001
            while True:
                try:
                    fcntl.flock(fd, kind | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                        raise StoreError(f"{self.path}: cannot lock the log ({exc})") from exc
                    if time.monotonic() > deadline:
                        raise StoreError(
                            f"{self.path}: another process held the log for more than "
                            f"{self._timeout} s"
                        ) from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.05)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    def _sync(self) -> None:
        """Catch up with what other writers appended (under a file lock).

        Raises:
            CorruptLogError: the file ends with a torn batch or a damaged line.
        """
        size = os.fstat(self._file).st_size
        if size == self._size:
            return
        if size < self._size:
            # Someone repaired or replaced the file: start again from its tail.
            self._forget()
        if self._index is None:
            tail = self._find_tail(size)
            if tail.torn:
                raise self._torn_error(tail)
            self._size = tail.end
            if tail.last is not None:
                self._head = tail.last.position
                self._last_hash = tail.last.hash
                self._last_recorded_at = tail.last.recorded_at
            return
        self._scan(self._size, size)

    def _scan(self, start: int, size: int) -> None:
        """Read the lines from ``start`` to ``size`` into the state and the id index."""
        offset = start
        pending: list[tuple[int, Line]] = []
        previous = hash_bytes(self._last_hash, self._head)
        with open(self.path, "rb") as stream:
            stream.seek(start)
            while offset < size:
                line = stream.readline(size - offset)
                position = self._head + len(pending) + 1
                if not line.endswith(b"\n"):
                    raise self._torn_error(Tail(self._size, None, size - self._size))
                try:
                    parsed = parse_line(line)
                except ValueError as exc:
                    raise CorruptLogError(self.path, str(exc), position) from None
                record = parsed.record
                if record.position != position:
                    raise CorruptLogError(
                        self.path, f"the line says position {record.position}", position
                    )
                # Whatever is appended chains onto these lines: each must still be intact.
                previous = check_link(
                    previous,
                    position,
                    record.recorded_at,
                    record.schema_version,
                    record.event_json,
                    record.hash,
                )
                pending.append((offset, parsed))
                offset += len(line)
                if parsed.commit:
                    self._take(pending)
                    self._size = offset
                    pending = []
        if pending:
            raise self._torn_error(Tail(self._size, None, size - self._size))

    def _take(self, lines: list[tuple[int, Line]]) -> None:
        assert self._index is not None
        for offset, parsed in lines:
            record = parsed.record
            try:
                self._index.add(line_event_id(parsed), record.position)
            except (ValueError, ValidationError) as exc:
                raise CorruptLogError(
                    self.path, f"the stored event cannot be read: {exc}", record.position
                ) from None
            self._offsets.append(offset)
            self._head = record.position
            self._last_hash = record.hash
            self._last_recorded_at = record.recorded_at

    def _ensure_index(self) -> IdIndex:
        """Build the id index from the whole file the first time a writer needs it.

        Raises:
            IntegrityError: a line does not match its hash.
            LostRecordsError: a checkpoint was saved past the last line.
        """
        if self._index is None:
            size = self._size
            self._forget()
            self._index = IdIndex()
            try:
                self._scan(0, size)
                self._check_checkpoints(self._head)
            except BaseException:
                self._forget()
                raise
        return self._index

    def _check_checkpoints(self, head: int) -> None:
        """Raise when a checkpoint was saved past ``head``: records were lost."""
        positions = [position for position, _ in self._read_checkpoints(decode=False).values()]
        if positions and max(positions) > head:
            raise LostRecordsError(head, max(positions), f"delete {self.checkpoints_path}")

    def _find_tail(self, size: int) -> Tail:
        """Find the last committed line by reading the file backwards from ``size``.

        Raises:
            CorruptLogError: a complete line near the end is damaged (that is not a torn
                write, and :meth:`repair` will not remove it).
        """
        with open(self.path, "rb") as stream:
            for offset, line in lines_backwards(stream, size):
                if not line.endswith(b"\n"):
                    continue  # the torn piece of a write that stopped mid-line
                try:
                    parsed = parse_line(line)
                except ValueError as exc:
                    if self._is_events_file():
                        raise CorruptLogError(
                            self.path,
                            "this is a file of events to import (repatevents import FILE), not "
                            "a ledger: its lines are events without the store's envelope "
                            "(position, recorded_at, hash); import it into a ledger with "
                            "`repatevents --ledger LEDGER.db import FILE` or "
                            "Ledger.import_jsonl(FILE)",
                        ) from None
                    raise CorruptLogError(
                        self.path,
                        f"the line at byte {offset} is damaged ({exc}); this is not a torn "
                        "write, so repair() leaves it: restore the file from a copy",
                    ) from None
                if parsed.commit:
                    end = offset + len(line)
                    return Tail(end, parsed.record, size - end)
        return Tail(0, None, size)

    def _is_events_file(self) -> bool:
        """Return whether the file's first line is an event of the interchange format (what
        ``import`` reads) rather than a record: an event payload without the envelope."""
        with open(self.path, "rb") as stream:
            first = stream.readline(_FIRST_LINE_LIMIT)
        try:
            data = orjson.loads(first)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(data, dict) or not data.keys().isdisjoint(_ENVELOPE_KEYS):
            return False
        try:
            loads_event(first)
        except ValidationError:
            return False
        return True

    def _torn_error(self, tail: Tail) -> CorruptLogError:
        position = (tail.last.position if tail.last else self._head) + 1
        return CorruptLogError(
            self.path,
            f"the log ends with {tail.torn} bytes of a batch that was never completed (a "
            "writer stopped mid-write); JsonLinesStore.repair(path) removes them",
            position,
        )

    # -- the store interface -------------------------------------------------------------------
    def _fetch(self, position: int) -> Known:
        with open(self.path, "rb") as stream:
            stream.seek(self._offsets[position - 1])
            record = parse_line(stream.readline()).record
        return Known(position, record.schema_version, record.event_json)

    def append(self, events: Sequence[Event], *, expected_position: int | None = None) -> int:
        """Append a batch with one write, synced to disk (all or none); return the new head.

        An event already stored with the same content is skipped. The first append of a store
        object reads the whole file once, to learn which ids are stored.

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
            CorruptLogError: another writer left a torn batch (see :meth:`repair`).
            IntegrityError: a stored line does not match its hash (nothing is chained onto
                it); ``LostRecordsError`` when a checkpoint was saved past the last line.
            StoreError: another process held the lock for longer than the timeout, or the
                store is read-only.
            OSError: the disk refused the write; the file is left as it was.
        """
        self._check_writable()
        with self._flocked(fcntl.LOCK_EX):
            self._sync()
            check_expected(expected_position, self._head)
            planned = plan_batch(
                events,
                head=self._head,
                last_hash=self._last_hash,
                last_recorded_at=self._last_recorded_at,
                now=dt.datetime.now(dt.UTC),
                index=self._ensure_index(),
                fetch=self._fetch,
            )
            if not planned:
                return self._head
            last = len(planned) - 1
            lines = [format_line(record, i == last) for i, (record, _) in enumerate(planned)]
            self._write(b"".join(lines))
            offset = self._size
            for line, (record, event) in zip(lines, planned, strict=True):
                self._offsets.append(offset)
                offset += len(line)
                assert self._index is not None
                self._index.add_key(event.id.int, record.position)
            self._size = offset
            final = planned[-1][0]
            self._head, self._last_hash = final.position, final.hash
            self._last_recorded_at = final.recorded_at
            return self._head

    def _stored(self, after: int = 0) -> Iterator[StoredRecord]:
        """Yield the stored records after ``after`` as they are stored (what
        :func:`~._copy.copy_store` copies: the event's bytes as the hash covers them).

        Raises:
            IntegrityError: a line is not in the form the store writes (while iterating).
        """
        with self._flocked(fcntl.LOCK_SH):
            self._sync()
            size = self._size
        offset, position = 0, 0
        with open(self.path, "rb") as stream:
            for line in stream:
                if offset >= size:
                    return
                offset += len(line)
                position += 1
                if position <= after:
                    continue
                try:
                    parsed = parse_line(line)
                    event_id = line_event_id(parsed)
                except (ValueError, ValidationError) as exc:
                    raise IntegrityError(position, str(exc)) from None
                yield parsed.record._replace(event_id=event_id)

    def _append_stored(self, records: Sequence[StoredRecord]) -> int:
        """Write records copied from another ledger as they are, as one batch; return the
        new head.

        Raises:
            IntegrityError: a record does not follow the log (see ``check_following``).
        """
        self._check_writable()
        with self._flocked(fcntl.LOCK_EX):
            self._sync()
            check_following(records, self._head, self._last_hash)
            if not records:
                return self._head
            index = self._ensure_index()
            last = len(records) - 1
            lines = [format_line(record, i == last) for i, record in enumerate(records)]
            self._write(b"".join(lines))
            offset = self._size
            for line, record in zip(lines, records, strict=True):
                self._offsets.append(offset)
                offset += len(line)
                index.add(record.event_id, record.position)
            self._size = offset
            final = records[-1]
            self._head, self._last_hash = final.position, final.hash
            self._last_recorded_at = final.recorded_at
            return self._head

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(
                f"{self.path} is open read-only (the file or its folder cannot be written, or "
                "read_only=True was asked for): it records nothing and saves no checkpoint"
            )

    def _write(self, data: bytes) -> None:
        fd = self._file
        view = memoryview(data)
        try:
            while view:
                written = os.write(fd, view)
                view = view[written:]
            if self._durable:
                os.fsync(fd)
        except BaseException:
            # Leave no half batch behind: the file goes back to its last committed byte.
            with contextlib.suppress(OSError):
                os.ftruncate(fd, self._size)
            raise

    def read(self, after: int = 0, *, upto: int | None = None) -> Iterator[Envelope]:
        """Yield envelopes in order from position ``after + 1`` to ``upto`` (inclusive).

        Streams the file line by line. The end is fixed when ``read`` is called: records
        appended meanwhile are not included.

        Raises:
            ValueError: ``after`` or ``upto`` is not a position.
            CorruptLogError: a line cannot be read (while iterating).
        """
        return self._reader(after, upto, None, check=False)

    def read_checked(
        self, after: int = 0, *, upto: int | None = None, previous_hash: str | None = None
    ) -> Iterator[Envelope]:
        """Yield what :meth:`read` yields, recomputing each line's hash on the way.

        Args:
            after: the position to read after.
            upto: the last position to read (``None``: the head).
            previous_hash: the hash the record at ``after`` is known to have; ``None`` takes
                the stored one.

        Raises:
            IntegrityError: naming the first line whose hash does not match (while
                iterating).
            CorruptLogError: a line cannot be read (while iterating).
        """
        return self._reader(after, upto, previous_hash, check=True)

    def read_raw_checked(
        self, after: int = 0, *, upto: int | None = None, previous_hash: str | None = None
    ) -> Iterator[RawRecord]:
        """Yield the records :meth:`read_checked` yields, undecoded (see
        :class:`~._base.RawReader`): what a fold reads without building events."""
        return self._reader(after, upto, previous_hash, check=True, raw=True)

    def raw_event(self, record: RawRecord) -> Event:
        """Return the event of a record read raw (see :class:`~._base.RawReader`)."""
        return raw_event(record, self.path)

    def _reader(
        self,
        after: int,
        upto: int | None,
        previous_hash: str | None,
        *,
        check: bool,
        raw: bool = False,
    ) -> Iterator[Any]:
        previous: bytes | None = None
        if check and (previous_hash is not None or after == 0):
            previous = hash_bytes(previous_hash or GENESIS_HASH, after)
        # Without a hash to start from, the line at ``after`` is read too, for its own.
        skip = after - 1 if check and previous is None else after
        with self._flocked(fcntl.LOCK_SH):
            self._sync()
            last = check_after_upto(after, upto, self._head)
            size = self._size
            start = self._offsets[skip] if skip < len(self._offsets) else None
        return self._iterate(
            after, last, size, (skip, start) if start is not None else None, (check, previous), raw
        )

    def _iterate(
        self,
        after: int,
        last: int,
        size: int,
        start: tuple[int, int] | None,
        checking: tuple[bool, bytes | None],
        raw: bool = False,
    ) -> Iterator[Any]:
        """Yield the envelopes after ``after`` up to ``last`` (with ``raw``, the records
        undecoded).

        ``start`` is (position, offset) of a line to start reading after, when the offsets are
        known; ``checking`` says whether to check hashes, from which raw hash (``None``: the
        one stored at ``after``).
        """
        if after >= last:
            return
        check, previous = checking
        times = RecordedAtCache()
        read = read_line
        position = 0
        with open(self.path, "rb") as stream:
            if start is not None:
                position, offset = start
                stream.seek(offset)
            offset = stream.tell()
            for line in stream:
                offset += len(line)
                position += 1
                if position <= after:
                    if check and position == after and previous is None:
                        previous = self._stored_hash(line, position)
                    continue
                if offset > size:
                    raise CorruptLogError(self.path, "the file changed while it was read", position)
                try:
                    data = read(line)
                    schema_version = data.schema_version
                    if data.position != position:
                        raise ValueError(f"the line says position {data.position}")
                    if check:
                        previous = check_link(
                            previous or b"",
                            position,
                            data.recorded_at,
                            schema_version,
                            _event_bytes(line),
                            data.hash,
                        )
                    moment = times(data.recorded_at)
                    if raw:
                        item: Any = (position, moment, schema_version, data.hash, bytes(data.event))
                    else:
                        event = decode_stored(bytes(data.event), schema_version)
                        item = make_envelope(position, moment, schema_version, data.hash, event)
                except (ValueError, TypeError, KeyError, ValidationError) as exc:
                    raise CorruptLogError(
                        self.path, f"the line cannot be read: {exc}", position
                    ) from None
                yield item
                if position >= last:
                    return
        raise CorruptLogError(self.path, "the file is shorter than its last record", position + 1)

    def _stored_hash(self, line: bytes, position: int) -> bytes:
        try:
            record_hash = orjson.loads(line)["hash"]
        except (ValueError, TypeError, KeyError) as exc:
            raise CorruptLogError(self.path, f"the line cannot be read: {exc}", position) from None
        return hash_bytes(record_hash, position)

    def head(self) -> int:
        """Return the position of the last record (0 when empty)."""
        with self._flocked(fcntl.LOCK_SH):
            self._sync()
            return self._head

    def verify(self, *, progress: Progress | None = None) -> int:
        """Check every line: its form, its position, its hash, its id, and the batch ends.

        Returns:
            The number of records checked.

        Raises:
            IntegrityError: naming the first position whose line is not what was written (its
                hash, position or canonical form does not match); ``LostRecordsError`` when
                a checkpoint was saved past the last line.
            CorruptLogError: a line cannot be parsed, or the file ends with a torn batch.
        """
        with self._flocked(fcntl.LOCK_SH):
            self._sync()
            size, head = self._size, self._head
        checker = ChainChecker(progress, head)
        offset = 0
        with open(self.path, "rb") as stream:
            for line in stream:
                if offset >= size:
                    break
                offset += len(line)
                position = checker.checked + 1
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise CorruptLogError(
                        self.path, f"the line is not JSON ({exc})", position
                    ) from None
                try:
                    parsed = parse_line(line)
                except ValueError as exc:
                    raise IntegrityError(position, str(exc)) from None
                try:
                    content_id = line_event_id(parsed)
                except (ValueError, ValidationError) as exc:
                    checker.check(parsed.record)
                    raise CorruptLogError(
                        self.path, f"the stored event cannot be read: {exc}", position
                    ) from None
                checker.check(parsed.record._replace(event_id=content_id), content_id)
        self._check_checkpoints(checker.checked)
        return checker.finish()

    def get_checkpoint(self, name: str) -> tuple[int, bytes] | None:
        """Return the checkpoint saved under ``name`` as (position, state), or ``None``.

        Warns:
            RepateventsWarning: the checkpoint file cannot be read; it is ignored (``None``).
        """
        check_checkpoint_name(name)
        if self._fd is None:
            raise StoreError(f"the store {self.path} is closed")
        return self._read_checkpoints().get(name)

    def put_checkpoint(self, name: str, position: int, state: bytes) -> None:
        """Save a checkpoint in the sidecar file, replacing an older one of the same name.

        An unreadable sidecar (reported when it is read) is replaced by one holding only this
        checkpoint.

        Raises:
            ValueError: the name is empty, the position is not in the log, or the state is not
                bytes.
            StoreError: the store is read-only.
        """
        self._check_writable()
        with self._flocked(fcntl.LOCK_EX):
            self._sync()
            check_checkpoint(name, position, state, self._head)
            checkpoints = self._read_checkpoints()
            checkpoints[name] = (position, bytes(state))
            data = orjson.dumps(
                {
                    key: {"position": pos, "state": base64.b64encode(blob).decode("ascii")}
                    for key, (pos, blob) in sorted(checkpoints.items())
                },
                option=orjson.OPT_INDENT_2,
            )
            write_atomically(Path(self.checkpoints_path), data, durable=self._durable)

    @property
    def checkpoints_path(self) -> str:
        """The sidecar file that holds the checkpoints."""
        return self.path + ".checkpoints"

    def _read_checkpoints(self, *, decode: bool = True) -> dict[str, tuple[int, bytes]]:
        """Return the sidecar's checkpoints (their states left empty unless ``decode``).

        Warns:
            RepateventsWarning: the sidecar cannot be read (once per store object); it is
                taken as empty.
        """
        try:
            raw = Path(self.checkpoints_path).read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            problem: Exception = exc
        else:
            try:
                data = orjson.loads(raw)
                checkpoints = {}
                for name, entry in data.items():
                    position = entry["position"]
                    if type(position) is not int or position < 0:
                        raise ValueError(f"the position {position!r} is not a position")
                    state = base64.b64decode(entry["state"], validate=True) if decode else b""
                    checkpoints[str(name)] = (position, state)
                return checkpoints
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                problem = exc
        if not self._sidecar_warned:
            self._sidecar_warned = True
            warnings.warn(
                f"the checkpoint file {self.checkpoints_path} cannot be read ({problem}); it is "
                "ignored (checkpoints are caches: the state is folded from the log) and the "
                "next checkpoint saved replaces it",
                RepateventsWarning,
                stacklevel=4,
            )
        return {}

    def close(self) -> None:
        """Close the file. Idempotent."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JsonLinesStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- repair -------------------------------------------------------------------------------
    @classmethod
    def repair(cls, path: str | os.PathLike[str], *, timeout: float = 30.0) -> bytes:
        """Remove a torn tail (a batch whose writing stopped midway) and return its bytes.

        Only bytes after the last committed line are removed: whole batches are never touched,
        and a damaged line elsewhere is not "repaired" away. Call it on a file that a store
        reported as torn; on a sound file it removes nothing and returns ``b""``.

        Args:
            path: the log file.
            timeout: how long to wait for other writers' lock, in seconds.

        Returns:
            The removed bytes (save them if you want to inspect what was lost).

        Raises:
            CorruptLogError: the end of the file is damaged in a way a torn write cannot
                explain (a complete line that is not a record); nothing is removed.
        """
        fd = os.open(os.fspath(path), os.O_RDWR | os.O_CLOEXEC)
        store = cls.__new__(cls)
        store.path, store._timeout, store._durable = os.fspath(path), timeout, True
        store._lock, store._fd = threading.RLock(), fd
        store._forget()
        try:
            with store._flocked(fcntl.LOCK_EX):
                size = os.fstat(fd).st_size
                tail = store._find_tail(size)
                if not tail.torn:
                    return b""
                with open(store.path, "rb") as stream:
                    stream.seek(tail.end)
                    removed = stream.read(tail.torn)
                os.ftruncate(fd, tail.end)
                os.fsync(fd)
                return removed
        finally:
            store.close()


def _event_bytes(line: bytes) -> bytes:
    """Return the event's JSON as it stands in a line (what its hash covers).

    Taken from the first ``"event":`` to the line's last brace, so that a second event key
    (which a JSON parser would read instead) is inside what is hashed.
    """
    start = line.find(b'"event":')
    end = line.rfind(b"}")
    return line[start + 8 : end] if 0 <= start < end else b""
