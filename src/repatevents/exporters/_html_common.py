"""What the parts of the HTML report share: escaping, figures as text, the palette, sources."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

import attrs

from .._tables import ExportMetadata

__all__ = [
    "MISSING",
    "NO_DATA",
    "PALETTE",
    "Footnotes",
    "attr",
    "count_text",
    "esc",
    "range_text",
]

# ColorBrewer YlGnBu, 5 classes: sequential and safe for the common colour-vision deficiencies,
# and it prints legibly in grey.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#d9d9d9"
MISSING = "not reported"


def esc(text: object) -> str:
    """Return ``text`` escaped for an element's content."""
    return html.escape(str(text), quote=False)


def attr(text: object) -> str:
    """Return ``text`` escaped for a double-quoted attribute value."""
    return html.escape(str(text), quote=True)


def count_text(value: int | float | None) -> str:
    """Return a count as text with thousands separators; ``None`` is "not reported"."""
    if value is None:
        return MISSING
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def range_text(low: int | None, high: int | None) -> str:
    """Return a low-high range as text; an empty high has no upper bound ("540 or more")."""
    if low is None and high is None:
        return MISSING
    if high is None:
        return f"{count_text(low)} or more"
    if low is None:
        return f"up to {count_text(high)}"
    if low == high:
        return count_text(low)
    # "-142–-4" reads as a typo; with a negative end (a gap) the range is said in words.
    dash = " to " if min(low, high) < 0 else "–"
    return f"{count_text(low)}{dash}{count_text(high)}"


@attrs.frozen
class _Source:
    number: int
    publisher: str
    published: str | None
    url: str | None
    fields: tuple[tuple[str, Any], ...] = ()


class Footnotes:
    """The sources of the export, numbered once, and found again by address or publisher.

    A figure's footnote marks link to the numbered list at the end of the report, so each source
    is written once however many figures rest on it.
    """

    def __init__(self, metadata: ExportMetadata) -> None:
        self._sources: list[_Source] = []
        self._by_url: dict[str, int] = {}
        self._by_publisher: dict[str, list[int]] = {}
        for number, source in enumerate(metadata.sources, start=1):
            publisher = str(source.get("publisher") or "unnamed source")
            url = source.get("url")
            published = source.get("published")
            entry = _Source(
                number,
                publisher,
                None if published is None else str(published),
                None if url is None else str(url),
                tuple(source.items()),
            )
            self._sources.append(entry)
            if entry.url is not None:
                self._by_url.setdefault(entry.url, number)
            self._by_publisher.setdefault(publisher, []).append(number)

    def numbers(self, urls: str | None, publishers: str | None = None) -> list[int]:
        """Return the numbers of the sources behind a figure, from its "; "-joined cells.

        An address names one source; a publisher without an address names every source of that
        publisher, so a figure never loses its sources because one report had no address.
        """
        found: set[int] = set()
        matched_publishers: set[str] = set()
        for url in _split(urls):
            number = self._by_url.get(url)
            if number is not None:
                found.add(number)
                matched_publishers.add(self._sources[number - 1].publisher)
        for publisher in _split(publishers):
            if publisher not in matched_publishers:
                found.update(self._by_publisher.get(publisher, ()))
        return sorted(found)

    def marks(self, numbers: Sequence[int]) -> str:
        """Return footnote marks that link to the sources list (empty for no sources)."""
        links = [f'<a href="#source-{n}">{n}</a>' for n in numbers]
        return f'<sup class="fn">{",".join(links)}</sup>' if links else ""

    def describe(self, numbers: Sequence[int]) -> list[str]:
        """Return one line of text per source, publisher and date (for tooltips); the number
        leads to its address in the sources list."""
        lines = []
        for n in numbers:
            s = self._sources[n - 1]
            date = f", {s.published}" if s.published else ""
            lines.append(f"[{n}] {s.publisher}{date}")
        return lines

    def section(self) -> str:
        """Return the numbered list of every source, each a footnote target."""
        items = []
        for s in self._sources:
            link = (
                f' <a href="{attr(s.url)}" rel="noreferrer">{esc(s.url)}</a>'
                if s.url is not None
                else ""
            )
            details = _details(s.fields)
            items.append(f'<li id="source-{s.number}">{esc(s.publisher)}{details}.{link}</li>')
        body = "\n".join(items) if items else "<li>No sources are recorded.</li>"
        return (
            '<section aria-labelledby="sources-heading"><h2 id="sources-heading">Sources</h2>\n'
            "<p>Each figure's footnote numbers point here. An address is only a link: the "
            f'report loads nothing from it.</p>\n<ol class="sources">\n{body}\n</ol></section>'
        )


# How the fields of a source read in the list; publisher and address are written apart.
_FIELD_TEXT = {
    "via": "via {}",
    "speaker_kind": "speaker: {}",
    "published": "published {}",
    "reports": "reports: {}",
}


def _details(fields: Sequence[tuple[str, Any]]) -> str:
    # Every field the metadata holds for a source, so two sources of one article (told apart
    # only by the outlet or the kind of speaker) never read the same.
    parts = []
    for key, value in fields:
        if key in ("publisher", "url") or value is None:
            continue
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        template = _FIELD_TEXT.get(key, key.replace("_", " ") + ": {}")
        parts.append(
            esc(template.format(text.replace("-", " ") if key == "speaker_kind" else text))
        )
    return f" ({'; '.join(parts)})" if parts else ""


def _split(cell: Any) -> list[str]:
    if not cell:
        return []
    return [part.strip() for part in str(cell).split("; ") if part.strip()]
