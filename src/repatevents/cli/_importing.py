"""The ``import`` command: read a file of events, check it against the ledger, record it whole.

A file is JSON Lines (one event a line) or a CSV/XLSX sheet of operations. Before anything is
recorded the batch is checked as the store would check it (an id already given to other content,
in the file or in the ledger, is refused at its line), and a dry run does the same checks. These
are recorded with a warning naming the line: a reference to an event neither the file nor the
ledger holds, and a new operation report that shares its publisher, receiving country and date
with one in the ledger (ids derive from content, so a row edited in a sheet is a new report, and
would count as another operation unless recorded as a correction).
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import click

from .. import _sheets
from ..errors import ConcurrencyError, DuplicateEventError, FieldProblem, ValidationError
from ._context import CommandError, Settings, echo_json, open_ledger, user_errors
from ._options import json_option, ledger_option
from ._render import dangling_warning, edit_warning, ignored_columns_note

if TYPE_CHECKING:
    from .._ledger import Ledger
    from ..events import Event, OperationReported

__all__ = ["import_command"]

_PROGRESS_THRESHOLD = 2_000
_IMPORT_RETRIES = 5
_MAX_EDIT_WARNINGS = 50
_CHANGE_IS_A_CORRECTION = "a change to a recorded event must be a new report-corrected event"


@click.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate the whole file against the ledger and record nothing.",
)
@click.option(
    "--map",
    "column_map",
    default="",
    metavar="THEIRS=OURS,…",
    help="Rename a sheet's columns to the documented ones, e.g. 'Nation=country,When=date'.",
)
@click.option(
    "--ignore-unknown-columns",
    is_flag=True,
    help="Leave out a sheet's columns that are not documented ones, instead of refusing the "
    "sheet (a misspelt column is then lost too).",
)
@json_option
@ledger_option
@click.pass_obj
def import_command(
    settings: Settings,
    file: Path,
    dry_run: bool,
    column_map: str,
    ignore_unknown_columns: bool,
    as_json: bool,
) -> None:
    """Import FILE: JSON Lines events (one JSON object per line), or a CSV/XLSX sheet.

    The whole file is validated first; either all of it is recorded or none of it, and every
    problem is listed by line (row) and field (column). An id the ledger already holds with
    other content is refused; --dry-run checks that too. Importing the same file again records
    nothing new. A correction, retraction, link or adjudication naming an event that is neither
    in the ledger nor in the file is recorded with a warning: the report may come later. So is a
    new operation report with the publisher, country and date of one in the ledger: an edited
    sheet row is a new report unless its supersedes column names the report it replaces.

    With --json, a file that is refused prints a JSON document of its problems (line, field,
    value, rule) on stdout, and the exit status is still 1.
    """
    with user_errors(), _problems_as_json(file, dry_run, enabled=as_json):
        batch = _read_import(file, column_map, ignore_unknown_columns)
        if batch.ignored:
            click.echo(ignored_columns_note(batch.ignored), err=True)
        events = batch.events
        _check_batch(events, batch.lines, _NOTHING)
        new, head = (_try_import if dry_run else _import)(settings, batch)
    report = {
        "file": str(file),
        "read": len(events),
        "recorded": 0 if dry_run else new,
        "already_in_ledger": len(events) - new,
        "position": head,
        "dry_run": dry_run,
    }
    if as_json:
        echo_json(report)
    elif dry_run:
        click.echo(f"{file}: {len(events)} events valid, {new} new; nothing recorded (dry run)")
    else:
        click.echo(
            f"{file}: {len(events)} events read, {new} recorded, {len(events) - new} already in "
            f"the ledger; ledger {settings.name} is at position {head}"
        )


@contextmanager
def _problems_as_json(file: Path, dry_run: bool, *, enabled: bool) -> Iterator[None]:
    """Print the problems of a refused file as a JSON document on stdout, for programs; the
    error lines on stderr and the exit status stay as they are."""
    try:
        yield
    except ValidationError as exc:
        if enabled:
            errors = [
                {"line": p.line, "field": p.field, "value": _json_value(p.value), "rule": p.rule}
                for p in exc.problems
            ]
            echo_json({"file": str(file), "dry_run": dry_run, "recorded": 0, "errors": errors})
        raise


def _json_value(value: Any) -> Any:
    """Return a problem's value as JSON data: as it is when JSON has it, else as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): _json_value(item) for key, item in value.items()}
    return str(value)


# -- checking against the ledger and recording ------------------------------------------------
class _Batch(NamedTuple):
    """A file read for import: its events, the line of each (when known), what was left out."""

    events: list[Event]
    lines: Sequence[int | None]
    ignored: Sequence[tuple[str, str | None]] = ()
    sheet: bool = False


def _try_import(settings: Settings, batch: _Batch) -> tuple[int, int]:
    """Check a batch against the ledger as recording would; return (new events, head)."""
    events, lines = batch.events, batch.lines
    head, view = 0, _NOTHING
    if settings.exists():
        with open_ledger(settings) as ledger:
            head = ledger.head
            wanted = {e.id for e in events} | _references(events)
            view = _scan_ledger(ledger, wanted, _edit_keys(events))
    _check_batch(events, lines, view)
    _warn(batch, view, recorded=False)
    return len({e.id for e in events} - view.events.keys()), head


def _import(settings: Settings, batch: _Batch) -> tuple[int, int]:
    """Record a batch (all or nothing); return (events recorded, head)."""
    events = batch.events
    with open_ledger(settings, create=True) as ledger:
        # Only references the file itself cannot resolve, and whether its operation reports
        # are new, need a look at the ledger.
        wanted = (_references(events) - _ids(events)) | {e.id for e in _operations(events)}
        view = _scan_ledger(ledger, wanted, _edit_keys(events))
        before, after = _record(ledger, events, batch.lines)
    _warn(batch, view, recorded=True)
    return after - before, after


def _warn(batch: _Batch, view: _LedgerView, *, recorded: bool) -> None:
    """Warn, on stderr and by line, of dangling references and of likely edits (the first
    fifty of those, as errors are listed: a sheet generated from other data may hold many)."""
    for found in _dangling(batch.events, batch.lines, view):
        click.echo(dangling_warning(*found, recorded=recorded), err=True)
    edits = _likely_edits(batch.events, batch.lines, view)
    for line, position, event_id, differs in edits[:_MAX_EDIT_WARNINGS]:
        click.echo(edit_warning(line, position, event_id, differs, sheet=batch.sheet), err=True)
    if len(edits) > _MAX_EDIT_WARNINGS:
        more = len(edits) - _MAX_EDIT_WARNINGS
        click.echo(f"warning: … and {more} more reports that look like edits", err=True)


# What a report is known by to an analyst scanning a sheet: publisher, receiving country, date.
_EditKey = tuple[str, str, str]


class _LedgerView(NamedTuple):
    """What an import needs to know of a ledger: some of its events, which ids it holds, and
    the operation reports in force with the keys asked for (the latest of each: the position
    of its version in force, the id it was first recorded under, and that version)."""

    events: dict[uuid.UUID, tuple[int, Event]]
    known: frozenset[uuid.UUID]
    similar: Mapping[_EditKey, tuple[int, uuid.UUID, OperationReported]]


_NOTHING = _LedgerView({}, frozenset(), {})


def _operations(events: Sequence[Event]) -> list[OperationReported]:
    """The operation reports of a batch itself (not those a correction carries)."""
    from ..events import OperationReported

    return [event for event in events if isinstance(event, OperationReported)]


def _edit_key(report: OperationReported) -> _EditKey:
    publisher = " ".join(report.source.publisher.casefold().split())
    return publisher, report.country, report.date.to_text()


def _edit_keys(events: Sequence[Event]) -> set[_EditKey]:
    return {_edit_key(event) for event in _operations(events)}


def _likely_edits(
    events: Sequence[Event], lines: Sequence[int | None], view: _LedgerView
) -> list[tuple[int | None, int, str, list[str]]]:
    """Return (line, position, id, fields that differ) for each new operation report that
    shares its publisher, country and date with a report in force in the ledger."""
    from ..events import OperationReported

    found = []
    for event, line in zip(events, lines, strict=True):
        if event.id in view.known or not isinstance(event, OperationReported):
            continue
        match = view.similar.get(_edit_key(event))
        if match is not None:
            position, event_id, report = match
            found.append((line, position, str(event_id), _differences(event, report)))
    return found


def _differences(new: Event, old: Event) -> list[str]:
    """Return the fields in which two events differ: ``people.total``, ``notes`` …"""
    from ..events import event_to_dict

    ours, theirs = event_to_dict(new), event_to_dict(old)
    names: list[str] = []
    for key in [*ours, *(key for key in theirs if key not in ours)]:
        mine, other = ours.get(key), theirs.get(key)
        if key == "id" or mine == other:
            continue
        if isinstance(mine, dict) and isinstance(other, dict):
            keys = [*mine, *(k for k in other if k not in mine)]
            names.extend(f"{key}.{k}" for k in keys if mine.get(k) != other.get(k))
        else:
            names.append(key)
    return names


def _referable(event: Event) -> Iterator[uuid.UUID]:
    """Yield the ids an event can be referred to by: its own, and a correction's replacement's."""
    from ..events import ReportCorrected

    yield event.id
    if isinstance(event, ReportCorrected):
        yield event.replacement.id


def _ids(events: Sequence[Event]) -> set[uuid.UUID]:
    """The ids events can be referred to by."""
    return {ref for event in events for ref in _referable(event)}


def _references_of(event: Event) -> list[tuple[str, uuid.UUID]]:
    from ..events import FigureAdjudicated, ReportCorrected, ReportRetracted, ReportsLinked

    if isinstance(event, ReportCorrected):
        return [("supersedes", event.supersedes)]
    if isinstance(event, ReportRetracted):
        return [("retracts", event.retracts)]
    if isinstance(event, FigureAdjudicated):
        return [("report", event.report)]
    if isinstance(event, ReportsLinked):
        return [("reports", report) for report in event.reports]
    return []


def _references(events: Sequence[Event]) -> set[uuid.UUID]:
    return {ref for event in events for _, ref in _references_of(event)}


def _scan_ledger(ledger: Ledger, wanted: set[uuid.UUID], keys: set[_EditKey]) -> _LedgerView:
    """Read the ledger once for the ids wanted (which it holds, and the events stored under
    them) and for the operation reports in force with the keys wanted.

    Which reports are in force is the fold's answer (corrections applied, retractions removed,
    whatever the order they were recorded in); this reads the versions in force to compare
    their fields. A report is known by the id it was first recorded under, which a correction
    supersedes, and the position of its version in force. Costs a read of the whole log
    (O(events)); skipped when nothing is wanted.
    """
    from ..events import OperationReported, ReportCorrected
    from ..projections._records import OpRec, uuid_of

    found: dict[uuid.UUID, tuple[int, Event]] = {}
    known: set[uuid.UUID] = set()
    if not wanted and not keys:
        return _NOTHING
    # The position of each operation report's version in force, and the report's own id.
    in_force: dict[int, int] = {}
    if keys:
        in_force = {
            rec.position: rec.id
            for rec in ledger.state().reports.values()
            if isinstance(rec, OpRec)
        }
    similar: dict[_EditKey, tuple[int, uuid.UUID, OperationReported]] = {}
    for envelope in ledger.store.read():
        event = envelope.event
        if event.id in wanted:
            found[event.id] = (envelope.position, event)
        known.update(ref for ref in _referable(event) if ref in wanted)
        report_id = in_force.get(envelope.position)
        if report_id is None:
            continue
        report = event.replacement if isinstance(event, ReportCorrected) else event
        if isinstance(report, OperationReported):
            key = _edit_key(report)
            if key in keys and (key not in similar or similar[key][0] < envelope.position):
                similar[key] = (envelope.position, uuid_of(report_id), report)
    return _LedgerView(found, frozenset(known), similar)


def _id_taken(event_id: object, rule: str, line: int | None) -> FieldProblem:
    """The problem of an id given to other content; a change must be a correction."""
    return FieldProblem("id", str(event_id), f"{rule}; {_CHANGE_IS_A_CORRECTION}", line)


def _check_batch(events: Sequence[Event], lines: Sequence[int | None], view: _LedgerView) -> None:
    """Refuse ids given other content: earlier in the file, or in the ledger (as the store would).

    Raises:
        ValidationError: one problem per such event, at its line.
    """
    problems: list[FieldProblem] = []
    first: dict[uuid.UUID, tuple[int | None, Event]] = {}
    for event, line in zip(events, lines, strict=True):
        stored = view.events.get(event.id)
        earlier = first.setdefault(event.id, (line, event))
        if stored is not None and stored[1] != event:
            rule = f"already stored at position {stored[0]} with other content"
        elif earlier[1] != event:
            where = f"line {earlier[0]}" if earlier[0] is not None else "an earlier row"
            rule = f"{where} of this file gives this id to other content"
        else:
            continue
        problems.append(_id_taken(event.id, rule, line))
    if problems:
        raise ValidationError(problems)


def _dangling(
    events: Sequence[Event], lines: Sequence[int | None], view: _LedgerView
) -> list[tuple[int | None, str, str]]:
    """Return (line, field, id) for each reference to an event neither file nor ledger holds."""
    resolvable = _ids(events) | view.known
    return [
        (line, field, str(ref))
        for event, line in zip(events, lines, strict=True)
        for field, ref in _references_of(event)
        if ref not in resolvable
    ]


def _record(ledger: Ledger, events: list[Event], lines: Sequence[int | None]) -> tuple[int, int]:
    for attempt in range(_IMPORT_RETRIES):
        before = ledger.head
        try:
            return before, ledger.record_many(events, expected_position=before)
        except ConcurrencyError:
            # Another writer got in between: count against its new head.
            if attempt == _IMPORT_RETRIES - 1:
                raise
        except DuplicateEventError as exc:
            # The store compares ids with the whole log; the user needs the file's line.
            lines_of = dict(zip((str(e.id) for e in events), lines, strict=True))
            raise ValidationError(
                _id_taken(
                    exc.event_id,
                    f"already stored at position {exc.position} with other content",
                    lines_of.get(str(exc.event_id)),
                )
            ) from None
    raise AssertionError("unreachable")  # pragma: no cover


# -- reading the file -------------------------------------------------------------------------
def _read_import(file: Path, column_map: str, ignore_unknown: bool) -> _Batch:
    """Read a file to import: its events and the line each came from."""
    from ..events import read_jsonl

    if not file.exists():
        raise OSError(2, "no such file", str(file))
    suffix = file.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        if column_map or ignore_unknown:
            option = "--map" if column_map else "--ignore-unknown-columns"
            raise click.UsageError(f"{option} applies to CSV and XLSX sheets, not to JSON Lines")
        _refuse_plain_json(file)
        events = read_jsonl(file)
        with open(file, "rb") as stream:
            lines: list[int | None] = [n for n, text in enumerate(stream, 1) if text.strip()]
        return _Batch(events, lines)
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise click.UsageError(
            f"cannot import {file.name!r}: expected a .jsonl, .csv or .xlsx file"
        )
    sheet = _read_sheet(file, _sheets.parse_column_map(column_map), ignore_unknown)
    return _Batch(list(sheet.events), list(sheet.lines), sheet.ignored, sheet=True)


def _refuse_plain_json(file: Path) -> None:
    """Refuse a JSON document spread over lines (read as JSON Lines, each line would be wrong)."""
    with open(file, "rb") as stream:
        head = stream.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    first_line = head.split(b"\n", 1)[0].strip()
    if head.startswith(b"["):
        shape, jq = "a JSON array", "'.[]'"
    elif first_line == b"{":
        shape, jq = "one JSON object spread over several lines", "."
    else:
        return
    raise CommandError(
        f"{file}: the file is {shape}; import reads one JSON object per line (JSON Lines). "
        f"Convert it with: jq -c {jq} {file.name} > {file.stem}.jsonl"
    )


def _read_sheet(file: Path, mapping: Mapping[str, str], ignore_unknown: bool) -> _sheets.Sheet:
    read = partial(
        _sheets.read_sheet,
        file,
        column_map=mapping,
        ignore_unknown_columns=ignore_unknown,
    )
    rows = _count_rows(file) if file.suffix.lower() == ".csv" else 0
    if rows <= _PROGRESS_THRESHOLD:
        return read()
    with click.progressbar(length=rows, label=f"reading {file.name}", file=sys.stderr) as bar:
        seen = 0

        def advance(count: int) -> None:
            nonlocal seen
            bar.update(count - seen)
            seen = count

        sheet = read(progress=advance)
        bar.update(rows - seen)
    return sheet


def _count_rows(file: Path) -> int:
    with open(file, "rb") as stream:
        return max(sum(1 for _ in stream) - 1, 0)
