"""The exporter interface: what a plugin registers to add an export format.

This is the contract between the plugin host (``_plugins``, which checks each registration
against it) and the exporters (which implement it), so it sits below both rather than inside
``exporters``: the host needs it without loading the exporters package, whose ``export_tables``
asks the host for an exporter by name. Dependencies then point one way, exporters -> host ->
this module. The public home of these names stays ``repatevents.exporters``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO, Concatenate, TypeAlias

import attrs

from ._tables import Column, ColumnType, ExportMetadata, Table

__all__ = ["PROGRESS", "DescribeFunction", "Exporter", "WriteFunction", "metadata_table"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")
_EXTENSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.]*$")
_MEDIA_TYPE = re.compile(r"^[a-z]+/[A-Za-z0-9.+-]+$")


WriteFunction: TypeAlias = Callable[
    Concatenate[Mapping[str, Table], ExportMetadata, BinaryIO, ...], None
]
"""The write function: ``write(tables, metadata, stream, **options)`` writes to ``stream``.

The function writes only to ``stream`` (never to a path of its own), raises on any problem
instead of writing less, and writes the same bytes for the same input: the host writes the
stream to a temporary file and replaces the target only when the function returns.
Exporter-specific options arrive as keyword arguments; an unknown one must raise
``TypeError`` (as a plain keyword-only signature does), so a typo is not silently ignored.

A write function that declares a keyword parameter named ``progress`` (``PROGRESS``) is given
a callable to tell how far it got, as ``progress(stage, done, total)``, such as
``progress("writing operations", 20000, 46886)`` (rows of a table), or ``None`` when nobody
is watching; it is not an option users set. One that does not declare it is called without.
"""

PROGRESS = "progress"
"""The keyword under which the host hands a write function its progress callback."""


DescribeFunction: TypeAlias = Callable[
    Concatenate[Mapping[str, Table], ExportMetadata, Mapping[str, str], ...],
    "tuple[str, bytes] | None",
]
"""A descriptor of an export's files: ``describe(tables, metadata, files, **options)``.

Called once with every table written (with one file per table, the ``metadata`` table too),
the metadata, each table's file name and the export's options; returns the name and bytes of a
file to write beside them (the CSV exporter's ``datapackage.json``, the SQLite exporter's
Datasette ``metadata.json``), or ``None`` to write none. It takes the same options as the
write function. The host names the file after the export's (``figures-metadata.json``).
"""


def _check_name(instance: Exporter, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ValueError(
            f"exporter name {value!r} is invalid: expected lower-case letters, digits, '-' or "
            "'_', starting with a letter"
        )


def _check_extension(instance: Exporter, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _EXTENSION.match(value):
        raise ValueError(
            f"exporter extension {value!r} is invalid: expected letters and digits without a "
            "leading dot, such as 'csv'"
        )


def _check_media_type(instance: Exporter, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _MEDIA_TYPE.match(value):
        raise ValueError(
            f"exporter media type {value!r} is invalid: expected 'type/subtype', such as 'text/csv'"
        )


def _check_write(instance: Exporter, attribute: attrs.Attribute[Any], value: object) -> None:
    if not callable(value):
        raise TypeError(f"exporter write function {value!r} is not callable")


@attrs.frozen
class Exporter:
    """An export format: a name, a file type and a function that writes tables to a stream.

    Attributes:
        name: the name users choose it by (``repatevents export csv``): lower-case, unique.
        extension: the file extension, without the dot (``"csv"``).
        media_type: the IANA media type of what it writes (``"text/csv"``).
        description: one sentence for ``repatevents plugins`` and the docs.
        write: the function that writes (see ``WriteFunction``).
        one_file_per_table: when true, the host calls ``write`` once per table (and once more
            for a ``metadata`` table), each into its own file, instead of once for all tables.
        describe: what writes a descriptor of the files beside them (see
            ``DescribeFunction``), or ``None``.

    Raises:
        ValueError: a name, extension or media type that does not follow the rules above.
        TypeError: a write function that is not callable.
    """

    name: str = attrs.field(validator=_check_name)
    extension: str = attrs.field(validator=_check_extension)
    media_type: str = attrs.field(validator=_check_media_type)
    description: str
    write: WriteFunction = attrs.field(validator=_check_write)
    one_file_per_table: bool = False
    describe: DescribeFunction | None = None


_METADATA_COLUMNS: tuple[Column, ...] = (
    Column("key", "Key", ColumnType.TEXT, "#meta+key", "What the value describes."),
    Column("value", "Value", ColumnType.TEXT, "#meta+value", "The value, as text."),
)


def metadata_table(metadata: ExportMetadata) -> Table:
    """Return the export's metadata as a two-column table of keys and values.

    Exporters that write one file per table get this as the ``metadata`` table; others may use
    it for a metadata sheet or section.

    Args:
        metadata: what the export was made from.

    Returns:
        A table named ``metadata`` with one row per ``ExportMetadata.items()`` pair and one per
        source (``source 1``, ``source 2`` …, the source's known fields joined as
        ``key: value``; a field that is ``None`` is left out).
    """
    rows: list[tuple[str, str]] = list(metadata.items())
    for number, source in enumerate(metadata.sources, start=1):
        known = [(key, value) for key, value in source.items() if value is not None]
        text = "; ".join(f"{key}: {_text(value)}" for key, value in known)
        rows.append((f"source {number}", text))
    return Table(
        name="metadata",
        title="Metadata",
        columns=_METADATA_COLUMNS,
        rows=rows,
        description="What the export was made from: ledger position, clocks, policy, sources.",
    )


def _text(value: object) -> str:
    if value is None:
        return ""
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return str(isoformat())
    return str(value)
