"""The Ledger: record events, import files, and ask the projections questions.

A :class:`Ledger` wraps an event store (SQLite by default) and the knowledge state folded from
it. It folds lazily: recording appends to the log; the next question folds only the events
recorded since (O(new events)). The state is saved as a checkpoint beside the log (in the
SQLite file itself), so opening a large ledger does not replay it; ``rebuild()`` folds it again
from zero. Which questions are answered from kept aggregates and which scan every report is
said in each method's docstring.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, TypeVar

from ._tables import ExportMetadata, Table
from .errors import (
    CheckpointMismatchError,
    FieldProblem,
    HeadNotFoundError,
    IntegrityError,
    LostRecordsError,
    ValidationError,
)
from .events import Event
from .importing import ImportResult, ImportWarning
from .projections import (
    CHECKPOINT_NAME,
    DEFAULT_POLICY,
    SUMMARY_NAME,
    CountryTotal,
    KnowledgeState,
    Operation,
    Policy,
    QualityFinding,
    Reconciliation,
    RemainingEstimate,
    SourceSummary,
    TimeseriesPoint,
    as_of_ordinal,
    build_table,
    check_grouping,
    comparisons as _comparisons,
    differences,
    dumps_state,
    dumps_summary,
    fold,
    fold_stored,
    known_moment,
    loads_state,
    loads_summary,
    operation_rows,
    operations as _operations,
    position_at,
    quality as _quality,
    reconcile as _reconcile,
    remaining as _remaining,
    resolve_policy,
    sources as _sources,
    table_names,
    timeseries as _timeseries,
    totals as _totals,
)
from .store import (
    GENESIS_HASH,
    PROGRESS_EVERY,
    Envelope,
    EventStore,
    JsonLinesStore,
    PostgresStore,
    Progress,
    RawReader,
    RawRecord,
    SQLiteStore,
    last_hash,
    read_checked,
)

if TYPE_CHECKING:
    from ._plugins import RepateventsPluginManager

__all__ = ["PROGRESS_EVERY", "ImportResult", "ImportWarning", "Ledger", "Progress"]

#: After folding at least this many new events (or a tenth of the log, if more), the state is
#: saved at once, not only on close. Saving costs O(log), so a tenth keeps it O(1) per event.
CHECKPOINT_EVERY = 10_000
_T = TypeVar("_T")


@contextmanager
def _without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while folding, or building a projection's rows.

    A fold creates millions of small objects that all stay alive, and so do a projection's
    rows until they are returned; each burst of them would set the collector off to walk the
    whole state again, for nothing (at 100,000 events it made ``operations()`` take 5.6 s of
    CPU instead of 3.0). Collection resumes after.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _reported(
    records: Iterable[_T], progress: Progress | None, start: int, total: int
) -> Iterable[_T]:
    """Pass ``records`` (envelopes, or raw records) through, telling ``progress`` how far the
    fold got as it goes."""
    if progress is None or total <= start:
        return records
    return _reporting(records, progress, start, total)


def _reporting(records: Iterable[_T], progress: Progress, start: int, total: int) -> Iterator[_T]:
    done = start
    progress("folding", done, total)
    for record in records:
        yield record
        # Positions have no gaps: the one folded is the one after the last.
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress("folding", done, total)
    progress("folding", done, total)


def _finding_envelopes(
    envelopes: Iterable[Envelope], wanted: str, found: list[int]
) -> Iterator[Envelope]:
    """Pass ``envelopes`` through, noting in ``found`` the first position whose hash starts
    with ``wanted``."""
    for envelope in envelopes:
        if not found and envelope.hash.startswith(wanted):
            found.append(envelope.position)
        yield envelope


def _finding_raw(
    records: Iterable[RawRecord], wanted: str, found: list[int]
) -> Iterator[RawRecord]:
    """:func:`_finding_envelopes` for raw records (position first, hash fourth)."""
    for record in records:
        if not found and record[3].startswith(wanted):
            found.append(record[0])
        yield record


def _discard_hint(store: EventStore) -> str:
    """Say how to drop a store's checkpoints, for a user who accepts that records were lost."""
    if isinstance(store, JsonLinesStore):
        return f"delete {store.checkpoints_path}"
    if isinstance(store, SQLiteStore):
        return f'delete the checkpoints: sqlite3 {store.path} "DELETE FROM checkpoints"'
    if isinstance(store, PostgresStore):
        return (
            f'delete the checkpoints: psql {store.url} -c "DELETE FROM {store.schema}.checkpoints"'
        )
    return "delete the checkpoints saved beside it"


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


SOURCE_DATE_EPOCH = "SOURCE_DATE_EPOCH"
"""The environment variable reproducible builds set to the build's time, in Unix seconds."""


def generation_time(generated_at: dt.datetime | None = None) -> dt.datetime:
    """Return the time an export records as made: ``generated_at`` when given, else the time
    ``SOURCE_DATE_EPOCH`` names (https://reproducible-builds.org/specs/source-date-epoch/),
    else now; in UTC.

    Raises:
        ValidationError: ``SOURCE_DATE_EPOCH`` is set but not a whole number of seconds.
    """
    if generated_at is not None:
        return generated_at
    epoch = os.environ.get(SOURCE_DATE_EPOCH, "").strip()
    if not epoch:
        return dt.datetime.now(dt.UTC)
    try:
        return dt.datetime.fromtimestamp(int(epoch, 10), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise ValidationError(
            [
                FieldProblem(
                    SOURCE_DATE_EPOCH,
                    epoch,
                    "a whole number of seconds since 1970-01-01 00:00 UTC, as reproducible "
                    "builds set it",
                )
            ]
        ) from None


def _generation_day(generated_at: dt.datetime | None) -> dt.date:
    """Return the UTC day of a generation time (a naive one is read as UTC); today if None."""
    if generated_at is None:
        return _today()
    if generated_at.tzinfo is not None:
        generated_at = generated_at.astimezone(dt.UTC)
    return generated_at.date()


class Ledger:
    """An auditable ledger of repatriation reports and the projections over it.

    Every projection method takes the same three parameters:

    - ``as_of``: a day; only what had surely happened by then counts (``None``: every date).
      A fuzzy date counts once its latest possible day is on or before ``as_of``: "March 2021"
      from 31 March 2021, "7-9 May 2019" from 9 May, "on or before 10 May 2024" from 10 May.
      A date open at the end ("2021/..") is bounded by its source's publication date; without
      one it counts only when ``as_of`` is None.
    - ``known_at``: a log position, a UTC time, or a day; only what the ledger held then
      counts (``None``: everything recorded). A naive time is read as UTC; a day
      (``datetime.date``) means the end of that day, UTC, as ``--known-at 2024-03-01`` does on
      the command line. "What did we know on 1 March about totals as of 31 December" is
      ``totals(as_of=date(…, 12, 31), known_at=date(…, 3, 1))``.
    - ``policy``: how an operation's best figure is chosen when its reports disagree, by name
      or as a :class:`~repatevents.projections.Policy`; the default is ``"recommended"``: the
      analyst's adjudicated figure where one is recorded, the lowest figure elsewhere (see
      ``repatevents.projections.POLICIES``).

    Costs: catching up folds only the events recorded since the last question; a ``known_at``
    before the head replays the log up to it (O(events up to it)); the rest is said per method.

    Use it as a context manager, or call :meth:`close`, so the state is checkpointed.

    Args:
        store: the event store to wrap.
        checkpoints: whether to save the state beside the log (pointless in memory).
        progress: called as long work goes (a fold from zero or from a checkpoint, and
            ``verify`` and ``rebuild``, which first walk the hash chain) with what is done,
            how far it got and up to which position: ``progress("verifying", 20000,
            1000000)``, then ``progress("folding", …)``, every 10,000 events, and when each
            stage starts and ends.
    """

    def __init__(
        self, store: EventStore, *, checkpoints: bool = True, progress: Progress | None = None
    ) -> None:
        self._store = store
        self._checkpoints = checkpoints
        self._progress = progress
        self._found: tuple[str, int] | None = None
        # A store opened read-only still gives its checkpoints, but takes no new one.
        self._writable = not getattr(store, "read_only", False)
        self._state: KnowledgeState | None = None
        self._saved = -1
        self._past: tuple[int, KnowledgeState] | None = None
        self._summary: KnowledgeState | None = None
        # The state verify folded from zero: an export from it says computed_from "log".
        self._verified: KnowledgeState | None = None
        self._closed = False

    # -- opening and closing -------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        backend: str | None = None,
        progress: Progress | None = None,
    ) -> Ledger:
        """Open the ledger at ``path``, creating it if needed; in memory when ``path`` is None.

        Args:
            path: the ledger file; its suffix chooses the backend (``.db``, ``.sqlite`` or
                ``.sqlite3``: SQLite, the default; ``.jsonl``: JSON Lines) unless ``backend``
                is given. Another suffix is refused (an existing SQLite file opens whatever
                its name). A ``postgresql://user@host:port/dbname`` URL opens a ledger shared
                on a PostgreSQL server (the ``postgres`` extra; the password as libpq takes
                it: in the URL, ``PGPASSWORD`` or ``~/.pgpass``).
            backend: ``"sqlite"``, ``"jsonl"``, ``"postgres"`` or ``"memory"``, overriding
                the suffix.
            progress: told how far long folds got (see :class:`Ledger`).

        Raises:
            CorruptLogError: the file exists but is not a readable log of that backend (a file
                of events to import, not a ledger, is named as one).
            StoreError: the PostgreSQL server cannot be reached or refuses the role.
            ValueError: the backend is unknown, or does not fit the path; a
                ``ValidationError`` (a ``ValueError`` too) when, without ``backend``, the
                path's suffix is none of the above.
        """
        from .store import MemoryStore, open_store

        store = open_store(path, backend=backend)
        # A checkpoint of a store that dies with the process would be work for nothing.
        return cls(store, checkpoints=not isinstance(store, MemoryStore), progress=progress)

    @classmethod
    def in_memory(cls) -> Ledger:
        """Return an empty ledger held in memory (nothing survives the process)."""
        return cls.open(None)

    def close(self) -> None:
        """Checkpoint the state (when it moved on) and close the store. Idempotent."""
        if self._closed:
            return
        try:
            if self._state is not None and self._state.position > self._saved:
                self._save(self._state)
        finally:
            self._closed = True
            self._store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Ledger {self._store!r}>"

    @property
    def store(self) -> EventStore:
        """The event store underneath (to read the log itself; write through the ledger)."""
        return self._store

    # -- writing -------------------------------------------------------------------------------
    @property
    def head(self) -> int:
        """The position of the last recorded event (0 for an empty ledger)."""
        return self._store.head()

    @property
    def head_hash(self) -> str | None:
        """The hash of the last recorded event (``None`` for an empty ledger).

        With :attr:`head`, what to publish beside a figure: ``repatevents verify --expect``
        then shows that a ledger still holds that state (and maybe more).
        """
        return last_hash(self._store)

    def record(self, event: Event) -> int:
        """Record one event and return the head position after it.

        Recording an event the ledger already holds (same id, same content) records nothing.

        Raises:
            DuplicateEventError: the id is already recorded with different content.
        """
        return self._store.append([event])

    def record_many(self, events: Iterable[Event], *, expected_position: int | None = None) -> int:
        """Record a batch atomically (all or none) and return the head position after it.

        Args:
            events: the events, in order.
            expected_position: the head the caller last saw; if the log has moved on since,
                nothing is recorded.

        Raises:
            ConcurrencyError: ``expected_position`` is not the head.
            DuplicateEventError: an id is already recorded with different content.
        """
        return self._store.append(list(events), expected_position=expected_position)

    def import_file(
        self,
        source: str | os.PathLike[str] | IO[bytes],
        *,
        format: Literal["jsonl", "csv", "xlsx"] | None = None,
        column_map: Mapping[str, str] | None = None,
        ignore_unknown_columns: bool = False,
        dry_run: bool = False,
        progress: Callable[[str, int, int | None], None] | None = None,
    ) -> ImportResult:
        """Import a file of events or a sheet of operations: check all of it, record all or none.

        A file is JSON Lines (one event a line), or a CSV or XLSX sheet with one operation a
        row (the columns are listed by ``repatevents import --help`` and in the how-to).
        Before anything is recorded, every line is validated and the batch is checked against
        the ledger: an id the file or the ledger gives other content is refused. Recorded with
        a warning: a reference to an event neither the file nor the ledger holds, a new report
        with the publisher, country and date of one in force (most likely an edit of it).

        Args:
            source: a path, or a binary stream (``sys.stdin.buffer``).
            format: ``"jsonl"``, ``"csv"`` or ``"xlsx"``; by default the path's suffix says,
                or, for a stream or an unknown suffix, the file's first bytes.
            column_map: renames from a sheet's headers to the importer's columns
                (``{"Nation": "country"}``), matched as headers are: without regard to case,
                spaces as underscores.
            ignore_unknown_columns: leave out a sheet's columns that are not known ones
                (listed in ``warnings``) instead of refusing the sheet.
            dry_run: check everything and record nothing.
            progress: called as ``progress(stage, done, total)`` while the file is read,
                checked and saved; ``stage`` is "reading", "checking" or "saving", ``total``
                is ``None`` while not known.

        Returns:
            What was recorded, what the ledger already held, and the warnings.

        Raises:
            ValidationError: listing every problem, each naming its line (row), field (column),
                value and rule; nothing is recorded.
            OSError: the file cannot be read.
        """
        from .importing import import_file

        return import_file(
            self,
            source,
            format=format,
            column_map=column_map,
            ignore_unknown_columns=ignore_unknown_columns,
            dry_run=dry_run,
            progress=progress,
        )

    def import_jsonl(self, path: str | os.PathLike[str]) -> ImportResult:
        """Import a JSON Lines file of events: ``import_file(path, format="jsonl")``.

        Raises:
            ValidationError: listing every invalid line (nothing is recorded).
            OSError: the file cannot be read.
        """
        return self.import_file(path, format="jsonl")

    # -- the log -------------------------------------------------------------------------------
    def verify(self, *, expect: str | None = None) -> int:
        """Check every record against the hash chain, and the checkpoints saved beside the log
        against the log; return how many records were checked.

        With ``expect``, a head hash published earlier (:attr:`head_hash`), the log must also
        hold the record with that hash: the ledger reaches the state that was published, and
        whatever came after it is chained to it.

        A checkpoint is a cache the hash chain does not cover, so the log is folded again from
        zero and each checkpoint (and its summary) is compared with the fold at its position.
        Cost: a fold of the whole log besides reading it, O(events). From then on this ledger
        object answers from the state it folded.

        Raises:
            IntegrityError: naming the first record that does not match, or the record a
                checkpoint was saved at when it is no longer the record the checkpoint saw.
            LostRecordsError: a checkpoint was saved past the end of the log: records were
                lost.
            CheckpointMismatchError: the log is intact, but a checkpoint holds something other
                than the log folded from zero (it was changed); :meth:`rebuild` replaces it.
            CorruptLogError: a stored file cannot be read.
            ValidationError: ``expect`` is not a hash (hex, at least 12 digits).
            HeadNotFoundError: no record of the intact log has the hash ``expect``.

        Warns:
            RepateventsWarning: a checkpoint cannot be read, or names a class no checkpoint
                holds (a cache: it is ignored).
        """
        wanted = None if expect is None else _hash_prefix(expect)
        count, mismatch, found = self._verify(wanted)
        if mismatch is not None:
            raise mismatch
        if wanted is not None and found is None:
            raise HeadNotFoundError(expect or "", count, self.head_hash)
        if wanted is not None and found is not None:
            self._found = (wanted, found)
        return count

    def position_of_hash(self, hash_prefix: str) -> int | None:
        """Return the position of the record whose hash starts with ``hash_prefix``, if any.

        Cost: a read of the log up to it, O(events).

        Raises:
            ValidationError: ``hash_prefix`` is not hex, or shorter than 12 digits.
        """
        wanted = _hash_prefix(hash_prefix)
        if self._found is not None and self._found[0] == wanted:
            # Found by the verify that just read the whole log: a record never moves.
            return self._found[1]
        for envelope in self._store.read():
            if envelope.hash.startswith(wanted):
                return envelope.position
        return None

    def rebuild(self) -> int:
        """Verify the log, fold it again from zero, and replace the state and the saved
        checkpoints (an unreadable one, or one that does not match the log, too); return the
        position reached.

        A log that does not verify is refused, and so is one that ends before a checkpoint
        saved beside it (records were lost): restore it from a backup. To accept a loss
        instead, delete the checkpoints first (``<log>.checkpoints`` beside a JSON Lines log;
        ``sqlite3 ledger.db "DELETE FROM checkpoints"`` for SQLite), then rebuild. On a store
        opened read-only nothing is saved.

        Raises:
            IntegrityError, LostRecordsError, CorruptLogError: as :meth:`verify`; nothing is
                replaced.
        """
        self._verify(None)
        # The state verify folded from zero, with no checkpoint in it.
        state = self._current()
        if self._checkpoints:
            self._save(state)
        return state.position

    def _verify(self, wanted: str | None) -> tuple[int, CheckpointMismatchError | None, int | None]:
        """Verify the log, fold it from zero, and compare the checkpoints with the fold.

        The folded state becomes this ledger's (a checkpoint that disagrees is not used
        again by this object); nothing is saved.

        Returns:
            The number of records the store verified, the error to raise when a checkpoint
            does not match the log (``None`` when every readable one does), and the position
            of the first record whose hash starts with ``wanted`` (looked for in the same
            pass: a second read of a large log would double the wait).

        Raises:
            IntegrityError, LostRecordsError, CorruptLogError: as :meth:`verify`.
        """
        # A backend written before stores told their progress takes no argument.
        count = (
            self._store.verify()
            if self._progress is None
            else self._store.verify(progress=self._progress)
        )
        hit: list[int] = []
        # A state this object folded and has not saved yet is still saved on close.
        pending = self._state is not None and self._state.position > self._saved
        saved: list[tuple[str, KnowledgeState]] = []
        if self._checkpoints:
            for name in (CHECKPOINT_NAME, SUMMARY_NAME):
                loaded = self._checkpoint(name)
                if loaded is not None:
                    saved.append((name, loaded))
        state = KnowledgeState()
        names: list[str] = []
        fields: dict[str, None] = {}
        mismatch_at: int | None = None
        # Up to each checkpoint's position in turn (they are at the head, or at most a little
        # behind it), then on to the records verified: one fold of the log in all.
        for stop in sorted({count, *(loaded.position for _, loaded in saved)}):
            with _without_gc():
                seek = (wanted, hit) if wanted is not None and not hit else None
                self._fold_checked(state, upto=stop, total=count, find=seek)
            for name, loaded in saved:
                if loaded.position != stop:
                    continue
                found = differences(loaded, state, summary=name == SUMMARY_NAME)
                if found:
                    mismatch_at = stop if mismatch_at is None else mismatch_at
                    names.append(name)
                    fields.update(dict.fromkeys(found))
        self._state, self._past, self._summary = state, None, None
        self._verified = state
        if not pending:
            # Verifying writes nothing: closing saves only what is folded after this.
            self._saved = state.position
        position = hit[0] if hit else None
        if mismatch_at is None:
            return count, None, position
        return count, CheckpointMismatchError(names, mismatch_at, list(fields)), position

    def _save(self, state: KnowledgeState) -> None:
        if self._checkpoints and self._writable:
            head = self.head
            if state.position > head:
                # The log lost records while this ledger held them (cut by another program).
                raise LostRecordsError(head, state.position, "open the ledger again")
            # The summary first: a summary newer than its checkpoint is never used (it must
            # be at the head), and one older than the head is ignored too.
            self._store.put_checkpoint(SUMMARY_NAME, state.position, dumps_summary(state))
            self._store.put_checkpoint(CHECKPOINT_NAME, state.position, dumps_state(state))
        self._saved = state.position

    def _checkpoint(self, name: str, at: int | None = None) -> KnowledgeState | None:
        """Return the state saved under ``name`` once it is shown to belong to this log.

        A checkpoint is a cache: one that cannot be read (torn, foreign, of an older layout)
        gives ``None`` and the state is folded from the log again. But one the log does not
        bear out is evidence, never overwritten: past the head, records were lost; at a record
        whose hash is not the one the checkpoint saw, the log was changed or replaced.

        Args:
            name: ``CHECKPOINT_NAME`` or ``SUMMARY_NAME``.
            at: load the checkpoint only if it is at this position (still checked for loss).

        Raises:
            LostRecordsError: the checkpoint is past the head.
            IntegrityError: the record at its position is not the one it saw, or was changed.
        """
        saved = self._store.get_checkpoint(name)
        if saved is None:
            return None
        position, data = saved
        # The head is read after the checkpoint: the log only grows, and a checkpoint is only
        # ever saved at a position the log held then, so another writer cannot make it look
        # like loss.
        head = self.head
        if position > head:
            raise LostRecordsError(head, position, _discard_hint(self._store))
        if at is not None and position != at:
            return None
        state = (loads_state if name == CHECKPOINT_NAME else loads_summary)(data, position)
        if state is None or position == 0:
            return state
        # The record the state was folded up to, checked against the one before it.
        record = next(read_checked(self._store, position - 1, upto=position), None)
        if record is None or record.hash != state.head_hash:
            raise IntegrityError(
                position,
                f"the checkpoint {name!r} saved at this position saw a record with hash "
                f"{state.head_hash[:16]}…, but the log holds one with hash "
                f"{'none' if record is None else record.hash[:16]}…: the log was changed or "
                "replaced after the checkpoint was saved; restore it from a backup, or, if it "
                f"was replaced on purpose, {_discard_hint(self._store)}",
            )
        return state

    def _load(self) -> KnowledgeState:
        state = self._checkpoint(CHECKPOINT_NAME) if self._checkpoints else None
        if state is not None:
            self._saved = state.position
            return state
        return KnowledgeState()

    def _default_state(self) -> KnowledgeState:
        """Return a state for the default totals and remaining estimates.

        When nothing has been folded yet in this ledger object and nothing was recorded since
        the last checkpoint, the summary saved beside it is enough: the reports are not
        loaded at all (a cold start answers in O(countries + populations)). Otherwise the
        state at the head.
        """
        if self._state is None and self._checkpoints:
            head = self.head
            if self._summary is not None and self._summary.position == head:
                return self._summary
            summary = self._checkpoint(SUMMARY_NAME, at=head)
            if summary is not None:
                self._summary = summary
                return summary
        self._summary = None
        return self._current()

    def _current(self) -> KnowledgeState:
        """Return the state at the head, folding what was recorded since the last call."""
        state = self._state if self._state is not None else self._load()
        start = state.position
        self._state = None
        try:
            with _without_gc():
                total = self.head if self._progress is not None else 0
                self._fold_checked(state, total=total)
        except BaseException:
            # A half-folded state must not be used again: the next call starts over.
            self._saved = -1
            raise
        self._state = state
        folded = state.position - max(self._saved, start)
        if self._checkpoints and folded >= max(CHECKPOINT_EVERY, state.position // 10):
            self._save(state)
        return state

    def state(self, known_at: dt.datetime | dt.date | int | None = None) -> KnowledgeState:
        """Return the knowledge state at ``known_at`` (the head when ``None``).

        Args:
            known_at: a log position, a UTC time (naive is read as UTC), or a day (the end of
                that day, UTC).

        The state returned is the ledger's own: read it, never change it.

        Raises:
            ValidationError: ``known_at`` is a position past the head, or not a position, a
                time or a day.
        """
        current = self._current()
        if known_at is None:
            return current
        position = position_at(known_at, current.position, current.times, current.positions)
        if position == current.position:
            return current
        if self._past is not None and self._past[0] == position:
            return self._past[1]
        with _without_gc():
            past = self._fold_checked(KnowledgeState(), upto=position, total=position)
        self._past = (position, past)
        return past

    def _fold_checked(
        self,
        state: KnowledgeState,
        *,
        upto: int | None = None,
        total: int = 0,
        find: tuple[str, list[int]] | None = None,
    ) -> KnowledgeState:
        """Fold the records after the state's position (up to ``upto``) into it, each checked
        against the hash before it, from the state's (the checkpoint's, the genesis hash).

        A store that yields its records undecoded is folded from the stored JSON, without
        building events; any other from its envelopes. ``total`` is the position progress is
        told the fold goes to (0: no progress). With ``find`` (a hash prefix and a list), the
        position of the first record whose hash starts with it is put in the list.
        """
        store, after = self._store, state.position
        previous = state.head_hash or GENESIS_HASH
        if isinstance(store, RawReader):
            raw: Iterable[RawRecord] = store.read_raw_checked(
                after, upto=upto, previous_hash=previous
            )
            if find is not None:
                raw = _finding_raw(raw, *find)
            return fold_stored(_reported(raw, self._progress, after, total), store.raw_event, state)
        records: Iterable[Envelope] = read_checked(store, after, upto=upto, previous_hash=previous)
        if find is not None:
            records = _finding_envelopes(records, *find)
        return fold(_reported(records, self._progress, after, total), state)

    def _state_for(
        self, as_of: int | None, known_at: dt.datetime | dt.date | int | None, policy: Policy
    ) -> KnowledgeState:
        if as_of is None and known_at is None and policy.name == DEFAULT_POLICY:
            return self._default_state()
        return self.state(known_at)

    # -- projections ---------------------------------------------------------------------------
    def operations(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> tuple[Operation, ...]:
        """Return the operations: reports grouped, corrections and retractions applied.

        Each figure spans the operation's reports (low, high); the policy chooses ``best``.
        Ordered by country, then date. Cost: O(reports).
        """
        day, chosen = as_of_ordinal(as_of), resolve_policy(policy)
        state = self.state(known_at)
        with _without_gc():
            return _operations(state, day, chosen)

    def totals(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
        *,
        by: str = "country",
    ) -> tuple[CountryTotal, ...]:
        """Return cumulative totals per receiving country (or per nationality), by code.

        Args:
            as_of, known_at, policy: as for every projection.
            by: ``"country"`` (the receiving country, the default) or ``"nationality"`` (the
                people's nationality where a report gives one that differs, else the
                receiving country; ``receiving_countries`` names the other states).

        Raises:
            ValidationError: ``by`` is neither.

        Cost: the default query (``as_of`` and ``known_at`` None, default policy, by
        country) reads the sums the state keeps up to date: O(countries), however long the
        log (on a cold start, from the summary saved with the checkpoint). Any other query
        sums every operation again: O(reports).
        """
        day, chosen = as_of_ordinal(as_of), resolve_policy(policy)
        grouping = check_grouping(by)
        if grouping == "nationality":
            return _totals(self.state(known_at), day, chosen, grouping)
        return _totals(self._state_for(day, known_at, chosen), day, chosen)

    def timeseries(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> tuple[TimeseriesPoint, ...]:
        """Return cumulative totals per country at the end of every month and year.

        Cost: the default query (``as_of`` and ``known_at`` None, default policy) adds up
        the monthly sums the state keeps: O(countries x months), however long the log (on a
        cold start, from the summary saved with the checkpoint). Any other query sums every
        operation again: O(reports + months).
        """
        day, chosen = as_of_ordinal(as_of), resolve_policy(policy)
        with _without_gc():
            return _timeseries(self._state_for(day, known_at, chosen), day, chosen)

    def remaining(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> tuple[RemainingEstimate, ...]:
        """Return remaining-population estimates per observed population, camp and country.

        Ages count to ``as_of``, or to today (UTC) when ``as_of`` is None. Cost: the default
        query reads the flow sums the state keeps: O(populations); any other query re-sums
        the flows: O(flows).
        """
        day, chosen = as_of_ordinal(as_of), resolve_policy(policy)
        return _remaining(self._state_for(day, known_at, chosen), day, chosen, _today())

    def reconciliation(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> tuple[Reconciliation, ...]:
        """Return every cumulative claim beside the ledger's sum over its window and scope.

        Cost: O((operations + claims) x log operations). A row's ``sure_operations`` and
        ``possible_operations`` are listed when first read, each row's at the cost of the
        operations it covers: a claim "since 2019" covers every operation of its country since,
        so reading every row's ids costs claims x operations (872,181 ids for 1,579 claims at
        100,000 events). The reconciliation table (``tables(names=["reconciliation"])``,
        ``repatevents reconcile``) gives their counts.
        """
        day, chosen = as_of_ordinal(as_of), resolve_policy(policy)
        state = self.state(known_at)
        with _without_gc():
            return _reconcile(state, day, chosen)

    def quality(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> tuple[QualityFinding, ...]:
        """Return the data-quality findings.

        Cost: O(reports + operations x log operations).
        """
        day, chosen = as_of_ordinal(as_of), resolve_policy(policy)
        state = self.state(known_at)
        with _without_gc():
            return _quality(state, day, chosen)

    def sources(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
    ) -> tuple[SourceSummary, ...]:
        """Return the sources of the reports in force.

        ``policy`` is accepted for symmetry and checked; sources do not depend on it. Cost:
        O(sources) for the reports in force at the head (on a cold start, from the summary
        saved with the checkpoint, without loading the reports); O(reports) otherwise.
        """
        day = as_of_ordinal(as_of)
        resolve_policy(policy)
        return self._sources(day, known_at)

    def tables(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
        *,
        generated_at: dt.datetime | None = None,
        names: Sequence[str] | None = None,
    ) -> dict[str, Table]:
        """Return projections as tables with typed, titled, HXL-tagged columns.

        Only the tables named are computed, each at the cost of its projection: the default
        ``totals``, ``timeseries`` and ``remaining`` tables and the ``sources`` of every
        report in force come from what the state keeps (on a cold start, from the summary
        saved with the checkpoint, without loading the reports), as :meth:`totals`,
        :meth:`timeseries`, :meth:`remaining` and :meth:`sources` do.

        Args:
            as_of, known_at, policy: as for the projections.
            generated_at: when the tables are made (default: now). Ages (the remaining table's
                ``baseline_age_days``) count to ``as_of`` when it is given, else to the UTC
                date of this moment, so tables made with a fixed one are the same every day.
            names: the tables to compute, in the order wanted (a name given twice counts
                once); ``None`` for all of them.

        Returns:
            The tables by name: those of ``names``, or ``operations``, ``totals``,
            ``nationality_totals``, ``timeseries``, ``remaining``, ``reconciliation``,
            ``quality`` and ``sources``, in that order.

        Raises:
            ValidationError: ``names`` is empty, or names a table there is not (the message
                lists the tables there are).
        """
        return self._tables(as_of, known_at, policy, generated_at, names, None)

    def _tables(
        self,
        as_of: dt.date | None,
        known_at: dt.datetime | dt.date | int | None,
        policy: str | Policy,
        generated_at: dt.datetime | None,
        names: Sequence[str] | None,
        progress: Progress | None,
    ) -> dict[str, Table]:
        """Return the tables :meth:`tables` does, telling ``progress`` as each is done."""
        chosen_names = table_names(names, "names")
        day, chosen = as_of_ordinal(as_of), resolve_policy(policy)
        built: dict[str, Table] = {}
        if progress is not None:
            progress("computing tables", 0, len(chosen_names))
        # Building rows creates many objects that stay alive until the table is returned: the
        # cyclic collector would walk them again and again for nothing (a super-linear cost).
        with _without_gc():
            for name in chosen_names:
                built[name] = build_table(
                    name, self._rows(name, day, known_at, chosen, generated_at), chosen
                )
                if progress is not None:
                    progress("computing tables", len(built), len(chosen_names))
        return built

    def _rows(
        self,
        name: str,
        day: int | None,
        known_at: dt.datetime | dt.date | int | None,
        policy: Policy,
        generated_at: dt.datetime | None,
    ) -> Sequence[Any]:
        """Return the rows of the projection behind the table ``name``."""
        if name == "totals":
            return _totals(self._state_for(day, known_at, policy), day, policy)
        if name == "remaining":
            state = self._state_for(day, known_at, policy)
            return _remaining(state, day, policy, _generation_day(generated_at))
        if name == "timeseries":
            return _timeseries(self._state_for(day, known_at, policy), day, policy)
        if name == "sources":
            return self._sources(day, known_at)
        state = self.state(known_at)
        if name == "nationality_totals":
            return _totals(state, day, policy, "nationality")
        if name == "operations":
            return operation_rows(state, day, policy)
        if name == "reconciliation":
            return _comparisons(state, day, policy)
        if name == "quality":
            return _quality(state, day, policy)
        raise AssertionError(f"no rows for the table {name!r}")

    def _sources(
        self, day: int | None, known_at: dt.datetime | dt.date | int | None
    ) -> tuple[SourceSummary, ...]:
        # Every report in force: the summary holds their sources (sources follow no policy).
        if day is None and known_at is None:
            return _sources(self._default_state(), None)
        return _sources(self.state(known_at), day)

    def metadata(
        self,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
        *,
        generated_at: dt.datetime | None = None,
        title: str = "Repatriations from the camps of north-east Syria and Iraq",
    ) -> ExportMetadata:
        """Return what a set of tables is made from, for an export.

        Besides the query it holds the provenance: the position and hash of the record the
        tables reach, the library version, and how they were computed (``computed_from``):
        ``log`` for a state folded from the log alone (by :meth:`verify` on this ledger object,
        or a past ``known_at``, which is always folded from zero), ``checkpoint`` for the state
        at the head otherwise, which a saved checkpoint may have supplied. It does not depend
        on whether a checkpoint happened to exist, so two exports of one ledger, query and
        generation time are byte-identical.

        Args:
            as_of, known_at, policy: as for the projections.
            generated_at: the generation time to record (default: ``SOURCE_DATE_EPOCH`` when
                set, else now, UTC); give a fixed one for byte-identical exports.
            title: the export's title.

        Returns:
            The metadata; its ``sources`` hold one mapping per source of the sources table
            (``publisher``, ``via``, ``speaker_kind``, ``url``, ``published``, ``reports``).
        """
        as_of_ordinal(as_of)
        chosen = resolve_policy(policy)
        # The sources of every report in force are in the summary: an export of the default
        # totals from a cold start loads no report.
        state = (
            self._default_state() if as_of is None and known_at is None else self.state(known_at)
        )
        if known_at is None:
            known_text = None
        elif isinstance(known_at, dt.date):
            moment = known_moment(known_at)
            known_text = f"{moment.isoformat()} (position {state.position})"
        else:
            known_text = f"position {state.position}"
        # Every field the sources projection tells sources apart by, so no two look the same
        # (one article can be a wire story's and a government's words: different via, kind).
        sources: list[dict[str, Any]] = [
            {
                "publisher": s.publisher,
                "via": "; ".join(s.via) or None,
                "speaker_kind": s.speaker_kind.value,
                "url": s.url,
                "published": None if s.published is None else s.published.to_text(),
                "reports": s.reports,
            }
            for s in _sources(state, as_of_ordinal(as_of))
        ]
        # A state at a past moment is always folded from zero; the current one may have been
        # caught up from a checkpoint unless verify folded it from zero (folding on from there
        # reads the log only).
        from_log = state is self._verified or (
            state is not self._state and state is not self._summary
        )
        return ExportMetadata(
            ledger_position=state.position,
            as_of=as_of,
            known_at=known_text,
            policy=chosen.name,
            generated_at=generation_time(generated_at),
            sources=tuple(sources),
            title=title,
            head_hash=state.head_hash or None,
            library_version=_library_version(),
            computed_from="log" if from_log else "checkpoint",
        )

    def export(
        self,
        format_name: str,
        path: str | os.PathLike[str] | BinaryIO,
        *,
        tables: Sequence[str] | None = None,
        as_of: dt.date | None = None,
        known_at: dt.datetime | dt.date | int | None = None,
        policy: str | Policy = DEFAULT_POLICY,
        generated_at: dt.datetime | None = None,
        plugin_manager: RepateventsPluginManager | None = None,
        verified: bool = False,
        progress: Progress | None = None,
        **options: Any,
    ) -> list[Path]:
        """Export the tables with the exporter called ``format_name`` (``csv``, ``geojson`` …).

        The ledger builds the tables and their metadata; the exporter only writes them.

        Args:
            format_name: the exporter's name.
            path: the target file or folder (see ``repatevents.exporters.export_tables``), or
                a binary stream for an exporter that writes one file. The ledger's own files
                (the log, its write-ahead log and journal, its checkpoints) are refused as
                targets however the path is spelled.
            tables: the tables to write, in order; ``None`` for all. Only these are
                computed.
            as_of, known_at, policy: as for the projections.
            generated_at: the generation time recorded in the metadata and the day ages count
                to when ``as_of`` is None (default: the ``SOURCE_DATE_EPOCH`` environment
                variable of reproducible builds when set, else now, UTC); give a fixed one for
                an export that is byte-identical from one day to the next.
            plugin_manager: where exporters come from; ``None`` loads the installed plugins.
            verified: check the whole log against its hash chain and fold it from zero, so
                that no checkpoint (a cache anyone who can write the file can change) is in
                the figures; the metadata then says ``computed_from: log``. Cost: O(events).
            progress: told how far the export got, as ``progress(stage, done, total)``:
                ``("computing tables", 3, 8)`` as each table is computed, then, from
                exporters that can tell (CSV, XLSX), ``("writing operations", 20000, 46886)``
                every 10,000 rows of a table. A fold the export needs reports to the ledger's
                own ``progress`` (see :class:`Ledger`).
            **options: passed to the exporter (``bom=True`` for CSV …).

        Returns:
            The paths written (none for a stream).

        Raises:
            UnknownExporterError: no exporter has that name.
            ExportError: the exporter failed, or a target is one of the ledger's files or a
                symbolic link; nothing was changed.
            IntegrityError, CorruptLogError: with ``verified``, the log does not verify.
        """
        from .exporters import export_tables

        if verified:
            # A checkpoint that disagrees with the log is left for verify and rebuild to name:
            # this export does not use it either way.
            self._verify(None)
        # One moment for both: the ages in the tables count to the generation time recorded.
        moment = generation_time(generated_at)
        # Only the tables written are computed.
        names = None if tables is None else table_names(tables, "tables")
        built = self._tables(as_of, known_at, policy, moment, names, progress)
        metadata = self.metadata(as_of, known_at, policy, generated_at=moment)
        # The rows stay alive while they are written: with the collector on, the writer's own
        # allocations set off collections that walk them and the whole state again (a tenth
        # of a CSV export's CPU at 100,000 events). They go when the export returns.
        with _without_gc():
            return export_tables(
                format_name,
                built,
                metadata,
                path if not isinstance(path, str | os.PathLike) else Path(path),
                plugin_manager=plugin_manager,
                protected=_ledger_files(self._store),
                progress=progress,
                **options,
            )


def _ledger_files(store: EventStore) -> list[str]:
    """Return the files that hold a store's log and what lives beside it, existing or not."""
    path = getattr(store, "path", None)
    if not isinstance(path, str):
        return []
    # SQLite keeps -wal, -shm and -journal beside the database; a JSON Lines log its
    # checkpoints. Naming all of them for both costs nothing and survives a backend's change.
    return [path, *(path + end for end in ("-wal", "-shm", "-journal", ".checkpoints"))]


_HASH_PREFIX_DIGITS = 12


def _hash_prefix(text: str) -> str:
    """Return a hash (or a prefix of one) in lower case, checked to be hex and long enough."""
    cleaned = text.strip().lower()
    if len(cleaned) < _HASH_PREFIX_DIGITS or any(c not in "0123456789abcdef" for c in cleaned):
        raise ValidationError(
            [
                FieldProblem(
                    "expect",
                    text,
                    f"a record hash in hex (64 digits, or the first {_HASH_PREFIX_DIGITS} or "
                    "more), as verify prints it",
                )
            ]
        )
    return cleaned


def _library_version() -> str:
    import importlib.metadata

    try:
        return importlib.metadata.version("repatevents")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
        return ""
