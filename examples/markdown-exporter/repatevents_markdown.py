"""A Markdown report of the exported tables: the example plugin to copy for a new exporter.

``repatevents export markdown -o report.md`` writes the export's title and metadata, the
sources (every field of each), then each table under its title, for people to read: a column
empty in every row is left out, each low / best / high triple is one column ("75 (75–118)",
or "75" when the three agree, as the command line shows them) and numbers have thousands
separators. ``None`` ("not reported") is an em dash, never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any, BinaryIO

from repatevents.exporters import ColumnType, Exporter, ExportMetadata, Table
from repatevents.hookspecs import hookimpl

__all__ = ["MARKDOWN_EXPORTER", "register_exporters", "write_markdown"]

NOT_REPORTED = "—"
# Characters Markdown (or an HTML renderer behind it) would read as markup inside a cell.
_ESCAPES = str.maketrans({c: f"\\{c}" for c in "\\|*_`[]<>#~"})
_NUMBERS = (ColumnType.INTEGER, ColumnType.NUMBER)

#: How a shown column is written: its title, whether it is right-aligned, and its cell text.
Shown = tuple[str, bool, Callable[[Sequence[Any]], str]]


def write_markdown(
    tables: Mapping[str, Table], metadata: ExportMetadata, stream: BinaryIO, /
) -> None:
    """Write the tables as one Markdown document to ``stream``.

    Args:
        tables: the tables, each written under its title.
        metadata: the document's title, then the other items as a list and the sources as a
            table.
        stream: where the UTF-8 text goes.
    """
    lines = [f"# {_escape(metadata.title)}", ""]
    for key, value in metadata.items():
        if key != "title":
            lines.append(f"- **{_key_title(key)}**: {_escape(value)}")
    lines += ["", "## Sources", "", *_source_lines(metadata.sources)]
    for table in tables.values():
        lines += ["", f"## {_escape(table.title or table.name)}", ""]
        if table.description:
            lines += [_escape(table.description), ""]
        shown = _shown_columns(table)
        if not shown:
            lines.append("_Nothing reported._")
            continue
        lines.append("| " + " | ".join(_escape(title) for title, _, _ in shown) + " |")
        # Numbers align right, as in any table of figures.
        lines.append("|" + "|".join(" ---: " if right else " --- " for _, right, _ in shown) + "|")
        for row in table.rows:
            lines.append("| " + " | ".join(cell(row) for _, _, cell in shown) + " |")
    stream.write(("\n".join(lines) + "\n").encode("utf-8"))


_SOURCE_TITLES = {"speaker_kind": "Kind of speaker", "url": "Address"}


def _key_title(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _source_lines(sources: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return the sources as a table with every field any of them has, in their order.

    Every field is written: two sources of one article may differ only in the outlet it came
    through (``via``) or the kind of speaker.
    """
    if not sources:
        return ["_No sources._"]
    keys = list(dict.fromkeys(key for source in sources for key in source))
    lines = [
        "| " + " | ".join(_escape(_SOURCE_TITLES.get(key, _key_title(key))) for key in keys) + " |",
        "|" + "|".join(" --- " for _ in keys) + "|",
    ]
    for source in sources:
        lines.append("| " + " | ".join(_cell(source.get(key)) for key in keys) + " |")
    return lines


def _shown_columns(table: Table) -> list[Shown]:
    """Return the columns worth reading, a low / best / high triple joined into one."""
    names = [c.name for c in table.columns]
    shown: list[Shown] = []
    joined: set[int] = set()
    for i, column in enumerate(table.columns):
        if i in joined:
            continue
        stem = column.name.removesuffix("_low")
        if stem != column.name and f"{stem}_best" in names and f"{stem}_high" in names:
            triple = (i, names.index(f"{stem}_best"), names.index(f"{stem}_high"))
            joined.update(triple)
            if _has_values(table, *triple):
                shown.append((column.title.replace(" (low)", ""), True, _range_cell(*triple)))
        elif _has_values(table, i):
            shown.append((column.title, column.type in _NUMBERS, _one_cell(i)))
    return shown


def _has_values(table: Table, *indexes: int) -> bool:
    return any(row[i] is not None for row in table.rows for i in indexes)


def _one_cell(index: int) -> Callable[[Sequence[Any]], str]:
    return lambda row: _cell(row[index])


def _range_cell(low: int, best: int, high: int) -> Callable[[Sequence[Any]], str]:
    return lambda row: _range(row[low], row[best], row[high])


def _range(low: Any, best: Any, high: Any) -> str:
    if best is None:
        return NOT_REPORTED
    if low == best == high:
        return _cell(best)
    # A missing high bound means no upper bound is known, as the command line shows it.
    upper = "∞" if high is None else _cell(high)
    return f"{_cell(best)} ({_cell(low)}–{upper})"


def _cell(value: Any) -> str:
    if value is None:
        return NOT_REPORTED
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return f"{value:,}"
    return _escape(str(value))


def _escape(text: str) -> str:
    # A line break would end the table row; it becomes a space.
    return " ".join(text.translate(_ESCAPES).splitlines())


MARKDOWN_EXPORTER = Exporter(
    name="markdown",
    extension="md",
    media_type="text/markdown",
    description="A Markdown report: the metadata and sources, then every table under its title.",
    write=write_markdown,
)


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``markdown`` exporter."""
    register(MARKDOWN_EXPORTER)
