"""The SQLite exporter: one database sqlite-utils and Datasette read, with keys and metadata."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any, ClassVar

import pytest

from _paths import EXAMPLE
from repatevents import Ledger, read_jsonl
from repatevents._tables import Column, ColumnType, Table
from repatevents.exporters import export_tables
from repatevents.plugins import get_plugin_manager
from repatevents.testing import LARGEST_NUMBERS, ExporterContract, sample_metadata


class TestSqliteContract(ExporterContract):
    """The SQLite exporter passes the exporter contract (its text read through SQLite)."""

    exporter_name = "sqlite"
    opened_as_cells: ClassVar[bool | None] = False

    def read_text(self, path: Path) -> str:
        """Dump a database as SQL text; read any other file (metadata.json) as UTF-8."""
        if not path.read_bytes().startswith(b"SQLite format 3\x00"):
            return path.read_text(encoding="utf-8")
        with sqlite3.connect(path) as connection:
            return "\n".join(connection.iterdump())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ledger, Path, Path]:
    folder = tmp_path_factory.mktemp("sqlite")
    ledger = Ledger.in_memory()
    ledger.record_many(read_jsonl(EXAMPLE))
    database, described = ledger.export("sqlite", folder / "figures.db")
    return ledger, database, described


def test_sqlite_utils_reads_every_table_with_its_rows(exported: tuple[Ledger, Path, Path]) -> None:
    """sqlite-utils finds every table of the ledger and the metadata, each with all its rows."""
    sqlite_utils = pytest.importorskip("sqlite_utils")
    ledger, database, _ = exported
    db = sqlite_utils.Database(database)
    expected = {name: len(table.rows) for name, table in ledger.tables().items()}
    assert expected == {name: db[name].count for name in expected}
    assert "metadata" in db.table_names()


def test_tables_have_types_primary_keys_foreign_keys_and_indexes(
    exported: tuple[Ledger, Path, Path],
) -> None:
    """Columns are typed, operations and totals have their primary keys, operations refer to
    totals by country with an index on it, and SQLite finds no broken reference."""
    sqlite_utils = pytest.importorskip("sqlite_utils")
    _, database, _ = exported
    db = sqlite_utils.Database(database)
    operations, totals = db["operations"], db["totals"]
    assert ["operation_id"] == operations.pks
    assert ["country"] == totals.pks
    assert {("country", "totals", "country")} == {
        (key.column, key.other_table, key.other_column) for key in operations.foreign_keys
    }
    assert ["country"] in [index.columns for index in operations.indexes]
    assert int is totals.columns_dict["total_best"]
    assert str is totals.columns_dict["first_date"]
    assert float is totals.columns_dict["people_per_family_low"]
    with sqlite3.connect(database) as connection:
        assert [] == connection.execute("PRAGMA foreign_key_check").fetchall()
        assert [("ok",)] == connection.execute("PRAGMA integrity_check").fetchall()


def test_the_metadata_table_holds_the_provenance(exported: tuple[Ledger, Path, Path]) -> None:
    """The metadata table names the head position and hash the tables show."""
    ledger, database, _ = exported
    with sqlite3.connect(database) as connection:
        rows = dict(connection.execute("SELECT key, value FROM metadata").fetchall())
    assert (str(ledger.head), ledger.head_hash) == (rows["ledger_position"], rows["head_hash"])


def test_cells_keep_their_values(tmp_path: Path) -> None:
    """Not reported is NULL, a boolean 0 or 1, a date ISO text, and an integer past 64 bits
    its exact digits."""
    table = Table(
        "totals",
        "Totals",
        [
            Column("country", "Country", ColumnType.TEXT),
            Column("total_best", "Total", ColumnType.INTEGER),
            Column("clamped", "Clamped", ColumnType.BOOLEAN),
            Column("first_date", "First", ColumnType.DATE),
        ],
        [("KAZ", None, True, dt.date(2019, 1, 6)), ("UZB", LARGEST_NUMBERS[2], False, None)],
    )
    (database, _) = export_tables(
        "sqlite",
        {"totals": table},
        sample_metadata(),
        tmp_path / "x.db",
        plugin_manager=get_plugin_manager(load_entrypoints=False),
    )
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT * FROM totals ORDER BY country").fetchall()
    assert [("KAZ", None, 1, "2019-01-06"), ("UZB", str(LARGEST_NUMBERS[2]), 0, None)] == rows


def test_datasette_metadata_names_the_tables_the_licence_and_the_source(
    exported: tuple[Ledger, Path, Path],
) -> None:
    """figures-metadata.json is Datasette metadata for the database called figures: title,
    licence, a source link, and every table's and column's title or description."""
    ledger, _, described = exported
    assert "figures-metadata.json" == described.name
    document: dict[str, Any] = json.loads(described.read_bytes())
    assert "Creative Commons Attribution 4.0" == document["license"]
    assert document["license_url"].startswith("https://creativecommons.org/")
    assert str(ledger.head_hash) in document["description"]
    database = document["databases"]["figures"]
    assert database["source_url"].startswith("https://")
    tables = database["tables"]
    assert {*ledger.tables(), "metadata"} == set(tables)
    totals = ledger.tables()["totals"]
    assert totals.title == tables["totals"]["title"]
    assert {c.name for c in totals.columns} == set(tables["totals"]["columns"])


def test_datasette_serves_the_database_with_its_metadata(
    exported: tuple[Ledger, Path, Path],
) -> None:
    """Datasette, when installed, opens the database with the metadata and serves a table."""
    datasette_app = pytest.importorskip("datasette.app")
    _, database, described = exported
    import asyncio

    async def fetch() -> Any:
        datasette = datasette_app.Datasette(
            [str(database)], metadata=json.loads(described.read_bytes())
        )
        return await datasette.client.get("/figures/totals.json?_shape=array")

    response = asyncio.run(fetch())
    assert 200 == response.status_code
    assert len(response.json()) == 4
