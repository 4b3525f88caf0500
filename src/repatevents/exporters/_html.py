"""The HTML exporter: one self-contained report page with a map, a chart and the tables.

The page holds everything it shows: its style sheet, a small script (sortable tables, the
map's details on hover or focus), the map's country outlines and the charts, all inline. Its
Content Security Policy allows nothing else, so opening it offline works and it makes no
request to any host; a source's address is only a link. The same tables and metadata give the
same bytes (the generation time comes from the metadata, never from the clock).

Sections, in order: the map (receiving countries shaded by their best total, camps, flows from
camps to countries, and the same figures in a table beside it); one small chart per country of
the cumulative totals over time with the low-high band and a point per operation; the totals,
remaining-in-camp, reconciliation and quality tables, sortable, with each figure's sources as
footnotes; the numbered sources; and a footer with what the export was made from.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import BinaryIO

from .._exporter import Exporter
from .._tables import ExportMetadata, Table
from ..errors import FieldProblem, UnknownCountryError, ValidationError
from ._html_chart import render_chart
from ._html_common import NO_DATA, PALETTE, Footnotes, attr, count_text, esc, range_text
from ._html_map import MapCountry, classes, render_map
from ._html_page import SCRIPT, STYLE, csp
from ._html_tables import operation_sources, render_tables

__all__ = ["HTML_EXPORTER", "write_html"]


def write_html(
    tables: Mapping[str, Table],
    metadata: ExportMetadata,
    stream: BinaryIO,
    /,
    *,
    title: str | None = None,
    countries: str | None = None,
) -> None:
    """Write the tables as one self-contained HTML report.

    Args:
        tables: the export's tables; the report draws on ``totals``, ``timeseries``,
            ``operations``, ``remaining``, ``reconciliation`` and ``quality`` (each optional).
        metadata: what the export was made from, shown in the footer, with its sources.
        stream: where the UTF-8 HTML goes.
        title: the page's title (default: the metadata's title).
        countries: only these receiving countries, as comma-separated codes or names
            (``"KGZ,KAZ"``); camps stay, and so do findings about no one country.

    Raises:
        ValidationError: ``countries`` names a country that is unknown or has no row in any
            table, or ``title`` is empty.
    """
    if title is not None and not title.strip():
        raise ValidationError([FieldProblem("title", title, "empty; expected some text")])
    if countries is not None:
        tables = _only(tables, _country_codes(countries, tables))
    page = _page(tables, metadata, title or metadata.title)
    stream.write(page.encode("utf-8"))


HTML_EXPORTER = Exporter(
    name="html",
    extension="html",
    media_type="text/html",
    description=(
        "One self-contained HTML report: a map of countries, camps and flows, cumulative "
        "charts with their ranges, and the sortable tables with every figure's sources."
    ),
    write=write_html,
)


def _country_codes(text: str, tables: Mapping[str, Table]) -> frozenset[str]:
    from ..events import lookup_country

    present: set[str] = set()
    for table in tables.values():
        if any(c.name == "country" for c in table.columns):
            present.update(str(r["country"]) for r in table.records() if r["country"] is not None)
    codes: set[str] = set()
    problems: list[FieldProblem] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            code = lookup_country(item).code
        except UnknownCountryError:
            problems.append(
                FieldProblem(
                    "countries",
                    item,
                    "not a known country code or name; expected one such as KGZ or Kyrgyzstan",
                )
            )
            continue
        if code not in present:
            with_rows = ", ".join(sorted(present)) or "none"
            rule = f"no row of this export is about it; expected one of {with_rows}"
            problems.append(FieldProblem("countries", item, rule))
        codes.add(code)
    if not codes and not problems:
        problems.append(
            FieldProblem("countries", text, "no country named; expected codes such as KGZ,KAZ")
        )
    if problems:
        raise ValidationError(problems)
    return frozenset(codes)


def _only(tables: Mapping[str, Table], codes: frozenset[str]) -> dict[str, Table]:
    kept: dict[str, Table] = {}
    for name, table in tables.items():
        names = [c.name for c in table.columns]
        if "country" not in names:
            kept[name] = table
            continue
        index = names.index("country")
        place = names.index("place") if "place" in names else None
        rows = [
            row
            for row in table.rows
            # A camp's row is about everyone in it, a finding without a country about no one
            # country: neither belongs to a country left out.
            if row[index] in codes
            or row[index] is None
            or (place is not None and row[place] is not None)
        ]
        kept[name] = Table(table.name, table.title, table.columns, rows, table.description)
    return kept


def _map_countries(totals: Table | None) -> list[MapCountry]:
    if totals is None:
        return []
    countries = []
    for r in totals.records():
        code = r.get("country")
        if code is None:
            continue
        countries.append(
            MapCountry(
                code=str(code),
                name=str(r.get("country_name") or code),
                best=_count(r.get("total_best")),
                low=_count(r.get("total_low")),
                high=_count(r.get("total_high")),
                lon=_coordinate(r.get("lon")),
                lat=_coordinate(r.get("lat")),
            )
        )
    return countries


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _coordinate(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _page(tables: Mapping[str, Table], metadata: ExportMetadata, title: str) -> str:
    footnotes = Footnotes(metadata)
    countries = _map_countries(tables.get("totals"))
    ranked = sorted(countries, key=lambda c: (-(c.best or 0), c.name))
    bounds = classes([c.best for c in countries if c.best is not None])
    table_sections = render_tables(tables, footnotes)
    svg, note = render_map(countries, tables, bounds)
    nav = [("map", "Map"), ("over-time", "Over time")]
    nav += [(_slug(heading), heading) for heading, _ in table_sections]
    nav += [("sources-heading", "Sources"), ("provenance", "How this was made")]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{attr(csp())}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(title)}</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="lead">{esc(_lead(countries, tables.get("operations"), metadata))}</p>',
        '<nav aria-label="Sections"><ul>'
        + "".join(f'<li><a href="#{attr(a)}">{esc(t)}</a></li>' for a, t in nav)
        + "</ul></nav>",
        "</header>",
        "<main>",
        '<section aria-labelledby="map-heading">',
        '<h2 id="map-heading">Where people were taken</h2>',
        '<div class="map-layout"><div>',
        svg,
        _legend(bounds),
        note,
        '<p id="map-info" class="map-info" aria-live="polite">Hover over or tab to a country, '
        "camp or line for its figures.</p>",
        "</div>",
        _map_table(ranked, footnotes, tables),
        "</div></section>",
        '<section aria-labelledby="over-time-heading">',
        '<h2 id="over-time-heading">Cumulative totals over time</h2>',
        "<p>For each country, the line is the best estimate of everyone repatriated so far, the "
        "shaded band the range from low to high, and each point an operation: hover over or "
        "tab to it for its figures and its sources.</p>",
        render_chart(tables, {c.code: c.name for c in ranked}, footnotes),
        "</section>",
    ]
    for heading, body in table_sections:
        parts += [
            f'<section aria-labelledby="{_slug(heading)}">',
            f'<h2 id="{_slug(heading)}">{esc(heading)}</h2>',
            body,
            "</section>",
        ]
    parts += [
        footnotes.section(),
        "</main>",
        _footer(metadata),
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _slug(heading: str) -> str:
    return "-".join(heading.lower().split())


def _lead(
    countries: Sequence[MapCountry], operations: Table | None, metadata: ExportMetadata
) -> str:
    lows = [c.low for c in countries]
    highs = [c.high for c in countries]
    best = sum(c.best or 0 for c in countries)
    low = None if None in lows else sum(c for c in lows if c is not None)
    high = None if None in highs else sum(c for c in highs if c is not None)
    count = 0 if operations is None else len(operations.rows)
    as_of = metadata.as_of.isoformat() if metadata.as_of else "the latest report"
    spread = "" if low == best == high else f"; range {range_text(low, high)}"
    return (
        f"{count_text(best)} people (best estimate{spread}) taken back "
        f"by {len(countries)} countries in {count} operations, as of {as_of}. Every figure is "
        "a claim by a source: the sources are numbered at the end, and where they disagree the "
        "reconciliation says why."
    )


def _legend(bounds: Sequence[int]) -> str:
    colours = PALETTE[len(PALETTE) - len(bounds) :]
    items = []
    for i, (colour, low) in enumerate(zip(colours, bounds, strict=True)):
        upper = f"–{count_text(bounds[i + 1] - 1)}" if i + 1 < len(bounds) else " or more"
        label = f"{count_text(low)}{upper}"
        items.append(
            f'<li><span class="swatch" aria-hidden="true">'
            f'<svg viewBox="0 0 1 1" width="100%" height="100%"><rect width="1" height="1" '
            f'fill="{colour}"/></svg></span>{esc(label)}</li>'
        )
    items.append(
        f'<li><span class="swatch" aria-hidden="true"><svg viewBox="0 0 1 1" width="100%" '
        f'height="100%"><rect width="1" height="1" fill="{NO_DATA}"/></svg></span>no total '
        "reported</li>"
    )
    items.append(
        '<li><svg class="key" viewBox="0 0 12 12" width="14" height="14" aria-hidden="true">'
        '<path d="M6 1L11 10L1 10Z" fill="#7f0000"/></svg> camp</li>'
    )
    return (
        '<ul class="legend" aria-label="Map key: people repatriated (best estimate)">'
        + "".join(items)
        + "</ul>"
    )


def _map_table(
    ranked: Sequence[MapCountry], footnotes: Footnotes, tables: Mapping[str, Table]
) -> str:
    by_country = operation_sources(tables, footnotes)
    rows = "\n".join(
        f'<tr data-row="{attr(c.code)}"><th scope="row">{esc(c.name)}</th>'
        f'<td class="num">{count_text(c.best)}</td>'
        f'<td class="num">{range_text(c.low, c.high)}</td>'
        f'<td class="fns">{footnotes.marks(by_country.get(c.code, []))}</td></tr>'
        for c in ranked
    )
    if not rows:
        rows = '<tr><td colspan="4">No operation is recorded.</td></tr>'
    return (
        '<div class="scroll" tabindex="0" role="region" aria-label="Figures on the map">'
        '<table id="map-table"><caption><span class="caption-title">Figures on the map'
        '</span><span class="caption-note">People repatriated: best estimate, range, sources'
        '</span></caption>\n<thead><tr><th scope="col">Country</th>'
        '<th scope="col" class="num">Best</th><th scope="col" class="num">Range</th>'
        '<th scope="col">Sources</th></tr>'
        f"</thead>\n<tbody>\n{rows}\n</tbody></table></div>"
    )


def _footer(metadata: ExportMetadata) -> str:
    # Rendered from typed_items() so that whatever the metadata comes to record (the ledger's
    # hash, the library's version) appears here without a change to this exporter.
    items = "\n".join(
        f"<dt>{esc(key.replace('_', ' ').capitalize())}</dt><dd>{esc(value)}</dd>"
        for key, value in metadata.typed_items()
    )
    return (
        '<footer><h2 id="provenance">How this was made</h2>\n'
        "<p>Made by repatevents from its append-only ledger; the same ledger, options and "
        "generation time give the same page, byte for byte.</p>\n"
        f"<dl>\n{items}\n</dl></footer>"
    )
