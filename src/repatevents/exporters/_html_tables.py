"""The report's tables: totals, remaining in camps, reconciliation and quality, sortable.

Each is a semantic table (a caption, column headers with ``scope``), a chosen few of its
columns, its figures' sources as footnote marks, and a ``data-sort`` value on every cell so the
page's script sorts numbers as numbers. Without the script the tables read the same, unsorted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .._tables import Table
from ._html_common import Footnotes, attr, count_text, esc, range_text

__all__ = ["operation_sources", "render_tables"]

Record = Mapping[str, Any]


@attrs.frozen
class _Column:
    title: str
    cell: Callable[[Record], Any]
    numeric: bool = False
    # The cell function returns markup (already escaped), not a value.
    markup: bool = False
    # The name of the table column a test or a reader can match the cell against.
    key: str = ""


def _best_with_range(prefix: str) -> Callable[[Record], str]:
    def cell(r: Record) -> str:
        best, low, high = (r.get(f"{prefix}_{b}") for b in ("best", "low", "high"))
        if best is None and low is None and high is None:
            return '<span class="missing">not reported</span>'
        if low == best == high:
            return count_text(best)
        return (
            f"{count_text(r.get(f'{prefix}_best'))} "
            f'<span class="range">({range_text(r.get(f"{prefix}_low"), r.get(f"{prefix}_high"))})'
            "</span>"
        )

    return cell


def _value(name: str) -> Callable[[Record], Any]:
    return lambda r: r.get(name)


@attrs.frozen
class _Caption:
    """What names a rendered table: its id, its title and the note under it."""

    name: str
    title: str
    description: str

    @classmethod
    def of(cls, table: Table) -> _Caption:
        return cls(table.name, table.title, table.description)


def _render(
    table: _Caption,
    columns: Sequence[_Column],
    records: Sequence[Record],
    *,
    row_key: str | None,
    sources: Callable[[Record], list[int]] | None,
    footnotes: Footnotes,
    empty: str,
) -> str:
    # The section's heading shows the title; the caption still names the table for screen
    # readers, which announce it when entering the table.
    caption = (
        f'<caption><span class="visually-hidden">{esc(table.title)}. </span>'
        f'<span class="caption-note">{esc(table.description)}</span></caption>'
    )
    head = "".join(
        f'<th scope="col"{_class_and_key(c)}>'
        f'<button type="button" class="sort">{esc(c.title)}</button></th>'
        for c in columns
    )
    if sources is not None:
        head += '<th scope="col">Sources</th>'
    rows = []
    for record in records:
        cells = []
        for i, column in enumerate(columns):
            raw = column.cell(record)
            sort = _sort_value(record, column)
            text = raw if column.markup else _text(raw)
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if i == 0 else ""
            cells.append(
                f'<{tag}{scope}{_class_and_key(column)} data-sort="{attr(sort)}">{text}</{tag}>'
            )
        if sources is not None:
            cells.append(f'<td class="fns">{footnotes.marks(sources(record))}</td>')
        row_attr = f' data-row="{attr(record.get(row_key))}"' if row_key else ""
        rows.append(f"<tr{row_attr}>{''.join(cells)}</tr>")
    if not rows:
        width = len(columns) + (sources is not None)
        rows.append(f'<tr><td colspan="{width}">{esc(empty)}</td></tr>')
    # A wide table scrolls inside its own box on a phone; the box is focusable so a keyboard
    # can scroll it too.
    return (
        f'<div class="scroll" tabindex="0" role="region" aria-label="{attr(table.title)}">'
        f'<table id="table-{attr(table.name)}" class="sortable">{caption}\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></div>"
    )


def _class_and_key(column: _Column) -> str:
    klass = ' class="num"' if column.numeric else ""
    key = f' data-key="{attr(column.key)}"' if column.key else ""
    return klass + key


def _sort_value(record: Record, column: _Column) -> str:
    value = record.get(column.key) if column.key else column.cell(record)
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    if value is None:
        return '<span class="missing">—</span>'
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return count_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return esc(value)


def operation_sources(tables: Mapping[str, Table], footnotes: Footnotes) -> dict[str, list[int]]:
    """Return each country's sources: those of its operations' reports, by number."""
    by_country: dict[str, set[int]] = {}
    table = tables.get("operations")
    for record in [] if table is None else table.records():
        numbers = footnotes.numbers(record.get("urls"), record.get("sources"))
        by_country.setdefault(record.get("country") or "", set()).update(numbers)
    return {code: sorted(numbers) for code, numbers in by_country.items()}


def render_tables(tables: Mapping[str, Table], footnotes: Footnotes) -> list[tuple[str, str]]:
    """Return (heading, HTML) for each of the four tables the export holds, in report order."""
    sections: list[tuple[str, str]] = []
    totals = tables.get("totals")
    if totals is not None:
        by_country = operation_sources(tables, footnotes)
        columns = [
            _Column("Country", _value("country_name"), key="country_name"),
            _Column("Best estimate", _value("total_best"), numeric=True, key="total_best"),
            _Column("Low", _value("total_low"), numeric=True, key="total_low"),
            _Column("High", _value("total_high"), numeric=True, key="total_high"),
            _Column("Operations", _value("operations"), numeric=True, key="operations"),
            _Column(
                "Women", _best_with_range("women"), numeric=True, markup=True, key="women_best"
            ),
            _Column(
                "Children",
                _best_with_range("children"),
                numeric=True,
                markup=True,
                key="children_best",
            ),
            _Column("First", _value("first_date"), key="first_date"),
            _Column("Last", _value("last_date"), key="last_date"),
        ]
        body = _render(
            _Caption.of(totals),
            columns,
            totals.records(),
            row_key="country",
            sources=lambda r: by_country.get(r["country"], []),
            footnotes=footnotes,
            empty="No operation is recorded.",
        )
        sections.append(("Totals by receiving country", body))
    remaining = tables.get("remaining")
    if remaining is not None:
        columns = [
            _Column("Camp or country", lambda r: r.get("place_name") or r.get("country_name")),
            _Column("Who is counted", _value("scope"), key="scope"),
            _Column("Baseline", _value("baseline_text"), key="baseline_text"),
            _Column("Baseline count", _value("baseline_best"), numeric=True, key="baseline_best"),
            _Column(
                "Repatriated since",
                _value("repatriated_best"),
                numeric=True,
                key="repatriated_best",
            ),
            _Column(
                "Remaining",
                _best_with_range("remaining"),
                numeric=True,
                markup=True,
                key="remaining_best",
            ),
            _Column("Status", _value("status"), key="status"),
        ]
        body = _render(
            _Caption.of(remaining),
            columns,
            remaining.records(),
            row_key=None,
            sources=None,
            footnotes=footnotes,
            empty="No camp population was observed, so nothing remaining can be estimated.",
        )
        sections.append(("Remaining in the camps", body))
    reconciliation = tables.get("reconciliation")
    if reconciliation is not None:
        columns = [
            _Column("Country", _value("country_name"), key="country_name"),
            _Column("Counted by", _value("counter"), key="counter"),
            _Column("Window", _value("window_text"), key="window_text"),
            _Column("Claimed", _value("claimed_text"), key="claimed_text"),
            _Column(
                "Ledger", _best_with_range("ledger"), numeric=True, markup=True, key="ledger_best"
            ),
            _Column("Gap", _best_with_range("gap"), numeric=True, markup=True, key="gap_best"),
            _Column("Status", _value("status"), key="status"),
            _Column("Why", _value("explanation"), key="explanation"),
        ]
        body = _render(
            _Caption.of(reconciliation),
            columns,
            reconciliation.records(),
            row_key="claim_id",
            sources=lambda r: footnotes.numbers(r.get("url"), r.get("publisher")),
            footnotes=footnotes,
            empty="No cumulative claim is recorded to compare with the ledger.",
        )
        sections.append(("Claims against the ledger", body))
    quality = tables.get("quality")
    if quality is not None:
        sections.append(("Data quality", _quality(quality, footnotes)))
    return sections


# A large ledger has thousands of findings; the report lists the first ones and counts them
# all by check, and says where every one of them is (the quality command, any other export).
QUALITY_ROWS = 100


def _quality(quality: Table, footnotes: Footnotes) -> str:
    records = quality.records()
    counts: dict[str, list[Any]] = {}
    for record in records:
        entry = counts.setdefault(str(record.get("check")), [0, set()])
        entry[0] += 1
        if record.get("country"):
            entry[1].add(str(record["country"]))
    summary = _Caption(
        "quality-summary",
        "Findings by check",
        "How many findings each check made, and about which countries.",
    )
    summary_body = _render(
        summary,
        [
            _Column("Check", _value("check"), key="check"),
            _Column("Findings", _value("findings"), numeric=True, key="findings"),
            _Column("Countries", _value("countries"), key="countries"),
        ],
        [
            {"check": check, "findings": n, "countries": ", ".join(sorted(codes)) or None}
            for check, (n, codes) in sorted(counts.items())
        ],
        row_key=None,
        sources=None,
        footnotes=footnotes,
        empty="The quality checks found nothing.",
    )
    shown = records[:QUALITY_ROWS]
    note = ""
    if len(records) > len(shown):
        note = (
            f'<p class="table-note">The first {len(shown)} of {len(records):,} findings; '
            "<code>repatevents quality</code> and the CSV and workbook exports list every "
            "one.</p>"
        )
    columns = [
        _Column("Check", _value("check"), key="check"),
        _Column("Country", _value("country"), key="country"),
        _Column("Finding", _value("message"), key="message"),
        _Column("Reports", _value("event_count"), numeric=True, key="event_count"),
    ]
    body = _render(
        _Caption.of(quality),
        columns,
        shown,
        row_key=None,
        sources=None,
        footnotes=footnotes,
        empty="The quality checks found nothing.",
    )
    return summary_body + "\n" + body + note
