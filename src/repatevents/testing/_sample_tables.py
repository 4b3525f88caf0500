"""Hand-made tables for testing exporters: realistic figures and the awkward cells real data has.

The figures are of the size the projections produce from public reporting (country totals in
the hundreds, camp populations in the thousands), not a record of any real operation. Awkward
cells are on purpose: ``None`` (not reported), unicode publisher names, a source name that is a
spreadsheet formula, text with commas, quotes and line breaks, and dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .._tables import Column, ColumnType, ExportMetadata, Table

__all__ = [
    "FORMULA_TEXTS",
    "LARGEST_NUMBERS",
    "UNICODE_TEXTS",
    "empty_tables",
    "formula_tables",
    "largest_number_tables",
    "sample_metadata",
    "sample_tables",
    "unicode_tables",
]

T, INT, N, D, B = (
    ColumnType.TEXT,
    ColumnType.INTEGER,
    ColumnType.NUMBER,
    ColumnType.DATE,
    ColumnType.BOOLEAN,
)

LARGEST_NUMBERS: tuple[int | float, ...] = (
    2**63 - 1,
    -(2**63),
    10**30 + 7,
    1.7976931348623157e308,
    5e-324,
)
"""Numbers at the edges: SQLite's integer range, a larger int, the float extremes."""

UNICODE_TEXTS: tuple[str, ...] = (
    "Радио Азаттык",
    "وكالة أنباء هاوار",
    "Kün.uz — O‘zbekiston",
    "Agence France-Presse 🇫🇷",
    "Zoë Ørsted, née Ångström",
    "北京 · 東京",
    "e\u0301 combining",
)
"""Text in several scripts, with emoji, a combining accent and a right-to-left script."""

FORMULA_TEXTS: tuple[str, ...] = (
    "=1+1",
    "+2+2",
    "-3+3",
    "@SUM(4,4)",
    "\t=5+5",
    "\r=6+6",
    "\n=7+7",
    "\uff1d8+8",
)
"""Text cells a spreadsheet would run as formulas: each of OWASP's starts (``=``, ``+``,
``-``, ``@``, a tab or a carriage return before one), a line feed, and a full-width ``＝``."""


def _column(name: str, title: str, kind: ColumnType, hxl: str) -> Column:
    return Column(name=name, title=title, type=kind, hxl=hxl)


_TOTALS = (
    _column("country", "Country code", T, "#country+code"),
    _column("country_name", "Country", T, "#country+name"),
    _column("operations", "Operations", INT, "#activity+num"),
    _column("total_low", "Total (low)", INT, "#affected+total+min"),
    _column("total_best", "Total (best)", INT, "#affected+total+best"),
    _column("total_high", "Total (high)", INT, "#affected+total+max"),
    _column("women_best", "Women (best)", INT, "#affected+f+adults+best"),
    _column("children_best", "Children (best)", INT, "#affected+children+best"),
    _column("people_per_family", "People per family", N, "#affected+ratio"),
    _column("first_date", "First operation", D, "#date+start"),
    _column("last_date", "Last operation", D, "#date+end"),
)

_REMAINING = (
    _column("place", "Camp", T, "#loc+code"),
    _column("place_name", "Camp or place", T, "#loc+name"),
    _column("scope", "Who is counted", T, "#meta+scope"),
    _column("country", "Country code", T, "#country+code"),
    _column("baseline_date", "Baseline date", D, "#date+baseline"),
    _column("baseline_text", "Baseline date (as given)", T, "#meta+date+baseline"),
    _column("baseline_age_days", "Baseline age (days)", INT, "#meta+age"),
    _column("remaining_low", "Remaining (low)", INT, "#affected+remaining+min"),
    _column("remaining_best", "Remaining (best)", INT, "#affected+remaining+best"),
    _column("remaining_high", "Remaining (high)", INT, "#affected+remaining+max"),
    _column("clamped", "Clamped at zero", B, "#status+clamped"),
    _column("status", "Status", T, "#status"),
)

_OPERATIONS = (
    _column("operation", "Operation", T, "#activity+id"),
    _column("country", "Country code", T, "#country+code"),
    _column("origin", "From", T, "#loc+code"),
    _column("date", "Date", D, "#date"),
    _column("total_low", "Total (low)", INT, "#affected+total+min"),
    _column("total_best", "Total (best)", INT, "#affected+total+best"),
    _column("total_high", "Total (high)", INT, "#affected+total+max"),
    _column("reports", "Reports", INT, "#meta+count"),
    _column("notes", "Notes", T, "#description"),
)

_TIMESERIES = (
    _column("country", "Country code", T, "#country+code"),
    _column("period", "Period", T, "#meta+period"),
    _column("cumulative_best", "Cumulative (best)", INT, "#affected+total+best+cumulative"),
)

_RECONCILIATION = (
    _column("country", "Country code", T, "#country+code"),
    _column("counter", "Counted by", T, "#org+counter"),
    _column("window_end", "Window end", D, "#date+end"),
    _column("claimed_best", "Claimed (best)", INT, "#affected+total+claimed"),
    _column("ledger_best", "Ledger (best)", INT, "#affected+total+ledger"),
    _column("gap", "Gap", INT, "#affected+total+gap"),
    _column("status", "Status", T, "#status"),
)

_QUALITY = (
    _column("check", "Check", T, "#meta+check"),
    _column("country", "Country code", T, "#country+code"),
    _column("message", "Finding", T, "#description"),
)

_SOURCES = (
    _column("publisher", "Publisher", T, "#org+publisher"),
    _column("url", "Address", T, "#meta+url"),
    _column("published", "Published", D, "#date+published"),
    _column("reports", "Reports", INT, "#meta+count"),
)

_DAY = dt.date


def sample_tables() -> dict[str, Table]:
    """Return the seven tables an export holds, filled with realistic and awkward cells.

    Returns:
        ``operations``, ``totals``, ``timeseries``, ``remaining``, ``reconciliation``,
        ``quality`` and ``sources``, in that order.
    """
    return {
        "operations": Table(
            "operations",
            "Operations",
            _OPERATIONS,
            [
                ("kaz-2019-01", "KAZ", "al-hol", _DAY(2019, 1, 6), 47, 47, 47, 2, None),
                ("kaz-2019-05", "KAZ", "al-hol", _DAY(2019, 5, 9), 231, 231, 238, 3, "Zhusan"),
                ("uzb-2019-05", "UZB", "al-hol", _DAY(2019, 5, 30), 156, 156, 156, 1, None),
                ("kgz-2021-03", "KGZ", "roj", _DAY(2021, 3, 18), 79, 79, 79, 2, "Meerim, 1"),
                ("kgz-2023-02", "KGZ", "al-hol", _DAY(2023, 2, 21), 59, 59, None, 1, None),
                ("irq-2024-01", "IRQ", "al-hol", _DAY(2024, 1, 4), 612, 640, 700, 4, "families"),
                ("xkx-2019-04", "XKX", "syria", _DAY(2019, 4, 20), 110, 110, 110, 2, None),
                ("fra-2023-07", "FRA", "roj", _DAY(2023, 7, 4), 35, 35, 35, 1, '"Quoted"'),
            ],
            "Operations merged from their reports.",
        ),
        "totals": Table(
            "totals",
            "Totals by country",
            _TOTALS,
            [
                ("FRA", "France", 1, 35, 35, 35, 10, 25, None, _DAY(2023, 7, 4), _DAY(2023, 7, 4)),
                ("IRQ", "Iraq", 1, 612, 640, 700, None, None, 3.6, _DAY(2024, 1, 4), None),
                (
                    "KAZ",
                    "Kazakhstan",
                    2,
                    278,
                    278,
                    285,
                    52,
                    211,
                    None,
                    _DAY(2019, 1, 6),
                    _DAY(2019, 5, 9),
                ),
                (
                    "KGZ",
                    "Kyrgyzstan",
                    2,
                    138,
                    138,
                    None,
                    29,
                    109,
                    None,
                    _DAY(2021, 3, 18),
                    _DAY(2023, 2, 21),
                ),
                (
                    "UZB",
                    "Uzbekistan",
                    1,
                    156,
                    156,
                    156,
                    48,
                    107,
                    None,
                    _DAY(2019, 5, 30),
                    _DAY(2019, 5, 30),
                ),
                (
                    "XKX",
                    "Kosovo",
                    1,
                    110,
                    110,
                    110,
                    None,
                    74,
                    None,
                    _DAY(2019, 4, 20),
                    _DAY(2019, 4, 20),
                ),
            ],
            "Totals per receiving country, low / best / high.",
        ),
        "timeseries": Table(
            "timeseries",
            "Cumulative totals by year",
            _TIMESERIES,
            [
                ("KAZ", "2019", 278),
                ("KGZ", "2021", 79),
                ("KGZ", "2023", 138),
                ("UZB", "2019", 156),
            ],
        ),
        "remaining": Table(
            "remaining",
            "Remaining in camps",
            _REMAINING,
            [
                (
                    "al-hol",
                    "al-Hol camp",
                    "all",
                    None,
                    _DAY(2023, 12, 31),
                    "2023-12",
                    182,
                    41_980,
                    43_120,
                    44_050,
                    False,
                    "estimated",
                ),
                (
                    "roj",
                    "Roj camp",
                    "all",
                    None,
                    _DAY(2023, 11, 30),
                    "2023-11-30",
                    213,
                    2_410,
                    2_600,
                    2_780,
                    False,
                    "estimated",
                ),
                (
                    "ain-issa",
                    "Ain Issa camp",
                    "all",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "unknown",
                ),
                # Foreigners somewhere in north-east Syria: a region, not a camp.
                (
                    "nes",
                    "North-east Syria (unspecified)",
                    "foreigners",
                    None,
                    _DAY(2019, 5, 10),
                    "2019-05-10",
                    1878,
                    8_639,
                    8_809,
                    8_809,
                    False,
                    "estimated",
                ),
                (
                    None,
                    None,
                    "nationals",
                    "KAZ",
                    _DAY(2023, 6, 30),
                    "2023-06",
                    366,
                    0,
                    12,
                    40,
                    True,
                    "estimated",
                ),
                (
                    None,
                    None,
                    "nationals",
                    "FRA",
                    _DAY(2023, 9, 1),
                    "2023-09-01",
                    303,
                    80,
                    95,
                    120,
                    False,
                    "estimated",
                ),
            ],
            "Latest observation minus outflows plus inflows since, never below zero.",
        ),
        "reconciliation": Table(
            "reconciliation",
            "Cumulative claims against the ledger",
            _RECONCILIATION,
            [
                (
                    "KGZ",
                    "Ministry of Foreign Affairs",
                    _DAY(2023, 3, 1),
                    600,
                    138,
                    -462,
                    "ledger lower",
                ),
                ("KAZ", "Радио Азаттык", _DAY(2019, 6, 1), 278, 278, 0, "consistent"),
                ("UZB", None, None, 156, 156, 0, "consistent"),
            ],
        ),
        "quality": Table(
            "quality",
            "Data quality findings",
            _QUALITY,
            [
                ("breakdown", "KAZ", "women + children (263) exceed the total (231), line 2"),
                ("no-address", "IRQ", "-operation without a source address"),
                ("duplicate", None, "@two reports\nfour days apart, figures within 2%"),
            ],
        ),
        "sources": Table(
            "sources",
            "Sources",
            _SOURCES,
            [
                ("Agence France-Presse", "https://example.org/afp/1", _DAY(2023, 7, 4), 1),
                ('=HYPERLINK("http://evil.example/","click me")', None, None, 1),
                ("+Hawar News, ANHA", "https://example.org/hawar", _DAY(2024, 1, 5), 2),
                ("\tTab News", None, _DAY(2021, 3, 19), None),
                ("Радио Азаттык", "https://example.org/азаттык", _DAY(2019, 5, 10), 3),
                ("وكالة أنباء هاوار", None, None, 1),
            ],
        ),
    }


def sample_metadata() -> ExportMetadata:
    """Return fixed metadata for the sample tables (a fixed generation time: exports repeat)."""
    return ExportMetadata(
        ledger_position=28,
        as_of=_DAY(2024, 6, 30),
        known_at=None,
        policy="conservative",
        generated_at=dt.datetime(2024, 7, 1, 12, 0, tzinfo=dt.UTC),
        # As Ledger.metadata gives them: two sources of one article told apart only by the
        # outlet it came through and the kind of speaker; one published date as a date.
        sources=(
            {
                "publisher": "Agence France-Presse",
                "via": None,
                "speaker_kind": "media",
                "url": "https://example.org/afp/1",
                "published": "2023-07-04",
                "reports": 1,
            },
            {
                "publisher": "Agence France-Presse",
                "via": "AKIpress",
                "speaker_kind": "receiving-government",
                "url": "https://example.org/afp/1",
                "published": "2023-07-04",
                "reports": 2,
            },
            {
                "publisher": "Радио Азаттык",
                "via": None,
                "speaker_kind": "receiving-government",
                "url": None,
                "published": _DAY(2019, 5, 10),
                "reports": 3,
            },
        ),
        title="Repatriations from north-east Syria (test export)",
    )


def empty_tables() -> dict[str, Table]:
    """Return the sample tables with their columns and no rows."""
    return {
        name: Table(table.name, table.title, table.columns, [], table.description)
        for name, table in sample_tables().items()
    }


def unicode_tables() -> dict[str, Table]:
    """Return the sample tables with ``UNICODE_TEXTS`` in every text cell, in turn."""
    tables: dict[str, Table] = {}
    for name, table in sample_tables().items():
        rows: list[tuple[Any, ...]] = []
        for i, row in enumerate(table.rows):
            cells = [
                UNICODE_TEXTS[(i + j) % len(UNICODE_TEXTS)] if column.type is T else cell
                for j, (column, cell) in enumerate(zip(table.columns, row, strict=True))
            ]
            rows.append(tuple(cells))
        tables[name] = Table(table.name, table.title, table.columns, rows, table.description)
    return tables


def formula_tables() -> dict[str, Table]:
    """Return the sample tables with ``FORMULA_TEXTS`` in every text cell, in turn."""
    tables: dict[str, Table] = {}
    for name, table in sample_tables().items():
        rows: list[tuple[Any, ...]] = []
        for i, row in enumerate(table.rows):
            cells = [
                FORMULA_TEXTS[(i + j) % len(FORMULA_TEXTS)] if column.type is T else cell
                for j, (column, cell) in enumerate(zip(table.columns, row, strict=True))
            ]
            rows.append(tuple(cells))
        tables[name] = Table(table.name, table.title, table.columns, rows, table.description)
    return tables


def largest_number_tables() -> dict[str, Table]:
    """Return a ``totals`` table whose number cells hold ``LARGEST_NUMBERS``."""
    columns = (
        _column("country", "Country code", T, "#country+code"),
        _column("total_best", "Total (best)", INT, "#affected+total+best"),
        _column("people_per_family", "People per family", N, "#affected+ratio"),
    )
    rows = [
        ("KAZ", LARGEST_NUMBERS[0], LARGEST_NUMBERS[3]),
        ("UZB", LARGEST_NUMBERS[1], LARGEST_NUMBERS[4]),
        ("KGZ", LARGEST_NUMBERS[2], -LARGEST_NUMBERS[3]),
    ]
    return {"totals": Table("totals", "Totals by country", columns, rows)}
