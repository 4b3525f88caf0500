"""HXL: the hashtag row of a CSV export is one libhxl validates, dates in #date columns only."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from _paths import EXAMPLE
from repatevents import Ledger, read_jsonl
from repatevents._tables import ColumnType

NUMBER_TAGS = ("#affected", "#population", "#inneed", "#targeted", "#reached", "#value")


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    opened = Ledger.in_memory()
    opened.record_many(read_jsonl(EXAMPLE))
    return opened


def test_date_hashtags_tag_date_columns_only(ledger: Ledger) -> None:
    """A #date column holds dates (ISO in CSV), and a column of words or EDTF text about a date
    has a #meta tag: HXL tools read every #date cell as a date."""
    wrong = [
        f"{table.name}.{column.name} ({column.hxl}, {column.type.value})"
        for table in ledger.tables().values()
        for column in table.columns
        if (column.hxl.split("+")[0] == "#date") != (column.type is ColumnType.DATE)
    ]
    assert [] == wrong


def test_number_hashtags_tag_number_columns_only(ledger: Ledger) -> None:
    """#affected and #population columns hold numbers; a claim as worded is a #description."""
    wrong = [
        f"{table.name}.{column.name} ({column.hxl}, {column.type.value})"
        for table in ledger.tables().values()
        for column in table.columns
        if column.hxl.split("+")[0] in NUMBER_TAGS
        and column.type not in (ColumnType.INTEGER, ColumnType.NUMBER)
    ]
    assert [] == wrong


def test_libhxl_finds_no_error_in_any_table(ledger: Ledger, tmp_path: Path) -> None:
    """libhxl's built-in schema (dates, numbers, spelling) finds no error or warning in any
    table of the hxl=true CSV export; only its numeric-outlier notes, which are about the data,
    may remain."""
    hxl = pytest.importorskip("hxl")
    written = ledger.export("csv", tmp_path / "hxl", hxl=True)
    found: dict[str, list[str]] = {}
    for path in written:
        problems: list[str] = []

        def collect(error: object, problems: list[str] = problems) -> None:
            rule = getattr(error, "rule", None)
            if getattr(rule, "severity", "error") != "info":
                problems.append(f"{rule and rule.tag_pattern} {getattr(error, 'value', '')!r}")

        # Rows rather than a path: libhxl leaves the files it opens open.
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
        hxl.data(rows).validate(callback=collect)
        if problems:
            found[path.name] = problems
    assert {} == found
