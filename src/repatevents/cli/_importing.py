"""The ``import`` command: read a file of events, check it against the ledger, record it whole.

A file is JSON Lines (one event a line) or a CSV/XLSX sheet of operations. Before anything is
recorded the batch is checked as the store would check it (an id already given to other content,
in the file or in the ledger, is refused at its line), and a dry run does the same checks. A
reference to an event neither the file nor the ledger holds is recorded with a warning.
"""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import click

from .. import _sheets
from ..errors import ConcurrencyError, DuplicateEventError, FieldProblem, ValidationError
from ._context import CommandError, Settings, echo_json, open_ledger, user_errors
from ._options import json_option, ledger_option
from ._render import dangling_warning

if TYPE_CHECKING:
    from .._ledger import Ledger
    from ..events import Event

__all__ = ["import_command"]

_PROGRESS_THRESHOLD = 2_000
_IMPORT_RETRIES = 5
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
    in the ledger nor in the file is recorded with a warning: the report may come later.
    """
    with user_errors():
        events, lines = _read_import(file, column_map, ignore_unknown_columns)
        _check_batch(events, lines, _NOTHING)
        new, head = (_try_import if dry_run else _import)(settings, events, lines)
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
            f"the ledger; ledger {settings.ledger} is at position {head}"
        )


# -- checking against the ledger and recording ------------------------------------------------
def _try_import(
    settings: Settings, events: list[Event], lines: Sequence[int | None]
) -> tuple[int, int]:
    """Check a batch against the ledger as recording would; return (new events, head)."""
    head, view = 0, _NOTHING
    if Path(settings.ledger).exists():
        with open_ledger(settings) as ledger:
            head = ledger.head
            view = _scan_ledger(ledger, {e.id for e in events} | _references(events))
    _check_batch(events, lines, view)
    for found in _dangling(events, lines, view):
        click.echo(dangling_warning(*found, recorded=False), err=True)
    return len({e.id for e in events} - view.events.keys()), head


def _import(
    settings: Settings, events: list[Event], lines: Sequence[int | None]
) -> tuple[int, int]:
    """Record a batch (all or nothing); return (events recorded, head)."""
    with open_ledger(settings, create=True) as ledger:
        # Only references the file itself cannot resolve need a look at the ledger.
        view = _scan_ledger(ledger, _references(events) - _ids(events))
        before, after = _record(ledger, events, lines)
    for found in _dangling(events, lines, view):
        click.echo(dangling_warning(*found, recorded=True), err=True)
    return after - before, after


class _LedgerView(NamedTuple):
    """What an import needs to know of a ledger: some of its events, and which ids it holds."""

    events: dict[uuid.UUID, tuple[int, Event]]
    known: frozenset[uuid.UUID]


_NOTHING = _LedgerView({}, frozenset())


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


def _scan_ledger(ledger: Ledger, wanted: set[uuid.UUID]) -> _LedgerView:
    """Read the ledger once for the ids wanted: which it holds, and the events stored under them.

    Costs a read of the whole log (O(events)); skipped when nothing is wanted.
    """
    found: dict[uuid.UUID, tuple[int, Event]] = {}
    known: set[uuid.UUID] = set()
    if wanted:
        for envelope in ledger.store.read():
            event = envelope.event
            if event.id in wanted:
                found[event.id] = (envelope.position, event)
            known.update(ref for ref in _referable(event) if ref in wanted)
    return _LedgerView(found, frozenset(known))


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
def _read_import(
    file: Path, column_map: str, ignore_unknown: bool
) -> tuple[list[Event], list[int | None]]:
    """Read a file to import; return its events and the line each came from (when known)."""
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
        return events, lines
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise click.UsageError(
            f"cannot import {file.name!r}: expected a .jsonl, .csv or .xlsx file"
        )
    events = _read_sheet(file, _sheets.parse_column_map(column_map), ignore_unknown)
    # The sheet reader does not say which row each event came from.
    return events, [None] * len(events)


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


def _read_sheet(file: Path, mapping: Mapping[str, str], ignore_unknown: bool) -> list[Event]:
    read = partial(
        _sheets.read_operations_sheet,
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

        events = read(progress=advance)
        bar.update(rows - seen)
    return events


def _count_rows(file: Path) -> int:
    with open(file, "rb") as stream:
        return max(sum(1 for _ in stream) - 1, 0)
