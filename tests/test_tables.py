"""Tables: every cell of the type its column says, or None."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from repatevents._tables import Column, ColumnType, Table, typed_table

COLUMNS = [
    Column("text", "Text", ColumnType.TEXT),
    Column("integer", "Integer", ColumnType.INTEGER),
    Column("number", "Number", ColumnType.NUMBER),
    Column("date", "Date", ColumnType.DATE),
    Column("boolean", "Boolean", ColumnType.BOOLEAN),
]


def _table(*rows: list[Any]) -> Table:
    return Table("t", "T", COLUMNS, rows)


def test_cells_of_their_columns_types_or_none_are_accepted() -> None:
    """Text, integers, numbers (int or float), dates (a datetime too), booleans and None."""
    table = _table(
        ["a", 1, 2.5, dt.date(2024, 1, 1), True],
        [None, None, 3, dt.datetime(2024, 1, 1, 12), None],
    )
    assert 2 == len(table.rows)


@pytest.mark.parametrize(
    ("index", "cell"),
    [(0, 1), (1, True), (1, 2.0), (2, "3"), (3, "2024-01-01"), (4, 1)],
)
def test_a_cell_of_another_type_is_refused_naming_its_column(index: int, cell: object) -> None:
    """A boolean in an integer column, a number in a text column … are projection bugs."""
    row: list[Any] = [None] * len(COLUMNS)
    row[index] = cell
    with pytest.raises(ValueError, match=rf"row 0 column '{COLUMNS[index].name}': .* is not"):
        _table(row)


def test_a_row_of_the_wrong_length_is_refused() -> None:
    """Every row has one cell per column."""
    with pytest.raises(ValueError, match="row 0 has 2 cells for 5 columns"):
        _table(["a", 1])


def test_a_typed_table_equals_the_checked_table_of_the_same_rows() -> None:
    """A table whose cells its builder's tests check is the same value as a checked one."""
    rows = [("a", 1, 2.5, dt.date(2024, 1, 1), True), (None, None, 3, None, None)]
    assert Table("t", "T", COLUMNS, rows, "d") == typed_table("t", "T", COLUMNS, rows, "d")


def test_a_typed_table_still_refuses_a_row_of_the_wrong_length() -> None:
    """Only the cells' types go unchecked: a short row is refused, naming it."""
    with pytest.raises(ValueError, match="row 1 has 4 cells for 5 columns"):
        typed_table("t", "T", COLUMNS, [("a", 1, 2.5, None, True), ("a", 1, 2.5, None)])


def test_a_typed_table_still_refuses_duplicate_column_names() -> None:
    """Two columns of one name are refused as in any table."""
    with pytest.raises(ValueError, match="duplicate column names"):
        typed_table("t", "T", [COLUMNS[0], COLUMNS[0]], [])
