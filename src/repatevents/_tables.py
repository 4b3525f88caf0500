"""Tables: the contract between projections and exporters.

Projections produce tables of typed, titled columns, each with an HXL tag; exporters write
tables and never read the ledger. Cells hold ``None`` for "not reported" (never zero).
"""

from __future__ import annotations

import datetime as dt
import enum
import itertools
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

__all__ = ["Column", "ColumnType", "ExportMetadata", "Table"]


class ColumnType(enum.Enum):
    """The type of every cell in a column (``None`` is always allowed: not reported)."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"


_PYTHON_TYPES: dict[ColumnType, tuple[type, ...]] = {
    ColumnType.TEXT: (str,),
    ColumnType.INTEGER: (int,),
    ColumnType.NUMBER: (int, float),
    ColumnType.DATE: (dt.date,),
    ColumnType.BOOLEAN: (bool,),
}
_EXACT_TYPES: dict[ColumnType, frozenset[type]] = {
    kind: frozenset({*types, type(None)}) for kind, types in _PYTHON_TYPES.items()
}


@attrs.frozen
class Column:
    """One column of a table.

    Attributes:
        name: a machine name (``total_best``), unique in its table.
        title: a human title (``Total (best)``).
        type: the type of its cells.
        hxl: the HXL hashtag with attributes (``#affected+total+best``), or ``""``.
        description: what the column holds, for data dictionaries.
        separator: for a text column that holds a list, what its items are joined with
            (``"; "``), so that formats with lists (JSON, a Table Schema) can give them back
            as a list; ``""`` for a column of single values.
    """

    name: str
    title: str
    type: ColumnType
    hxl: str = ""
    description: str = ""
    separator: str = ""

    def items(self, cell: Any) -> list[str] | None:
        """Return a cell of a list column as its items (``None`` stays ``None``).

        Raises:
            ValueError: the column is not a list column.
        """
        if not self.separator:
            raise ValueError(f"column {self.name!r} holds single values, not lists")
        return None if cell is None else str(cell).split(self.separator)


def _to_columns(columns: Iterable[Column]) -> tuple[Column, ...]:
    # A typed converter: with ``converter=tuple`` mypy's attrs plugin rejects every argument.
    return tuple(columns)


def _to_rows(rows: Iterable[Iterable[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(map(tuple, rows))


@attrs.frozen
class Table:
    """A named table of rows; every row has one cell per column, of the column's type.

    Raises:
        ValueError: at construction, for a row of the wrong length or a cell of the wrong type.
    """

    name: str
    title: str
    columns: tuple[Column, ...] = attrs.field(converter=_to_columns)
    rows: tuple[tuple[Any, ...], ...] = attrs.field(converter=_to_rows)
    description: str = ""

    def __attrs_post_init__(self) -> None:
        self._check_names()
        width = len(self.columns)
        exact = [_EXACT_TYPES[c.type] for c in self.columns]
        # Settled by the rows' distinct signatures (the types of their cells, found in C): a
        # table has a few dozen, and checking cells one by one would cost more than writing
        # them. Only a table that fails is walked cell by cell, to name the first wrong cell.
        for signature in set(map(tuple, map(map, itertools.repeat(type), self.rows))):
            if len(signature) != width or not all(map(operator.contains, exact, signature)):
                # A subclass (fine) or a wrong type or length (an error): the full check tells.
                self._check_cells()
                return

    def _check_names(self) -> None:
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name!r} has duplicate column names")

    def _check_cells(self) -> None:
        width = len(self.columns)
        # Most cells are exactly a type their column takes (or None): a set look-up settles
        # them; any other cell (a subclass, a wrong type) is checked in full.
        exact = [_EXACT_TYPES[c.type] for c in self.columns]
        for i, row in enumerate(self.rows):
            if len(row) != width:
                raise ValueError(
                    f"table {self.name!r} row {i} has {len(row)} cells for {width} columns"
                )
            for j, cell in enumerate(row):
                if type(cell) not in exact[j]:
                    self._check_cell(i, self.columns[j], cell)

    def _check_cell(self, i: int, column: Column, cell: Any) -> None:
        expected = _PYTHON_TYPES[column.type]
        # bool is an int, but a boolean in an integer column is a projection bug.
        wrong_bool = isinstance(cell, bool) and column.type is not ColumnType.BOOLEAN
        if wrong_bool or not isinstance(cell, expected):
            raise ValueError(
                f"table {self.name!r} row {i} column {column.name!r}: {cell!r} is not "
                f"of type {column.type.value}"
            )

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    def records(self) -> list[dict[str, Any]]:
        """Return the rows as dicts keyed by column name."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


def typed_table(
    name: str,
    title: str,
    columns: Iterable[Column],
    rows: Iterable[tuple[Any, ...]],
    description: str = "",
) -> Table:
    """Return the table ``Table(name, title, columns, rows, description)`` without checking
    the type of every cell: for rows whose builder's tests check that every cell is of its
    column's type, on random ledgers.

    The check costs a fifth of writing the operations table as CSV, for nothing a test has not
    settled. The column names and the rows' widths are still checked.

    Raises:
        ValueError: for duplicate column names or a row of the wrong length.
    """
    table: Table = object.__new__(Table)
    for field, value in (
        ("name", name),
        ("title", title),
        ("columns", _to_columns(columns)),
        ("rows", _to_rows(rows)),
        ("description", description),
    ):
        # A frozen class: its own __init__ sets its fields the same way.
        object.__setattr__(table, field, value)
    table._check_names()
    width = len(table.columns)
    if not set(map(len, table.rows)) <= {width}:
        table._check_cells()  # names the first row of the wrong length
    return table


@attrs.frozen
class ExportMetadata:
    """What an export was made from, written beside the tables by every exporter.

    Attributes:
        ledger_position: the log position the projections reflect.
        as_of: the "as of" date of the projections, or ``None`` for all dates.
        known_at: the "known at" clock, as text, or ``None`` for everything recorded.
        policy: the name of the figure-choice policy.
        generated_at: when the export was made (UTC); exporters that promise byte-identical
            output for identical input take it from here, never from the clock.
        sources: the sources behind the figures, one mapping each; from a ledger, the fields
            of the sources table (``publisher``, ``via``, ``speaker_kind``, ``url``,
            ``published``, ``reports``), ``None`` where one is not known.
        title: a title for the whole export.
        head_hash: the hash of the record at ``ledger_position`` (the chain's head the tables
            reflect), which ``repatevents verify --expect`` checks a ledger against; ``None``
            where not known (an empty ledger has no record).
        library_version: the version of repatevents that made the export.
        computed_from: ``"log"`` when the tables were folded from the log alone, every record
            checked against the hash chain; ``"checkpoint"`` when they were caught up from a
            checkpoint saved beside it (a cache, which whoever can write the file can change).
    """

    ledger_position: int
    as_of: dt.date | None
    known_at: str | None
    policy: str
    generated_at: dt.datetime
    sources: tuple[Mapping[str, Any], ...] = ()
    title: str = "repatevents export"
    head_hash: str | None = None
    library_version: str = ""
    computed_from: str = "checkpoint"

    def items(self) -> Sequence[tuple[str, str]]:
        """Return the metadata as (key, text) pairs, for a metadata sheet or header."""
        return [(key, str(value)) for key, value in self.typed_items()]

    def typed_items(self) -> Sequence[tuple[str, str | int]]:
        """Return the pairs of :meth:`items` with the ledger position as an integer.

        For formats that keep types (a JSON member, a number cell in a sheet); dates and clocks
        stay ISO 8601 text, as in :meth:`items`. The provenance comes last: the head hash
        (``"none"`` when not known), the library version and how the tables were computed.
        """
        return [
            ("title", self.title),
            ("ledger_position", self.ledger_position),
            ("as_of", self.as_of.isoformat() if self.as_of else "all dates"),
            ("known_at", self.known_at or "everything recorded"),
            ("policy", self.policy),
            ("generated_at", self.generated_at.isoformat()),
            ("head_hash", self.head_hash or "none"),
            ("computed_from", self.computed_from),
            ("library_version", self.library_version or "unknown"),
        ]
