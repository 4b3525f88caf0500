"""A Frictionless Data Package descriptor for a CSV export: ``datapackage.json``.

The descriptor (https://specs.frictionlessdata.io/data-package/) lists each CSV file as a
tabular resource with a Table Schema: every column's name, title, type and description, the
empty cell as the missing value ("not reported", never zero), the HXL hashtag as a custom
``hxl`` property, primary keys and the foreign keys between tables. The package carries the
licence, the sources and the export's provenance, so that ``frictionless validate`` (and any
tool that reads Data Packages, such as CKAN or Open Data Editor) checks the files against it.

A key is declared only when the rows bear it out: a primary key's cells are all present and
unique, and a foreign key's values are all found in the table it refers to. So a descriptor
never states what its own files contradict, whatever query the tables answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .._tables import ColumnType, ExportMetadata, Table
from ._keys import FOREIGN_KEYS, primary_key, refers

__all__ = ["DATAPACKAGE_NAME", "DEFAULT_LICENCE", "LICENCES", "describe_csv"]

DATAPACKAGE_NAME = "datapackage.json"
DEFAULT_LICENCE = "CC-BY-4.0"
"""The licence a package states when none is chosen: attribution, as HDX and ReliefWeb use."""

_TYPES = {
    ColumnType.TEXT: "string",
    ColumnType.INTEGER: "integer",
    ColumnType.NUMBER: "number",
    ColumnType.DATE: "date",
    ColumnType.BOOLEAN: "boolean",
}
LICENCES: Mapping[str, tuple[str, str]] = {
    # An SPDX identifier's address and title, for the licences open data is usually under.
    "CC-BY-4.0": (
        "https://creativecommons.org/licenses/by/4.0/",
        "Creative Commons Attribution 4.0",
    ),
    "CC0-1.0": ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0 1.0"),
    "ODC-BY-1.0": ("https://opendatacommons.org/licenses/by/1-0/", "Open Data Commons Attribution"),
}


def describe_csv(
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    files: Mapping[str, str],
    /,
    *,
    datapackage: bool = False,
    licence: str = DEFAULT_LICENCE,
    bom: bool = False,
    hxl: bool = False,
    titles: bool = False,
) -> tuple[str, bytes] | None:
    """Return ``datapackage.json`` for a CSV export, or ``None`` unless ``datapackage``.

    Args:
        tables: every table written, the ``metadata`` table too.
        metadata: the export's metadata (title, provenance, sources).
        files: each table's file name, relative to the descriptor.
        datapackage: whether to write the descriptor.
        licence: the licence of the figures, an SPDX identifier (``CC-BY-4.0``).
        bom: the files start with a byte order mark (their encoding is then ``utf-8-sig``).
        hxl: the files have a row of HXL hashtags below the header, which the descriptor
            declares as a comment row so that it is not read as data.
        titles: the header holds titles; a Table Schema matches fields to the header, so the
            fields are then named by their titles.

    Returns:
        The descriptor's file name and bytes, or ``None``.

    Raises:
        ValueError: ``licence`` is empty.
    """
    if not datapackage:
        return None
    if not licence.strip():
        raise ValueError("licence is empty; give an SPDX identifier such as 'CC-BY-4.0'")
    keyed = {name: primary_key(table) for name, table in tables.items()}
    resources = [
        _resource(name, table, files[name], keyed, tables, bom=bom, hxl=hxl, titles=titles)
        for name, table in tables.items()
    ]
    url, title = LICENCES.get(licence, (None, licence))
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "repatevents-export",
        "title": metadata.title,
        "created": metadata.generated_at.isoformat(),
        "licenses": [{"name": licence, "title": title, **({"path": url} if url else {})}],
        "sources": _sources(metadata),
        "repatevents": dict(metadata.typed_items()),
        "resources": resources,
    }
    text = json.dumps(package, ensure_ascii=False, indent=1, allow_nan=False)
    return DATAPACKAGE_NAME, text.encode("utf-8") + b"\n"


def _resource(
    name: str,
    table: Table,
    path: str,
    keyed: Mapping[str, Sequence[str] | None],
    tables: Mapping[str, Table],
    *,
    bom: bool,
    hxl: bool,
    titles: bool,
) -> dict[str, Any]:
    names = {c.name: (c.title if titles else c.name) for c in table.columns}
    schema: dict[str, Any] = {
        "fields": [_field(column, names[column.name]) for column in table.columns],
        "missingValues": [""],
    }
    primary = keyed.get(name)
    if primary:
        schema["primaryKey"] = [names[c] for c in primary]
    foreign = [
        {
            "fields": [names[c] for c in fields],
            "reference": {
                "resource": target,
                "fields": [_named(tables[target], c, titles) for c in target_fields],
            },
        }
        for source, fields, target, target_fields in FOREIGN_KEYS
        if source == name and refers(table, fields, tables.get(target), target_fields, keyed)
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    dialect: dict[str, Any] = {"delimiter": ",", "lineTerminator": "\r\n", "header": True}
    if hxl:
        # The hashtag row is the second; a reader skips it as a comment row.
        dialect["commentRows"] = [2]
    resource: dict[str, Any] = {
        "name": _resource_name(name),
        "path": path,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8-sig" if bom else "utf-8",
        "title": table.title,
        "dialect": dialect,
        "schema": schema,
    }
    if table.description:
        resource["description"] = table.description
    return resource


def _field(column: Any, name: str) -> dict[str, Any]:
    field: dict[str, Any] = {"name": name, "title": column.title, "type": _TYPES[column.type]}
    if column.description:
        field["description"] = column.description
    if column.type is ColumnType.BOOLEAN:
        field["trueValues"], field["falseValues"] = ["true"], ["false"]
    if column.hxl:
        field["hxl"] = column.hxl
    if column.separator:
        field["separator"] = column.separator
    return field


def _named(table: Table, column: str, titles: bool) -> str:
    return table.column(column).title if titles else column


def _resource_name(name: str) -> str:
    # A resource name is lower-case letters, digits and "-_.".
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name.lower())
    return cleaned or "table"


def _sources(metadata: ExportMetadata) -> list[dict[str, str]]:
    found: dict[tuple[str, str | None], dict[str, str]] = {}
    for source in metadata.sources:
        publisher = str(source.get("publisher") or "unknown publisher")
        url = source.get("url")
        entry = {"title": publisher}
        if url:
            entry["path"] = str(url)
        found.setdefault((publisher, url), entry)
    return list(found.values())
