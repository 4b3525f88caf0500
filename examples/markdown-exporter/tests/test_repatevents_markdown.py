"""The Markdown exporter passes the exporter contract and writes readable tables."""

from __future__ import annotations

import io
from typing import ClassVar

import repatevents_markdown

from repatevents._plugins import RepateventsPluginManager, registered_exporters
from repatevents.exporters import Column, ColumnType, Table
from repatevents.testing import (
    ExporterContract,
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


def test_totals_are_a_markdown_table() -> None:
    """The totals come out as a table with right-aligned numbers and — for not reported."""
    report = _report()
    assert "## Totals by country" in report
    assert "| Country code | Country | Operations |" in report
    kazakhstan = (
        "| KAZ | Kazakhstan | 2 | 278 | 278 | 285 | 52 | 211 | — | 2019-01-06 | 2019-05-09 |"
    )
    assert kazakhstan in report


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
