"""A Markdown report of the exported tables: the example plugin to copy for a new exporter.

``repatevents export markdown -o report.md`` writes a title, the export's metadata as a list,
then each table under its title as a Markdown table. ``None`` ("not reported") is shown as an
em dash, never as 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

from repatevents.exporters import Exporter, ExportMetadata, Table
from repatevents.hookspecs import hookimpl

__all__ = ["MARKDOWN_EXPORTER", "register_exporters", "write_markdown"]

NOT_REPORTED = "—"
# Characters Markdown (or an HTML renderer behind it) would read as markup inside a cell.
_ESCAPES = str.maketrans({c: f"\\{c}" for c in "\\|*_`[]<>#~"})


def write_markdown(
    tables: Mapping[str, Table], metadata: ExportMetadata, stream: BinaryIO, /
) -> None:
    """Write the tables as one Markdown document to ``stream``.

    Args:
        tables: the tables, each written under its title.
        metadata: listed under the document's title.
        stream: where the UTF-8 text goes.
    """
    lines = [f"# {_escape(metadata.title)}", ""]
    lines += [f"- **{key}**: {_escape(value)}" for key, value in metadata.items()]
    for table in tables.values():
        lines += ["", f"## {_escape(table.title or table.name)}", ""]
        if table.description:
            lines += [_escape(table.description), ""]
        lines.append("| " + " | ".join(_escape(c.title) for c in table.columns) + " |")
        lines.append("|" + "|".join(_rule(c.type.value) for c in table.columns) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(_cell(value) for value in row) + " |")
        if not table.rows:
            lines.append("\n_No rows._")
    stream.write(("\n".join(lines) + "\n").encode("utf-8"))


def _rule(kind: str) -> str:
    # Numbers align right, as in any table of figures.
    return " ---: " if kind in ("integer", "number") else " --- "


def _cell(value: Any) -> str:
    if value is None:
        return NOT_REPORTED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value)
    return _escape(str(value))


def _escape(text: str) -> str:
    # A line break would end the table row; it becomes a space.
    return " ".join(text.translate(_ESCAPES).splitlines())


MARKDOWN_EXPORTER = Exporter(
    name="markdown",
    extension="md",
    media_type="text/markdown",
    description="A Markdown report: the metadata, then every table under its title.",
    write=write_markdown,
)


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``markdown`` exporter."""
    register(MARKDOWN_EXPORTER)
