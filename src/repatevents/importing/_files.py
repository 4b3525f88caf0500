"""Read a sheet file into rows of cells: a CSV file or the first sheet of an XLSX workbook.

What a file holds is read as it is, never guessed at: a CSV file's separator (``,``, ``;`` or a
tab) is the one its header line uses most; a byte that is not UTF-8 and a formula with no saved
value become ``Unreadable`` cells that say what to do; a quote never closed stops the reading
with a problem at its row. Turning the rows into events is ``_sheets``' job.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from typing import Any, Literal

import attrs

from ..errors import FieldProblem, ValidationError

__all__ = ["MAX_XLSX_SIZE", "SheetKind", "Unreadable", "column_letters", "sheet_rows"]

SheetKind = Literal["csv", "xlsx"]
#: The most a workbook may take once unpacked: a sheet of 100,000 operations takes about 40 MB;
#: a "zip bomb" of a few hundred kilobytes takes gigabytes.
MAX_XLSX_SIZE = 256 * 1024 * 1024
_MAX_MEMBERS = 10_000
# A DOCTYPE comes before the root element, in the first bytes of a part.
_PROLOGUE = 4096

_SEPARATORS = (",", ";", "\t")
_UNDECODED = re.compile("[\udc80-\udcff]")
_SAVE_AS_UTF8 = (
    "save the file as UTF-8 (in Excel: Save As, 'CSV UTF-8 (Comma delimited)') and import it "
    "again, or convert it: iconv -f WINDOWS-1252 -t UTF-8 sheet.csv > sheet-utf8.csv (a file "
    "from Excel on Windows; LATIN1 for most others)"
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@attrs.frozen
class Unreadable:
    """A cell whose value cannot be read (a byte that is not UTF-8, a formula with no result)."""

    shown: str
    rule: str


def sheet_rows(data: bytes, kind: SheetKind) -> Iterator[list[Any]]:
    """Return the rows of an XLSX workbook's first sheet, or of a CSV file, from its bytes.

    The header is the first row. Cells are as the file gives them (text, numbers, dates, or
    ``None`` for an empty cell in a workbook), or ``Unreadable``. Every row and column the file
    holds is read, whatever size the workbook says its sheet is.

    Raises:
        ValidationError: while the rows are read, when the rest of the file cannot be read
            (an unclosed quote, a corrupt or unsafe workbook, openpyxl missing).
    """
    return _xlsx_rows(data) if kind == "xlsx" else _csv_rows(data)


def column_letters(index: int) -> str:
    """Return the spreadsheet name of the column at ``index`` (from 0): A, B, … Z, AA …"""
    letters, rest = "", index + 1
    while rest:
        rest, digit = divmod(rest - 1, 26)
        letters = chr(ord("A") + digit) + letters
    return letters


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    try:
        # Excel's "Unicode text" is UTF-16 and says so with its first bytes; so may others.
        text = data.decode("utf-16") if data.startswith(_UTF16_BOMS) else data.decode("utf-8-sig")
        undecoded = None
    except UnicodeDecodeError:
        # Read on, so that every cell with a byte that is not UTF-8 is named; never guess.
        text = data.decode("utf-8-sig", "surrogateescape")
        undecoded = _UNDECODED
    first_line = text.split("\n", 1)[0]
    separator = max(_SEPARATORS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    number = 1  # of the row being read
    try:
        for row in reader:
            yield row if undecoded is None else [_decoded(cell, undecoded) for cell in row]
            number += 1
    except csv.Error as exc:
        raise ValidationError(FieldProblem("", None, _csv_rule(exc), number)) from None


def _decoded(cell: str, undecoded: re.Pattern[str]) -> Any:
    bad = undecoded.search(cell)
    if bad is None:
        return cell
    byte = ord(bad[0]) - 0xDC00
    rule = f"byte 0x{byte:02x} is not UTF-8; {_SAVE_AS_UTF8}"
    return Unreadable(undecoded.sub("\N{REPLACEMENT CHARACTER}", cell), rule)


def _csv_rule(exc: csv.Error) -> str:
    reason = str(exc)
    if "unexpected end of data" in reason:
        return (
            "a quote opened in this row is never closed, so the rows after it would be read "
            'into one cell; close the quote, or double each quote inside a quoted cell ("")'
        )
    if "expected after" in reason:
        return (
            "a quoted cell goes on after its closing quote; double each quote inside a quoted "
            'cell (""), and check that every quote opened in this row is closed'
        )
    return f"not a readable CSV row ({reason})"


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    openpyxl = _safe_openpyxl()
    _check_archive(data)
    try:
        # The values are the results Excel saved; the formulas show where there is no result.
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises BadZipFile, KeyError, ValueError… for corrupt files
        raise _unreadable_workbook(exc) from None
    try:
        sheets = values.worksheets[0], formulas.worksheets[0]
        for sheet in sheets:
            # Some writers store a wrong size (A1:C2 on a sheet of 5 rows and 4 columns), and the
            # read-only reader stops where the stored size says: read to the last cell instead.
            sheet.reset_dimensions()
        pairs = zip(sheets[0].iter_rows(), sheets[1].iter_rows(), strict=False)
        for number, (value_row, formula_row) in enumerate(pairs, start=1):
            row: list[Any] = [cell.value for cell in value_row]
            for index, cell in enumerate(formula_row):
                if cell.data_type != "f" or index >= len(row) or row[index] is not None:
                    continue
                # A formula saved with an empty text result is marked "str"; one never
                # calculated (written by a script) has no result at all.
                if getattr(value_row[index], "data_type", None) != "str":
                    row[index] = _uncalculated(cell.value, index, number)
            yield row
    except ValidationError:
        raise
    except Exception as exc:  # the sheet's XML is parsed only as its rows are read
        raise _unreadable_workbook(exc) from None
    finally:
        values.close()
        formulas.close()


def _safe_openpyxl() -> Any:
    """Return openpyxl, once it is known to parse XML through defusedxml."""
    try:
        import openpyxl
        from openpyxl.xml import DEFUSEDXML
    except ImportError:
        raise ValidationError(
            FieldProblem("", None, "reading .xlsx needs openpyxl: pip install 'repatevents[xlsx]'")
        ) from None
    if not DEFUSEDXML:
        # Without it openpyxl would expand entities a crafted workbook declares.
        raise ValidationError(
            FieldProblem(
                "", None, "reading .xlsx safely needs defusedxml: pip install 'repatevents[xlsx]'"
            )
        )
    return openpyxl


def _check_archive(data: bytes) -> None:
    """Refuse a workbook that would inflate past ``MAX_XLSX_SIZE`` or declares XML entities,
    before openpyxl reads a byte of it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            size = sum(member.file_size for member in members)
            if size > MAX_XLSX_SIZE or len(members) > _MAX_MEMBERS:
                rule = (
                    f"the workbook would take {size:,} bytes in {len(members):,} parts once "
                    f"unpacked, more than the {MAX_XLSX_SIZE:,} bytes (and {_MAX_MEMBERS:,} "
                    "parts) a sheet of operations needs; save it as CSV UTF-8, or split it"
                )
                raise ValidationError(FieldProblem("", f"{len(data):,} bytes", rule))
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as part:
                        start = part.read(_PROLOGUE)
                    if b"<!DOCTYPE" in start or b"<!ENTITY" in start:
                        rule = (
                            "it declares a DOCTYPE (XML entities), which no spreadsheet program "
                            "writes and which can make a reader expand or fetch data; refused"
                        )
                        raise ValidationError(FieldProblem(member.filename, "<!DOCTYPE", rule))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        raise _unreadable_workbook(exc) from None


def _unreadable_workbook(exc: BaseException) -> ValidationError:
    # openpyxl wraps what went wrong ("could not read worksheets"); the first cause says what.
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    if type(exc).__module__.startswith("defusedxml"):
        rule = (
            "it declares XML entities or a DTD, which no spreadsheet program writes and which "
            f"can make a reader expand or fetch data ({type(exc).__name__}); refused"
        )
        return ValidationError(FieldProblem("", None, rule))
    reason = " ".join(str(exc).split()) or type(exc).__name__
    rule = (
        f"not a readable .xlsx workbook ({type(exc).__name__}: {reason}); open it in Excel or "
        "LibreOffice and save it again as .xlsx, or as CSV UTF-8"
    )
    return ValidationError(FieldProblem("", None, rule))


def _uncalculated(formula: Any, index: int, row: int) -> Unreadable:
    rule = (
        f"cell {column_letters(index)}{row} is a formula with no saved value; open and save the "
        "file in Excel or LibreOffice, or write the value"
    )
    return Unreadable(str(getattr(formula, "text", formula)), rule)
