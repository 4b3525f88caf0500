"""Table keys: declared only where the rows bear them out, so an export never contradicts itself."""

from __future__ import annotations

from typing import Any

from repatevents.exporters import Column, ColumnType, Table
from repatevents.exporters._keys import primary_key, refers


def totals(*countries: str | None) -> Table:
    columns = [Column("country", "Country", ColumnType.TEXT)]
    return Table("totals", "Totals", columns, [(country,) for country in countries])


def operations(*rows: tuple[Any, ...]) -> Table:
    columns = [
        Column("operation_id", "Operation", ColumnType.TEXT),
        Column("country", "Country", ColumnType.TEXT),
    ]
    return Table("operations", "Operations", columns, rows)


def test_a_primary_key_is_declared_only_when_its_cells_are_present_and_unique() -> None:
    """Unique, present cells make a key; a repeat or a missing cell withdraws it."""
    assert ("country",) == primary_key(totals("KAZ", "KGZ"))
    assert primary_key(totals("KAZ", "KAZ")) is None
    assert primary_key(totals("KAZ", None)) is None
    assert ("operation_id",) == primary_key(operations(("a", "KAZ"), ("b", "KAZ")))


def test_a_table_without_a_declared_key_or_its_columns_has_none() -> None:
    """A table repatevents declares no key for, or one lacking the key's column, has none."""
    other = Table("notes", "Notes", [Column("country", "Country", ColumnType.TEXT)], [("KAZ",)])
    assert primary_key(other) is None
    no_id = Table("operations", "Operations", [Column("x", "X", ColumnType.TEXT)], [("a",)])
    assert primary_key(no_id) is None


def test_a_foreign_key_needs_the_targets_primary_key_and_every_value_in_it() -> None:
    """Every present country found in the totals: it refers; one missing, or no key: it does not."""
    target = totals("KAZ", "KGZ")
    keyed = {"totals": primary_key(target)}
    assert refers(operations(("a", "KAZ"), ("b", None)), ["country"], target, ["country"], keyed)
    assert not refers(operations(("a", "UZB")), ["country"], target, ["country"], keyed)
    assert not refers(operations(("a", "KAZ")), ["country"], None, ["country"], keyed)
    assert not refers(operations(("a", "KAZ")), ["country"], target, ["country"], {"totals": None})
