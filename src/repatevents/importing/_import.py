"""Import a file into a ledger: read it whole, check it whole, record all of it or none of it.

This is the one import: ``Ledger.import_file`` (and through it ``Ledger.import_jsonl`` and the
``import`` command) calls ``import_file``. A file is JSON Lines (one event a line), or a CSV or
XLSX sheet of operations (``_sheets``). Whatever its bytes, the import either records events or
raises ``ValidationError`` listing every problem by line (row) and field (column); the ledger is
then unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

import attrs

from ..errors import ConcurrencyError, DuplicateEventError, FieldProblem, ValidationError
from ..events import Event, loads_event
from . import _checks
from ._sheets import read_sheet

if TYPE_CHECKING:
    from .._ledger import ImportResult, ImportWarning, Ledger

__all__ = ["FORMATS", "Format", "Progress", "detect_format", "import_file"]

Format = Literal["jsonl", "csv", "xlsx"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv", "xlsx")
#: Called as ``progress(stage, done, total)``: stage is "reading", "checking" or "saving";
#: total is ``None`` while it is not known.
Progress = Callable[[str, int, "int | None"], None]
_SUFFIXES: dict[str, Format] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}
_RETRIES = 5
_MAX_EDIT_WARNINGS = 50


@attrs.frozen
class _Batch:
    """A file read for import: its events, the line of each, what the reader left out."""

    events: list[Event]
    lines: Sequence[int | None]
    notes: tuple[ImportWarning, ...] = ()
    sheet: bool = False


def detect_format(data: bytes, name: str | None = None) -> Format:
    """Return a file's format: from its name's suffix, or for a stream, from its bytes.

    A ZIP archive is a workbook, a first character ``{`` is JSON Lines, anything else is CSV.

    Raises:
        ValidationError: the name has a suffix that is none of the formats'.
    """
    if name is not None:
        suffix = Path(name).suffix.lower()
        known = _SUFFIXES.get(suffix)
        if known is not None:
            return known
        if suffix:
            rule = (
                f"cannot import {Path(name).name!r}: expected a .jsonl, .csv or .xlsx file, "
                "or a format given (jsonl, csv or xlsx)"
            )
            raise ValidationError(FieldProblem("format", suffix, rule))
    if data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] in (b"{", b"["):
        return "jsonl"
    return "csv"


def import_file(
    ledger: Ledger,
    source: str | os.PathLike[str] | IO[bytes],
    *,
    format: Format | None = None,
    column_map: Mapping[str, str] | None = None,
    ignore_unknown_columns: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Read, check and record a file; see ``Ledger.import_file``."""
    from .._ledger import ImportResult

    name, data = _read(source)
    kind = format or detect_format(data, name)
    if kind not in FORMATS:
        rule = f"one of {', '.join(FORMATS)}"
        raise ValidationError(FieldProblem("format", kind, rule))
    try:
        batch = _read_batch(data, kind, name, column_map, ignore_unknown_columns, progress)
    except ValidationError as exc:
        raise ValidationError([_of_file(problem, name) for problem in exc.problems]) from None
    events, lines = batch.events, batch.lines
    if progress is not None:
        progress("checking", 0, len(events))
    _checks.check_batch(events, lines, _checks.NOTHING)
    recorded: int | None = None
    for attempt in range(_RETRIES):
        before = ledger.head
        view = _checks.scan_ledger(ledger, events)
        _checks.check_batch(events, lines, view)
        if progress is not None:
            progress("checking", len(events), len(events))
        if dry_run:
            recorded = len({event.id for event in events} - view.events.keys())
            head = before
            break
        if progress is not None:
            progress("saving", 0, len(events))
        try:
            head = ledger.record_many(events, expected_position=before)
        except ConcurrencyError:
            # Another writer got in between: check again against what it recorded.
            if attempt == _RETRIES - 1:
                raise
            continue
        except DuplicateEventError as exc:
            line = dict(zip((str(e.id) for e in events), lines, strict=True)).get(str(exc.event_id))
            rule = f"already stored at position {exc.position} with other content"
            raise ValidationError(_checks.id_taken(exc.event_id, rule, line)) from None
        recorded = head - before
        if progress is not None:
            progress("saving", len(events), len(events))
        break
    assert recorded is not None
    warnings = (*batch.notes, *_warnings(batch, view, dry_run=dry_run))
    return ImportResult(
        recorded=recorded,
        already_present=len(events) - recorded,
        head=head,
        warnings=warnings,
        dry_run=dry_run,
    )


def _of_file(problem: FieldProblem, name: str | None) -> FieldProblem:
    """Name the file in a problem of the whole file (one no row or field can be blamed for)."""
    if problem.field or problem.line is not None:
        return problem
    return attrs.evolve(problem, field="file", value=name or "<stream>")


def _read(source: str | os.PathLike[str] | IO[bytes]) -> tuple[str | None, bytes]:
    """Return a source's name (when it has one) and its bytes."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return str(path), path.read_bytes()
    data = source.read()
    if not isinstance(data, bytes):
        raise TypeError("import_file reads a binary stream (open the file with 'rb')")
    name = getattr(source, "name", None)
    return (name if isinstance(name, str) and not name.startswith("<") else None), data


def _read_batch(
    data: bytes,
    kind: Format,
    name: str | None,
    column_map: Mapping[str, str] | None,
    ignore_unknown: bool,
    progress: Progress | None,
) -> _Batch:
    from .._ledger import ImportWarning

    if kind == "jsonl":
        if column_map or ignore_unknown:
            option = "column_map" if column_map else "ignore_unknown_columns"
            rule = "applies to CSV and XLSX sheets, not to JSON Lines"
            raise ValidationError(FieldProblem(option, column_map or True, rule))
        return _read_jsonl(data, name, progress)

    def rows_read(count: int) -> None:
        if progress is not None:
            progress("reading", count, None)

    sheet = read_sheet(
        data,
        kind,
        column_map=column_map,
        ignore_unknown_columns=ignore_unknown,
        progress=rows_read,
    )
    notes: tuple[ImportWarning, ...] = ()
    if sheet.ignored:
        names = [
            f"{header!r} (did you mean {suggestion!r}?)" if suggestion else repr(header)
            for header, suggestion in sheet.ignored
        ]
        count = "1 column" if len(names) == 1 else f"{len(names)} columns"
        message = (
            f"--ignore-unknown-columns left out {count}, which no event holds: "
            f"{', '.join(names)}; rename a misspelt one with --map"
        )
        headers = tuple(header for header, _ in sheet.ignored)
        notes = (ImportWarning(None, "header", headers, message),)
    return _Batch(list(sheet.events), list(sheet.lines), notes, sheet=True)


def _read_jsonl(data: bytes, name: str | None, progress: Progress | None) -> _Batch:
    _refuse_plain_json(data, name)
    events: list[Event] = []
    lines: list[int | None] = []
    problems: list[FieldProblem] = []
    # Lines end at "\n" only, as reading the file line by line would split them.
    for number, line in enumerate(data.split(b"\n"), start=1):
        if progress is not None and number % 1000 == 0:
            progress("reading", number, None)
        if not line.strip():
            continue
        try:
            events.append(loads_event(line, line_number=number))
            lines.append(number)
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return _Batch(events, lines)


def _refuse_plain_json(data: bytes, name: str | None) -> None:
    """Refuse a JSON document spread over lines (read as JSON Lines, each line would be wrong)."""
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    first_line = head.split(b"\n", 1)[0].strip()
    if head.startswith(b"["):
        shape, jq = "a JSON array", "'.[]'"
    elif first_line == b"{":
        shape, jq = "one JSON object spread over several lines", "."
    else:
        return
    path = Path(name or "events.json")
    rule = (
        f"the file is {shape}; import reads one JSON object per line (JSON Lines). "
        f"Convert it with: jq -c {jq} {path.name} > {path.stem}.jsonl"
    )
    raise ValidationError(FieldProblem("", first_line[:20].decode("utf-8", "replace"), rule, 1))


def _warnings(batch: _Batch, view: _checks.LedgerView, *, dry_run: bool) -> list[ImportWarning]:
    """Warn, by line, of dangling references and of likely edits (the first fifty of those, as
    errors are listed: a sheet generated from other data may hold many)."""
    from .._ledger import ImportWarning

    verb = "would be" if dry_run else "is"
    found = [
        ImportWarning(
            line,
            field,
            event_id,
            f"{field} names event {event_id!r}, which is neither in the ledger nor in this "
            f"file; it {verb} recorded all the same (the report it names may come later), and "
            "changes nothing until that report is recorded",
        )
        for line, field, event_id in _checks.dangling(batch.events, batch.lines, view)
    ]
    edits = _checks.likely_edits(batch.events, batch.lines, view)
    for line, position, event_id, differs in edits[:_MAX_EDIT_WARNINGS]:
        how = (
            "with a supersedes column"
            if batch.sheet
            else f'(a report-corrected event with "supersedes": "{event_id}")'
        )
        what = f" but differs in {', '.join(differs)}" if differs else ""
        found.append(
            ImportWarning(
                line,
                "id",
                event_id,
                f"looks like an edit of the report at position {position} (id {event_id}): it "
                f"has the same publisher, country and date{what}; record it as a correction "
                f"{how}, or it counts as another operation",
            )
        )
    if len(edits) > _MAX_EDIT_WARNINGS:
        more = len(edits) - _MAX_EDIT_WARNINGS
        found.append(
            ImportWarning(None, "", more, f"… and {more} more reports that look like edits")
        )
    return found
