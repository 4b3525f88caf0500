"""The xlsx exporter: read back with openpyxl to the tables' numbers and types."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import attrs
import openpyxl
import pytest
import repatevents_xlsx
import xlsxwriter  # type: ignore[import-untyped]
from hypothesis import given, strategies as st
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from repatevents.exporters import Table, export_tables
from repatevents.plugins import get_plugin_manager, registered_exporters
from repatevents.testing import (
    LARGEST_NUMBERS,
    ExporterContract,
    assert_installed_plugin_loads,
    empty_tables,
    formula_tables,
    largest_number_tables,
    registered_plugin,
    sample_metadata,
    sample_tables,
)


class TestXlsxContract(ExporterContract):
    """The xlsx exporter passes the exporter contract."""

    exporter_name = "xlsx"
    plugin: ClassVar[object | None] = repatevents_xlsx


class TestXlsxWithOptionsContract(ExporterContract):
    """The xlsx exporter with machine names and an HXL row passes the exporter contract."""

    exporter_name = "xlsx"
    plugin: ClassVar[object | None] = repatevents_xlsx
    options: ClassVar[Mapping[str, Any]] = {"titles": False, "hxl": True}


def _write(tables: Mapping[str, Table] | None = None, **options: Any) -> bytes:
    stream = io.BytesIO()
    repatevents_xlsx.write_xlsx(
        sample_tables() if tables is None else tables, sample_metadata(), stream, **options
    )
    return stream.getvalue()


def _open(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _sheets(tables: Mapping[str, Table]) -> list[str]:
    wanted = [repatevents_xlsx.sheet_name(t) for t in tables.values()]
    return repatevents_xlsx.sheet_names([*wanted, *repatevents_xlsx.METADATA_SHEETS])


def _expected_cell(value: Any) -> Any:
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return value


def test_every_table_reads_back_to_the_same_values_and_types() -> None:
    """Each sheet holds the header titles and every cell with its value and Python type."""
    tables = sample_tables()
    workbook = _open(_write())
    for table, name in zip(tables.values(), _sheets(tables), strict=False):
        sheet = workbook[name]
        rows = list(sheet.iter_rows(values_only=True))
        assert [c.title for c in table.columns] == list(rows[0])
        expected = [tuple(_expected_cell(v) for v in row) for row in table.rows]
        assert expected == rows[1:]
        assert [[type(v) for v in row] for row in expected] == [
            [type(v) for v in row] for row in rows[1:]
        ]


def test_totals_are_numbers_and_dates_are_formatted_dates() -> None:
    """Integers are numeric cells; dates are date cells shown as yyyy-mm-dd."""
    sheet = _open(_write())["Totals"]
    assert (sheet["E4"].data_type, sheet["E4"].value) == ("n", 278)
    assert sheet["J4"].data_type == "d"
    assert sheet["J4"].number_format == "yyyy-mm-dd"
    assert sheet["I3"].value == 3.6
    assert sheet["I2"].value is None


def _widths(sheet: Worksheet) -> dict[int, float]:
    # XlsxWriter writes neighbouring columns of one width as one range; openpyxl keeps the
    # range under its first letter.
    widths: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        assert dimension.min is not None
        assert dimension.max is not None
        for index in range(dimension.min, dimension.max + 1):
            widths[index] = dimension.width
    return widths


def test_header_is_frozen_with_an_autofilter_and_fitting_widths() -> None:
    """Every table sheet freezes its header row, filters all columns, sizes its columns."""
    tables = sample_tables()
    workbook = _open(_write())
    for table, name in zip(tables.values(), _sheets(tables), strict=False):
        sheet: Worksheet = workbook[name]
        last = get_column_letter(len(table.columns))
        assert sheet.freeze_panes == "A2"
        assert f"A1:{last}{len(table.rows) + 1}" == sheet.auto_filter.ref
        for index, column in enumerate(table.columns, start=1):
            longest = max(
                [len(column.title)]
                + [len(str(v)) for v in (r[index - 1] for r in table.rows) if v is not None]
            )
            width = _widths(sheet)[index]
            assert min(longest, 58) + 2 <= width <= 60


def test_strings_are_never_formulas_or_links() -> None:
    """A source named =HYPERLINK(...) and an address stay plain strings, without links."""
    sheet = _open(_write())["Sources"]
    formula = sheet["A3"]
    assert (
        formula.data_type,
        formula.value,
    ) == ("s", '=HYPERLINK("http://evil.example/","click me")')
    assert (sheet["B2"].data_type, sheet["B2"].value) == ("s", "https://example.org/afp/1")
    assert all(cell.hyperlink is None for row in sheet.iter_rows() for cell in row)
    assert sheet["A4"].data_type == "s"


def test_metadata_sheets_are_one_tidy_table_each() -> None:
    """The metadata, the sheet index and the sources are each a sheet of one table with its
    header in row 1 and typed cells, so a reader gets rectangular frames."""
    book = _open(_write())
    metadata = list(book["Metadata"].iter_rows(values_only=True))
    assert ("key", "value") == metadata[0]
    assert ("ledger_position", 28) == metadata[2]
    assert "n" == book["Metadata"]["B3"].data_type
    assert ("policy", "conservative") == metadata[5]
    assert [key for key, _ in sample_metadata().typed_items()] == [k for k, _ in metadata[1:]]
    sheets = list(book["Metadata sheets"].iter_rows(values_only=True))
    assert ("sheet", "table", "title", "description", "rows") == sheets[0]
    assert (
        "Totals",
        "totals",
        "Totals by country",
        "Totals per receiving country, low / best / high.",
        6,
    ) == sheets[2]
    assert (
        "Reconciliation",
        "reconciliation",
        "Cumulative claims against the ledger",
        None,
        3,
    ) == (sheets[5])
    sources = list(book["Metadata sources"].iter_rows(values_only=True))
    assert ("publisher", "via", "speaker_kind", "url", "published", "reports") == sources[0]
    assert [
        ("Agence France-Presse", None, "media", "https://example.org/afp/1", "2023-07-04", 1),
        (
            "Agence France-Presse",
            "AKIpress",
            "receiving-government",
            "https://example.org/afp/1",
            "2023-07-04",
            2,
        ),
        ("Радио Азаттык", None, "receiving-government", None, dt.datetime(2019, 5, 10), 3),
    ] == sources[1:]
    for name in repatevents_xlsx.METADATA_SHEETS:
        assert "A2" == book[name].freeze_panes
        widths = {len(row) for row in book[name].iter_rows(values_only=True)}
        assert 1 == len(widths)


def test_pandas_reads_every_metadata_sheet_as_a_rectangular_frame() -> None:
    """pandas reads the Metadata sheet as two columns, key and value, one row per item."""
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_excel(io.BytesIO(_write()), sheet_name="Metadata")
    assert ["key", "value"] == list(frame.columns)
    assert len(sample_metadata().typed_items()) == len(frame)


def test_document_properties_carry_the_provenance() -> None:
    """The workbook's custom document properties hold every metadata item, the ledger
    position as a number and the head hash as text."""
    metadata = attrs.evolve(sample_metadata(), head_hash="ab" * 32, computed_from="log")
    stream = io.BytesIO()
    repatevents_xlsx.write_xlsx(sample_tables(), metadata, stream)
    properties = {p.name: p.value for p in _open(stream.getvalue()).custom_doc_props.props}
    assert dict(metadata.typed_items()) == properties
    assert "ab" * 32 == properties["head_hash"]


def test_largest_numbers_keep_every_digit() -> None:
    """Integers beyond 2**53 and floats Excel would round are exact text; others numbers."""
    table = largest_number_tables()["totals"]
    rows = list(_open(_write({"totals": table}))["Totals"].iter_rows(values_only=True))
    assert [str(LARGEST_NUMBERS[0]), str(LARGEST_NUMBERS[1]), str(LARGEST_NUMBERS[2])] == [
        row[1] for row in rows[1:]
    ]
    assert repr(LARGEST_NUMBERS[3]) == rows[1][2]
    assert LARGEST_NUMBERS[4] == rows[2][2]
    exact = Table(table.name, table.title, table.columns, [("KAZ", 2**53, 0.1)])
    rows = list(_open(_write({"totals": exact}))["Totals"].iter_rows(values_only=True))
    assert rows[1] == ("KAZ", 2**53, 0.1)


def test_empty_tables_have_a_header_and_a_filter() -> None:
    """A table without rows is a sheet with its header, frozen and filtered."""
    tables = empty_tables()
    workbook = _open(_write(tables))
    sheet = workbook["Operations"]
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:I1"


def test_hxl_row_below_the_header() -> None:
    """hxl=True puts the hashtags in row 2 and freezes both header rows."""
    sheet = _open(_write(hxl=True, titles=False))["Totals"]
    assert (sheet["A1"].value, sheet["A2"].value) == ("country", "#country+code")
    assert (sheet.freeze_panes, sheet["A3"].value) == ("A3", "FRA")


def test_identical_input_gives_identical_bytes_with_fixed_dates() -> None:
    """The workbook repeats byte for byte; its created date is the metadata's generated_at."""
    assert _write() == _write()
    with zipfile.ZipFile(io.BytesIO(_write())) as archive:
        core = archive.read("docProps/core.xml").decode()
        stamps = {info.date_time for info in archive.infolist()}
    assert "2024-07-01T12:00:00Z" in core
    assert {(1980, 1, 1, 0, 0, 0)} == stamps
    later = attrs.evolve(sample_metadata(), generated_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    stream = io.BytesIO()
    repatevents_xlsx.write_xlsx(sample_tables(), later, stream)
    assert _write() != stream.getvalue()


def test_sheets_are_named_after_their_tables_in_whole_words() -> None:
    """Sheet names are the tables' short names, never a long title cut mid-word."""
    names = _open(_write()).sheetnames
    assert [
        "Operations",
        "Totals",
        "Time series",
        "Remaining",
        "Reconciliation",
        "Quality",
        "Sources",
        "Metadata",
        "Metadata sheets",
        "Metadata sources",
    ] == names


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        (["Totals", "totals"], ["Totals", "totals (2)", "Metadata"]),
        (["A/B: [x]*?\\"], ["A-B- -x----", "Metadata"]),
        (["'quoted'"], ["quoted", "Metadata"]),
        (["History"], ["History (table)", "Metadata"]),
        (["x" * 40, "x" * 40], ["x" * 31, "x" * 27 + " (2)", "Metadata"]),
        (["Cumulative claims against the ledger"], ["Cumulative claims against the", "Metadata"]),
        (["Cumulative totals by month and year"], ["Cumulative totals by month and", "Metadata"]),
        (
            ["Cumulative claims against the ledger"] * 2,
            ["Cumulative claims against the", "Cumulative claims against (2)", "Metadata"],
        ),
        # A flag is two characters outside the BMP, four UTF-16 units: 7½ flags fit.
        (["🇫🇷" * 10], ["🇫🇷" * 7 + "🇫", "Metadata"]),
        (["", "Metadata"], ["Sheet1", "Metadata", "Metadata (2)"]),
    ],
)
def test_sheet_names_follow_excel_rules(titles: list[str], expected: list[str]) -> None:
    """Names are <= 31 UTF-16 units, without []:*?/\\, apostrophe ends or History, unique."""
    assert expected == repatevents_xlsx.sheet_names([*titles, "Metadata"])


def test_unruly_table_titles_still_make_a_workbook(tmp_path: Path) -> None:
    """Titles that break every sheet-name rule give a workbook Excel (and openpyxl) opens."""
    tables = {
        name: attrs.evolve(table, title="History: a [very] long/awkward title?*")
        for name, table in sample_tables().items()
    }
    names = _open(_write(tables)).sheetnames
    assert len(tables) + len(repatevents_xlsx.METADATA_SHEETS) == len({n.lower() for n in names})
    assert all(len(n) <= 31 for n in names)


def test_plugin_is_installed_under_the_repatevents_entry_point() -> None:
    """Installed, the package's entry point loads beside every other installed plugin (none
    registers "xlsx" too) and makes the xlsx exporter available everywhere."""
    assert_installed_plugin_loads("xlsx")
    assert "xlsx" in registered_exporters(get_plugin_manager())


def test_export_tables_writes_an_xlsx_file(tmp_path: Path) -> None:
    """Through export_tables the workbook lands at the path given."""
    with registered_plugin(repatevents_xlsx) as manager:
        (path,) = export_tables(
            "xlsx", sample_tables(), sample_metadata(), tmp_path / "f.xlsx", plugin_manager=manager
        )
    assert tmp_path / "f.xlsx" == path
    assert len(_open(path.read_bytes()).sheetnames) == 7 + len(repatevents_xlsx.METADATA_SHEETS)


def test_the_contract_would_find_a_formula_cell(tmp_path: Path) -> None:
    """The contract's formula check reads XLSX formula elements: a workbook that stores a text
    cell as a formula (XlsxWriter's default) is caught, ours is not."""
    risky = tmp_path / "risky.xlsx"
    workbook = xlsxwriter.Workbook(str(risky))
    workbook.add_worksheet().write(0, 0, "=1+1")
    workbook.close()
    assert ["=1+1"] == TestXlsxContract().formula_cells(risky)
    ours = tmp_path / "ours.xlsx"
    ours.write_bytes(_write(formula_tables()))
    assert [] == TestXlsxContract().formula_cells(ours)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_column_width_counts_wide_characters_twice_and_the_longest_line(text: str) -> None:
    """A cell's width is its longest line, East Asian wide characters counting two columns
    (the ASCII shortcut gives what counting each character gives)."""
    expected = max(
        (
            sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
            for line in text.splitlines() or [""]
        ),
        default=0,
    )
    assert expected == repatevents_xlsx._width(text)


def test_progress_tells_the_rows_of_each_table_written(monkeypatch: pytest.MonkeyPatch) -> None:
    """The write tells its progress callback each table's rows, every PROGRESS_ROWS rows and
    at the table's end, and writes the same bytes as without it."""
    monkeypatch.setattr(repatevents_xlsx, "PROGRESS_ROWS", 1)
    calls: list[tuple[str, int, int]] = []
    told = _write(progress=lambda stage, done, total: calls.append((stage, done, total)))
    expected = [
        (f"writing {name}", done, len(table.rows))
        for name, table in sample_tables().items()
        for done in range(len(table.rows) + 1)
    ]
    assert expected == calls
    assert _write() == told
