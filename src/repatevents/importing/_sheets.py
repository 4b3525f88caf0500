"""Read operations from a spreadsheet (CSV or XLSX) with a documented column set.

Many analysts keep their figures in a sheet, one operation per row. Each row becomes an
``operation-reported`` event through the same validator as the JSON Lines format, so a sheet and
a JSON file are held to the same rules. The whole sheet is read and checked before anything is
returned: a caller records all of it or none of it. Nothing in the file is skipped unseen: a
cell under no header, a quote that is never closed, a byte that is not UTF-8 and a formula with
no saved value are each reported at their row.

``_files`` reads the file into rows of cells; this module matches the header to the
columns and turns each row into an event.

The columns, their aliases and what each holds are ``_columns.TABLE``; ``--map`` renames other
headers to them.

Ids derive from the content, so a row edited in the sheet is a new report: imported again, it
would count as another operation. A ``supersedes`` cell holding the recorded report's id (as
``repatevents events`` lists it) records the edit as a correction instead.

``date_role`` and ``speaker_kind`` are read without regard to case, with spaces or underscores
for hyphens ("Camp administration"). A CSV file may separate its cells with ``,``, ``;`` or tabs;
the header line says which.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, NamedTuple

import attrs

from ..errors import FieldProblem, ValidationError
from ..events import (
    DateRole,
    Event,
    FuzzyDate,
    OperationReported,
    ReportCorrected,
    SpeakerKind,
    event_from_dict,
)
from . import _cells as cell
from ._columns import ALIASES, COLUMNS, COUNT_COLUMNS, REQUIRED_COLUMNS, TABLE, closest, normal
from ._files import SheetKind, Unreadable, column_letters, sheet_rows

__all__ = ["IgnoredColumn", "Sheet", "parse_column_map", "read_sheet"]

_COUNT_COLUMNS = COUNT_COLUMNS
_SOURCE_COLUMNS = tuple(column.name for column in TABLE if column.part == "source")
_EVENT_COLUMNS = tuple(column.name for column in TABLE if column.part == "event")
# Free text: a number an .xlsx stored in one of these is the text it shows.
_TEXT_COLUMNS = frozenset(column.name for column in TABLE if column.text)
_ENUMS: dict[str, type[enum.Enum]] = {"date_role": DateRole, "speaker_kind": SpeakerKind}
ProgressCallback = Callable[[int], None]
_SHEET_REASON = "corrected in the sheet"


class IgnoredColumn(NamedTuple):
    """A column left out because its header is not a known column."""

    header: str
    #: The known column it is closest to, when one is close (``women`` for ``womens``).
    suggestion: str | None


@attrs.frozen
class Sheet:
    """What a sheet holds: its events, the row each came from, and the columns left out.

    Attributes:
        events: one event per non-empty row, in sheet order: an ``OperationReported``, or a
            ``ReportCorrected`` carrying it when the row names the report it ``supersedes``.
        lines: the row of each event (the header is row 1).
        ignored: the columns left out (``ignore_unknown_columns``), in sheet order.
    """

    events: tuple[Event, ...]
    lines: tuple[int, ...]
    ignored: tuple[IgnoredColumn, ...] = ()


def parse_column_map(text: str) -> dict[str, str]:
    """Read a ``--map`` value: ``"Sheet column=country,Another=date"``.

    Keys are matched against the sheet's headers as the headers are matched against the
    columns: without regard to case, spaces as underscores.

    Raises:
        ValidationError: listing every entry that has no ``=``, names a column the importer does
            not know, repeats a sheet column, or maps two sheet columns to one.
    """
    mapping: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for entry in filter(None, (part.strip() for part in text.split(","))):
        theirs, sep, ours = entry.partition("=")
        theirs, ours = theirs.strip(), normal(ours)
        if not sep or not theirs:
            problems.append(FieldProblem("--map", entry, "entries look like 'Their name=ours'"))
        elif ours not in COLUMNS:
            problems.append(
                FieldProblem(
                    "--map", entry, f"{ours!r} is not a column; known: {', '.join(COLUMNS)}"
                )
            )
        elif normal(theirs) in map(normal, mapping):
            problems.append(FieldProblem("--map", entry, f"maps the column {theirs!r} twice"))
        elif ours in mapping.values():
            problems.append(FieldProblem("--map", entry, f"a second column mapped to {ours!r}"))
        else:
            mapping[theirs] = ours
    if problems:
        raise ValidationError(problems)
    return mapping


def read_sheet(
    data: bytes,
    kind: SheetKind,
    *,
    column_map: Mapping[str, str] | None = None,
    ignore_unknown_columns: bool = False,
    progress: ProgressCallback | None = None,
) -> Sheet:
    """Read every row of a CSV or XLSX sheet of operations into events.

    Args:
        data: the file's bytes.
        kind: ``"csv"`` (UTF-8, with or without a BOM; cells separated by ``,``, ``;`` or tabs)
            or ``"xlsx"`` (its first sheet; needs the ``xlsx`` extra: openpyxl, defusedxml).
        column_map: renames from the sheet's headers to the importer's columns, matched as
            headers are (case-insensitive, spaces as underscores). A key that matches no header
            is an error: it is most likely misspelt.
        ignore_unknown_columns: leave out columns whose header is not a known column, instead of
            refusing the sheet (a misspelt ``womens`` would then be lost, hence the default;
            ``Sheet.ignored`` lists them, so that a caller can say so).
        progress: called with the number of rows read so far, every few hundred rows.

    Returns:
        One event per non-empty row, in sheet order, with its row: an ``OperationReported``,
        or a ``ReportCorrected`` whose replacement it is when the row's ``supersedes`` names a
        recorded report.

    Raises:
        ValidationError: listing every problem found, each with its row (``line``; the header is
            row 1) and column. Nothing is returned when there is any problem.
    """
    rows = sheet_rows(data, kind)
    headers = next(rows, None)
    if headers is None or all(cell.clean(header) is None for header in headers):
        rule = "the sheet is empty; its first row must be the header, naming the columns"
        raise ValidationError(FieldProblem("header", headers or [], rule, 1))
    columns, ignored = _resolve_headers(headers, column_map or {}, ignore_unknown_columns)
    counts = [name for name in columns.values() if name in _COUNT_COLUMNS]
    events: list[Event] = []
    lines: list[int] = []
    problems: list[FieldProblem] = []
    unheaded: dict[int, list[tuple[int, Any]]] = {}
    try:
        for number, row in enumerate(rows, start=2):
            if progress is not None and number % 500 == 0:
                progress(number - 1)
            cells: dict[str, Any] = {}
            unreadable: set[str] = set()
            for index, raw in enumerate(row):
                value = cell.clean(raw)
                name = columns.get(index)
                if value is None or index in ignored:
                    continue
                if isinstance(value, Unreadable):
                    label = name or _column_label(index)
                    problems.append(FieldProblem(label, value.shown, value.rule, number))
                    unreadable.add(label)
                elif name is not None:
                    cells[name] = value
                elif index >= len(headers):
                    problems.append(_beyond_header(index, value, len(headers), number))
                else:
                    unheaded.setdefault(index, []).append((number, value))
            if cells or unreadable:
                try:
                    event = _row_event(cells, number, counts, unreadable)
                except ValidationError as exc:
                    problems.extend(exc.problems)
                else:
                    if event is not None:
                        events.append(event)
                        lines.append(number)
    except ValidationError as exc:  # the rest of the file cannot be read
        problems.extend(exc.problems)
    problems.extend(_unheaded_problem(index, found) for index, found in unheaded.items())
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: p.line or 0))
    left_out = (
        IgnoredColumn(str(headers[index]).strip(), closest(normal(str(headers[index]))))
        for index in sorted(ignored)
    )
    return Sheet(tuple(events), tuple(lines), tuple(left_out))


def _resolve_headers(
    headers: list[Any], column_map: Mapping[str, str], ignore_unknown: bool
) -> tuple[dict[int, str], set[int]]:
    """Return the sheet's known columns by index, and the indices of columns to leave out."""
    renames: dict[str, str] = {}
    unused: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for key, value in column_map.items():
        if normal(key) in renames:
            problems.append(FieldProblem("--map", key, "maps a column of the sheet twice", 1))
        renames[normal(key)], unused[normal(key)] = normal(value), key
    columns: dict[int, str] = {}
    ignored: set[int] = set()
    for index, header in enumerate(headers):
        if isinstance(header, Unreadable):
            problems.append(FieldProblem(_column_label(index), header.shown, header.rule, 1))
            continue
        text = "" if header is None else str(header).strip()
        if not text:
            continue
        key = normal(text)
        unused.pop(key, None)
        name = renames.get(key, ALIASES.get(key, key))
        if name not in COLUMNS:
            if ignore_unknown:
                ignored.add(index)
                continue
            close = closest(name)
            hint = f"did you mean {close!r}? " if close else ""
            rule = (
                f"not a known column; {hint}rename it with --map 'Their header=column' or remove "
                f"it; the columns are: {', '.join(COLUMNS)}"
            )
            problems.append(FieldProblem(text, text, rule, 1))
        elif name in columns.values():
            rule = f"a second column for {name!r}"
            if key in ALIASES and key not in renames:
                rule += f" ({text!r} is read as {name!r}); rename one of them with --map"
            problems.append(FieldProblem(text, text, rule, 1))
        else:
            columns[index] = name
    named = [str(h).strip() for h in headers if isinstance(h, str) and h.strip()]
    for key in unused.values():
        rule = f"the sheet has no column {key!r}; its columns are: {', '.join(named)}"
        problems.append(FieldProblem("--map", f"{key}={column_map[key]}", rule, 1))
    for name in REQUIRED_COLUMNS:
        if name not in columns.values():
            problems.append(_missing_column(name, named))
    if not any(name in _COUNT_COLUMNS for name in columns.values()):
        rule = f"a sheet needs at least one count column: {', '.join(_COUNT_COLUMNS)}"
        problems.append(FieldProblem("header", named, rule, 1))
    if problems:
        raise ValidationError(problems)
    return columns, ignored


def _missing_column(name: str, named: list[str]) -> FieldProblem:
    aliases = next(column.aliases for column in TABLE if column.name == name)
    also = f" (or one of: {', '.join(aliases)})" if aliases else ""
    rule = (
        f"the required column {name!r} is missing: no header reads {name!r}{also}; name the "
        f"column that holds it with --map 'Their header={name}'"
    )
    return FieldProblem("header", named, rule, 1)


def _column_label(index: int) -> str:
    return f"column {index + 1} ({column_letters(index)})"


def _beyond_header(index: int, value: Any, width: int, row: int) -> FieldProblem:
    rule = (
        f"the header has {width} columns and this row has a cell beyond them; quote a cell "
        "that contains the separator, or give the column a header"
    )
    return FieldProblem(_column_label(index), value, rule, row)


def _unheaded_problem(index: int, found: list[tuple[int, Any]]) -> FieldProblem:
    rows = [str(row) for row, _ in found[:5]]
    if len(found) > 5:
        rows[-1] = f"{len(found) - 4} more"
    where = f"row {rows[0]}" if len(rows) == 1 else f"rows {', '.join(rows[:-1])} and {rows[-1]}"
    rule = f"the column has no header but holds data ({where}); give it a header or remove it"
    return FieldProblem(_column_label(index), found[0][1], rule, found[0][0])


def _row_event(
    cells: dict[str, Any], row: int, counts: list[str], unreadable: set[str]
) -> Event | None:
    """Return the row's event, or ``None`` when its only problems are the unreadable cells
    already reported.

    Raises:
        ValidationError: the row's problems, each naming its column.
    """
    problems: list[FieldProblem] = []
    # Columns already reported: what the codec then says about them is an echo.
    settled = set(unreadable)

    def refuse(column: str, rule: str) -> None:
        problems.append(FieldProblem(column, cells.pop(column, ""), rule, row))
        settled.add(column)

    def convert(column: str, read: Callable[[Any], Any]) -> None:
        """Replace a cell by what ``read`` makes of it; refuse it when that fails."""
        if column in cells:
            try:
                cells[column] = read(cells[column])
            except ValueError as exc:
                refuse(column, str(exc))

    for name in REQUIRED_COLUMNS:
        if name not in cells and name not in settled:
            refuse(name, f"the cell is empty; every row needs a {name}")
    for name in _TEXT_COLUMNS & cells.keys():
        if isinstance(cells[name], (int, float)) and not isinstance(cells[name], bool):
            cells[name] = str(cells[name])
    for name in _COUNT_COLUMNS:
        convert(name, partial(cell.count, column=name))
    people = {name: cells[name] for name in _COUNT_COLUMNS if name in cells}
    if not people:
        settled.add("people")
        if not settled & set(_COUNT_COLUMNS):
            which = counts[0] if len(counts) == 1 else f"one of {', '.join(counts)}"
            rule = (
                f"the row needs at least one count; fill {which} (leave empty the counts the "
                "report does not give)"
            )
            problems.append(FieldProblem("", None, rule, row))
    for name, kind in _ENUMS.items():
        convert(name, partial(cell.member, kind=kind))
    convert("ordinal", cell.ordinal)
    convert("supersedes", cell.event_id)
    if "reason" in cells and "supersedes" not in cells and "supersedes" not in settled:
        refuse(
            "reason",
            "a reason explains a correction; fill supersedes with the id of the report this row "
            "replaces, or leave reason empty",
        )
    for name in ("date", "published"):
        if isinstance(cells.get(name), (int, float)) and not isinstance(cells[name], bool):
            refuse(name, _serial_date_rule(cells[name]))
    anchor = None
    if "published" in cells:
        try:
            anchor = FuzzyDate.parse(cell.day(cells["published"]))
            cells["published"] = cell.day(cells["published"])
        except ValueError as exc:
            refuse("published", str(exc))
    if isinstance(cells.get("date"), str):
        try:
            cells["date"] = _resolve_date(cell.day(cells["date"]), anchor, "published" in settled)
        except ValueError as exc:
            refuse("date", str(exc))
        except _NeedsPublished:
            settled.add("date")
            cells.pop("date")
    source = {key: cells[key] for key in _SOURCE_COLUMNS if key in cells}
    if "via" in source:
        source["via"] = cell.split(source["via"])
    payload: dict[str, Any] = {"type": "operation-reported", "source": source}
    if people:
        payload["people"] = people
    payload.update((key, cells[key]) for key in _EVENT_COLUMNS if key in cells)
    if "facilitators" in payload:
        payload["facilitators"] = cell.split(payload["facilitators"])
    try:
        event = event_from_dict(payload, line=row)
    except ValidationError as exc:
        located = (attrs.evolve(p, field=_column_of(p.field)) for p in exc.problems)
        problems.extend(p for p in located if p.field not in settled)
        if not problems:
            # Every problem is an unreadable cell, already reported where it was read.
            return None
    if problems:
        raise ValidationError(problems)
    if "supersedes" in cells:
        assert isinstance(event, OperationReported)
        return ReportCorrected(
            source=event.source,
            supersedes=cells["supersedes"],
            replacement=event,
            reason=cells.get("reason", _SHEET_REASON),
        )
    return event


def _serial_date_rule(number: float) -> str:
    """Say what a number in a date column most likely is: a date the sheet shows as a number."""
    rule = "a date, not a number"
    if 1 <= number < 2_958_466:  # the days a spreadsheet date can be (to 9999-12-31)
        # Spreadsheets count days from 1899-12-30 (as Excel does, after its 1900 leap day).
        day = dt.date(1899, 12, 30) + dt.timedelta(days=int(number))
        rule += (
            f": as a spreadsheet's date number it is {day.isoformat()}; format the column as "
            "dates, or write the date as text"
        )
    return rule


class _NeedsPublished(Exception):
    """The date is report words, and ``published``, which they need, is itself wrong."""


def _resolve_date(text: str, anchor: FuzzyDate | None, published_is_wrong: bool) -> Any:
    """Return the date as the codec reads it, resolving report words against ``anchor``."""
    try:
        FuzzyDate.parse(text)
        return text
    except ValueError:
        if anchor is None and not published_is_wrong:
            raise
    if anchor is None:
        # Words that no publication date could resolve are wrong whatever ``published`` says.
        FuzzyDate.parse(text, anchor=dt.date(2000, 1, 1))
        raise _NeedsPublished
    if anchor.precision.value != "day" or anchor.earliest is None:
        raise ValueError(f"{text!r} needs a publication date to the day to be resolved")
    resolved = FuzzyDate.parse(text, anchor=anchor.earliest)
    return {"value": resolved.to_text(), "raw": text}


def _column_of(field: str) -> str:
    """Name problems by the sheet's column rather than the event's field path."""
    for prefix in ("people.", "source."):
        if field.startswith(prefix):
            return field[len(prefix) :].split(".")[0]
    return field.split(".")[0]
