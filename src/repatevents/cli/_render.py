"""What the command line prints: tables as text for a terminal, event records, notes, warnings.

A table is rendered for reading, not for parsing (``--json`` is for programs): each low / best /
high triple becomes one column ("329" when they agree, "191 (191–329)" when they do not, "600
(600–∞)" for "at least 600", "-271 (-∞ to -271)" when a bound is open below), and columns no
row fills are left out. Long cells are shortened, except where shortening would lose what the
row is for: numbers, the last column, free-text findings and explanations, and ids (a cut id
cannot be typed into a correction or a link).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from .._tables import Column, ColumnType, Table

if TYPE_CHECKING:
    from .._plugins import PluginInfo
    from ..store import Envelope

__all__ = [
    "cell_text",
    "empty_past_note",
    "event_record",
    "events_table",
    "json_cell",
    "json_chunks",
    "json_records",
    "plugin_warning_lines",
    "range_text",
    "render_table",
    "terminal_width",
]

#: Without a terminal to fit, a shortened column is cut to this many characters (use --wide).
UNKNOWN_WIDTH_CELL = 40
#: Fitting a terminal never cuts a column below this many characters.
MIN_CELL = 10
_GAP = 2


class _Header(NamedTuple):
    title: str
    right: bool  # numbers are right-aligned
    keep: bool  # never shortened


def terminal_width() -> int | None:
    """Return the width of the terminal the output goes to, or ``None`` when there is none.

    ``COLUMNS`` wins when set (as ``shutil.get_terminal_size`` reads it), so a pipe can still
    ask for a width.
    """
    columns = shutil.get_terminal_size(fallback=(0, 0)).columns
    return columns if columns > 0 else None


def cell_text(value: Any) -> str:
    """Return one cell as text: ``–`` for not reported, thousands separators, ISO dates."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def json_cell(value: Any) -> Any:
    """Return one cell as a JSON value (dates as ISO text)."""
    return value.isoformat() if isinstance(value, dt.date) else value


def json_records(table: Table) -> Iterator[dict[str, Any]]:
    """Yield a table's rows as JSON objects, one at a time: dates as ISO text, and the cells of
    a list column (``Column.separator``) as arrays of text, ``[]`` where the list is empty, as
    ``events --json`` gives lists."""
    splitters = [(c.name, c) for c in table.columns if c.separator]
    names = [c.name for c in table.columns]
    # Not ``table.records()``: that is a list of every record, made before the first is printed.
    for cells in table.rows:
        row = {key: json_cell(value) for key, value in zip(names, cells, strict=True)}
        for name, column in splitters:
            row[name] = column.items(row[name]) or []
        yield row


def json_chunks(records: Iterable[Any], batch: int = 1000) -> Iterator[str]:
    """Yield ``json.dumps(list(records), ensure_ascii=False, indent=2)`` in pieces, about
    ``batch`` records each, without holding the whole document (nor the whole list).

    The pieces joined are that document byte for byte.
    """
    pieces: list[str] = []
    first = True
    for record in records:
        pieces.append(("[\n  " if first else ",\n  ") + _record(record))
        first = False
        if len(pieces) >= batch:
            yield "".join(pieces)
            pieces.clear()
    pieces.append("[]" if first else "\n]")
    yield "".join(pieces)


# Scalars through the C encoder. The indenting encoder is pure Python and leaves reference
# cycles behind at each call; the table commands print with the cyclic collector paused, so
# a call per record would keep every record's garbage until the end.
_SCALAR = json.JSONEncoder(ensure_ascii=False)


def _record(value: Any) -> str:
    """Return a record as ``_indented(value, 1)`` does, through orjson when the record holds
    only values orjson writes as json does (text, integers, floats without an exponent,
    booleans, null, lists of text): a row of a large table costs about a microsecond
    instead of tens."""
    if type(value) is dict and all(_plain(item) for item in value.values()):
        try:
            text = orjson.dumps(value, option=orjson.OPT_INDENT_2)
        except orjson.JSONEncodeError:
            pass  # a key that is not text, or an integer past 64 bits: json's own way
        else:
            # Newlines in values are escaped: every one left is the indentation.
            return text.decode().replace("\n", "\n  ")
    return _indented(value, 1)


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is float:
        # Past 1e16 or below 1e-4 json writes an exponent its own way; nan and inf are not JSON.
        written = repr(value)
        return "e" not in written and "n" not in written
    return kind is list and all(type(item) is str for item in value)


def _indented(value: Any, depth: int) -> str:
    """Return ``value`` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it at
    ``depth`` levels in."""
    inner, outer = "\n" + "  " * (depth + 1), "\n" + "  " * depth
    if isinstance(value, dict):
        if not value:
            return "{}"
        if not all(type(key) is str for key in value):
            # Keys json turns into text its own way (numbers, true, null): a rare case.
            return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", outer)
        members = (f"{_SCALAR.encode(k)}: {_indented(v, depth + 1)}" for k, v in value.items())
        return "{" + inner + ("," + inner).join(members) + outer + "}"
    if isinstance(value, list | tuple):
        if not value:
            return "[]"
        items = (_indented(item, depth + 1) for item in value)
        return "[" + inner + ("," + inner).join(items) + outer + "]"
    return _SCALAR.encode(value)


def render_table(table: Table, *, width: int | None = None, wide: bool = False) -> str:
    """Return a table as aligned text for a terminal.

    Args:
        table: the table.
        width: the terminal's width to fit, when known: the widest shortenable columns are cut
            first, none below its title or ten characters. ``None``, or a width that no
            cutting fits: each such column is cut to forty.
        wide: cut nothing.

    Numbers, ids, free-text findings and explanations, and the last column are never cut.

    Returns:
        The title, a blank line, the header, a rule and one line per row (``(no rows)`` when
        there are none).
    """
    headers, cells = _human_columns(table)
    body = [[" ".join(c.split()) for c in row] for row in cells]
    natural = [max([len(h.title)] + [len(r[i]) for r in body]) for i, h in enumerate(headers)]
    widths = natural if wide else _fit(headers, natural, width)
    titles = [_shorten(h.title, w) for h, w in zip(headers, widths, strict=True)]
    body = [[_shorten(c, w) for c, w in zip(row, widths, strict=True)] for row in body]

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(w) if h.right else cell.ljust(w)
            for cell, w, h in zip(row, widths, headers, strict=True)
        ]
        return (" " * _GAP).join(parts).rstrip()

    out = [table.title, "", line(titles), line(["-" * w for w in widths])]
    out.extend(line(row) for row in body)
    if not body:
        out.append("(no rows)")
    return "\n".join(out)


def _fit(headers: Sequence[_Header], natural: Sequence[int], width: int | None) -> list[int]:
    # A shortened column keeps its title whole, and at least MIN_CELL characters.
    floor = [max(MIN_CELL, len(h.title)) for h in headers]
    cuttable = {i for i, h in enumerate(headers) if not h.keep}

    def widths(cap: int) -> list[int]:
        return [min(w, max(cap, floor[i])) if i in cuttable else w for i, w in enumerate(natural)]

    def fits(cap: int) -> bool:
        return width is not None and sum(widths(cap)) + _GAP * (len(natural) - 1) <= width

    if not fits(0):
        # No cutting fits (or there is no terminal): the lines wrap whatever is cut, so cut no
        # more than a pipe gets.
        return widths(UNKNOWN_WIDTH_CELL)
    cap = max(natural, default=0)
    while not fits(cap):
        cap -= 1
    return widths(cap)


def _keep(column: Column, last: bool) -> bool:
    numeric = column.type in (ColumnType.INTEGER, ColumnType.NUMBER)
    return last or numeric or column.hxl == "#description" or column.hxl.startswith("#meta+id")


def _human_columns(table: Table) -> tuple[list[_Header], list[list[str]]]:
    names = [c.name for c in table.columns]
    shown = [i for i in range(len(table.columns)) if any(r[i] is not None for r in table.rows)]
    headers: list[_Header] = []
    getters: list[Callable[[Sequence[Any]], str]] = []
    skip: set[int] = set()
    for i in shown:
        column = table.columns[i]
        if i in skip:
            continue
        stem = column.name.removesuffix("_low")
        if column.name.endswith("_low") and f"{stem}_best" in names and f"{stem}_high" in names:
            lo, best, hi = i, names.index(f"{stem}_best"), names.index(f"{stem}_high")
            skip.update((best, hi))
            last = hi == shown[-1]
            title = column.title.replace(" (low)", "")
            headers.append(_Header(title, True, _keep(column, last)))
            getters.append(partial(_range_cell, lo, best, hi))
            continue
        numeric = column.type.value in ("integer", "number")
        headers.append(_Header(column.title, numeric, _keep(column, i == shown[-1])))
        getters.append(partial(_one_cell, i))
    return headers, [[get(row) for get in getters] for row in table.rows]


def _one_cell(index: int, row: Sequence[Any]) -> str:
    return cell_text(row[index])


def _range_cell(low: int, best: int, high: int, row: Sequence[Any]) -> str:
    return range_text(row[low], row[best], row[high])


def range_text(low: Any, best: Any, high: Any) -> str:
    """Return a best figure with its range: ``191 (191–329)``, ``600 (600–∞)``.

    A bound that is ``None`` is open: ``∞`` above, ``-∞`` below. When a bound is negative (a
    gap), the range reads ``-142 (-142 to -4)``: a dash between minus signs cannot be read.
    """
    if best is None:
        return "–"
    if low == best == high:
        return cell_text(best)
    lower = "-∞" if low is None else cell_text(low)
    upper = "∞" if high is None else cell_text(high)
    negative = low is None or low < 0 or (high is not None and high < 0)
    return f"{cell_text(best)} ({lower}{' to ' if negative else '–'}{upper})"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# -- the events command --------------------------------------------------------------------------
_TEXT, _INT = ColumnType.TEXT, ColumnType.INTEGER
_EVENT_COLUMNS = (
    Column("position", "Position", _INT),
    Column("id", "Id", _TEXT, "#meta+id"),
    Column("type", "Type", _TEXT),
    Column("recorded_at", "Recorded (UTC)", _TEXT),
    Column("publisher", "Publisher", _TEXT, "#meta+source"),
    Column("via", "Via", _TEXT, "#meta+source+via"),
    Column("country", "Country", _TEXT),
    Column("place", "Place", _TEXT),
    Column("date", "Date", _TEXT),
    Column("total_low", "Total (low)", _INT),
    Column("total_best", "Total (best)", _INT),
    Column("total_high", "Total (high)", _INT),
    Column("refers_to", "Refers to", _TEXT, "#meta+id+refers"),
)


def event_record(envelope: Envelope) -> dict[str, Any]:
    """Return one stored event as a JSON-ready record for ``repatevents events``.

    ``publisher`` and ``via`` (the outlets it came through, nearest first) tell copies of one
    wire story apart. A correction shows its replacement's publisher, country, place, date and
    total; ``refers_to`` lists the ids a correction, retraction, link or adjudication names.
    """
    event = envelope.event
    shown = getattr(event, "replacement", event)
    source = shown.source
    date = getattr(shown, "date", None) or getattr(shown, "until", None)
    people = getattr(shown, "people", None)
    total = None if people is None else people.total
    refers = [getattr(event, name, None) for name in ("supersedes", "retracts", "report")]
    refers = [ref for ref in refers if ref is not None] + list(getattr(event, "reports", ()))
    place = getattr(shown, "origin", None) or getattr(shown, "place", None)
    return {
        "position": envelope.position,
        "id": str(event.id),
        "type": event.TYPE,
        "recorded_at": envelope.recorded_at.astimezone(dt.UTC).isoformat(),
        "publisher": source.publisher,
        "via": list(source.via),
        "country": getattr(shown, "country", None),
        "place": getattr(place, "value", place),  # a claim's origin is a scope (an enum)
        "date": None if date is None else date.to_text(),
        "total_low": None if total is None else total.low,
        "total_best": None if total is None else total.best,
        "total_high": None if total is None else total.high,
        "refers_to": [str(ref) for ref in refers],
    }


def events_table(records: Sequence[Mapping[str, Any]]) -> Table:
    """Return ``event_record`` records as a table (recording times to the second, the outlets
    a report came through joined by ``;``)."""
    shown: dict[str, Callable[[Any], Any]] = {
        "recorded_at": lambda at: dt.datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M:%S"),
        "via": lambda via: "; ".join(via) or None,
        "refers_to": lambda refs: " ".join(refs) or None,
    }
    rows = [
        [shown.get(c.name, _same)(record[c.name]) for c in _EVENT_COLUMNS] for record in records
    ]
    return Table("events", "Events in the ledger", _EVENT_COLUMNS, rows)


def _same(value: Any) -> Any:
    return value


# -- notes and warnings on stderr ----------------------------------------------------------------
def plugin_warning_lines(failed: Sequence[PluginInfo], messages: Sequence[str]) -> list[str]:
    """Return one ``warning: plugin NAME: …`` line per failed plugin.

    Args:
        failed: the plugins that failed, as the plugin manager lists them.
        messages: the texts of the ``RepateventsWarning`` values caught meanwhile; one that
            names no failed plugin is shown as it is, so that nothing goes unnoticed.
    """
    lines = []
    for info in failed:
        origin = f" (from {info.distribution} {info.version})" if info.distribution else ""
        error = " ".join((info.error or "it failed").split())
        lines.append(f"warning: plugin {info.name}{origin}: {error}; it is not used")
    names = [repr(info.name) for info in failed]
    lines.extend(
        f"warning: {' '.join(text.split())}"
        for text in messages
        if not any(name in text for name in names)
    )
    return lines


def empty_past_note(known_at: dt.datetime, first_recorded: dt.datetime) -> str:
    """Return the note for a known-at time before the ledger's first record."""
    return (
        f"note: the ledger held no events at {_moment(known_at)}; its first event was recorded "
        f"at {_moment(first_recorded)}. --known-at is when events were recorded in this "
        "ledger, not when reports were published (see --as-of)."
    )


def _moment(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    if utc.time() == dt.time.max:  # a bare day given to --known-at
        return f"the end of {utc.date().isoformat()} (UTC)"
    return f"{utc:%Y-%m-%d %H:%M:%S} UTC"
