"""Exports read back: a written file holds the numbers of the tables it was written from, and
the tables hold the numbers of the projections they were built from.

An export is checked with a reader: a function that reads the files an exporter wrote and
returns, for each table it can find in them, the rows as mappings from column name to value
(text as read, or typed values). The check compares them with the tables, cell by cell, after
reading each cell as its column's type. Built-in readers exist for CSV and GeoJSON; a plugin
author writes one for their own format (see the guide "Validating your data and your plugins").
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._tables import Column, ColumnType, Table
from ..exporters import neutralise
from ..projections import DEFAULT_POLICY, Policy
from ._figures import FIELDS
from ._snapshot import Snapshot
from ._violations import Violation, ViolationKind

if TYPE_CHECKING:
    from .._ledger import Ledger
    from .._plugins import RepateventsPluginManager

__all__ = [
    "CSV_READER",
    "GEOJSON_READER",
    "ExportReader",
    "ReadBack",
    "check_export",
    "check_exports",
    "check_tables",
    "read_csv_export",
    "read_geojson_export",
]

#: What a reader returns: rows by table name, each row a mapping from column name to value.
ReadBack = Mapping[str, Sequence[Mapping[str, Any]]]

#: A fixed generation time, so that two exports of one query are byte-identical.
_GENERATED_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_CONTEXT_COLUMNS = {"country": "country", "place": "place", "period": "period"}


def _every_row(table: str, row: Mapping[str, Any]) -> bool:
    return True


@attrs.frozen
class ExportReader:
    """How to read an export back.

    Attributes:
        read: reads the files written (in the order written) and returns their rows by table.
        tables: the tables the format carries; ``None`` for every table exported (then a table
            missing from what ``read`` returns is a violation).
        carries: whether the format carries a given row of a table (default: every row).
    """

    read: Callable[[Sequence[Path]], ReadBack]
    tables: tuple[str, ...] | None = None
    carries: Callable[[str, Mapping[str, Any]], bool] = _every_row


def read_csv_export(paths: Sequence[Path]) -> ReadBack:
    """Read a CSV export back: one table per file, named by the file (``totals.csv``).

    The ``metadata`` file is skipped; a text cell the exporter protected with a leading
    single quote against formula injection is read without it.

    Args:
        paths: the files the CSV exporter wrote.

    Returns:
        Each table's rows as mappings from column name to the text of the cell.
    """
    tables: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        if path.stem == "metadata":
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
        tables[path.stem] = [{k: _unprotect(v) for k, v in row.items()} for row in rows]
    return tables


def _unprotect(text: str | None) -> str | None:
    # The exporter's own rule, so the two cannot drift apart (it also quotes "\n" and "＝").
    if text and text.startswith("'") and neutralise(text[1:]) == text:
        return text[1:]
    return text


# Columns of the remaining table whose own names start with "remaining".
_REMAINING_OWN = frozenset({"remaining_low", "remaining_best", "remaining_high"})


def read_geojson_export(paths: Sequence[Path]) -> ReadBack:
    """Read a GeoJSON export back into the ``totals`` rows (one per country feature) and the
    places' ``remaining`` rows (one per place feature, whatever the kind of place).

    Args:
        paths: the file the GeoJSON exporter wrote.

    Returns:
        ``{"totals": [...], "remaining": [...]}``, each row the feature's properties under the
        table's own column names.
    """
    (path,) = paths
    collection = json.loads(path.read_text(encoding="utf-8"))
    totals: list[dict[str, Any]] = []
    camps: list[dict[str, Any]] = []
    for feature in collection["features"]:
        properties = dict(feature["properties"])
        kind = properties.pop("kind")
        properties.pop("name", None)
        if kind == "country":
            totals.append({k: v for k, v in properties.items() if not k.startswith("remaining")})
        elif "place" in properties:
            # A place's kind is its PlaceKind (camp, prison, unspecified …): all are places.
            row = {"place": properties.pop("place")}
            for key, value in properties.items():
                own = key in _REMAINING_OWN
                row[key if own else key.removeprefix("remaining_")] = value
            camps.append(row)
    return {"totals": totals, "remaining": camps}


def _camp_rows(table: str, row: Mapping[str, Any]) -> bool:
    return table != "remaining" or row.get("place") is not None


#: Reads what the built-in CSV exporter writes.
CSV_READER = ExportReader(read_csv_export)
#: Reads what the built-in GeoJSON exporter writes (countries' totals and camps).
GEOJSON_READER = ExportReader(read_geojson_export, ("totals", "remaining"), _camp_rows)


def _typed(column: Column, value: Any) -> Any:
    """Read a cell as its column's type; ``None`` and ``""`` are both "not reported"."""
    if value is None or value == "":
        return None
    kind = column.type
    try:
        if kind is ColumnType.INTEGER and isinstance(value, str):
            return int(value)
        if kind is ColumnType.NUMBER and not isinstance(value, bool):
            return float(value)
        if kind is ColumnType.DATE:
            if isinstance(value, dt.datetime):
                return value.date()
            return dt.date.fromisoformat(value) if isinstance(value, str) else value
        if kind is ColumnType.BOOLEAN and isinstance(value, str):
            return {"true": True, "false": False}[value.strip().lower()]
        if kind is ColumnType.TEXT:
            return str(value)
    except (ValueError, KeyError):
        return ("unreadable", value)
    return value


def _row_text(row: Mapping[str, Any], names: Sequence[str]) -> str:
    shown = [f"{n}={row[n]!r}" for n in names if row.get(n) is not None][:8]
    return "{" + ", ".join(shown) + ("}" if len(shown) < 8 else ", …}")


def _key(cells: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(repr(value) for value in cells.values())


def _cell_text(column: Column, value: Any) -> str:
    if isinstance(value, tuple) and value[:1] == ("unreadable",):
        return f"{value[1]!r} (not {column.type.value})"
    return "not reported" if value is None else repr(value)


def _missing_text(
    row: Mapping[str, Any],
    written: Mapping[str, Any],
    left: list[dict[str, Any]],
    columns: Mapping[str, Column],
    back: Counter[tuple[str, ...]],
) -> str:
    """Say how a row that did not read back differs from the nearest row read back.

    The nearest is the unmatched row read back with the most cells equal to the written row's
    (it is then taken, so that it is not reported again as a row matching none); with none
    left, the row is missing from the export.
    """
    shown = _row_text(row, list(written))
    candidates = [cells for cells in left if back[_key(cells)] > 0]
    if not candidates:
        return f"the row {shown} is missing from the export"
    nearest = max(candidates, key=lambda c: sum(repr(c[n]) == repr(v) for n, v in written.items()))
    back[_key(nearest)] -= 1
    differ = [n for n, v in written.items() if repr(nearest[n]) != repr(v)]
    cells = "; ".join(
        f"{n} written {_cell_text(columns[n], written[n])}, read back "
        f"{_cell_text(columns[n], nearest[n])}"
        for n in differ
    )
    return f"the row {shown} does not read back as written: {cells}"


def _row_context(row: Mapping[str, Any]) -> dict[str, Any]:
    context = {}
    for column, attribute in _CONTEXT_COLUMNS.items():
        value = row.get(column)
        if isinstance(value, str):
            context[attribute] = value
    operation = row.get("operation")
    if isinstance(operation, str):
        context["operation"] = operation
    return context


def compare_read_back(
    format_name: str, tables: Mapping[str, Table], read: ReadBack, reader: ExportReader
) -> list[Violation]:
    """Compare what a reader read back with the tables that were exported."""
    found: list[Violation] = []
    expected_tables = list(tables) if reader.tables is None else list(reader.tables)
    for name in [n for n in expected_tables if n in tables and n not in read]:
        found.append(
            Violation(
                ViolationKind.EXPORT_DIFFERS,
                f"the {format_name} export holds no {name!r} table",
                f"{format_name} export",
            )
        )
    for name, rows in read.items():
        where = f"{format_name} export of {name}"
        table = tables.get(name)
        if table is None:
            found.append(
                Violation(
                    ViolationKind.EXPORT_DIFFERS, f"it holds a table {name!r} not exported", where
                )
            )
            continue
        columns = {c.name: c for c in table.columns}
        names = [n for n in columns if any(n in row for row in rows)]
        extra = sorted({k for row in rows for k in row} - set(columns))
        if extra:
            found.append(
                Violation(
                    ViolationKind.EXPORT_DIFFERS,
                    f"it holds columns the table lacks: {', '.join(map(repr, extra))}",
                    where,
                )
            )
        wanted = [r for r in table.records() if reader.carries(name, r)]

        def typed(row: Mapping[str, Any]) -> dict[str, Any]:
            return {n: _typed(columns[n], row.get(n)) for n in names}  # noqa: B023

        back = Counter(_key(typed(row)) for row in rows)
        missing = []
        for row in wanted:
            k = _key(typed(row))
            if back[k] > 0:
                back[k] -= 1
            else:
                missing.append(row)
        # What was read back and matched no row, to find the cells a missing row lost.
        left = [cells for row in rows if back[_key(cells := typed(row))] > 0]
        for row in missing:
            found.append(
                Violation(
                    ViolationKind.EXPORT_DIFFERS,
                    _missing_text(row, typed(row), left, columns, back),
                    where,
                    **_row_context(row),
                )
            )
        unmatched = sum(back.values())
        if unmatched:
            found.append(
                Violation(
                    ViolationKind.EXPORT_DIFFERS,
                    f"{unmatched} rows read back match no row of the table",
                    where,
                )
            )
    return found


def check_export(
    ledger: Ledger,
    format_name: str,
    reader: ExportReader | Callable[[Sequence[Path]], ReadBack],
    *,
    as_of: dt.date | None = None,
    known_at: dt.datetime | int | None = None,
    policy: str | Policy = DEFAULT_POLICY,
    tables: Sequence[str] | None = None,
    plugin_manager: RepateventsPluginManager | None = None,
    **options: Any,
) -> list[Violation]:
    """Export a ledger's tables with an exporter, read the files back, and compare.

    The files go to a temporary folder, removed afterwards.

    Args:
        ledger: the ledger to export.
        format_name: the exporter's name (``csv``, ``geojson``, or a plugin's).
        reader: an :class:`ExportReader`, or a plain function that reads the files back (then
            every exported table must be read back, every row of it).
        as_of, known_at, policy: the query, as for the projections.
        tables: the tables to export; ``None`` for all.
        plugin_manager: where the exporter comes from; ``None`` for the installed plugins.
        **options: passed to the exporter.

    Returns:
        Every difference, as ``export-differs`` violations (an empty list when none).

    Raises:
        UnknownExporterError: no exporter has that name.
        ExportError: the exporter failed.
    """
    if not isinstance(reader, ExportReader):
        reader = ExportReader(reader)
    # The tables of the moment the export says it was made: ages count to that day.
    built = ledger.tables(as_of, known_at, policy, generated_at=_GENERATED_AT)
    chosen = {n: built[n] for n in (tables if tables is not None else list(built))}
    with tempfile.TemporaryDirectory(prefix="repatevents-check-") as folder:
        target = Path(folder) / "export"
        target.mkdir()
        paths = ledger.export(
            format_name,
            target,
            tables=list(chosen),
            as_of=as_of,
            known_at=known_at,
            policy=policy,
            generated_at=_GENERATED_AT,
            plugin_manager=plugin_manager,
            **options,
        )
        read = reader.read(paths)
    return compare_read_back(format_name, chosen, read, reader)


def check_exports(snapshot: Snapshot) -> list[Violation]:
    """Check that the built-in CSV and GeoJSON exports read back to the tables."""
    from .._plugins import get_plugin_manager

    manager = get_plugin_manager(load_entrypoints=False)
    query: dict[str, Any] = {
        "as_of": snapshot.as_of,
        "known_at": snapshot.known_at,
        "policy": snapshot.policy,
        "plugin_manager": manager,
    }
    found: list[Violation] = []
    for name, reader in (("csv", CSV_READER), ("geojson", GEOJSON_READER)):
        try:
            found += check_export(snapshot.ledger, name, reader, **query)
        except Exception as error:  # a failing exporter is a finding
            found.append(
                Violation(
                    ViolationKind.EXPORT_DIFFERS,
                    f"exporting failed: {type(error).__name__}: {error}",
                    f"{name} export",
                )
            )
    return found


# -- tables against projections ---------------------------------------------------------------
def _people_cells(people: Any) -> dict[str, Any]:
    cells = {}
    for name in FIELDS:
        value = people.category(name)
        for bound in ("low", "best", "high"):
            cells[f"{name}_{bound}"] = None if value is None else getattr(value, bound)
    return cells


def _estimate_cells(prefix: str, value: Any) -> dict[str, Any]:
    return {
        f"{prefix}_{bound}": None if value is None else getattr(value, bound)
        for bound in ("low", "best", "high")
    }


def _expected_rows(snapshot: Snapshot) -> dict[str, list[dict[str, Any]]]:
    expected: dict[str, list[dict[str, Any]]] = {}
    operations = snapshot.get("operations")
    if operations is not None:
        expected["operations"] = [
            {"operation": op.label, "operation_id": str(op.id), "country": op.country}
            | _people_cells(op.people)
            for op in operations
        ]
    totals = snapshot.get("totals")
    if totals is not None:
        rows = []
        for t in totals:
            row = {"country": t.country, "operations": t.operations} | _people_cells(t.people)
            for origin in ("from_syria", "from_iraq", "from_syria_or_iraq", "from_elsewhere"):
                row |= _estimate_cells(origin, getattr(t, origin))
            rows.append(row)
        expected["totals"] = rows
    points = snapshot.get("timeseries")
    if points is not None:
        expected["timeseries"] = [
            {
                "country": p.country,
                "granularity": p.granularity,
                "period": p.period,
                "operations": p.operations,
            }
            | _estimate_cells("cumulative", p.cumulative)
            | _estimate_cells("in_period", p.in_period)
            for p in points
        ]
    return expected


def check_tables(snapshot: Snapshot) -> list[Violation]:
    """Check that the operations, totals and time-series tables hold the projections' numbers,
    row for row."""
    try:
        tables = snapshot.ledger.tables(snapshot.as_of, snapshot.known_at, snapshot.policy)
    except Exception as error:  # a broken table builder is a finding
        return [
            Violation(
                ViolationKind.PROJECTION_FAILED,
                f"building the tables raised {type(error).__name__}: {error}",
                "tables",
            )
        ]
    found = []
    for name, rows in _expected_rows(snapshot).items():
        records = tables[name].records() if name in tables else []
        if len(records) != len(rows):
            found.append(
                Violation(
                    ViolationKind.TABLE_DIFFERS,
                    f"the {name} table has {len(records)} rows for {len(rows)} items",
                    f"{name} table",
                )
            )
        for record, row in zip(records, rows, strict=False):
            shown = {k: record.get(k) for k in row}
            if shown != row:
                changed = sorted(k for k in row if shown[k] != row[k])
                found.append(
                    Violation(
                        ViolationKind.TABLE_DIFFERS,
                        f"a row differs from the projection in {', '.join(changed)}: "
                        f"{_row_text(shown, changed)} where the projection has "
                        f"{_row_text(row, changed)}",
                        f"{name} table",
                        **_row_context(row),
                    )
                )
    return found
