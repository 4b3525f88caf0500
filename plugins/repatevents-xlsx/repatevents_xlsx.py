"""An Excel workbook exporter for repatevents, installed as a plugin.

``repatevents export xlsx -o figures.xlsx`` writes one sheet per table, then three sheets about
the export, each one tidy table with its header in row 1: ``Metadata`` (key and value: what the
export was made from, with its provenance), ``Metadata sheets`` (which sheet holds which table
under what title) and ``Metadata sources``. A table's sheet is named after the table in short,
whole words (``Totals``, ``Time series``); its long title is on ``Metadata sheets``, so that
every sheet starts with its header row and reads as a table in any tool (pandas reads each
sheet as a frame). The metadata is also in the workbook's custom document properties, where a
file manager or ``exiftool`` shows it without opening a sheet.

Cells keep their types: integers and numbers are numbers, dates are dates with a
``yyyy-mm-dd`` format, booleans are booleans, ``None`` ("not reported") is an empty cell.
Every sheet has a bold, frozen header row, an autofilter and columns as wide as their longest
cell (within limits).

Text is always written as text: XlsxWriter's conversion of strings that look like formulas,
links or numbers is switched off, so a source named ``=HYPERLINK(…)`` stays a string.

Excel stores numbers as 64-bit floats. An integer beyond 2**53, or a float that Excel's 16
significant digits cannot give back exactly (the largest floats), is written as its exact
decimal text instead of a rounded number. A text cell longer than Excel's 32,767 characters is
cut and ends with ``… [truncated]``.

The same tables and metadata always give the same bytes: the workbook is built in memory with
XlsxWriter's fixed zip timestamps, and its document dates are the metadata's ``generated_at``.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from operator import itemgetter
from typing import Any, BinaryIO, cast

import xlsxwriter  # type: ignore[import-untyped]

from repatevents.exporters import ColumnType, Exporter, ExportMetadata, Table
from repatevents.hookspecs import hookimpl

__all__ = [
    "METADATA_SHEETS",
    "XLSX_EXPORTER",
    "register_exporters",
    "sheet_name",
    "sheet_names",
    "write_xlsx",
]

DATE_FORMAT = "yyyy-mm-dd"
MAX_SHEET_NAME = 31
MAX_ROWS = 1_048_576
MAX_TEXT = 32_767
MIN_WIDTH, MAX_WIDTH = 6, 60
_TRUNCATED = "… [truncated]"
#: A write tells its progress callback how far it got every this many rows of a table.
PROGRESS_ROWS = 10_000
_EXACT_INTEGER = 2**53
_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))
Progress = Callable[[str, int, int], None]
"""Told how far the writing got: ``(stage, done, total)``."""

# Excel refuses a sheet called "History" (it keeps it for change tracking).
_RESERVED = {"history"}
# Machine names that are two words run together.
_WORDS = {"timeseries": "time series"}


def sheet_name(table: Table) -> str:
    """Return the wanted sheet name of a table: its machine name as words, capitalised.

    ``totals`` gives ``Totals``, ``timeseries`` ``Time series``, ``people_moved`` ``People
    moved``; ``sheet_names`` then makes the names valid and unique.
    """
    words = " ".join(_WORDS.get(table.name, table.name).replace("_", " ").split())
    return words[:1].upper() + words[1:]


def sheet_names(titles: Sequence[str]) -> list[str]:
    """Return one valid, unique Excel sheet name per title, in order.

    Excel's rules: at most 31 characters (UTF-16 units), none of ``[ ] : * ? / \\``, not
    starting or ending with an apostrophe, not ``History``, unique regardless of case.
    Forbidden characters become ``-``; a name too long is cut after its last whole word that
    fits (mid-word only when one word is too long); a clash gets `` (2)``, `` (3)`` … within
    the 31 characters.

    Args:
        titles: the wanted names, such as the tables' titles.

    Returns:
        The names to use, one per title.
    """
    used: set[str] = set()
    names = []
    for number, title in enumerate(titles, start=1):
        words = " ".join(title.translate(_FORBIDDEN).split()).strip("'")
        base = _cut_words(words, MAX_SHEET_NAME).strip("'").strip() or f"Sheet{number}"
        if base.lower() in _RESERVED:
            base = f"{base} (table)"
        name, suffix = base, 1
        while name.lower() in used:
            suffix += 1
            tail = f" ({suffix})"
            name = _cut_words(base, MAX_SHEET_NAME - len(tail)).rstrip("'").rstrip() + tail
        used.add(name.lower())
        names.append(name)
    return names


def _cut_words(text: str, limit: int) -> str:
    cut = _cut(text, limit)
    if cut == text or text[len(cut)] == " " or " " not in cut:
        return cut.rstrip()
    return cut.rsplit(" ", 1)[0].rstrip()


def _cut(text: str, limit: int) -> str:
    # Excel counts UTF-16 code units: a character outside the BMP (an emoji) counts twice.
    out, size = [], 0
    for char in text:
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            break
        out.append(char)
    return "".join(out)


def write_xlsx(
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    stream: BinaryIO,
    /,
    *,
    titles: bool = True,
    hxl: bool = False,
    progress: Progress | None = None,
) -> None:
    """Write the tables as an Excel workbook to ``stream``.

    Args:
        tables: the tables, one sheet each, in order.
        metadata: written to a ``Metadata`` sheet and the document properties.
        stream: where the ``.xlsx`` bytes go.
        titles: head the columns with their human titles (else their machine names).
        hxl: add a row of HXL hashtags below the header.
        progress: told the rows of each table written, ``progress("writing operations",
            done, total)``, every ``PROGRESS_ROWS`` rows and at the end of the table (the
            repatevents host passes it; XlsxWriter's assembly of the file at the end is not
            reported).

    Raises:
        ValueError: a table with more rows than an Excel sheet holds.
    """
    # Built in a buffer and copied whole: a failing stream then cannot leave XlsxWriter's zip
    # file half-closed (it would try to finish it later, on a closed file).
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    created = metadata.generated_at
    if created.tzinfo is not None:
        created = created.astimezone(dt.UTC).replace(tzinfo=None)
    workbook.set_properties(
        {
            "title": metadata.title,
            "subject": f"ledger position {metadata.ledger_position}, policy {metadata.policy}",
            "author": "repatevents",
            "created": created,
        }
    )
    for key, value in metadata.typed_items():
        workbook.set_custom_property(key, value)
    formats = _Formats(workbook)
    names = sheet_names([*(sheet_name(t) for t in tables.values()), *METADATA_SHEETS])
    for table, name in zip(tables.values(), names, strict=False):
        _write_table(
            workbook.add_worksheet(name), table, formats, titles=titles, hxl=hxl, progress=progress
        )
    sheets = list(zip(names, tables.values(), strict=False))
    for name, (header, rows) in zip(
        names[len(tables) :], _metadata_tables(metadata, sheets), strict=True
    ):
        _write_rows(workbook.add_worksheet(name), header, rows, formats)
    workbook.close()
    stream.write(buffer.getbuffer())


class _Formats:
    def __init__(self, workbook: Any) -> None:
        self.header = workbook.add_format({"bold": True})
        self.date = workbook.add_format({"num_format": DATE_FORMAT})


def _write_table(
    sheet: Any,
    table: Table,
    formats: _Formats,
    *,
    titles: bool,
    hxl: bool,
    progress: Progress | None = None,
) -> None:
    header_rows = 2 if hxl else 1
    rows = table.rows
    if len(rows) + header_rows > MAX_ROWS:
        raise ValueError(
            f"table {table.name!r} has {len(rows)} rows; an Excel sheet holds at most "
            f"{MAX_ROWS - header_rows} below its header"
        )
    headers = [c.title if titles else c.name for c in table.columns]
    widths = [_width(h) for h in headers]
    for col, header in enumerate(headers):
        sheet.write_string(0, col, header, formats.header)
    if hxl:
        for col, column in enumerate(table.columns):
            sheet.write_string(1, col, column.hxl)
            widths[col] = max(widths[col], _width(column.hxl))
    # Each column is settled once, from its distinct values: its width, and whether any cell
    # needs more than XlsxWriter's own typed write (a text to cut, a number kept as text). A
    # column that needs none, nearly every one, is written without a look at its cells.
    writers = []
    for col, column in enumerate(table.columns):
        cells = map(itemgetter(col), rows)
        if column.type is ColumnType.NUMBER:
            # 1 and 1.0 are one set member but are written (and measured) apart.
            distinct = [value for _, value in {(type(value), value) for value in cells}]
        else:
            distinct = list(set(cells))
        values = [value for value in distinct if value is not None]
        plans = [_plan(column.type, value) for value in values]
        widths[col] = max([widths[col], *(width for _, _, width in plans)])
        writers.append(_column_writer(sheet, column.type, values, plans, formats))
    stage, total = f"writing {table.name}", len(rows)
    if progress is not None:
        progress(stage, 0, total)
    for start in range(0, total, PROGRESS_ROWS):
        chunk = rows[start : start + PROGRESS_ROWS]
        for i, row in enumerate(chunk, start=header_rows + start):
            for col, value in enumerate(row):
                if value is not None:
                    writers[col](i, col, value)
        if progress is not None:
            progress(stage, start + len(chunk), total)
    _finish(sheet, widths, header_rows, total)


def _finish(sheet: Any, widths: Sequence[int], header_rows: int, rows: int) -> None:
    sheet.freeze_panes(header_rows, 0)
    if widths:
        sheet.autofilter(header_rows - 1, 0, header_rows - 1 + rows, len(widths) - 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))


# How a cell is written: as text, a number, a date or a boolean; the value written (a number
# Excel would round becomes its exact text); and the width it takes.
_Plan = tuple[str, Any, int]
_STRING, _NUMBER, _DATE, _BOOLEAN = "string", "number", "date", "boolean"
_PLAIN = {
    ColumnType.TEXT: _STRING,
    ColumnType.INTEGER: _NUMBER,
    ColumnType.NUMBER: _NUMBER,
    ColumnType.DATE: _DATE,
    ColumnType.BOOLEAN: _BOOLEAN,
}


def _plan(kind: ColumnType, value: Any) -> _Plan:
    """Return how a cell of a column of type ``kind`` is written."""
    if kind is ColumnType.TEXT:
        return _plan_text(value)
    if kind is ColumnType.INTEGER:
        return _plan_integer(value)
    if kind is ColumnType.NUMBER:
        return _plan_number(value)
    if kind is ColumnType.DATE:
        return _DATE, value.date() if isinstance(value, dt.datetime) else value, len(DATE_FORMAT)
    return _BOOLEAN, value, 5


def _plan_text(value: str) -> _Plan:
    # A character counts at most twice: only a text over half the limit needs counting.
    if len(value) > MAX_TEXT or (
        2 * len(value) > MAX_TEXT and sum(2 if ord(c) > 0xFFFF else 1 for c in value) > MAX_TEXT
    ):
        value = _cut(value, MAX_TEXT - len(_TRUNCATED)) + _TRUNCATED
    return _STRING, value, _width(value)


def _plan_integer(value: int) -> _Plan:
    if abs(value) > _EXACT_INTEGER:
        return _plan_text(str(value))
    return _NUMBER, value, len(str(value))


def _plan_number(value: int | float) -> _Plan:
    if isinstance(value, int):
        return _plan_integer(value)
    # XlsxWriter writes 16 significant digits; keep a float that does not survive that exact.
    if value == value and abs(value) != float("inf") and float(f"{value:.16G}") != value:
        return _plan_text(repr(value))
    return _NUMBER, value, min(len(repr(value)), 16)


CellWriter = Callable[[int, int, Any], object]


def _column_writer(
    sheet: Any,
    kind: ColumnType,
    values: Sequence[Any],
    plans: Sequence[_Plan],
    formats: _Formats,
) -> CellWriter:
    """Return what writes a column's cells: XlsxWriter's typed write when each of its distinct
    ``values`` is written as it is, the way its column type says, else one that plans each."""
    plain = _PLAIN[kind]
    if all(
        how == plain and written is value
        for (how, written, _), value in zip(plans, values, strict=True)
    ):
        return _typed_write(sheet, plain, formats)
    typed = {how: _typed_write(sheet, how, formats) for how in (_STRING, _NUMBER, _DATE)}

    def write(row: int, col: int, value: Any) -> object:
        how, written, _ = _plan(kind, value)
        return typed[how](row, col, written)

    return write


def _typed_write(sheet: Any, how: str, formats: _Formats) -> CellWriter:
    if how == _STRING:
        return cast(CellWriter, sheet.write_string)
    if how == _NUMBER:
        return cast(CellWriter, sheet.write_number)
    if how == _BOOLEAN:
        return cast(CellWriter, sheet.write_boolean)
    return cast(CellWriter, functools.partial(sheet.write_datetime, cell_format=formats.date))


def _width(text: str) -> int:
    # Wide (East Asian) characters take two columns; a cell with line breaks is as wide as
    # its longest line. No ASCII character is wide: most cells need no look-up per character.
    if text.isascii():
        return max((len(line) for line in text.splitlines()), default=0)
    return max(
        (
            sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
            for line in text.splitlines() or [""]
        ),
        default=0,
    )


METADATA_SHEETS = ("Metadata", "Metadata sheets", "Metadata sources")
"""The sheets written after the tables' own: the metadata, the sheet index, the sources."""

_SOURCE_KEYS = ("publisher", "via", "speaker_kind", "url", "published", "reports")

_Rows = tuple[Sequence[str], Sequence[Sequence[object]]]


def _metadata_tables(
    metadata: ExportMetadata, sheets: Sequence[tuple[str, Table]]
) -> tuple[_Rows, _Rows, _Rows]:
    """Return the header and rows of each of the ``METADATA_SHEETS``, in order."""
    keys = list(dict.fromkeys(k for source in metadata.sources for k in source)) or _SOURCE_KEYS
    return (
        # typed_items: the ledger position is a number cell, as a spreadsheet should hold it.
        (("key", "value"), metadata.typed_items()),
        (
            ("sheet", "table", "title", "description", "rows"),
            [(name, t.name, t.title, t.description or None, len(t.rows)) for name, t in sheets],
        ),
        (keys, [[source.get(key) for key in keys] for source in metadata.sources]),
    )


def _write_rows(
    sheet: Any,
    header: Sequence[str],
    body: Sequence[Sequence[object]],
    formats: _Formats,
) -> None:
    widths = [_width(key) for key in header]
    for col, key in enumerate(header):
        sheet.write_string(0, col, key, formats.header)
    for row, cells in enumerate(body, start=1):
        for col, cell in enumerate(cells):
            if cell is not None:
                widths[col] = max(widths[col], _write_any(sheet, row, col, cell, formats))
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(body), len(header) - 1)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, MIN_WIDTH), MAX_WIDTH))


def _write_any(sheet: Any, row: int, col: int, value: object, formats: _Formats) -> int:
    if isinstance(value, bool):
        kind = ColumnType.BOOLEAN
    elif isinstance(value, int | float):
        kind = ColumnType.NUMBER
    elif isinstance(value, dt.date):
        kind = ColumnType.DATE
    else:
        kind, value = ColumnType.TEXT, str(value)
    how, written, width = _plan(kind, value)
    _typed_write(sheet, how, formats)(row, col, written)
    return width


XLSX_EXPORTER = Exporter(
    name="xlsx",
    extension="xlsx",
    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    description=(
        "An Excel workbook: one sheet per table with typed cells, a frozen header and filters, "
        "and metadata sheets (metadata, sheet index, sources) each one tidy table; the same "
        "input gives the same bytes."
    ),
    write=write_xlsx,
)


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``xlsx`` exporter."""
    register(XLSX_EXPORTER)
