"""The CSV exporter: one RFC 4180 file per table, UTF-8, safe to open in a spreadsheet.

Cells are written as their plain values: integers and numbers in Python's shortest exact form,
dates in ISO 8601 (``2023-12-07``), booleans as ``true`` / ``false`` and ``None`` ("not
reported") as an empty cell, never ``0``. Lines end in CRLF as RFC 4180 says; a field is quoted
only when it must be.

Source names and notes are free text from the internet, and a spreadsheet runs a cell that
starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula.
Every text cell that starts with one of these characters is therefore written with a leading
single quote (``'=HYPERLINK(…)``), the neutralisation OWASP recommends. Two more starts are
treated alike: a line feed, the other line break a cell can begin with, and a character that
Unicode compatibility normalisation (NFKC) turns into a trigger, such as the full-width
``＝＋－＠`` of East Asian text, which Apple Numbers normalises before it reads a formula.
Number cells are never changed, so ``-3`` in a number column stays a number.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any, BinaryIO, TextIO

from .._exporter import Exporter
from .._tables import ColumnType, ExportMetadata, Table
from ._datapackage import DEFAULT_LICENCE, describe_csv

__all__ = ["CSV_EXPORTER", "neutralise", "write_csv"]

_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
#: A write tells its progress callback how far it got every this many rows.
PROGRESS_ROWS = 10_000
_BOM = "\ufeff"


def neutralise(text: str) -> str:
    """Return ``text`` with a leading single quote if a spreadsheet would run it as a formula.

    Args:
        text: a text cell.

    Returns:
        ``text`` unchanged, or ``"'" + text`` when it starts with ``=``, ``+``, ``-``, ``@``, a
        tab, a carriage return or a line feed, or with a character NFKC normalises to one of
        these (full-width ``＝＋－＠``, small ``﹦﹢﹣﹫``).
    """
    return "'" + text if _triggers(text[:1]) else text


def write_csv(
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    stream: BinaryIO,
    /,
    *,
    bom: bool = False,
    hxl: bool = False,
    titles: bool = False,
    datapackage: bool = False,
    licence: str = DEFAULT_LICENCE,
    progress: Callable[[str, int, int], None] | None = None,
) -> None:
    """Write one table as CSV to ``stream``.

    Args:
        tables: exactly one table (the host calls this once per table).
        metadata: unused: the host writes it as a table of its own (``metadata``).
        stream: where the bytes go.
        bom: start with a UTF-8 byte order mark, which Excel needs to read UTF-8.
        hxl: add a second header row of HXL hashtags (``#country+code``) below the names.
        titles: write the columns' human titles instead of their machine names as the header.
        datapackage: write a Frictionless ``datapackage.json`` beside the files (the host
            asks ``describe_csv`` for it; each table's file is the same either way).
        licence: the licence the data package states (an SPDX identifier).
        progress: told the rows written, ``progress("writing operations", done, total)``,
            every ``PROGRESS_ROWS`` rows and at the end.

    Raises:
        ValueError: when given other than exactly one table.
    """
    if len(tables) != 1:
        raise ValueError(
            f"the CSV exporter writes one table per file, but was given {len(tables)} tables "
            f"({', '.join(tables) or 'none'})"
        )
    (table,) = tables.values()
    # Encoded as it is written: the file's text is never held whole, nor twice (as text,
    # then as bytes).
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        if bom:
            text.write(_BOM)
        _write_rows(text, table, hxl=hxl, titles=titles, progress=progress)
        text.flush()
    finally:
        # The stream is the caller's: the wrapper must not close it when it is collected.
        text.detach()


def _write_rows(
    text: TextIO,
    table: Table,
    *,
    hxl: bool,
    titles: bool,
    progress: Callable[[str, int, int], None] | None,
) -> None:
    writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    header = [c.title if titles else c.name for c in table.columns]
    writer.writerow([neutralise(name) for name in header])
    if hxl:
        writer.writerow([neutralise(c.hxl) for c in table.columns])
    cells = _cells(table)
    if progress is None:
        writer.writerows(cells)
        return
    stage, total = f"writing {table.name}", len(table.rows)
    progress(stage, 0, total)
    rows = iter(cells)
    for done in range(0, total, PROGRESS_ROWS):
        writer.writerows(itertools.islice(rows, PROGRESS_ROWS))
        progress(stage, min(done + PROGRESS_ROWS, total), total)


def _cells(table: Table) -> Iterable[Sequence[Any]]:
    """Return the table's rows as the csv module should write them.

    The csv module writes most cells as they are: text, an integer, a float (as its ``repr``),
    a date (ISO 8601) and ``None`` (an empty field). Only a text that needs its quote, a
    boolean and a datetime in a date column need another form. Each column is settled once,
    in C where it can be (a text column by the set of its cells' first characters, a date
    column by the set of its cells' types), and the rows pass untouched when no column needs
    another form, as nearly all do.
    """
    rows = table.rows
    fixes: list[tuple[int, dict[Any, str]]] = []
    for j, column in enumerate(table.columns):
        if column.type in _NUMBERS:
            # The table holds ints and floats there (never a bool), which the csv module
            # writes as their str and repr: exact, as this exporter promises.
            continue
        cells = map(itemgetter(j), rows)
        if column.type is ColumnType.TEXT:
            # filter drops None and "" (nothing to quote); the rest is str, sliced in C.
            firsts = set(map(_FIRST, filter(None, cells)))
            if not any(map(_triggers, firsts)):
                continue
        elif column.type is ColumnType.DATE and set(map(type, cells)) <= _PLAIN_DATES:
            continue
        distinct = set(map(itemgetter(j), rows))
        distinct.discard(None)
        fixes.append((j, {value: _cell(column.type, value) for value in distinct}))
    if not fixes:
        return rows
    return (_fixed(row, fixes) for row in rows)


_FIRST = itemgetter(slice(0, 1))
_PLAIN_DATES = frozenset({dt.date, type(None)})


def _fixed(row: Sequence[Any], fixes: Sequence[tuple[int, dict[Any, str]]]) -> list[Any]:
    cells = list(row)
    for j, text in fixes:
        cell = cells[j]
        if cell is not None:
            cells[j] = text[cell]
    return cells


_NUMBERS = (ColumnType.INTEGER, ColumnType.NUMBER)


@functools.lru_cache(maxsize=4096)
def _triggers(first: str) -> bool:
    """Whether a text starting with ``first`` (one character, or none) needs a quote."""
    return bool(first) and unicodedata.normalize("NFKC", first).startswith(_FORMULA_TRIGGERS)


def _cell(kind: ColumnType, value: Any) -> str:
    if kind is ColumnType.TEXT:
        return neutralise(value)
    if kind is ColumnType.BOOLEAN:
        return "true" if value else "false"
    if kind is ColumnType.DATE:
        # A datetime is a date too; a DATE column shows the day only.
        day: dt.date = value.date() if isinstance(value, dt.datetime) else value
        return day.isoformat()
    # repr is the shortest text that reads back to the same float; int is exact at any size.
    return repr(value)


CSV_EXPORTER = Exporter(
    name="csv",
    extension="csv",
    media_type="text/csv",
    description=(
        "One RFC 4180 CSV file per table, UTF-8 (optionally with a BOM and an HXL hashtag "
        "row), text cells protected against formula injection."
    ),
    write=write_csv,
    one_file_per_table=True,
    describe=describe_csv,
)
