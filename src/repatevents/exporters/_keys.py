"""The keys of the tables repatevents builds, declared only where the rows bear them out.

Formats with keys (a Table Schema, an SQLite database) declare a table's primary key only when
its cells are all present and unique, and a foreign key only when every value is found in the
table it refers to: an export never states what its own rows contradict, whatever query the
tables answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .._tables import Table

__all__ = ["FOREIGN_KEYS", "PRIMARY_KEYS", "primary_key", "refers"]

# The keys of the tables repatevents builds; each is declared only where the rows bear it out.
PRIMARY_KEYS: Mapping[str, Sequence[str]] = {
    "operations": ("operation_id",),
    "totals": ("country",),
    "timeseries": ("country", "granularity", "period"),
    "reconciliation": ("claim_id",),
    "metadata": ("key",),
}
FOREIGN_KEYS: Sequence[tuple[str, Sequence[str], str, Sequence[str]]] = (
    ("operations", ("country",), "totals", ("country",)),
    ("timeseries", ("country",), "totals", ("country",)),
    ("remaining", ("country",), "totals", ("country",)),
    ("reconciliation", ("country",), "totals", ("country",)),
)


def primary_key(table: Table) -> Sequence[str] | None:
    """Return the table's primary key columns when its rows bear it out, else ``None``."""
    key = PRIMARY_KEYS.get(table.name)
    names = [c.name for c in table.columns]
    if key is None or not all(k in names for k in key):
        return None
    indexes = [names.index(k) for k in key]
    seen = set()
    for row in table.rows:
        value = tuple(row[i] for i in indexes)
        if any(cell is None for cell in value) or value in seen:
            return None
        seen.add(value)
    return key


def refers(
    table: Table,
    fields: Sequence[str],
    target: Table | None,
    target_fields: Sequence[str],
    keyed: Mapping[str, Sequence[str] | None],
) -> bool:
    """Whether ``table.fields`` may be declared to refer to ``target.target_fields``: they are
    the target's primary key (as ``keyed`` gives them) and hold every value present."""
    if target is None or tuple(keyed.get(target.name) or ()) != tuple(target_fields):
        return False
    names = [c.name for c in table.columns]
    if not all(f in names for f in fields):
        return False
    target_names = [c.name for c in target.columns]
    known = {tuple(row[target_names.index(f)] for f in target_fields) for row in target.rows}
    indexes = [names.index(f) for f in fields]
    for row in table.rows:
        value = tuple(row[i] for i in indexes)
        if all(cell is not None for cell in value) and value not in known:
            return False
    return True
