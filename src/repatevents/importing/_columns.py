"""The columns a sheet of operations may have: one table, read by the importer, the help and docs.

A column is added by adding one row to ``TABLE``; everything else (which part of the event it
fills, the ``import --help`` list, the how-to's table, the "did you mean" suggestions) derives
from it. Headers match without regard to case, runs of spaces as one underscore; an alias is
accepted as the column itself (a sheet headed ``Source`` fills ``publisher``).
"""

from __future__ import annotations

import difflib
from typing import Literal

import attrs

from ..events import CATEGORIES

__all__ = [
    "ALIASES",
    "COLUMNS",
    "COUNT_COLUMNS",
    "REQUIRED_COLUMNS",
    "TABLE",
    "Column",
    "closest",
    "columns_help",
    "normal",
]

#: Which part of the event a column fills.
Part = Literal["event", "count", "source", "correction"]


@attrs.frozen
class Column:
    """One column the importer reads.

    Attributes:
        name: the column's name, as a header or a ``--map`` target gives it.
        part: the part of the event it fills: the operation itself, its counts, its source, or
            the correction a row records.
        meaning: what the cell holds, in a few words.
        required: whether every sheet must have the column.
        text: free text: a number an .xlsx stored in it is the text it shows.
        aliases: other headers accepted for it (as headers are matched).
    """

    name: str
    part: Part
    meaning: str
    required: bool = False
    text: bool = False
    aliases: tuple[str, ...] = ()


_COUNT_MEANING = (
    "a whole number (95, 95.0, 1,234) or report words (over 600, about 200); empty: not reported"
)

TABLE: tuple[Column, ...] = (
    Column(
        "country",
        "event",
        "receiving state: ISO alpha-3 code, name or alias",
        required=True,
        aliases=("receiving_country", "receiving_state", "nation"),
    ),
    Column(
        "date",
        "event",
        "ISO / EDTF text, or the report's words (7 December); a timestamp is its day",
        required=True,
        aliases=("when", "operation_date", "date_of_operation"),
    ),
    Column(
        "origin",
        "event",
        "place id, name or alias (al-hol, Roj camp, Iraq), or sites together (al-Hol; Roj)",
        required=True,
        aliases=("camp", "from", "place"),
    ),
    Column("date_role", "event", "handover, departure, arrival, operation, announced or unknown"),
    Column("nationality", "event", "the people's nationality where it differs"),
    Column("facilitators", "event", "names separated by ;", text=True),
    Column("operation_name", "event", "the operation's own name", text=True),
    Column("ordinal", "event", "the source's count: 3, 3rd or third (first..ninety-ninth)"),
    Column("ordinal_scope", "event", "what the ordinal counts: year, all or campaign"),
    Column("operation_key", "event", "a key shared by every report of one operation", text=True),
    Column("notes", "event", "free text", text=True, aliases=("note", "comment", "comments")),
    Column("id", "event", "a UUID; derived from the content when empty", aliases=("event_id",)),
    Column(
        "total",
        "count",
        _COUNT_MEANING,
        aliases=("returned", "repatriated", "people", "persons", "individuals", "number"),
    ),
    Column("families", "count", _COUNT_MEANING, aliases=("households",)),
    *(Column(name, "count", _COUNT_MEANING) for name in CATEGORIES),
    Column(
        "publisher",
        "source",
        "the outlet whose report was read",
        required=True,
        text=True,
        aliases=("source", "outlet", "reported_by"),
    ),
    Column("via", "source", "outlets the report came through, separated by ;", text=True),
    Column("speaker", "source", "who said it", text=True),
    Column("speaker_kind", "source", "the kind of speaker (official, camp administration…)"),
    Column("url", "source", "the address of the report", text=True, aliases=("link", "address")),
    Column(
        "published",
        "source",
        "publication date; anchors relative words in date",
        aliases=("publication_date",),
    ),
    Column(
        "supersedes",
        "correction",
        "the id of a recorded report this row replaces (the row is then a correction)",
    ),
    Column(
        "reason",
        "correction",
        "why the row replaces that report (only with supersedes)",
        text=True,
    ),
)

#: Every column the importer understands, in table order.
COLUMNS: tuple[str, ...] = tuple(column.name for column in TABLE)
#: Columns a sheet must have.
REQUIRED_COLUMNS: tuple[str, ...] = tuple(column.name for column in TABLE if column.required)
#: The count columns: a row fills at least one.
COUNT_COLUMNS: tuple[str, ...] = tuple(column.name for column in TABLE if column.part == "count")
#: Each accepted alias, and the column it names.
ALIASES: dict[str, str] = {alias: column.name for column in TABLE for alias in column.aliases}


def normal(header: str) -> str:
    """Match a header or a ``--map`` key: without case, runs of spaces as one underscore."""
    return "_".join(header.lower().split())


def closest(name: str) -> str | None:
    """Return the column a header that is none most likely means, if any is close."""
    close = difflib.get_close_matches(normal(name), [*COLUMNS, *ALIASES], n=1)
    return ALIASES.get(close[0], close[0]) if close else None


def columns_help() -> list[tuple[str, str]]:
    """Return each column (the counts as one), with its aliases, and what it holds: for help.

    Returns:
        (names, meaning) pairs: ``("publisher (required; also: source, outlet…)", "the outlet…")``.
    """
    rows = []
    counts = [column for column in TABLE if column.part == "count"]
    for column in TABLE:
        if column.part == "count":
            if column is not counts[0]:
                continue
            also = "; ".join(f"{c.name}: {', '.join(c.aliases)}" for c in counts if c.aliases)
            names = f"{', '.join(c.name for c in counts)} (fill at least one; also {also})"
            rows.append((names, column.meaning))
            continue
        notes = ["required"] if column.required else []
        if column.aliases:
            notes.append(f"also: {', '.join(column.aliases)}")
        rows.append((column.name + (f" ({'; '.join(notes)})" if notes else ""), column.meaning))
    return rows
