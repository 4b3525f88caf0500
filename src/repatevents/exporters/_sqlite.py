"""The SQLite exporter: every table in one database, for Datasette and sqlite-utils.

Each table becomes an SQLite table with typed columns (``INTEGER``, ``REAL``, ``TEXT``; a date
is ISO 8601 ``TEXT``, a boolean ``INTEGER`` 0 or 1, "not reported" ``NULL``), the primary key
and the foreign keys to ``totals`` that its rows bear out, and an index on every foreign key.
The export's metadata is the ``metadata`` table (key, value), as in a CSV export. An integer
beyond SQLite's 64 bits is stored as its exact decimal text rather than rounded (its column is
then ``TEXT``).

Beside the database, ``describe_sqlite`` writes a Datasette ``metadata.json``: the export's
title and provenance, the licence, a source link per source, and each table's and column's
title and description (``datasette figures.db -m figures-metadata.json``).

The database is built in memory and written whole, so the same tables and metadata give the
same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, BinaryIO

from .._exporter import Exporter, metadata_table
from .._tables import Column, ColumnType, ExportMetadata, Table
from ._datapackage import DEFAULT_LICENCE, LICENCES
from ._keys import FOREIGN_KEYS, primary_key, refers

__all__ = ["SQLITE_EXPORTER", "describe_sqlite", "write_sqlite"]

_TYPES = {
    ColumnType.TEXT: "TEXT",
    ColumnType.INTEGER: "INTEGER",
    ColumnType.NUMBER: "REAL",
    ColumnType.DATE: "TEXT",
    ColumnType.BOOLEAN: "INTEGER",
}
_INT64 = (-(2**63), 2**63 - 1)


def write_sqlite(
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    stream: BinaryIO,
    /,
    *,
    licence: str = DEFAULT_LICENCE,
) -> None:
    """Write the tables and a ``metadata`` table as one SQLite database to ``stream``.

    Args:
        tables: the tables, one SQLite table each, in order.
        metadata: written as the ``metadata`` table.
        stream: where the database's bytes go.
        licence: the licence named in the Datasette metadata (``describe_sqlite``).

    Raises:
        ValueError: a table called ``metadata`` (that name holds the export's metadata).
    """
    import sqlite3

    if "metadata" in tables:
        raise ValueError("a table may not be called 'metadata' in an SQLite export")
    every = {**tables, "metadata": metadata_table(metadata)}
    keyed = {name: primary_key(table) for name, table in every.items()}
    connection = sqlite3.connect(":memory:")
    try:
        for name, table in every.items():
            _create(connection, name, table, keyed, every)
            marks = ", ".join("?" for _ in table.columns)
            connection.executemany(
                f"INSERT INTO {_quote(name)} VALUES ({marks})",
                (
                    [_cell(c, v) for c, v in zip(table.columns, row, strict=True)]
                    for row in table.rows
                ),
            )
        connection.commit()
        stream.write(connection.serialize())
    finally:
        connection.close()


def _create(
    connection: Any,
    name: str,
    table: Table,
    keyed: Mapping[str, Sequence[str] | None],
    tables: Mapping[str, Table],
) -> None:
    parts = [f"{_quote(c.name)} {_sql_type(table, i)}" for i, c in enumerate(table.columns)]
    key = keyed.get(name)
    if key:
        parts.append(f"PRIMARY KEY ({', '.join(map(_quote, key))})")
    indexes = []
    for source, fields, target, target_fields in FOREIGN_KEYS:
        if source == name and refers(table, fields, tables.get(target), target_fields, keyed):
            parts.append(
                f"FOREIGN KEY ({', '.join(map(_quote, fields))}) REFERENCES {_quote(target)} "
                f"({', '.join(map(_quote, target_fields))})"
            )
            indexes.append(fields)
    connection.execute(f"CREATE TABLE {_quote(name)} (\n  " + ",\n  ".join(parts) + "\n)")
    for fields in indexes:
        index = _quote(f"idx_{name}_{'_'.join(fields)}")
        columns = ", ".join(map(_quote, fields))
        connection.execute(f"CREATE INDEX {index} ON {_quote(name)} ({columns})")


def _sql_type(table: Table, index: int) -> str:
    kind = table.columns[index].type
    if kind is ColumnType.INTEGER and any(_too_large(row[index]) for row in table.rows):
        # SQLite would turn the digits of an integer past 64 bits into a rounded REAL in an
        # INTEGER column: a TEXT column keeps them exact.
        return "TEXT"
    return _TYPES[kind]


def _too_large(value: Any) -> bool:
    return isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _cell(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type is ColumnType.DATE:
        return value.isoformat()[:10]
    if column.type is ColumnType.BOOLEAN:
        return int(value)
    if _too_large(value):
        return str(value)
    return value


def describe_sqlite(
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    files: Mapping[str, str],
    /,
    *,
    licence: str = DEFAULT_LICENCE,
) -> tuple[str, bytes]:
    """Return a Datasette ``metadata.json`` for the database the tables were written to.

    Args:
        tables: every table written (the ``metadata`` table is described too).
        metadata: the export's title, provenance and sources.
        files: each table's file name (all the same database).
        licence: the licence of the figures (an SPDX identifier).

    Returns:
        ``("metadata.json", bytes)``.
    """
    database = PurePath(next(iter(files.values()), "repatevents.db")).stem
    provenance = "; ".join(f"{key}: {value}" for key, value in metadata.typed_items())
    url, title = LICENCES.get(licence, ("", licence))
    document: dict[str, Any] = {
        "title": metadata.title,
        "description": f"Made by repatevents from a ledger of repatriation reports ({provenance}).",
        "license": title,
        **({"license_url": url} if url else {}),
        "databases": {
            database: {
                "title": metadata.title,
                "source": "; ".join(_publishers(metadata)) or "repatevents ledger",
                "tables": {
                    name: _table(table)
                    for name, table in {**tables, "metadata": metadata_table(metadata)}.items()
                },
            }
        },
    }
    links = [s.get("url") for s in metadata.sources if s.get("url")]
    if links:
        # Datasette takes one source link; every source's address is in the sources table.
        document["databases"][database]["source_url"] = str(links[0])
    text = json.dumps(document, ensure_ascii=False, indent=1, allow_nan=False)
    return "metadata.json", text.encode("utf-8") + b"\n"


def _table(table: Table) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "title": table.title,
        "columns": {c.name: c.description or c.title for c in table.columns},
    }
    if table.description:
        entry["description"] = table.description
    return entry


def _publishers(metadata: ExportMetadata) -> list[str]:
    return list(
        dict.fromkeys(str(s.get("publisher")) for s in metadata.sources if s.get("publisher"))
    )


SQLITE_EXPORTER = Exporter(
    name="sqlite",
    extension="db",
    media_type="application/vnd.sqlite3",
    description=(
        "One SQLite database: every table with column types, primary and foreign keys and "
        "indexes, and a Datasette metadata.json beside it."
    ),
    write=write_sqlite,
    describe=describe_sqlite,
)
