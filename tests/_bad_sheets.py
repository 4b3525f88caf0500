"""Real-world-shaped sheets, good and bad, each with what importing it must do.

Each sheet is made here, from the writers analysts' files come from (openpyxl writes what pandas
and scripts write; the byte-level faults are made to a sheet openpyxl wrote), so the set needs no
binary files in the repository. ``SHEETS`` pairs each with its expected outcome: the events it
records, or the problem (field, line, words of the rule) it is refused with.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import openpyxl

HEADER = ["country", "date", "origin", "publisher", "total", "notes"]
ROWS = [["KGZ", f"2023-08-{10 + i}", "nes", "X", 95 + i, f"row {i + 2}"] for i in range(5)]
ROWS_NOTES = tuple(f"row {n}" for n in range(2, 7))


def xlsx(rows: Sequence[Sequence[Any]], edit: Callable[[Any], None] | None = None) -> bytes:
    """Return a workbook openpyxl writes with ``rows`` on its first sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    if edit is not None:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """Return the workbook with one part changed, as a faulty writer would have written it."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            part = source.read(info.filename)
            target.writestr(info.filename, change(part) if info.filename == member else part)
    return out.getvalue()


SHEET_XML = "xl/worksheets/sheet1.xml"
GOOD_XLSX = xlsx([HEADER, *ROWS])


def wrong_dimension() -> bytes:
    """A 6-row, 6-column sheet whose stored size says A1:C2 (as some exporters write it)."""
    return rewrite(
        GOOD_XLSX,
        SHEET_XML,
        lambda part: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:C2"/>', part),
    )


ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
        for n in range(1, 10)
    )
    + b"]>"
)
EXTERNAL_ENTITY = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def with_prologue(prologue: bytes, use: bytes) -> bytes:
    """The sheet's XML behind a DOCTYPE, with an entity used in a cell."""

    def change(part: bytes) -> bytes:
        body = part[part.index(b"<worksheet") :]
        return prologue + body.replace(b"<t>row 2</t>", b"<t>" + use + b"</t>")

    return rewrite(GOOD_XLSX, SHEET_XML, change)


def zip_bomb(size: int) -> bytes:
    """A workbook whose sheet inflates to ``size`` bytes of blanks: a few kilobytes packed."""
    blanks = b"<sheetData>" + b" " * size
    return rewrite(GOOD_XLSX, SHEET_XML, lambda part: part.replace(b"<sheetData>", blanks))


def hidden_row(sheet: Any) -> None:
    sheet.row_dimensions[3].hidden = True


def merged_dates(sheet: Any) -> None:
    sheet["B3"] = None
    sheet.merge_cells("B2:B3")


def real_dates(sheet: Any) -> None:
    for row in range(2, 7):
        sheet.cell(row, 2).value = dt.date(2023, 8, 8 + row)


class Case(NamedTuple):
    """A sheet and what importing it must do."""

    name: str
    data: bytes
    format: str
    #: The notes column of each event recorded, in order, when the sheet is accepted.
    recorded: tuple[str | None, ...] | None = None
    #: (field, line, words of the rule) of the first problem, when it is refused.
    refused: tuple[str, int | None, str] | None = None


CSV_HEADER = ",".join(HEADER)

CASES = [
    Case("wrong dimension", wrong_dimension(), "xlsx", ROWS_NOTES),
    Case(
        "latin-1 csv",
        f"{CSV_HEADER}\nKGZ,2023-08-30,nes,Le Monde diplomatique,95,Côte\n".encode("latin-1"),
        "csv",
        refused=("notes", 2, "iconv -f WINDOWS-1252 -t UTF-8"),
    ),
    Case(
        "latin-1 byte in a required column",
        f"{CSV_HEADER}\nKGZ,2023-08-30,nes,Médecins,95,\n".encode("latin-1"),
        "csv",
        refused=("publisher", 2, "is not UTF-8"),
    ),
    Case(
        "utf-16 with its byte order mark",
        f"{CSV_HEADER}\nKGZ,2023-08-30,nes,X,95,Côte\n".encode("utf-16"),
        "csv",
        ("Côte",),
    ),
    Case(
        "formula without a cached value in a required column",
        xlsx([HEADER, ["=A3", "2023-08-30", "nes", "X", 95, None], ["KGZ"]]),
        "xlsx",
        refused=("country", 2, "formula with no saved value"),
    ),
    Case(
        "formula without a cached value as the only count",
        xlsx([HEADER, ["KGZ", "2023-08-30", "nes", "X", "=2*3", None]]),
        "xlsx",
        refused=("total", 2, "formula with no saved value"),
    ),
    Case(
        "broken xml",
        rewrite(GOOD_XLSX, SHEET_XML, lambda part: part[:-40]),
        "xlsx",
        refused=("file", None, "not a readable .xlsx workbook"),
    ),
    Case(
        "entity expansion bomb",
        with_prologue(ENTITY_BOMB, b"&lol9;"),
        "xlsx",
        refused=(SHEET_XML, None, "DOCTYPE"),
    ),
    Case(
        "external entity",
        with_prologue(EXTERNAL_ENTITY, b"&xxe;"),
        "xlsx",
        refused=(SHEET_XML, None, "DOCTYPE"),
    ),
    Case(
        "entity bomb behind a long comment",
        with_prologue(
            b'<?xml version="1.0"?><!--' + b"x" * 5000 + b"-->" + ENTITY_BOMB[21:], b"&lol9;"
        ),
        "xlsx",
        refused=("file", None, "declares XML entities or a DTD"),
    ),
    Case("not a workbook", b"PK\x03\x04 not really", "xlsx", refused=("file", None, "readable")),
    Case("empty csv", b"", "csv", refused=("header", 1, "the sheet is empty")),
    Case("empty workbook", xlsx([]), "xlsx", refused=("header", 1, "the sheet is empty")),
    Case("header only", xlsx([HEADER]), "xlsx", ()),
    Case("hidden row", xlsx([HEADER, *ROWS], hidden_row), "xlsx", ROWS_NOTES),
    Case(
        "merged cells",
        xlsx([HEADER, *ROWS], merged_dates),
        "xlsx",
        refused=("date", 3, "the cell is empty"),
    ),
    Case(
        "dates as text",
        xlsx([HEADER, ["KGZ", "30 August 2023", "nes", "X", 95, "text"]]),
        "xlsx",
        ("text",),
    ),
    Case("dates as dates", xlsx([HEADER, *ROWS], real_dates), "xlsx", ROWS_NOTES),
    Case(
        "dates as serial numbers",
        xlsx([HEADER, ["KGZ", 45168, "nes", "X", 95, None]]),
        "xlsx",
        refused=("date", 2, "2023-08-30"),
    ),
    Case(
        "a count in words the reader does not use",
        f"{CSV_HEADER}\nKGZ,2023-08-30,nes,X,five orphans,\n".encode(),
        "csv",
        refused=("total", 2, "'orphans' column"),
    ),
]
