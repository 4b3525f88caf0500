"""The Markdown exporter passes the exporter contract and writes readable tables."""

from __future__ import annotations

import io
from typing import ClassVar

import repatevents_markdown

from repatevents.exporters import Column, ColumnType, Table
from repatevents.plugins import RepateventsPluginManager, registered_exporters
from repatevents.testing import (
    ExporterContract,
    assert_installed_plugin_loads,
    plugin_manager_fixture,
    sample_metadata,
    sample_tables,
)

# A fresh plugin manager with this plugin registered, removed again after each test.
plugin_manager = plugin_manager_fixture(repatevents_markdown)


class TestMarkdownContract(ExporterContract):
    """Every exporter passes the contract: this one line of set-up runs the whole suite."""

    exporter_name = "markdown"
    plugin: ClassVar[object | None] = repatevents_markdown


def _report() -> str:
    stream = io.BytesIO()
    repatevents_markdown.write_markdown(sample_tables(), sample_metadata(), stream)
    return stream.getvalue().decode("utf-8")


def test_plugin_registers_the_markdown_exporter(plugin_manager: RepateventsPluginManager) -> None:
    """Registered on a plugin manager, the plugin adds the markdown exporter."""
    assert "markdown" in registered_exporters(plugin_manager)


def test_the_plugin_loads_beside_the_installed_plugins() -> None:
    """Installed, the plugin loads and no other installed plugin registers "markdown" too."""
    assert_installed_plugin_loads("markdown")


def test_the_sources_are_a_table_with_every_field() -> None:
    """Each source is a row with every field, so sources told apart only by via stay apart."""
    report = _report()
    assert "| Publisher | Via | Kind of speaker | Address | Published | Reports |" in report
    afp = "| Agence France-Presse | — | media | https://example.org/afp/1 | 2023-07-04 | 1 |"
    via = (
        "| Agence France-Presse | AKIpress | receiving-government | https://example.org/afp/1 "
        "| 2023-07-04 | 2 |"
    )
    azattyk = "| Радио Азаттык | — | receiving-government | — | 2019-05-10 | 3 |"
    assert [afp, via, azattyk] == [
        line for line in report.splitlines() if line in (afp, via, azattyk)
    ]


def test_totals_are_a_markdown_table() -> None:
    """The totals come out as a table with right-aligned numbers and — for not reported."""
    report = _report()
    assert "## Totals by country" in report
    header = (
        "| Country code | Country | Operations | Total | Women (best) | Children (best) "
        "| People per family | First operation | Last operation |"
    )
    assert header in report
    kazakhstan = "| KAZ | Kazakhstan | 2 | 278 (278–285) | 52 | 211 | — | 2019-01-06 | 2019-05-09 |"
    assert kazakhstan in report


def test_the_title_is_said_once() -> None:
    """The title heads the report and is not repeated in the metadata list."""
    lines = _report().splitlines()
    assert ["# Repatriations from north-east Syria (test export)", ""] == lines[:2]
    assert "- **Ledger position**: 28" == lines[2]
    assert not any("test export" in line for line in lines[1:])


def test_low_best_high_is_one_column_with_thousands_separators() -> None:
    """A range reads "best (low–high)", or one figure when all three agree; ∞ for no high."""
    report = _report()
    assert "| Camp | Camp or place | Who is counted |" in report
    al_hol = (
        "| al-hol | al-Hol camp | all | — | 2023-12-31 | 2023-12 | 182 | 43,120 (41,980–44,050) |"
    )
    assert al_hol in report
    assert "| KGZ | Kyrgyzstan | 2 | 138 (138–∞) |" in report
    assert "| UZB | Uzbekistan | 1 | 156 | 48 |" in report


def test_columns_empty_in_every_row_are_left_out() -> None:
    """A column no row fills is not shown; an empty table says so instead of a bare header."""
    columns = [
        Column("country", "Country", ColumnType.TEXT),
        Column("men_low", "Men (low)", ColumnType.INTEGER),
        Column("men_best", "Men (best)", ColumnType.INTEGER),
        Column("men_high", "Men (high)", ColumnType.INTEGER),
        Column("notes", "Notes", ColumnType.TEXT),
    ]
    tables = {
        "filled": Table("filled", "Filled", columns, [("KAZ", None, None, None, None)]),
        "empty": Table("empty", "Empty", columns, []),
    }
    stream = io.BytesIO()
    repatevents_markdown.write_markdown(tables, sample_metadata(), stream)
    lines = stream.getvalue().decode("utf-8").splitlines()
    expected = ["| Country |", "| --- |", "| KAZ |", "", "## Empty", "", "_Nothing reported._"]
    assert expected == lines[-7:]


def test_markup_in_cells_is_escaped() -> None:
    """A pipe, markup or a line break in a cell cannot break the table."""
    table = Table(
        "notes",
        "Notes",
        [Column("note", "Note", ColumnType.TEXT)],
        [("a|b *c* <script>",), ("two\nlines",)],
    )
    stream = io.BytesIO()
    repatevents_markdown.write_markdown({"notes": table}, sample_metadata(), stream)
    lines = stream.getvalue().decode("utf-8").splitlines()
    assert lines[-2:] == ["| a\\|b \\*c\\* \\<script\\> |", "| two lines |"]
