"""Import operations from a spreadsheet (CSV or XLSX) with a documented column set.

Many analysts keep their figures in a sheet, one operation per row. Each row becomes an
``operation-reported`` event through the same validator as the JSON Lines format, so a sheet and
a JSON file are held to the same rules. The whole sheet is read and checked before anything is
returned: a caller records all of it or none of it.

The columns (case-insensitive; ``--map`` renames others to these):

========================  =========  ==========================================================
column                    required   meaning
========================  =========  ==========================================================
country                   yes        receiving state: ISO alpha-3 code, name or alias
date                      yes        ISO / EDTF text, or the report's words ("7 December")
origin                    yes        place id, name or alias ("al-hol", "Roj camp", "Iraq")
publisher                 yes        the outlet whose report was read
total, families, adults,  one of     counts: a whole number or report words ("over 600");
women, men, children,     them       an empty cell means "not reported", never zero
girls, boys, orphans,
unknown
date_role                 no         handover, arrival, operation, announced, unknown
nationality               no         the people's nationality where it differs
facilitators              no         names separated by ";"
operation_name            no         the operation's own name
ordinal                   no         the source's count ("third operation" is 3)
operation_key             no         a key shared by every report of one operation
via                       no         outlets the report came through, separated by ";"
speaker, speaker_kind     no         who said it, and the kind of speaker
url                       no         the address of the report
published                 no         publication date; anchors relative words in ``date``
notes                     no         free text
id                        no         a UUID; derived from the content when empty
========================  =========  ==========================================================
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from .errors import FieldProblem, ValidationError
from .events import CATEGORIES, Event, FuzzyDate, event_from_dict

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "parse_column_map", "read_operations_sheet"]

_COUNT_COLUMNS: tuple[str, ...] = ("total", "families", *CATEGORIES)
_SOURCE_COLUMNS: tuple[str, ...] = (
    "publisher",
    "via",
    "speaker",
    "speaker_kind",
    "url",
    "published",
)
_EVENT_COLUMNS: tuple[str, ...] = (
    "country",
    "date",
    "origin",
    "date_role",
    "nationality",
    "facilitators",
    "operation_name",
    "ordinal",
    "operation_key",
    "notes",
    "id",
)
#: Every column the importer understands.
COLUMNS: tuple[str, ...] = _EVENT_COLUMNS + _COUNT_COLUMNS + _SOURCE_COLUMNS
#: Columns a sheet must have.
REQUIRED_COLUMNS: tuple[str, ...] = ("country", "date", "origin", "publisher")

ProgressCallback = Callable[[int], None]


def parse_column_map(text: str) -> dict[str, str]:
    """Read a ``--map`` value: ``"Sheet column=country,Another=date"``.

    Raises:
        ValidationError: an entry has no ``=`` or names a column the importer does not know.
    """
    mapping: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(","))):
        theirs, sep, ours = entry.partition("=")
        ours = ours.strip().lower()
        if not sep or not theirs.strip():
            raise ValidationError(
                FieldProblem("--map", entry, "entries look like 'Their name=ours'")
            )
        if ours not in COLUMNS:
            raise ValidationError(
                FieldProblem(
                    "--map", entry, f"{ours!r} is not a column; known: {', '.join(COLUMNS)}"
                )
            )
        mapping[theirs.strip().lower()] = ours
    return mapping


def read_operations_sheet(
    path: str | os.PathLike[str],
    *,
    column_map: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
) -> list[Event]:
    """Read every row of a CSV or XLSX sheet of operations into events.

    Args:
        path: a ``.csv`` file (UTF-8, with or without a BOM) or an ``.xlsx`` workbook (its first
            sheet; needs the ``xlsx`` extra: openpyxl).
        column_map: renames from the sheet's headers to the importer's columns (case-insensitive).
        progress: called with the number of rows read so far, every few hundred rows.

    Returns:
        One ``OperationReported`` per non-empty row, in sheet order.

    Raises:
        ValidationError: listing every problem found, each with its row (``line``; the header is
            row 1) and column. Nothing is returned when there is any problem.
        OSError: the file cannot be read.
    """
    target = Path(path)
    rows = _xlsx_rows(target) if target.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(target)
    headers = next(rows, None)
    if headers is None:
        raise ValidationError(
            FieldProblem("", str(target), "the sheet is empty; it needs a header row")
        )
    columns = _resolve_headers(headers, column_map or {})
    events: list[Event] = []
    problems: list[FieldProblem] = []
    for number, row in enumerate(rows, start=2):
        if progress is not None and number % 500 == 0:
            progress(number - 1)
        cells = {name: _clean(row[i]) for i, name in columns.items() if i < len(row)}
        if not any(value is not None for value in cells.values()):
            continue
        try:
            events.append(_row_event(cells, number))
        except ValidationError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ValidationError(problems)
    return events


def _resolve_headers(headers: list[Any], column_map: Mapping[str, str]) -> dict[int, str]:
    renames = {key.lower(): value for key, value in column_map.items()}
    columns: dict[int, str] = {}
    problems: list[FieldProblem] = []
    for index, header in enumerate(headers):
        text = "" if header is None else str(header).strip()
        if not text:
            continue
        name = renames.get(text.lower(), text.lower().replace(" ", "_"))
        if name not in COLUMNS:
            problems.append(
                FieldProblem(text, text, "not a known column; rename it with --map or remove it", 1)
            )
        elif name in columns.values():
            problems.append(FieldProblem(text, text, f"a second column for {name!r}", 1))
        else:
            columns[index] = name
    missing = [name for name in REQUIRED_COLUMNS if name not in columns.values()]
    problems.extend(FieldProblem(name, None, "required column is missing", 1) for name in missing)
    if problems:
        raise ValidationError(problems)
    return columns


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, float) and value.is_integer():
        # Spreadsheet programs store whole numbers as floats.
        return int(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _count(value: Any) -> Any:
    # A signed whole number is a number, so that "-31" is refused as negative, not as words.
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,3}(,\d{3})*|-?\d+", value):
        return int(value.replace(",", ""))
    return value


def _split(value: Any) -> Any:
    return (
        [part.strip() for part in value.split(";") if part.strip()]
        if isinstance(value, str)
        else value
    )


def _row_event(cells: dict[str, Any], row: int) -> Event:
    source = {key: cells[key] for key in _SOURCE_COLUMNS if cells.get(key) is not None}
    if "via" in source:
        source["via"] = _split(source["via"])
    people = {key: _count(cells[key]) for key in _COUNT_COLUMNS if cells.get(key) is not None}
    payload: dict[str, Any] = {"type": "operation-reported", "source": source}
    if people:
        payload["people"] = people
    for key in _EVENT_COLUMNS:
        if cells.get(key) is not None:
            payload[key] = cells[key]
    if "facilitators" in payload:
        payload["facilitators"] = _split(payload["facilitators"])
    if isinstance(payload.get("ordinal"), str) and payload["ordinal"].isdigit():
        payload["ordinal"] = int(payload["ordinal"])
    problems: list[FieldProblem] = []
    date_text = payload.get("date")
    if isinstance(date_text, str):
        try:
            payload["date"] = _resolve_date(date_text, source.get("published"))
        except ValueError as exc:
            problems.append(FieldProblem("date", date_text, str(exc), row))
            payload.pop("date")
    try:
        event = event_from_dict(payload, line=row)
    except ValidationError as exc:
        problems.extend(attrs.evolve(p, field=_column_of(p.field)) for p in exc.problems)
    if problems:
        # A missing date is reported once, as the unreadable date it was, not also as missing.
        raise ValidationError(
            [
                p
                for p in problems
                if not (p.field == "date" and p.rule == "required field is missing")
            ]
        )
    return event


def _resolve_date(text: str, published: Any) -> Any:
    """Return the date as the codec reads it, resolving report words against ``published``."""
    try:
        FuzzyDate.parse(text)
        return text
    except ValueError:
        if not isinstance(published, str):
            raise
    anchor_date = FuzzyDate.parse(published)
    if anchor_date.precision.value != "day" or anchor_date.earliest is None:
        raise ValueError(f"{text!r} needs a publication date to the day to be resolved")
    resolved = FuzzyDate.parse(text, anchor=anchor_date.earliest)
    return {"value": resolved.to_text(), "raw": text}


def _column_of(field: str) -> str:
    """Name problems by the sheet's column rather than the event's field path."""
    for prefix in ("people.", "source."):
        if field.startswith(prefix):
            return field[len(prefix) :].split(".")[0]
    return field.split(".")[0]


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        try:
            yield from csv.reader(stream)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValidationError(
                FieldProblem("", str(path), f"not a readable CSV file ({exc})")
            ) from None


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    try:
        import openpyxl
    except ImportError:
        raise ValidationError(
            FieldProblem(
                "", str(path), "reading .xlsx needs openpyxl: pip install 'repatevents[xlsx]'"
            )
        ) from None
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(path.read_bytes()), read_only=True, data_only=True
        )
    except Exception as exc:  # openpyxl raises BadZipFile, KeyError, ValueError… for corrupt files
        raise ValidationError(
            FieldProblem("", str(path), f"not a readable workbook ({exc})")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()
