"""The CSV exporter: RFC 4180, UTF-8, HXL, formula neutralisation, one file per table."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from repatevents._tables import Column, ColumnType, Table
from repatevents.errors import ValidationError
from repatevents.exporters import export_tables, neutralise
from repatevents.exporters._csv import write_csv
from repatevents.plugins import get_plugin_manager
from repatevents.testing import ExporterContract, sample_metadata, sample_tables


class TestCsvContract(ExporterContract):
    """The CSV exporter passes the exporter contract."""

    exporter_name = "csv"


class TestCsvWithOptionsContract(ExporterContract):
    """The CSV exporter with a BOM, an HXL row and titles passes the exporter contract."""

    exporter_name = "csv"
    options: ClassVar[Mapping[str, Any]] = {"bom": True, "hxl": True, "titles": True}

    def read_text(self, path: Path) -> str:
        """Decode UTF-8 with its byte order mark."""
        return path.read_bytes().decode("utf-8-sig")


def _export(tmp_path: Path, table: str, **options: Any) -> Path:
    written, _metadata = export_tables(
        "csv",
        sample_tables(),
        sample_metadata(),
        tmp_path / f"{table}.csv",
        table_names=[table],
        plugin_manager=get_plugin_manager(load_entrypoints=False),
        **options,
    )
    return written


def test_totals_read_back_with_the_csv_module(tmp_path: Path) -> None:
    """Every totals cell reads back as the table's value, None as an empty cell."""
    path = _export(tmp_path, "totals")
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    table = sample_tables()["totals"]
    expected = [[c.name for c in table.columns]] + [
        ["" if cell is None else str(cell) for cell in row] for row in table.rows
    ]
    assert expected == rows


def test_totals_read_back_with_pandas_to_the_same_numbers(tmp_path: Path) -> None:
    """pandas reads the totals to the same integers, dates and missing values."""
    path = _export(tmp_path, "totals")
    frame = pd.read_csv(path, dtype={"country": str}, parse_dates=["first_date", "last_date"])
    table = sample_tables()["totals"]
    for name in ("operations", "total_low", "total_best", "total_high", "women_best"):
        column = frame[name].astype("Int64")
        expected = [record[name] for record in table.records()]
        assert expected == [None if pd.isna(v) else int(v) for v in column]
    expected_dates = [record["first_date"] for record in table.records()]
    assert expected_dates == [d.date() for d in frame["first_date"]]
    assert [r["people_per_family"] for r in table.records()] == [
        None if pd.isna(v) else v for v in frame["people_per_family"]
    ]


def test_file_follows_rfc_4180(tmp_path: Path) -> None:
    """Lines end in CRLF, fields with commas, quotes or line breaks are quoted, quotes doubled."""
    data = _export(tmp_path, "operations").read_bytes()
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b'"Meerim, 1"' in data
    assert b'"""Quoted"""' in data


def test_embedded_line_break_stays_inside_its_quoted_field(tmp_path: Path) -> None:
    """A line break inside a cell is kept inside its quoted field and reads back whole."""
    path = _export(tmp_path, "quality")
    with path.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    assert rows[3][2] == "'@two reports\nfour days apart, figures within 2%"


def test_formula_in_a_source_name_is_neutralised(tmp_path: Path) -> None:
    """=HYPERLINK(...), +..., @..., -... and tab-led text cells get a leading quote."""
    path = _export(tmp_path, "sources")
    with path.open(newline="", encoding="utf-8") as stream:
        publishers = [row[0] for row in csv.reader(stream)][1:]
    assert publishers == [
        "Agence France-Presse",
        '\'=HYPERLINK("http://evil.example/","click me")',
        "'+Hawar News, ANHA",
        "'\tTab News",
        "Радио Азаттык",
        "وكالة أنباء هاوار",
    ]


def test_line_feed_and_full_width_formulas_are_neutralised(tmp_path: Path) -> None:
    """A cell starting with a line feed or a full-width ＝ is written with the quote too."""
    table = Table(
        "notes",
        "Notes",
        [Column("note", "Note", ColumnType.TEXT)],
        [("\n=cmd|' /C calc'!A0",), ('＝HYPERLINK("http://evil.example/")',), ("plain",)],
    )
    path, _metadata = export_tables(
        "csv",
        {"notes": table},
        sample_metadata(),
        tmp_path / "notes.csv",
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    with path.open(newline="", encoding="utf-8") as stream:
        notes = [row[0] for row in csv.reader(stream)][1:]
    assert ["'\n=cmd|' /C calc'!A0", '\'＝HYPERLINK("http://evil.example/")', "plain"] == notes


def test_numbers_are_never_neutralised(tmp_path: Path) -> None:
    """A negative number in a number column stays a number."""
    path = _export(tmp_path, "reconciliation")
    with path.open(newline="", encoding="utf-8") as stream:
        gaps = [row[5] for row in csv.reader(stream)][1:]
    assert gaps == ["-462", "0", "0"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\n=1", "'\n=1"),
        ("\n", "'\n"),
        ("＝1+1", "'＝1+1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠SUM(A1)", "'＠SUM(A1)"),
        ("﹦1", "'﹦1"),
        ("a=1", "a=1"),
        ("a\n=1", "a\n=1"),
        ("１＝１", "１＝１"),
        ("—dash", "—dash"),
        ("", ""),
        ("Радио", "Радио"),
    ],
)
def test_neutralise(text: str, expected: str) -> None:
    """Only text starting with a formula trigger (OWASP's, a line feed, or a full-width or
    small form of one) gets the quote."""
    assert expected == neutralise(text)


def test_bom_and_hxl_row(tmp_path: Path) -> None:
    """bom=True starts the file with EF BB BF; hxl=True adds the hashtags as a second row."""
    path = _export(tmp_path, "totals", bom=True, hxl=True)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][:3] == ["country", "country_name", "operations"]
    assert rows[1][:3] == ["#country+code", "#country+name", "#activity+num"]
    assert rows[2][0] == "FRA"


def test_no_bom_by_default(tmp_path: Path) -> None:
    """Without options the file starts with the first column's name."""
    assert _export(tmp_path, "totals").read_bytes().startswith(b"country,")


def test_titles_header(tmp_path: Path) -> None:
    """titles=True writes the human titles as the header."""
    text = _export(tmp_path, "totals", titles=True).read_text(encoding="utf-8")
    assert text.startswith("Country code,Country,Operations,")


def test_cells_are_iso_dates_booleans_and_exact_numbers(tmp_path: Path) -> None:
    """Dates are ISO 8601, booleans true/false, floats their shortest exact text."""
    table = Table(
        "t",
        "T",
        [
            Column("day", "Day", ColumnType.DATE),
            Column("flag", "Flag", ColumnType.BOOLEAN),
            Column("ratio", "Ratio", ColumnType.NUMBER),
            Column("count", "Count", ColumnType.INTEGER),
        ],
        [(dt.date(2023, 12, 7), True, 0.1, 10**20), (None, False, None, None)],
    )
    path, _metadata = export_tables(
        "csv",
        {"t": table},
        sample_metadata(),
        tmp_path / "t.csv",
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    expected = "day,flag,ratio,count\r\n2023-12-07,true,0.1,100000000000000000000\r\n,false,,\r\n"
    assert expected == path.read_bytes().decode("utf-8")


def test_all_tables_go_beside_the_target_with_a_metadata_file(tmp_path: Path) -> None:
    """figures.csv with every table writes figures-<table>.csv and figures-metadata.csv."""
    written = export_tables(
        "csv",
        sample_tables(),
        sample_metadata(),
        tmp_path / "figures.csv",
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    names = [*sample_tables(), "metadata"]
    assert [tmp_path / f"figures-{name}.csv" for name in names] == written
    metadata = (tmp_path / "figures-metadata.csv").read_bytes().decode("utf-8")
    assert "ledger_position,28\r\n" in metadata
    assert (
        "source 3,publisher: Радио Азаттык; speaker_kind: receiving-government; "
        "published: 2019-05-10; reports: 3\r\n"
    ) in metadata


def test_one_table_to_a_file_gets_its_metadata_beside_it(tmp_path: Path) -> None:
    """k.csv with one table writes k.csv and k-metadata.csv: the metadata is never lost."""
    written = export_tables(
        "csv",
        sample_tables(),
        sample_metadata(),
        tmp_path / "k.csv",
        table_names=["totals"],
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    assert [tmp_path / "k.csv", tmp_path / "k-metadata.csv"] == written
    assert sorted(written) == sorted(tmp_path.iterdir())
    assert (tmp_path / "k.csv").read_bytes().startswith(b"country,country_name,")
    with (tmp_path / "k-metadata.csv").open(newline="", encoding="utf-8") as stream:
        rows = dict(csv.reader(stream))
    assert ("28", "2024-06-30", "conservative", "2024-07-01T12:00:00+00:00") == (
        rows["ledger_position"],
        rows["as_of"],
        rows["policy"],
        rows["generated_at"],
    )
    assert rows["source 1"].startswith("publisher: Agence France-Presse")


def test_a_table_called_metadata_is_refused_for_a_file_per_table_format(tmp_path: Path) -> None:
    """A table named 'metadata' would clash with the metadata file: refused, nothing written."""
    with pytest.raises(ValidationError) as raised:
        export_tables(
            "csv",
            {"metadata": sample_tables()["totals"]},
            sample_metadata(),
            tmp_path / "k.csv",
            plugin_manager=get_plugin_manager(load_entrypoints=False),
        )
    assert "metadata" == raised.value.value
    assert list(tmp_path.iterdir()) == []


def test_a_folder_target_gets_one_file_per_table(tmp_path: Path) -> None:
    """A target without a suffix becomes a folder of <table>.csv files."""
    written = export_tables(
        "csv",
        sample_tables(),
        sample_metadata(),
        tmp_path / "export",
        table_names=["totals", "sources"],
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    folder = tmp_path / "export"
    assert [folder / "totals.csv", folder / "sources.csv", folder / "metadata.csv"] == written


def test_unknown_table_is_rejected_before_anything_is_written(tmp_path: Path) -> None:
    """Asking for a table the export does not have names it and writes nothing."""
    with pytest.raises(ValidationError) as raised:
        export_tables(
            "csv",
            sample_tables(),
            sample_metadata(),
            tmp_path / "x.csv",
            table_names=["totals", "people"],
            plugin_manager=get_plugin_manager(load_entrypoints=False),
        )
    assert raised.value.value == "people"
    assert list(tmp_path.iterdir()) == []


def test_missing_folders_are_created(tmp_path: Path) -> None:
    """A target in folders that do not exist yet gets them, at every level."""
    written = export_tables(
        "csv",
        sample_tables(),
        sample_metadata(),
        tmp_path / "no" / "such" / "x.csv",
        table_names=["totals"],
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    folder = tmp_path / "no" / "such"
    assert [folder / "x.csv", folder / "x-metadata.csv"] == written


def _reference_csv(table: Table) -> str:
    """Write a table cell by cell, as the exporter's rules say, for the fast path to match."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([neutralise(c.name) for c in table.columns])
    for row in table.rows:
        cells: list[str] = []
        for column, value in zip(table.columns, row, strict=True):
            if value is None:
                cells.append("")
            elif column.type is ColumnType.TEXT:
                cells.append(neutralise(value))
            elif column.type is ColumnType.BOOLEAN:
                cells.append("true" if value else "false")
            elif column.type is ColumnType.DATE:
                day = value.date() if isinstance(value, dt.datetime) else value
                cells.append(day.isoformat())
            else:
                cells.append(repr(value))
        writer.writerow(cells)
    return text.getvalue()


_KINDS = {
    # Formula starts, characters that need quoting, and any text.
    ColumnType.TEXT: st.text(st.sampled_from('=+-@\t\r\n\uff1da,"'), max_size=4) | st.text(),
    ColumnType.INTEGER: st.integers(),
    ColumnType.NUMBER: st.one_of(st.integers(), st.floats()),
    ColumnType.DATE: st.one_of(st.dates(), st.datetimes()),
    ColumnType.BOOLEAN: st.booleans(),
}


@st.composite
def _tables(draw: st.DrawFn) -> Table:
    kinds = draw(st.lists(st.sampled_from(list(ColumnType)), min_size=1, max_size=4))
    cells = st.tuples(*(st.none() | _KINDS[kind] for kind in kinds))
    rows = draw(st.lists(cells, max_size=6))
    columns = [Column(f"c{i}", f"C{i}", kind) for i, kind in enumerate(kinds)]
    return Table("t", "T", columns, rows)


@given(_tables())
def test_every_cell_is_written_as_the_cell_by_cell_rules_say(table: Table) -> None:
    """Columns written as they are and columns converted give what a cell-by-cell writer
    would: texts that start like a formula quoted, booleans, dates and numbers as text."""
    stream = io.BytesIO()
    write_csv({"t": table}, sample_metadata(), stream)
    assert _reference_csv(table) == stream.getvalue().decode("utf-8")
